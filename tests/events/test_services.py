import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from events import services
from events.models import Event, Signup
from tests.factories import EventFactory, SignupFactory

pytestmark = pytest.mark.django_db


def waitlist_position(signup):
    """Where signup stands in its event's queue now, as its ticket shows it."""
    return Signup.objects.with_queue().get(pk=signup.pk).waitlist_position


def sign(event, phone, headcount=1, **kwargs):
    return services.sign_up(
        event=event,
        name=f"志愿者{phone[-2:]}",
        phone=phone,
        headcount=headcount,
        **kwargs,
    )


def confirmed_headcount(event):
    return services.seats_taken(event)


def test_sign_up_that_fits_is_confirmed():
    event = EventFactory(capacity=5)

    signup = sign(event, "+8613800000001", headcount=3)

    assert signup.status == Signup.Status.CONFIRMED
    assert confirmed_headcount(event) == 3


def test_sign_up_that_does_not_fit_is_waitlisted_whole():
    event = EventFactory(capacity=5)
    sign(event, "+8613800000001", headcount=4)

    signup = sign(event, "+8613800000002", headcount=2)

    assert signup.status == Signup.Status.WAITLISTED
    assert confirmed_headcount(event) == 4
    assert waitlist_position(signup) == 1


def test_a_smaller_sign_up_still_takes_a_seat_a_waiting_group_cannot():
    event = EventFactory(capacity=5)
    sign(event, "+8613800000001", headcount=4)
    waiting = sign(event, "+8613800000002", headcount=3)

    single = sign(event, "+8613800000003", headcount=1)

    assert single.status == Signup.Status.CONFIRMED
    assert confirmed_headcount(event) == 5
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.WAITLISTED


def test_cancelling_promotes_waiting_sign_ups_in_order_each_that_fits():
    event = EventFactory(capacity=6)
    first = sign(event, "+8613800000001", headcount=4)
    sign(event, "+8613800000002", headcount=2)
    big = sign(event, "+8613800000003", headcount=4)  # waits
    small = sign(event, "+8613800000004", headcount=1)  # waits (0 left)
    later = sign(event, "+8613800000005", headcount=1)  # waits

    promoted = services.cancel(first)

    assert [s.pk for s in promoted] == [big.pk]
    statuses = dict(event.signups.values_list("pk", "status"))
    assert statuses[small.pk] == statuses[later.pk] == Signup.Status.WAITLISTED
    assert confirmed_headcount(event) == 6


def test_promotion_skips_a_group_that_does_not_fit_and_takes_the_next():
    event = EventFactory(capacity=4)
    first = sign(event, "+8613800000001", headcount=2)
    sign(event, "+8613800000002", headcount=2)
    too_big = sign(event, "+8613800000003", headcount=3)
    fits = sign(event, "+8613800000004", headcount=2)

    promoted = services.cancel(first)

    assert [s.pk for s in promoted] == [fits.pk]
    too_big.refresh_from_db()
    assert too_big.status == Signup.Status.WAITLISTED
    assert waitlist_position(too_big) == 1


def test_cancelling_twice_is_harmless():
    event = EventFactory(capacity=2)
    signup = sign(event, "+8613800000001", headcount=2)
    waiting = sign(event, "+8613800000002", headcount=2)
    services.cancel(signup)

    again = services.cancel(signup)

    assert again == []
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.CONFIRMED


def test_cancelling_a_waitlisted_sign_up_promotes_nobody():
    event = EventFactory(capacity=2)
    sign(event, "+8613800000001", headcount=2)
    waiting = sign(event, "+8613800000002", headcount=1)

    assert services.cancel(waiting) == []


def test_cancelling_a_checked_in_sign_up_is_refused_and_frees_no_seat(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(capacity=2)
    signup = sign(event, "+8613800000001", headcount=2)
    waiting = sign(event, "+8613800000002", headcount=2)
    services.check_in(signup)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError) as excinfo,
    ):
        services.cancel(signup)

    signup.refresh_from_db()
    waiting.refresh_from_db()
    assert excinfo.value.code == "checked_in"
    assert (signup.status, signup.cancelled_at) == ("confirmed", None)
    assert waiting.status == "waitlisted"
    assert confirmed_headcount(event) == 2
    assert callbacks == []


