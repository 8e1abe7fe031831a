import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gardens.models import Zone
from gardens.views import GARDENS_PER_PAGE
from tests.factories import (
    AllocationFactory,
    ArtworkFactory,
    DonationFactory,
    DonationItemFactory,
    EventFactory,
    GardenFactory,
    ObservationFactory,
    PlantingFactory,
    SignupFactory,
    SpeciesFactory,
    ZoneFactory,
)
from tongyun import views as site_views
from tongyun.lib.figures import Plants
from tongyun.views import HOME_GARDENS

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


# --- Home ---------------------------------------------------------------


def test_home_shows_what_blooms_now_in_beijing(client, april):
    SpeciesFactory(name="牡丹", bloom_start_month=4, bloom_end_month=5)
    SpeciesFactory(name="月季", bloom_start_month=5, bloom_end_month=10)

    response = client.get(reverse("gardens:home"))

    blooming = html(response).split('id="blooming-title"')[1].split("</section>")[0]
    assert "牡丹" in blooming
    assert "月季" not in blooming
    assert "2024年4月15日 星期一" in html(response)


def test_home_says_plainly_when_nothing_blooms_and_what_comes_next(client, april):
    SpeciesFactory(name="月季", bloom_start_month=7, bloom_end_month=8)
    lotus = SpeciesFactory(name="荷花", bloom_start_month=6, bloom_end_month=8)

    response = client.get(reverse("gardens:home"))

    assert response.context["blooming"] == []
    assert response.context["next_month"] == 6
    assert response.context["upcoming"] == [lotus]
    assert 'class="empty"' in html(response)
    assert "六月" in html(response)


def test_home_shows_the_next_planting_day(client):
    EventFactory(title="明年植树日", starts_at=timezone.now() + dt.timedelta(days=40))
    soon = EventFactory(title="植树日", capacity=10)
    SignupFactory(event=soon, headcount=3)
    EventFactory(
        title="草稿", status="draft", starts_at=timezone.now() + dt.timedelta(days=1)
    )

    response = client.get(reverse("gardens:home"))

    assert response.context["next_event"] == soon
    card = html(response).split('class="next-event"')[1].split("</section>")[0]
    assert soon.get_absolute_url() in card
    assert "还剩 7 个名额" in card


def test_home_shows_the_latest_public_works(client):
    shown = ArtworkFactory(title="盛放")
    ArtworkFactory(title="待审核的作品", status="pending")

    response = client.get(reverse("gardens:home"))

    assert list(response.context["artworks"]) == [shown]
    assert shown.get_absolute_url() in html(response)
    assert "待审核的作品" not in html(response)


def test_home_shows_gardens_and_headline_figures(client):
    garden = GardenFactory(name="紫荆园")
    ZoneFactory(garden=garden, area_m2="100.0")
    ZoneFactory(garden=garden, area_m2="20.5")

    response = client.get(reverse("gardens:home"))

    assert response.context["figures"] == {
        "garden_count": 1,
        "zone_count": 2,
        "area_m2": pytest.approx(120.5),
        "planted": Plants(0),
    }
    assert "紫荆园" in html(response)
    assert garden.get_absolute_url() in html(response)


# --- Gardens ------------------------------------------------------------


def test_garden_list_links_every_garden(client):
    gardens = GardenFactory.create_batch(3)

    response = client.get(reverse("gardens:garden_list"))

    assert [g.pk for g in response.context["gardens"]] == [g.pk for g in gardens]
    for garden in gardens:
        assert garden.get_absolute_url() in html(response)


def test_garden_detail_shows_zones_species_and_figures(client):
    garden = GardenFactory(name="牡丹园", description="原来的闲置绿地")
    peony = SpeciesFactory(name="牡丹")
    zone = ZoneFactory(garden=garden, code="A1", name="入口花境", area_m2="86.0")
    zone.species.set([peony])
    ZoneFactory(code="A9", name="别处的分区")  # another garden's zone

    response = client.get(garden.get_absolute_url())

    page = html(response)
    assert list(response.context["zones"]) == [zone]
    assert response.context["species_list"] == [peony]
    assert "入口花境" in page
    assert zone.get_absolute_url() in page
    assert peony.get_absolute_url() in page
    assert "原来的闲置绿地" in page
    assert "别处的分区" not in page


