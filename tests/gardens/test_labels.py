"""Staff print QR labels of zones and species from the admin's lists."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gardens.labels import bloom_caption, species_label, zone_label
from gardens.models import Species, Theme, Zone
from tests import pdfs
from tests.factories import (
    CommunityFactory,
    GardenFactory,
    SpeciesFactory,
    ZoneFactory,
    reach_every_community,
)
from tongyun.lib.labels import PER_PAGE
from tongyun.roles import make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("printed_site")]

SITE = pdfs.SITE
PASSWORD = "花园-Labels-2026"


@pytest.fixture
def own():
    """alice's community, with a garden."""
    return GardenFactory(community=CommunityFactory(name="牡丹园社区"), name="牡丹园")


@pytest.fixture
def other():
    """Another community's garden, which alice must not reach."""
    return GardenFactory(community=CommunityFactory(name="紫荆雅园"), name="紫荆园")


@pytest.fixture
def alice(own):
    """Community staff of the own garden's community."""
    user = make_staff(
        username="alice", role="community", password=PASSWORD, community=own.community
    )
    client = Client()
    client.force_login(user)
    return client


def print_labels(client, model, rows):
    return pdfs.print_labels(client, reverse(f"admin:gardens_{model}_changelist"), rows)


def pages_of(urls):
    return [urls[i : i + PER_PAGE] for i in range(0, len(urls), PER_PAGE)]


# --- Zones


@pytest.mark.parametrize(
    ("zone_count", "page_count"), [(1, 1), (PER_PAGE, 1), (PER_PAGE + 1, 2)]
)
def test_zone_labels_fill_pages_with_each_zones_address_in_order(
    admin_client, zone_count, page_count
):
    garden = GardenFactory(slug="mudanyuan")
    zones = [ZoneFactory(garden=garden, code=f"A{n:02d}") for n in range(zone_count)]

    data = pdfs.pdf_of(print_labels(admin_client, "zone", zones))

    assert pdfs.page_count(data) == page_count
    expected = [f"{SITE}/gardens/mudanyuan/zones/A{n:02d}/" for n in range(zone_count)]
    assert pdfs.scanned(data) == pages_of(expected)


def test_zone_label_names_its_garden_code_and_planned_species(admin_client):
    garden = GardenFactory(name="牡丹园", theme=Theme.PEONY)
    zone = ZoneFactory(garden=garden, code="A1", name="入口花境")
    zone.species.add(
        SpeciesFactory(name="牡丹", bloom_start_month=4, bloom_end_month=5),
        SpeciesFactory(name="紫丁香", bloom_start_month=4, bloom_end_month=5),
    )

    response = print_labels(admin_client, "zone", [zone])

    text = pdfs.text(pdfs.pdf_of(response))
    for name in ["牡丹园", "A1", "入口花境", "牡丹", "紫丁香"]:
        assert name in text
    assert response["Content-Disposition"] == 'attachment; filename="zone-labels.pdf"'


def test_zone_label_carries_its_gardens_colour_and_bloom_months():
    zone = ZoneFactory(garden=GardenFactory(theme=Theme.REDBUD))
    zone.species.add(
        SpeciesFactory(bloom_start_month=4, bloom_end_month=4),
        SpeciesFactory(bloom_start_month=9, bloom_end_month=10),
    )

    label = zone_label(Zone.objects.for_labels().get())

    assert label.accent == "#8e2f7a"
    assert [m for m, on in enumerate(label.bloom, start=1) if on] == [4, 9, 10]
    assert label.url == f"{SITE}{zone.get_absolute_url()}"


def test_zone_without_species_gets_no_bloom_strip():
    ZoneFactory()

    label = zone_label(Zone.objects.for_labels().get())

    assert (label.bloom, label.lines, label.bloom_caption) == (None, (), "")


@pytest.mark.parametrize("zone_count", [1, 20])
def test_zone_labels_query_count_is_constant(
    admin_client, zone_count, django_assert_num_queries
):
    garden = GardenFactory()
    zones = ZoneFactory.create_batch(zone_count, garden=garden)
    for zone in zones:
        zone.species.add(SpeciesFactory(), SpeciesFactory())

    # 10 queries: session, user; the changelist's filter choices
    # (communities, gardens), its two counts, the choices again; then the
    # selected zones with their gardens (select_related) and their species
    # (prefetch_related).
    with django_assert_num_queries(10):
        response = print_labels(admin_client, "zone", zones)

    assert len(pdfs.scanned(pdfs.pdf_of(response))[0]) == min(zone_count, PER_PAGE)


# --- Who may print