@pytest.mark.parametrize("status", ["confirmed", "waitlisted"])
def test_cancelling_after_the_event_started_is_refused(status):
    event = EventFactory(capacity=1)
    holder = sign(event, "+8613800000001")
    waiting = sign(event, "+8613800000002")
    signup = {"confirmed": holder, "waitlisted": waiting}[status]
    later = event.starts_at + dt.timedelta(minutes=1)

    with pytest.raises(ValidationError) as excinfo:
        services.cancel(signup, now=later)

    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert excinfo.value.code == "event_started"
    assert (holder.status, waiting.status) == ("confirmed", "waitlisted")


def test_cancelling_just_before_the_start_is_allowed():
    event = EventFactory(capacity=1)
    signup = sign(event, "+8613800000001")

    services.cancel(signup, now=event.starts_at - dt.timedelta(seconds=1))

    signup.refresh_from_db()
    assert signup.status == "cancelled"


def test_cancel_reads_the_check_in_made_after_the_copy_it_was_given():
    signup = sign(EventFactory(), "+8613800000001")
    stale = Signup.objects.get(pk=signup.pk)
    services.check_in(signup)

    with pytest.raises(ValidationError):
        services.cancel(stale)

    signup.refresh_from_db()
    assert signup.status == "confirmed"


def test_repeat_phone_is_refused_plainly():
    event = EventFactory()
    sign(event, "+8613800000001")

    with pytest.raises(ValidationError) as excinfo:
        sign(event, "+8613800000001")

    assert excinfo.value.code == "phone_taken"
    assert event.signups.count() == 1


def test_a_cancelled_phone_may_sign_up_again():
    event = EventFactory()
    services.cancel(sign(event, "+8613800000001"))

    again = sign(event, "+8613800000001")

    assert again.status == Signup.Status.CONFIRMED


def test_the_database_refuses_two_active_sign_ups_of_one_phone():
    event = EventFactory()
    SignupFactory(event=event, phone="+8613800000001")

    with pytest.raises(IntegrityError):
        SignupFactory(event=event, phone="+8613800000001", status="waitlisted")


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(1, 2), (-3, -1)],  # days from now: not yet open; already closed
)
def test_sign_up_outside_the_window_is_refused(opens, closes):
    now = timezone.now()
    event = EventFactory(
        signup_opens_at=now + dt.timedelta(days=opens),
        signup_closes_at=now + dt.timedelta(days=closes),
    )

    with pytest.raises(ValidationError) as excinfo:
        sign(event, "+8613800000001")

    assert excinfo.value.code == "outside_window"
    assert not event.signups.exists()


@pytest.mark.parametrize("status", [Event.Status.CANCELLED, Event.Status.DRAFT])
def test_sign_up_for_an_event_not_open_is_refused(status):
    event = EventFactory(status=status)

    with pytest.raises(ValidationError) as excinfo:
        sign(event, "+8613800000001")

    assert excinfo.value.code == "event_closed"


@pytest.mark.parametrize("headcount", [0, 6])
def test_headcount_out_of_range_is_refused(headcount):
    event = EventFactory()

    with pytest.raises(ValidationError) as excinfo:
        sign(event, "+8613800000001", headcount=headcount)

    assert excinfo.value.code == "bad_headcount"


def test_group_booking_fills_seats_but_never_more():
    event = EventFactory(capacity=50)
    group = sign(event, "", headcount=45, is_group=True)

    with pytest.raises(ValidationError) as excinfo:
        sign(event, "", headcount=6, is_group=True)

    assert group.status == Signup.Status.CONFIRMED
    assert excinfo.value.code == "group_too_big"
    assert confirmed_headcount(event) == 45


def test_messages_are_chinese_by_default():
    event = EventFactory()

    with pytest.raises(ValidationError) as excinfo:
        sign(event, "+8613800000001", headcount=6)

    assert "每次可报名" in excinfo.value.messages[0]