def test_garden_detail_without_zones_reads_well(client):
    garden = GardenFactory()

    response = client.get(garden.get_absolute_url())

    assert list(response.context["zones"]) == []
    assert 'class="empty"' in html(response)


def test_garden_detail_unknown_slug_is_404(client):
    response = client.get(reverse("gardens:garden_detail", args=["no-such-garden"]))

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert reverse("gardens:home") in html(response)


# --- Zones --------------------------------------------------------------


def test_zone_detail_shows_design_and_species(client):
    zone = ZoneFactory(
        code="B1",
        state=Zone.State.PLANTED,
        designer="专业园林设计师",
        design_notes="三层种植牡丹",
    )
    peony = SpeciesFactory(name="牡丹")
    zone.species.set([peony])

    response = client.get(zone.get_absolute_url())

    page = html(response)
    assert response.context["zone"] == zone
    assert "三层种植牡丹" in page
    assert "专业园林设计师" in page
    assert "已种植" in page
    assert peony.get_absolute_url() in page


def test_zone_of_another_garden_is_404(client):
    zone = ZoneFactory(code="A1")
    other = GardenFactory()

    response = client.get(reverse("gardens:zone_detail", args=[other.slug, zone.code]))

    assert response.status_code == 404
    assert response.context.get("zone") is None


# --- Species ------------------------------------------------------------


def test_species_detail_shows_bloom_care_and_where_it_grows(client, april):
    peony = SpeciesFactory(
        name="牡丹",
        latin_name="Paeonia suffruticosa",
        bloom_start_month=4,
        bloom_end_month=5,
        care_notes="花后剪去残花",
    )
    zone = ZoneFactory(name="牡丹台地")
    zone.species.set([peony])
    ZoneFactory(name="别的分区")

    response = client.get(peony.get_absolute_url())

    page = html(response)
    assert list(response.context["zones"]) == [zone]
    assert response.context["in_bloom"] is True
    assert "Paeonia suffruticosa" in page
    assert "花后剪去残花" in page
    assert zone.get_absolute_url() in page
    assert "别的分区" not in page
    assert "花期：四月至五月" in page


# --- Bloom calendar -----------------------------------------------------


def test_bloom_calendar_is_twelve_months_with_now_marked(client, april):
    SpeciesFactory(bloom_start_month=4, bloom_end_month=5)
    SpeciesFactory(bloom_start_month=11, bloom_end_month=2)

    response = client.get(reverse("gardens:bloom_calendar"))

    strips = re.findall(r'<ol class="bloom-strip".*?</ol>', html(response), re.S)
    assert len(strips) == 2
    for strip in strips:
        cells = re.findall(r'<li class="([^"]*)"', strip)
        assert len(cells) == 12
        assert [i + 1 for i, c in enumerate(cells) if "now" in c] == [4]
    on = [
        [
            i + 1
            for i, c in enumerate(re.findall(r'<li class="([^"]*)"', s))
            if "on" in c.split()
        ]
        for s in strips
    ]
    assert on == [[4, 5], [1, 2, 11, 12]]


# --- Both languages -----------------------------------------------------

PUBLIC_PAGES = [
    "home",
    "garden_list",
    "garden_detail",
    "zone_detail",
    "species_detail",
    "bloom_calendar",
]


# Each page's own content, as entered in English beside the Chinese.
ENGLISH_CONTENT = {
    "home": "Peony Garden",
    "garden_list": "Peony Garden",
    "garden_detail": "Entrance border",
    "zone_detail": "Entrance border",
    "species_detail": "Tree peony",
    "bloom_calendar": "Tree peony",
}


@pytest.fixture
def demo_garden():
    garden = GardenFactory(name="牡丹园", name_en="Peony Garden")
    species = SpeciesFactory(name="牡丹", name_en="Tree peony", slug="mudan")
    zone = ZoneFactory(
        garden=garden, code="A1", name="入口花境", name_en="Entrance border"
    )
    zone.species.set([species])
    garden.signature_species.set([species])
    return garden, zone, species