def test_community_staff_print_their_own_zones_only(alice, own, other):
    mine = ZoneFactory(garden=own, code="A1")
    theirs = ZoneFactory(garden=other, code="B1")

    data = pdfs.pdf_of(print_labels(alice, "zone", [mine, theirs]))

    assert pdfs.scanned(data) == [[f"{SITE}{mine.get_absolute_url()}"]]
    assert "紫荆园" not in pdfs.text(data)


def test_another_communitys_zones_print_nothing(alice, other):
    theirs = ZoneFactory(garden=other, code="B1")

    response = print_labels(alice, "zone", [theirs])

    assert response["Content-Type"] != "application/pdf"
    assert response.status_code == 302
    assert pdfs.message_levels(response) == ["warning"]


@pytest.mark.parametrize("model", ["zone", "species"])
def test_staff_without_the_view_permission_print_nothing(client, model):
    user = User.objects.create_user("bob", is_staff=True)
    # Every gardens permission but the ones to see (or change) zones and species.
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="gardens").exclude(
            codename__in=[
                "view_zone",
                "change_zone",
                "view_species",
                "change_species",
            ]
        )
    )
    client.force_login(user)
    rows = [ZoneFactory()] if model == "zone" else [SpeciesFactory()]

    response = print_labels(client, model, rows)

    assert response.status_code == 403
    assert response["Content-Type"] != "application/pdf"


@pytest.mark.parametrize("model", ["zone", "species"])
def test_the_list_offers_printing_to_who_may_only_view(client, model):
    user = User.objects.create_user("viewer", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename=f"view_{model}"))
    reach_every_community(user)
    client.force_login(user)
    ZoneFactory() if model == "zone" else SpeciesFactory()

    response = client.get(reverse(f"admin:gardens_{model}_changelist"))

    choices = [
        name
        for name, _label in response.context["action_form"].fields["action"].choices
    ]
    assert "print_labels" in choices


def test_the_view_permission_is_enough_to_print(client):
    user = User.objects.create_user("viewer", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_zone"))
    reach_every_community(user)
    client.force_login(user)
    zone = ZoneFactory()

    data = pdfs.pdf_of(print_labels(client, "zone", [zone]))

    assert pdfs.scanned(data) == [[f"{SITE}{zone.get_absolute_url()}"]]


def test_too_many_labels_at_once_print_nothing(admin_client, monkeypatch):
    monkeypatch.setattr("tongyun.lib.labels.MAX_LABELS", 2)
    zones = ZoneFactory.create_batch(3)

    response = print_labels(admin_client, "zone", zones)

    assert response["Content-Type"] != "application/pdf"
    assert pdfs.message_levels(response) == ["error"]


# --- Species


@pytest.mark.parametrize(
    ("species_count", "page_count"), [(1, 1), (PER_PAGE, 1), (PER_PAGE + 1, 2)]
)
def test_species_labels_fill_pages_with_each_species_address_in_order(
    admin_client, species_count, page_count
):
    species = [
        SpeciesFactory(slug=f"s{n:02d}", bloom_start_month=4, name=f"花{n:02d}")
        for n in range(species_count)
    ]

    data = pdfs.pdf_of(print_labels(admin_client, "species", species))

    assert pdfs.page_count(data) == page_count
    expected = [f"{SITE}/species/s{n:02d}/" for n in range(species_count)]
    assert pdfs.scanned(data) == pages_of(expected)


def test_species_label_gives_chinese_and_latin_names_and_its_gardens(admin_client):
    species = SpeciesFactory(
        name="牡丹", latin_name="Paeonia suffruticosa", name_en="Tree peony"
    )
    for garden_name in ["牡丹园", "月季园"]:
        ZoneFactory(garden=GardenFactory(name=garden_name)).species.add(species)

    text = pdfs.text(pdfs.pdf_of(print_labels(admin_client, "species", [species])))

    for name in ["牡丹", "Paeonia suffruticosa", "Tree peony", "牡丹园", "月季园"]:
        assert name in text


@pytest.mark.parametrize("species_count", [1, 5])
def test_species_label_reads_its_gardens_without_a_query_each(
    species_count, django_assert_num_queries
):
    for _n in range(species_count):
        ZoneFactory().species.add(SpeciesFactory())

    # 2 queries: the species, then their zones with gardens (prefetch).
    with django_assert_num_queries(2):
        labels = [species_label(s) for s in Species.objects.for_labels()]

    assert all(label.kicker for label in labels)


# --- Bloom months in words


@pytest.mark.parametrize(
    ("months", "caption"),
    [
        ([4, 5], "Blooms April to May"),
        ([5], "Blooms in May"),
        ([11, 12, 1], "Blooms November to January"),
        ([4, 9, 10], "Blooms in April, September–October"),
        ([], ""),
    ],
)
def test_bloom_caption_names_each_run_of_months(months, caption):
    on = tuple(month in months for month in range(1, 13))

    with translation.override("en"):
        assert bloom_caption(on) == caption