def test_check_in_keeps_the_first_time():
    signup = SignupFactory()
    first = timezone.now() - dt.timedelta(minutes=5)

    services.check_in(signup, at=first)
    services.check_in(signup)

    signup.refresh_from_db()
    assert signup.checked_in_at == first


def test_mark_attended_checks_in_confirmed_only():
    event = EventFactory()
    confirmed = SignupFactory(event=event)
    waiting = SignupFactory(event=event, status="waitlisted")

    count = services.mark_attended(event.signups.all())

    assert count == 1
    confirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert confirmed.checked_in_at is not None
    assert waiting.checked_in_at is None


def test_purge_erases_personal_data_of_events_long_over():
    now = timezone.now()
    old = EventFactory(
        starts_at=now - dt.timedelta(days=100),
        ends_at=now - dt.timedelta(days=100) + dt.timedelta(hours=3),
        signup_opens_at=now - dt.timedelta(days=120),
        signup_closes_at=now - dt.timedelta(days=101),
    )
    gone = SignupFactory(event=old, name="王小明", email="w@example.org", headcount=2)
    recent = SignupFactory(name="李华")

    purge = services.purge_personal_data()
    again = services.purge_personal_data()

    gone.refresh_from_db()
    recent.refresh_from_db()
    assert (purge.signups, again.signups) == (1, 0)
    assert (gone.name, gone.phone, gone.email, gone.headcount) == ("王*", "", "", 2)
    assert recent.name == "李华"
    assert recent.phone.startswith("+86")


# --- Saving an event ---------------------------------------------------------


@pytest.fixture
def promoted(monkeypatch):
    """The sign-ups told they moved up, as notify.promoted receives them."""
    told = []
    monkeypatch.setattr("events.notify.promoted", told.append)
    return told


def test_save_event_below_the_confirmed_headcount_is_refused_and_saves_nothing():
    event = EventFactory(capacity=10, title="原标题")
    SignupFactory(event=event, headcount=3)
    event.capacity, event.title = 2, "新标题"

    with pytest.raises(ValidationError) as excinfo:
        services.save_event(event=event)

    assert excinfo.value.code == "below_confirmed"
    assert "3" in excinfo.value.message
    event.refresh_from_db()
    assert (event.capacity, event.title) == (10, "原标题")


def test_save_event_raising_capacity_promotes_and_tells_once_committed(
    promoted, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=2)
    SignupFactory(event=event, headcount=2)
    first = SignupFactory(event=event, headcount=2, status="waitlisted")
    too_big = SignupFactory(event=event, headcount=3, status="waitlisted")
    event.capacity = 5

    with django_capture_on_commit_callbacks() as callbacks:
        moved = services.save_event(event=event)
        told_before_commit = list(promoted)
    for callback in callbacks:
        callback()

    assert [s.pk for s in moved] == [first.pk]
    assert told_before_commit == []
    assert [s.pk for s in promoted] == [first.pk]
    statuses = dict(event.signups.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[too_big.pk]) == ("confirmed", "waitlisted")
    event.refresh_from_db()
    assert event.capacity == 5


def test_save_event_that_is_not_published_promotes_nobody(promoted):
    event = EventFactory(capacity=1, status=Event.Status.CANCELLED)
    waiting = SignupFactory(event=event, status="waitlisted")
    event.capacity = 5

    assert services.save_event(event=event) == []

    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    assert promoted == []


def test_save_event_saves_a_new_event():
    event = EventFactory.build(slug="new-day")

    assert services.save_event(event=event) == []

    assert Event.objects.get().slug == "new-day"


def test_save_event_on_a_busy_event_raises_busy_and_saves_nothing(monkeypatch):
    event = EventFactory(capacity=10)

    def busy(event_id):
        raise services.Busy

    monkeypatch.setattr(services, "lock_event", busy)
    event.capacity = 30

    with pytest.raises(services.Busy):
        services.save_event(event=event)

    event.refresh_from_db()
    assert event.capacity == 10


