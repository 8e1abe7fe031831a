"""
Staff access beyond the matrix (tests/test_access_matrix.py): the holes an
outsider's check found, form and filter choices, imports, shared events,
check-in lists, the work queue, and the roles and command that make staff.
"""

import io

import pytest
from django import forms
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from artworks.models import Artwork
from events.models import Event, Signup
from gardens.access import communities_of
from gardens.models import StaffMembership
from plantings.models import Donation, Planting
from tests.factories import (
    AllocationFactory,
    ArtworkFactory,
    CallFactory,
    CommunityFactory,
    EventFactory,
    GardenFactory,
    SignupFactory,
    SpeciesFactory,
    SuggestionFactory,
    ZoneFactory,
    event_under_way,
)
from tongyun.admin import work_queue
from tongyun.roles import GROUPS, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "花园-Access-2026"


@pytest.fixture
def own():
    """alice's community, with a garden and zone."""
    community = CommunityFactory(slug="mudanyuan", name="牡丹园社区")
    zone = ZoneFactory(garden=GardenFactory(community=community), code="A1")
    return zone


@pytest.fixture
def other():
    """bob's community, with a garden and zone."""
    community = CommunityFactory(slug="zijingyayuan", name="紫荆雅园")
    zone = ZoneFactory(garden=GardenFactory(community=community), code="B1")
    return zone


@pytest.fixture
def alice(own):
    """Community staff of the own community."""
    return make_staff(
        username="alice",
        role="community",
        password=PASSWORD,
        community=own.garden.community,
    )


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def csv_upload(name, text):
    return SimpleUploadedFile(name, text.encode(), "text/csv")


def import_page(client, model, name, text):
    url = reverse(f"admin:plantings_{model}_import")
    return client.post(
        url, {"import_file": csv_upload(name, text), "format": "0", "resource": "0"}
    )


# --- The holes found ----------------------------------------------------------


def test_staff_without_permissions_cannot_import_into_the_public_ledger(client):
    stranger = client_of(make_plain_staff("stranger"))
    SpeciesFactory(name="牡丹", slug="mudan")
    text = "donor,donor_kind,received_on,quantity,is_floor,species,note\n"
    text += "冒名镇,town,2024-04-01,9999,,牡丹,\n"

    page = stranger.get(reverse("admin:plantings_donation_import"))
    response = import_page(stranger, "donation", "donations.csv", text)
    confirm = stranger.post(
        reverse("admin:plantings_donation_process_import"),
        {"import_file_name": "donations.csv", "original_file_name": "x", "format": 0},
    )

    assert (page.status_code, response.status_code, confirm.status_code) == (
        403,
        403,
        403,
    )
    assert not Donation.objects.exists()
    ledger = client.get(reverse("plantings:donation_list")).content.decode()
    assert "冒名镇" not in ledger


def make_plain_staff(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, is_staff=True)


def test_staff_without_permissions_cannot_export_sign_ups():
    SignupFactory(name="张三")
    stranger = client_of(make_plain_staff("stranger"))

    response = stranger.post(
        reverse("admin:events_signup_export"), {"format": "0", "resource": "0"}
    )

    assert response.status_code == 403
    assert "张三" not in response.content.decode()


def test_staff_without_the_view_permission_do_not_see_a_pending_work(client):
    work = ArtworkFactory(status="pending")
    client.force_login(make_plain_staff("stranger"))

    page = client.get(reverse("artworks:detail", args=[work.pk]))
    image = client.get(reverse("artworks:image", args=[work.pk, "display"]))

    assert (page.status_code, image.status_code) == (404, 404)


# --- Choices in forms and filters --------------------------------------------------


def test_group_booking_offers_and_accepts_only_own_events(alice, own, other):
    mine = EventFactory(gardens=[own.garden], title="牡丹园植树")
    theirs = EventFactory(gardens=[other.garden], title="紫荆园植树")
    client = client_of(alice)
    url = reverse("admin:events_signup_add")

    page = client.get(url)
    response = client.post(
        url,
        {
            "event": theirs.pk,
            "name": "花友会",
            "headcount": 3,
            "phone": "13800138000",
        },
    )

    choices = [
        value
        for value, _label in page.context["adminform"].form.fields["event"].choices
        if value
    ]
    assert [int(str(value)) for value in choices] == [mine.pk]
    assert response.status_code == 200
    assert "event" in response.context["adminform"].form.errors
    assert not Signup.objects.exists()


def test_planting_in_another_community_zone_is_refused(alice, own, other):
    species = SpeciesFactory()
    client = client_of(alice)

    response = client.post(
        reverse("admin:plantings_planting_add"),
        {
            "zone": other.pk,
            "species": species.pk,
            "quantity": 5,
            "planted_on": "2024-04-07",
        },
    )

    assert "zone" in response.context["adminform"].form.errors
    assert not Planting.objects.exists()