def page_url(name, garden, zone, species):
    args = {
        "garden_detail": [garden.slug],
        "zone_detail": [garden.slug, zone.code],
        "species_detail": [species.slug],
    }.get(name, [])
    return reverse(f"gardens:{name}", args=args)


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_renders_in_chinese_by_default(client, demo_garden, name):
    response = client.get(page_url(name, *demo_garden))

    page = html(response)
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in page
    assert "通运花园城" in page
    assert "Tongyun Garden City" not in page
    assert "牡丹" in page


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_renders_in_english(english, demo_garden, name):
    response = english.get(page_url(name, *demo_garden))

    page = html(response)
    assert response.status_code == 200
    assert '<html lang="en">' in page
    assert "Tongyun Garden City" in page
    assert "通运花园城" not in page
    assert ENGLISH_CONTENT[name] in page


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_loads_nothing_from_other_hosts(client, demo_garden, name):
    response = client.get(page_url(name, *demo_garden))

    page = html(response)
    assert not re.search(r'(src|href|srcset)="(https?:)?//', page)
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_language_switch_sets_english_without_url_prefix(client, demo_garden):
    garden = demo_garden[0]

    response = client.post(
        reverse("set_language"), {"language": "en", "next": garden.get_absolute_url()}
    )
    follow = client.get(response["Location"])

    assert response["Location"] == garden.get_absolute_url()
    assert "Peony Garden" in html(follow)
    assert '<html lang="en">' in html(follow)


# --- Constant query counts ----------------------------------------------


def grow(zone, species):
    """A gift allocated to zone, planted, with a loss and a bloom observed."""
    donation = DonationFactory(quantity=100)
    DonationItemFactory(donation=donation, species=species)
    allocation = AllocationFactory(donation=donation, zone=zone, species=species)
    planting = PlantingFactory(zone=zone, species=species, allocation=allocation)
    ObservationFactory(
        zone=zone, species=species, planting=planting, kind="loss", count=1
    )
    ObservationFactory(zone=zone, species=species, kind="bloom_start")


def make_items(name, count):
    """
    Make count items of the kind the page lists, each with its plantings.

    Returns the page's URL and a piece of markup each listed item renders once.
    """
    if name in ("home", "garden_list"):
        for garden in GardenFactory.create_batch(count):
            species = SpeciesFactory.create_batch(2)
            grow(ZoneFactory(garden=garden), species[0])
            garden.signature_species.set(species)
            EventFactory(gardens=[garden])
            ArtworkFactory()
        return reverse(f"gardens:{name}"), 'class="card garden-card'
    if name == "garden_detail":
        garden = GardenFactory()
        for zone in ZoneFactory.create_batch(count, garden=garden):
            species = SpeciesFactory.create_batch(2)
            zone.species.set(species)
            grow(zone, species[0])
        garden.signature_species.set(SpeciesFactory.create_batch(count))
        EventFactory.create_batch(count, gardens=[garden])
        return garden.get_absolute_url(), 'class="card zone-card"'
    if name == "zone_detail":
        zone = ZoneFactory()
        for species in SpeciesFactory.create_batch(count):
            zone.species.add(species)
            grow(zone, species)
        return zone.get_absolute_url(), 'class="card species-card'
    if name == "species_detail":
        species = SpeciesFactory()
        for zone in ZoneFactory.create_batch(count):
            zone.species.add(species)
            grow(zone, species)
        return species.get_absolute_url(), '<th scope="row">'
    SpeciesFactory.create_batch(count)
    return reverse(f"gardens:{name}"), 'class="bloom-strip"'


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # next event + seats; latest works; largest gifts + donors; the first
        # gardens + community + figures, with the totals of all gardens, zones
        # and plants planted; their main flowers; species with this year's
        # observations, for what is in bloom
        ("home", 6),
        # the count; the page's gardens + community + figures; their main
        # flowers
        ("garden_list", 3),
        # garden + community + figures + main flowers' keys; zones + their
        # species' keys; every species with its figures here; gifts + donors
        # + planted here + their species' keys; latest observations; coming
        # events
        ("garden_detail", 6),
        # zone + garden + community; its species with bloom signals;
        # plantings with donors; latest observations
        ("zone_detail", 4),
        # species with bloom signals; its zones; planted per zone; gifts +
        # donors + planted here; their species; latest observations
        ("species_detail", 6),
        # species
        ("bloom_calendar", 1),
    ],
)
@pytest.mark.parametrize("item_count", [1, 10])
def test_public_page_query_count_is_constant(
    client, april, django_assert_num_queries, name, queries, item_count
):
    url, marker = make_items(name, item_count)

    with django_assert_num_queries(queries):
        response = client.get(url)

    shown = min(item_count, HOME_GARDENS) if name == "home" else item_count
    assert html(response).count(marker) == shown