def test_cancelling_tells_the_promoted_once_committed(
    promoted, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=2)
    leaving = SignupFactory(event=event, headcount=2)
    waiting = SignupFactory(event=event, headcount=2, status="waitlisted")

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(leaving)

    assert promoted == [waiting]


# --- The first in line takes the seats that are free -------------------------


@pytest.fixture
def told_of_free_seats(monkeypatch):
    """(sign-up, seats free) as notify.seats_free receives them."""
    told = []
    monkeypatch.setattr(
        "events.notify.seats_free", lambda signup, seats: told.append((signup, seats))
    )
    return told


def a_queue_with_one_seat_free():
    """Capacity 5, 4 confirmed; waiting: 3 people, then 2 people."""
    event = EventFactory(capacity=5)
    SignupFactory(event=event, headcount=4)
    first = SignupFactory(event=event, headcount=3, status="waitlisted")
    second = SignupFactory(event=event, headcount=2, status="waitlisted")
    return event, first, second


def test_first_in_line_takes_the_free_seats_with_fewer_people():
    event, first, second = a_queue_with_one_seat_free()

    taken = services.take_free_seats(signup=first, headcount=1)

    first.refresh_from_db()
    second.refresh_from_db()
    assert taken == first
    assert (first.status, first.headcount) == ("confirmed", 1)
    assert second.status == "waitlisted"
    assert confirmed_headcount(event) == 5


def test_first_in_line_may_take_fewer_seats_than_are_free():
    event = EventFactory(capacity=6)
    SignupFactory(event=event, headcount=3)
    first = SignupFactory(event=event, headcount=5, status="waitlisted")

    services.take_free_seats(signup=first, headcount=2)

    first.refresh_from_db()
    assert (first.status, first.headcount) == ("confirmed", 2)
    assert confirmed_headcount(event) == 5


def test_taking_free_seats_is_refused_to_all_but_the_first_in_line():
    event, first, second = a_queue_with_one_seat_free()

    with pytest.raises(ValidationError) as excinfo:
        services.take_free_seats(signup=second, headcount=1)

    second.refresh_from_db()
    assert excinfo.value.code == "no_seats_offered"
    assert (second.status, second.headcount) == ("waitlisted", 2)
    assert confirmed_headcount(event) == 4


@pytest.mark.parametrize("headcount", [0, 2, 3, 4])
def test_taking_more_seats_than_are_free_or_none_is_refused(headcount):
    event, first, _ = a_queue_with_one_seat_free()

    with pytest.raises(ValidationError) as excinfo:
        services.take_free_seats(signup=first, headcount=headcount)

    first.refresh_from_db()
    assert excinfo.value.code == "bad_headcount"
    assert (first.status, first.headcount) == ("waitlisted", 3)


@pytest.mark.parametrize("status", ["confirmed", "cancelled"])
def test_taking_free_seats_is_refused_to_a_sign_up_not_waiting(status):
    event = EventFactory(capacity=5)
    signup = SignupFactory(event=event, headcount=3, status=status)

    with pytest.raises(ValidationError) as excinfo:
        services.take_free_seats(signup=signup, headcount=1)

    signup.refresh_from_db()
    assert excinfo.value.code == "no_seats_offered"
    assert (signup.status, signup.headcount) == (status, 3)


def test_taking_free_seats_is_refused_when_none_are_free():
    event = EventFactory(capacity=4)
    SignupFactory(event=event, headcount=4)
    first = SignupFactory(event=event, headcount=2, status="waitlisted")

    with pytest.raises(ValidationError) as excinfo:
        services.take_free_seats(signup=first, headcount=1)

    assert excinfo.value.code == "no_seats_offered"
    assert confirmed_headcount(event) == 4


def test_taking_free_seats_is_refused_once_the_event_has_started():
    event, first, _ = a_queue_with_one_seat_free()
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )

    with pytest.raises(ValidationError) as excinfo:
        services.take_free_seats(signup=first, headcount=1)

    first.refresh_from_db()
    assert excinfo.value.code == "no_seats_offered"
    assert first.status == "waitlisted"