def test_community_staff_must_name_one_of_their_gardens_for_a_new_event(
    alice, own, other
):
    client = client_of(alice)
    data = {
        "title": "护绿日",
        "kind": "planting",
        "status": "draft",
        "starts_at_0": "2030-04-07",
        "starts_at_1": "09:00",
        "ends_at_0": "2030-04-07",
        "ends_at_1": "12:00",
        "capacity": 10,
        "signup_opens_at_0": "2030-03-01",
        "signup_opens_at_1": "09:00",
        "signup_closes_at_0": "2030-04-06",
        "signup_closes_at_1": "18:00",
        "meeting_point": "服务站",
        "seedling_goal": 0,
    }

    without = client.post(reverse("admin:events_event_add"), data)
    elsewhere = client.post(
        reverse("admin:events_event_add"), {**data, "gardens": [other.garden.pk]}
    )

    assert "gardens" in without.context["adminform"].form.errors
    assert "gardens" in elsewhere.context["adminform"].form.errors
    assert not Event.objects.exists()


def test_filters_offer_only_own_community_choices(alice, own, other):
    client = client_of(alice)

    page = client.get(reverse("admin:gardens_zone_changelist")).content.decode()

    assert own.garden.name in page
    assert other.garden.name not in page
    assert other.garden.community.name not in page


def test_a_call_of_community_staff_needs_their_community(alice, own, other):
    client = client_of(alice)

    page = client.get(reverse("admin:artworks_call_add"))

    field = page.context["adminform"].form.fields["community"]
    assert field.required
    assert list(field.queryset) == [own.garden.community]


# --- Shared events, check-in lists, imports -------------------------------------------


def test_event_shared_with_another_community_is_read_only(alice, own, other):
    shared = EventFactory(gardens=[own.garden, other.garden])
    client = client_of(alice)

    page = client.get(reverse("admin:events_event_change", args=[shared.pk]))
    post = client.post(
        reverse("admin:events_event_change", args=[shared.pk]), {"title": "改名"}
    )

    assert page.context["has_change_permission"] is False
    assert post.status_code == 403
    shared.refresh_from_db()
    assert shared.title != "改名"


def test_check_in_list_of_another_community_event_names_nothing(alice, other):
    theirs = EventFactory(gardens=[other.garden], title="紫荆园植树日")
    SignupFactory(event=theirs, name="李四")
    client = client_of(alice)

    page = client.get(
        reverse("admin:events_signup_changelist") + f"?event__id__exact={theirs.pk}"
    ).content.decode()

    assert "紫荆园植树日" not in page
    assert "李四" not in page


def test_planting_import_into_another_community_zone_imports_nothing(alice, own, other):
    species = SpeciesFactory(name="紫荆", slug="zijing")
    AllocationFactory(zone=other, species=species, quantity=50)
    text = "garden,zone,species,quantity,is_floor,planted_on,donor,source,note\n"
    text += f"{other.garden.slug},B1,紫荆,5,,2024-04-07,,,\n"
    client = client_of(alice)

    preview = import_page(client, "planting", "plantings.csv", text)

    assert preview.context.get("confirm_form") is None
    errors = preview.context["result"].invalid_rows[0].error_dict
    assert "zone" in errors
    assert not Planting.objects.exists()


def test_street_staff_import_plantings_anywhere(own, other):
    street = make_staff(username="street", role="street", password=PASSWORD)
    SpeciesFactory(name="紫荆", slug="zijing")
    text = "garden,zone,species,quantity,is_floor,planted_on,donor,source,note\n"
    text += f"{other.garden.slug},B1,紫荆,5,,2024-04-07,,,\n"

    preview = import_page(client_of(street), "planting", "plantings.csv", text)

    assert preview.context["confirm_form"] is not None


def test_export_of_plantings_holds_only_own_community_rows(alice, own, other):
    from tests.factories import PlantingFactory

    PlantingFactory(zone=own, note="本社区")
    PlantingFactory(zone=other, note="别的社区")
    client = client_of(alice)
    url = reverse("admin:plantings_planting_export")
    form = client.get(url).context["form"]
    data = {"format": "0", "resource": "0"} | {
        name: "on"
        for name, field in form.fields.items()
        if isinstance(field, forms.BooleanField)
    }

    text = client.post(url, data).content.decode("utf-8-sig")

    assert "本社区" in text
    assert "别的社区" not in text


# --- The admin index ---------------------------------------------------------------


def test_work_queue_counts_only_own_community(alice, own, other):
    ArtworkFactory(call=CallFactory(community=own.garden.community), status="pending")
    ArtworkFactory.create_batch(
        2, call=CallFactory(community=other.garden.community), status="pending"
    )
    event_under_way(gardens=[other.garden])
    SuggestionFactory(garden=own.garden)
    SuggestionFactory.create_batch(2, garden=other.garden)
    SuggestionFactory(garden=None)

    queue = work_queue(user=alice)

    assert queue["works_waiting"] == 1
    assert queue["suggestions_waiting"] == 1
    assert queue["todays_events"] == []
    assert Artwork.objects.count() == 3


