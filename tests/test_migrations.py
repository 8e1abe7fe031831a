"""
Upgrading keeps everyone's access to submitters' phones, fixes zone states,
gives every sign-up a check-in code, re-encodes photos stored before they
were checked, and keeps the calendar UIDs that events' files had.
"""

import importlib
import io
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from PIL import Image

from events.models import Event, Signup
from gardens.models import Garden, Zone
from tests.factories import EventFactory, GardenFactory, PlantingFactory, ZoneFactory

pytestmark = pytest.mark.django_db

GRANT = ("tongyun", "0001_grant_artworks_personal_data_to_events_holders")
grant = importlib.import_module(
    "tongyun.migrations." + GRANT[1]
).grant_view_personal_data_to_events_holders


def run_grant():
    """Run the migration's function on the models as the migration sees them."""
    historical = MigrationExecutor(connection).loader.project_state(GRANT).apps
    grant(historical, SimpleNamespace(connection=connection))


def perm(app_label):
    return Permission.objects.get(
        content_type__app_label=app_label, codename="view_personal_data"
    )


def artworks_holders():
    # Named: axes' backend, first in AUTHENTICATION_BACKENDS, grants nothing.
    users = User.objects.with_perm(
        "artworks.view_personal_data",
        include_superusers=False,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return sorted(user.username for user in users)


def test_grant_gives_submitters_phones_to_holders_of_the_events_permission():
    # Before the upgrade the artworks permission does not exist yet.
    Permission.objects.filter(content_type__app_label="artworks").delete()
    desk = User.objects.create_user("desk", is_staff=True)
    desk.user_permissions.add(perm("events"))
    street = Group.objects.create(name="活动组")
    street.permissions.add(perm("events"))
    User.objects.create_user("member", is_staff=True).groups.add(street)
    User.objects.create_user("clerk", is_staff=True)

    run_grant()

    assert artworks_holders() == ["desk", "member"]
    assert list(desk.user_permissions.filter(content_type__app_label="artworks")) == [
        perm("artworks")
    ]
    assert perm("artworks") in street.permissions.all()


def test_grant_run_twice_grants_once():
    desk = User.objects.create_user("desk", is_staff=True)
    desk.user_permissions.add(perm("events"), perm("artworks"))

    run_grant()
    run_grant()

    assert artworks_holders() == ["desk"]
    assert desk.user_permissions.count() == 2


def test_grant_without_holders_creates_the_permission_and_grants_nothing():
    Permission.objects.filter(content_type__app_label="artworks").delete()
    User.objects.create_user("clerk", is_staff=True)

    run_grant()

    assert perm("artworks").name == "Can see full phone numbers of artwork submitters"
    assert artworks_holders() == []


# --- Zones with plantings are planted ------------------------------------------

FILL = ("plantings", "0003_zone_state_planted")
mark_planted = importlib.import_module(
    "plantings.migrations." + FILL[1]
).mark_zones_with_plantings_planted


def test_upgrade_marks_zones_with_plantings_planted():
    planted = PlantingFactory().zone
    bare = ZoneFactory(state="designed")
    # Recorded before the rule: planted, yet left designed.
    Zone.objects.filter(pk=planted.pk).update(state="designed")
    historical = MigrationExecutor(connection).loader.project_state(FILL).apps

    mark_planted(historical, SimpleNamespace(connection=connection))

    states = dict(Zone.objects.values_list("pk", "state"))
    assert states == {planted.pk: "planted", bare.pk: "designed"}


# --- Every sign-up gets a check-in code of its own -----------------------------

BEFORE_CODES = ("events", "0008_history")


@pytest.mark.django_db(transaction=True)
def test_upgrade_gives_existing_signups_distinct_check_in_codes():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE_CODES])
    try:
        old = executor.loader.project_state(BEFORE_CODES).apps
        event = EventFactory.build()
        stored = old.get_model("events", "Event").objects.create(
            **{
                field: getattr(event, field)
                for field in ["title", "slug", "starts_at", "ends_at", "capacity"]
                + ["meeting_point", "signup_opens_at", "signup_closes_at"]
            }
        )
        signups = old.get_model("events", "Signup").objects
        for n in range(3):
            signups.create(event=stored, name=f"志愿者{n}", token=f"token-{n}")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    rows = list(Signup.objects.values_list("token", "checkin_code"))
    codes = {code for _token, code in rows}
    assert len(rows) == len(codes) == 3
    assert all(len(code) >= 32 for code in codes)
    assert not codes & {token for token, _code in rows}


# --- Photos stored before they were checked are re-encoded -------------------

RECHECK = ("gardens", "0004_photos_checked")
recheck_photos = importlib.import_module(
    "gardens.migrations." + RECHECK[1]
).recheck_photos


def test_upgrade_reencodes_stored_photos_and_unlinks_what_is_no_picture(capsys):
    png = io.BytesIO()
    Image.new("RGB", (300, 200), "pink").save(png, "PNG")
    lying = default_storage.save("garden/plan.pdf", ContentFile(png.getvalue()))
    text = default_storage.save("zone/notes.jpg", ContentFile(b"not a picture"))
    garden, zone = GardenFactory(), ZoneFactory()
    # Stored as the admin stored them before: the uploaded name, as it was.
    Garden.objects.filter(pk=garden.pk).update(photo=lying)
    Zone.objects.filter(pk=zone.pk).update(photo=text)
    historical = MigrationExecutor(connection).loader.project_state(RECHECK).apps

    recheck_photos(historical, SimpleNamespace(connection=connection))

    garden.refresh_from_db()
    zone.refresh_from_db()
    assert garden.photo.name.endswith(".jpg")
    with garden.photo.open("rb") as stored, Image.open(stored) as picture:
        assert (picture.format, picture.size) == ("JPEG", (300, 200))
    assert not default_storage.exists(lying)
    assert zone.photo.name == ""
    assert default_storage.exists(text)  # kept for staff to look at
    assert text in capsys.readouterr().out


# --- Events keep the calendar UIDs their files had --------------------------

BEFORE_REVISIONS = ("events", "0011_signup_checkin_code_unique")


@pytest.mark.django_db(transaction=True)
def test_upgrade_keeps_existing_events_calendar_uids():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE_REVISIONS])
    try:
        old = executor.loader.project_state(BEFORE_REVISIONS).apps
        events = old.get_model("events", "Event").objects
        stored = []
        for n in range(2):
            event = EventFactory.build(slug=f"event-{n}")
            stored.append(
                events.create(
                    **{
                        field: getattr(event, field)
                        for field in ["title", "slug", "starts_at", "ends_at"]
                        + ["capacity", "meeting_point", "signup_opens_at"]
                        + ["signup_closes_at"]
                    }
                )
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

    uids = dict(Event.objects.values_list("pk", "calendar_uid"))
    assert uids == {event.pk: f"event-{event.pk}@tongyun" for event in stored}
    assert Event.objects.filter(sequence=0).count() == 2
    assert EventFactory().calendar_uid not in uids.values()