def test_waiting_order_breaks_a_tie_of_time_by_sign_up_order():
    event = EventFactory(capacity=1)
    SignupFactory(event=event)
    at = timezone.now()
    first = SignupFactory(event=event, status="waitlisted", created_at=at)
    second = SignupFactory(event=event, status="waitlisted", created_at=at)

    positions = [waitlist_position(s) for s in (first, second)]

    assert positions == [1, 2]


def test_cancelling_tells_the_first_in_line_who_does_not_fit_what_is_free(
    told_of_free_seats, promoted, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=5)
    leaving = SignupFactory(event=event, headcount=2)
    SignupFactory(event=event, headcount=2)
    first = SignupFactory(event=event, headcount=4, status="waitlisted")
    SignupFactory(event=event, headcount=5, status="waitlisted")

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(leaving)

    assert promoted == []
    assert told_of_free_seats == [(first, 3)]


def test_cancelling_tells_nobody_of_free_seats_when_the_first_fits(
    told_of_free_seats, promoted, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=4)
    leaving = SignupFactory(event=event, headcount=3)
    SignupFactory(event=event, headcount=1)
    first = SignupFactory(event=event, headcount=3, status="waitlisted")

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(leaving)

    assert promoted == [first]
    assert told_of_free_seats == []


def test_saving_an_event_unchanged_tells_nobody_of_free_seats(
    told_of_free_seats, django_capture_on_commit_callbacks
):
    event, first, _ = a_queue_with_one_seat_free()
    event.title = "新标题"

    with django_capture_on_commit_callbacks(execute=True):
        services.save_event(event=event)

    assert told_of_free_seats == []


def test_raising_the_capacity_tells_the_first_in_line_who_still_does_not_fit(
    told_of_free_seats, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=5)
    SignupFactory(event=event, headcount=4)
    first = SignupFactory(event=event, headcount=4, status="waitlisted")
    SignupFactory(event=event, headcount=3, status="waitlisted")
    event.capacity = 6

    with django_capture_on_commit_callbacks(execute=True):
        services.save_event(event=event)

    assert told_of_free_seats == [(first, 2)]


def test_the_next_in_line_is_told_when_the_first_cancels_and_seats_are_free(
    told_of_free_seats, django_capture_on_commit_callbacks
):
    event, first, second = a_queue_with_one_seat_free()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(first)

    assert told_of_free_seats == [(second, 1)]


# --- Groups bigger than the public limit ---------------------------------------


def test_headcount_refusal_names_the_organisers_phone():
    event = EventFactory(organiser_phone="010-8958 1234")

    with pytest.raises(ValidationError) as excinfo:
        sign(event, "+8613800000001", headcount=6)

    assert excinfo.value.code == "bad_headcount"
    assert "010-8958 1234" in excinfo.value.message
    assert not event.signups.exists()


def test_headcount_refusal_without_a_phone_sends_to_the_meeting_point():
    event = EventFactory(meeting_point="紫荆雅园社区服务站", organiser_phone="")

    with pytest.raises(ValidationError) as excinfo:
        sign(event, "+8613800000001", headcount=6)

    assert excinfo.value.code == "bad_headcount"
    assert "紫荆雅园社区服务站" in excinfo.value.message


# --- Check-in ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["waitlisted", "cancelled"])
def test_check_in_refuses_a_sign_up_that_holds_no_seat(status):
    signup = SignupFactory(status=status)

    with pytest.raises(ValidationError) as excinfo:
        services.check_in(signup)

    signup.refresh_from_db()
    assert excinfo.value.code == "holds_no_seat"
    assert signup.checked_in_at is None


def test_check_in_refuses_a_sign_up_cancelled_after_the_page_was_read():
    signup = SignupFactory()
    Signup.objects.filter(pk=signup.pk).update(status="cancelled")

    with pytest.raises(ValidationError):
        services.check_in(signup)  # the copy read before still says confirmed

    signup.refresh_from_db()
    assert signup.checked_in_at is None