@pytest.mark.parametrize("item_count", [1, 10])
def test_home_out_of_season_query_count_is_constant(
    client, monkeypatch, django_assert_num_queries, item_count
):
    november = dt.datetime(2024, 11, 15, 4, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: november)
    SpeciesFactory.create_batch(item_count, bloom_start_month=4, bloom_end_month=5)
    GardenFactory()

    # next event; latest works; largest gifts; gardens with the totals;
    # their main flowers; all species, for what is in bloom and what blooms
    # next
    with django_assert_num_queries(6):
        response = client.get(reverse("gardens:home"))

    assert html(response).count('class="card species-card') == item_count


def test_garden_page_lists_its_coming_events_only(client):
    garden, elsewhere = GardenFactory(), GardenFactory()
    here = EventFactory(gardens=[garden])
    EventFactory(gardens=[elsewhere])
    EventFactory(gardens=[garden], status="draft")

    response = client.get(garden.get_absolute_url())

    assert list(response.context["events"]) == [here]
    assert here.get_absolute_url() in html(response)


# --- Real pictures first ------------------------------------------------------


def jpeg(name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (96, 42), (200, 60, 100)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def img_tags(page, src):
    """The <img> tags of page that show src."""
    return [tag for tag in re.findall(r"<img [^>]*>", page) if f'src="{src}"' in tag]


def test_cards_and_pages_show_a_photo_sized_and_described(client, april):
    garden = GardenFactory(name="牡丹园", photo=jpeg())
    zone = ZoneFactory(garden=garden, name="入口花境", photo=jpeg())
    species = SpeciesFactory(
        name="牡丹", bloom_start_month=4, bloom_end_month=5, photo=jpeg()
    )
    zone.species.set([species])
    pages = {
        "home": html(client.get(reverse("gardens:home"))),
        "gardens": html(client.get(reverse("gardens:garden_list"))),
        "garden": html(client.get(garden.get_absolute_url())),
        "zone": html(client.get(zone.get_absolute_url())),
        "species": html(client.get(species.get_absolute_url())),
    }
    shown = {
        ("home", garden.photo.url),
        ("home", species.photo.url),
        ("gardens", garden.photo.url),
        ("garden", garden.photo.url),
        ("garden", zone.photo.url),
        ("garden", species.photo.url),
        ("zone", zone.photo.url),
        ("zone", species.photo.url),
        ("species", species.photo.url),
    }

    for name, src in shown:
        tags = img_tags(pages[name], src)
        assert tags, (name, src)
        for tag in tags:
            assert re.search(r'width="\d+"', tag), tag
            assert re.search(r'height="\d+"', tag), tag
            assert re.search(r'alt="[^"]+"', tag), tag


def test_cards_show_the_flower_mark_only_without_a_photo(client):
    GardenFactory(photo=jpeg())
    GardenFactory(theme="rose")

    page = html(client.get(reverse("gardens:garden_list")))

    arts = re.findall(r'<div class="art">(.*?)</div>', page, re.S)
    assert len(arts) == 2
    assert ["<img" in art for art in arts] == [True, False]
    assert ["mark-" in art for art in arts] == [False, True]


def test_a_detail_photo_loads_at_once_and_card_photos_lazily(client):
    garden = GardenFactory(photo=jpeg())
    ZoneFactory(garden=garden, photo=jpeg())

    page = html(client.get(garden.get_absolute_url()))

    hero, card = [tag for tag in re.findall(r"<img [^>]*>", page)]
    assert 'loading="lazy"' not in hero
    assert 'loading="lazy"' in card


def test_home_shows_the_first_gardens_and_the_figures_of_all(client):
    gardens = [GardenFactory(position=n) for n in range(HOME_GARDENS + 2)]
    for garden in gardens:
        ZoneFactory(garden=garden, area_m2="10.0")

    response = client.get(reverse("gardens:home"))

    page = html(response)
    assert [g.pk for g in response.context["gardens"]] == [
        g.pk for g in gardens[:HOME_GARDENS]
    ]
    assert response.context["figures"]["garden_count"] == HOME_GARDENS + 2
    assert response.context["figures"]["zone_count"] == HOME_GARDENS + 2
    assert response.context["figures"]["area_m2"] == pytest.approx(
        10.0 * (HOME_GARDENS + 2)
    )
    assert gardens[-1].get_absolute_url() not in page
    assert f'href="{reverse("gardens:garden_list")}"' in page


def test_garden_list_shows_a_page_at_a_time(client):
    gardens = [GardenFactory(position=n) for n in range(GARDENS_PER_PAGE + 2)]
    url = reverse("gardens:garden_list")

    first = client.get(url)
    second = client.get(url, {"page": 2})
    beyond = client.get(url, {"page": 99})
    nonsense = client.get(url, {"page": "x"})

    assert [g.pk for g in first.context["gardens"]] == [
        g.pk for g in gardens[:GARDENS_PER_PAGE]
    ]
    assert [g.pk for g in second.context["gardens"]] == [
        g.pk for g in gardens[GARDENS_PER_PAGE:]
    ]
    assert list(beyond.context["gardens"]) == list(second.context["gardens"])
    assert list(nonsense.context["gardens"]) == list(first.context["gardens"])
    assert f'href="{url}?page=2"' in html(first)
    assert gardens[-1].get_absolute_url() in html(second)
    assert gardens[-1].get_absolute_url() not in html(first)


# --- Lists bounded at any size (issue 13) -----------------------------------


def test_species_page_lists_its_largest_plantings_and_counts_the_rest(
    client, monkeypatch
):
    monkeypatch.setattr(site_views, "SPECIES_ZONES", 2)
    monkeypatch.setattr(site_views, "LISTED_GIFTS", 1)
    species = SpeciesFactory()
    zones = ZoneFactory.create_batch(3)
    for zone, quantity in zip(zones, (5, 30, 20), strict=True):
        zone.species.add(species)
        donation = DonationFactory(quantity=quantity)
        DonationItemFactory(donation=donation, species=species)
        allocation = AllocationFactory(donation=donation, zone=zone, species=species)
        PlantingFactory(
            zone=zone, species=species, allocation=allocation, quantity=quantity
        )

    response = client.get(species.get_absolute_url())

    page = response.content.decode()
    assert [zone.planted for zone in response.context["planted"]] == [30, 20]
    assert response.context["more_planted"] == 1
    assert (
        list(response.context["zones"])
        == sorted(zones, key=lambda zone: (zone.garden_id, zone.code))[:2]
    )
    assert response.context["more_zones"] == 1
    assert [gift.quantity for gift in response.context["gifts"]] == [30]
    assert response.context["more_gifts"] == 2
    assert 'data-more="planted"' in page
    assert 'data-more="zones"' in page
    assert 'data-more="gifts"' in page


def test_species_page_within_its_limits_has_no_more_sentence(client):
    species = SpeciesFactory()
    zone = ZoneFactory()
    zone.species.add(species)
    PlantingFactory(zone=zone, species=species)

    response = client.get(species.get_absolute_url())

    assert list(response.context["zones"]) == [zone]
    assert list(response.context["planted"]) == [zone]
    assert (response.context["more_zones"], response.context["more_planted"]) == (
        0,
        0,
    )
    assert "data-more=" not in response.content.decode()


def test_garden_page_lists_its_largest_gifts_and_counts_the_rest(client, monkeypatch):
    monkeypatch.setattr(site_views, "LISTED_GIFTS", 2)
    zone = ZoneFactory()
    species = SpeciesFactory()
    for quantity in (5, 30, 20):
        donation = DonationFactory(quantity=quantity)
        DonationItemFactory(donation=donation, species=species)
        AllocationFactory(donation=donation, zone=zone, species=species)

    response = client.get(zone.garden.get_absolute_url())

    assert [gift.quantity for gift in response.context["gifts"]] == [30, 20]
    assert response.context["more_gifts"] == 1
    assert 'data-more="gifts"' in response.content.decode()