# --- Roles and the staff command -------------------------------------------------


def test_roles_exist_as_groups_with_their_permissions():
    street, community, viewer = (Group.objects.get(name=GROUPS[r]) for r in GROUPS)

    def codenames(group):
        return {p.codename for p in group.permissions.all()}

    assert {"access_all_communities", "view_personal_data"} <= codenames(street)
    assert "access_all_communities" not in codenames(community)
    assert "delete_donation" not in codenames(community)
    assert "view_allocation" in codenames(community)
    assert all(
        name.startswith("view_")
        for name in codenames(viewer) - {"access_all_communities"}
    )
    assert "view_personal_data" not in codenames(viewer)
    assert "view_signup" not in codenames(viewer)
    # Accounts stay with the administrator.
    assert not street.permissions.filter(content_type__app_label="auth").exists()


def test_communities_of_each_kind_of_user(alice, own):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    street = make_staff(username="street", role="street", password=PASSWORD)
    viewer = make_staff(username="viewer", role="viewer", password=PASSWORD)
    alice.is_active = False

    assert communities_of(root) is None
    assert communities_of(street) is None
    assert communities_of(viewer) is None
    assert communities_of(make_plain_staff("stranger")) == frozenset()
    assert communities_of(AnonymousUser()) == frozenset()
    assert communities_of(alice) == frozenset()
    alice.is_active = True
    assert communities_of(alice) == {own.garden.community_id}


def test_create_staff_makes_community_staff(monkeypatch, own):
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)
    out = io.StringIO()

    call_command(
        "create_staff",
        "王芳",
        "--role",
        "community",
        "--community",
        "mudanyuan",
        stdout=out,
    )

    membership = StaffMembership.objects.get()
    assert membership.user.username == "王芳"
    assert membership.community == own.garden.community
    assert membership.user.is_staff
    assert membership.user.check_password(PASSWORD)
    assert list(membership.user.groups.values_list("name", flat=True)) == [
        GROUPS["community"]
    ]
    assert "王芳" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--role", "community"], "--community"),
        (["--role", "community", "--community", "nowhere"], "nowhere"),
        (["--role", "street", "--community", "mudanyuan"], "--community"),
    ],
)
def test_create_staff_refuses_what_it_cannot_give(monkeypatch, own, args, said):
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match=said):
        call_command("create_staff", "王芳", *args, stdout=io.StringIO())

    assert not StaffMembership.objects.exists()
    assert not Permission.objects.filter(user__username="王芳").exists()


def test_create_staff_refuses_an_unknown_role(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match="invalid choice"):
        call_command("create_staff", "王芳", "--role", "boss", stdout=io.StringIO())


def test_create_staff_refuses_a_weak_password(monkeypatch):
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("STAFF_PASSWORD", "123")

    with pytest.raises(CommandError):
        call_command("create_staff", "王芳", "--role", "viewer", stdout=io.StringIO())

    assert not get_user_model().objects.filter(username="王芳").exists()


def test_load_demo_makes_staff_only_for_a_local_site(settings):
    settings.ALLOWED_HOSTS = ["garden.example.org"]

    with pytest.raises(CommandError, match="127.0.0.1"):
        call_command("load_demo", "--staff", stdout=io.StringIO())


def test_list_editing_cannot_reach_another_community_row(alice, own, other):
    from gardens.models import Garden

    client = client_of(alice)
    theirs = other.garden

    client.post(
        reverse("admin:gardens_garden_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": theirs.pk,
            "form-0-position": "99",
            "_save": "Save",
        },
    )

    theirs.refresh_from_db()
    assert theirs.position != 99
    assert Garden.objects.count() == 2


def test_create_staff_asks_for_the_password_twice_at_a_terminal(monkeypatch):
    from django.contrib.auth import get_user_model

    from tongyun.management.commands import create_staff

    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(create_staff.getpass, "getpass", lambda prompt: next(answers))
    monkeypatch.setattr(create_staff.Command, "stdin_is_a_terminal", lambda self: True)

    call_command("create_staff", "李明", "--role", "street", stdout=io.StringIO())

    assert get_user_model().objects.get(username="李明").check_password(PASSWORD)


def test_create_staff_refuses_two_different_passwords(monkeypatch):
    from django.contrib.auth import get_user_model

    from tongyun.management.commands import create_staff

    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(create_staff.getpass, "getpass", lambda prompt: next(answers))
    monkeypatch.setattr(create_staff.Command, "stdin_is_a_terminal", lambda self: True)

    with pytest.raises(CommandError):
        call_command("create_staff", "李明", "--role", "street", stdout=io.StringIO())

    assert not get_user_model().objects.filter(username="李明").exists()
