"""Events' own rules as the model and its queries state them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from events.models import Event
from tests.factories import EventFactory, GardenFactory, SignupFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 4, 1, 9, 0, tzinfo=dt.UTC)
State = Event.SignupState


def event_at(**changes):
    """An unsaved published event: sign-up 1–10 April, held 12 April."""
    fields = {
        "status": Event.Status.PUBLISHED,
        "capacity": 2,
        "signup_opens_at": dt.datetime(2030, 4, 1, tzinfo=dt.UTC),
        "signup_closes_at": dt.datetime(2030, 4, 10, tzinfo=dt.UTC),
        "starts_at": dt.datetime(2030, 4, 12, 1, 0, tzinfo=dt.UTC),
        "ends_at": dt.datetime(2030, 4, 12, 4, 0, tzinfo=dt.UTC),
    }
    event = Event(**fields | changes)
    event.seats_taken = 0
    return event


@pytest.mark.parametrize(
    ("changes", "now", "state"),
    [
        ({"status": Event.Status.DRAFT}, NOW, State.DRAFT),
        ({"status": Event.Status.CANCELLED}, NOW, State.CANCELLED),
        ({}, dt.datetime(2030, 4, 12, 5, 0, tzinfo=dt.UTC), State.OVER),
        ({}, dt.datetime(2030, 3, 31, 23, 59, tzinfo=dt.UTC), State.NOT_YET),
        ({}, dt.datetime(2030, 4, 11, tzinfo=dt.UTC), State.CLOSED),
        ({"seats_taken": 2}, NOW, State.WAITLIST),
        ({}, dt.datetime(2030, 4, 1, tzinfo=dt.UTC), State.OPEN),  # opens now
        ({}, dt.datetime(2030, 4, 10, tzinfo=dt.UTC), State.OPEN),  # closes now
    ],
)
def test_signup_state_says_where_signup_stands(changes, now, state):
    seats_taken = changes.pop("seats_taken", 0)
    event = event_at(**changes)
    event.seats_taken = seats_taken

    assert event.signup_state(now) == state


def test_signup_state_keeps_the_values_templates_compare():
    assert [s.value for s in State] == [
        "draft",
        "cancelled",
        "over",
        "not_yet",
        "closed",
        "waitlist",
        "open",
    ]


def test_signup_state_of_a_cancelled_event_needs_no_seats():
    event = Event(status=Event.Status.CANCELLED)

    assert event.signup_state(NOW) == State.CANCELLED


def test_theme_is_the_first_gardens_accent_without_a_query(
    django_assert_num_queries,
):
    EventFactory(
        gardens=[
            GardenFactory(theme="redbud", position=1),
            GardenFactory(theme="rose", position=2),
        ]
    )
    bare = EventFactory()
    events = {e.pk: e for e in Event.objects.prefetch_related("gardens")}

    with django_assert_num_queries(0):
        themes = sorted(e.theme for e in events.values())

    assert themes == ["leaf", "redbud"]
    assert events[bare.pk].theme == "leaf"


def test_attendance_counts_people_checked_in_and_their_hours():
    now = timezone.now()
    event = EventFactory()  # three hours long
    SignupFactory(event=event, headcount=2, checked_in_at=now)
    SignupFactory(event=event, headcount=1, hours=Decimal("1.5"), checked_in_at=now)
    SignupFactory(event=event, headcount=4)  # never came
    SignupFactory(event=event, headcount=5, status="cancelled", checked_in_at=now)

    assert event.attendance() == {"participants": 3, "hours": Decimal("7.5")}


def test_attendance_of_an_event_nobody_came_to_is_zero():
    assert EventFactory().attendance() == {"participants": 0, "hours": Decimal(0)}


def test_signup_figures_count_people_and_sign_ups():
    event = EventFactory(capacity=20)
    SignupFactory(event=event, headcount=3)
    SignupFactory(event=event, headcount=2, checked_in_at=timezone.now())
    SignupFactory(event=event, headcount=4, status="waitlisted")
    SignupFactory(event=event, headcount=5, status="cancelled")
    EventFactory()  # no sign-ups

    figures = Event.objects.with_signup_figures().get(pk=event.pk)

    assert (figures.seats_taken, figures.waiting_count) == (5, 4)
    assert (figures.signup_count, figures.checked_in_count) == (3, 2)
    with translation.override("en"):
        assert figures.figures_summary() == (
            "Seats taken: 5 of 20 · Waiting: 4 · Checked in: 2 of 5"
        )


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"ends_at": "starts_at"}, "ends_at", "ends_early"),
        ({"signup_closes_at": "signup_opens_at"}, "signup_closes_at", "closes_early"),
        ({"signup_closes_at": "after_end"}, "signup_closes_at", "closes_late"),
    ],
)
def test_date_order_constraints_refuse_beside_their_field(changes, field, code):
    event = event_at()
    for name, source in changes.items():
        value = (
            event.ends_at + dt.timedelta(hours=1)
            if source == "after_end"
            else getattr(event, source)
        )
        setattr(event, name, value)

    with pytest.raises(ValidationError) as excinfo:
        event.validate_constraints()

    errors = excinfo.value.error_dict
    assert list(errors) == [field]
    assert [e.code for e in errors[field]] == [code]


# --- The event's web address ----------------------------------------------

SUNDAY = dt.datetime(2025, 4, 6, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def event_on_sunday(create=False, **fields):
    fields = {
        "starts_at": SUNDAY,
        "signup_opens_at": SUNDAY - dt.timedelta(days=10),
        **fields,
    }
    return (EventFactory if create else EventFactory.build)(**fields)


def test_event_slug_made_from_the_chinese_title_when_left_empty():
    event = event_on_sunday(title="植树日", title_en="", slug="")

    event.save()

    assert event.slug == "2025-04-06-zhishuri"


def test_event_slug_made_from_the_english_title_when_there_is_one():
    event = event_on_sunday(title="植树日", title_en="Planting Day", slug="")

    event.save()

    assert event.slug == "2025-04-06-planting-day"


def test_event_slug_made_unique():
    first = event_on_sunday(True, title="植树日", title_en="", slug="")

    second = event_on_sunday(True, title="植树日", title_en="", slug="")

    assert (first.slug, second.slug) == ("2025-04-06-zhishuri", "2025-04-06-zhishuri-2")


def test_event_slug_typed_by_staff_is_kept():
    event = EventFactory.build(title="植树日", slug="my-day")

    event.save()

    assert event.slug == "my-day"


# --- What calendar apps are told again (SEQUENCE) --------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("starts_at", dt.timedelta(hours=-1)),
        ("ends_at", dt.timedelta(hours=1)),
        ("meeting_point", "紫荆园东门"),
        ("meeting_point_en", "East gate"),
        ("status", Event.Status.CANCELLED),
    ],
)
def test_event_revision_rises_when_time_place_or_status_changes(field, value):
    event = EventFactory()
    assert event.sequence == 0
    old = getattr(event, field)

    setattr(event, field, old + value if isinstance(value, dt.timedelta) else value)
    event.save()

    event.refresh_from_db()
    assert event.sequence == 1


def test_event_revision_stays_when_other_fields_change():
    event = EventFactory()
    stamped = event.updated_at

    event.title = "护绿日"
    event.capacity += 10
    event.save()
    event.save()

    event.refresh_from_db()
    assert event.sequence == 0
    assert event.updated_at > stamped


def test_event_revision_counts_from_the_stored_row_not_a_stale_copy():
    event = EventFactory()
    stale = Event.objects.get(pk=event.pk)
    event.starts_at -= dt.timedelta(hours=1)
    event.save()

    stale.meeting_point = "月季园北门"
    stale.save()

    stale.refresh_from_db()
    assert stale.sequence == 2


def test_event_revision_with_update_fields_saves_sequence_and_time():
    event = EventFactory()

    event.meeting_point = "牡丹园西门"
    event.save(update_fields=["meeting_point"])

    stored = Event.objects.values("meeting_point", "sequence").get(pk=event.pk)
    assert stored == {"meeting_point": "牡丹园西门", "sequence": 1}


def test_events_have_their_own_calendar_uids():
    first, second = EventFactory.create_batch(2)

    assert first.calendar_uid != second.calendar_uid
    assert first.calendar_uid.endswith("@tongyun")
