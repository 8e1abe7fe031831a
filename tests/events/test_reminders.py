"""send_reminders: each confirmed volunteer of tomorrow's events, exactly once."""

import datetime as dt
import re
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from events import notify, services
from events.models import Signup
from tests.factories import EventFactory, SignupFactory
from tests.threads import postgres_only, run_together, wait_until

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))
# The april fixture (tests/conftest.py) sets the clock to 2024-04-15 12:00 in
# Beijing, so "tomorrow" is 16 April there.
TOMORROW_9AM = dt.datetime(2024, 4, 16, 9, 0, tzinfo=BEIJING)


class RecordingSender:
    """Records whom it messaged; fails for volunteers named "unreachable"."""

    sent = []

    def send(self, message):
        if message.to_name == "unreachable":
            raise ConnectionError("SMS gateway refused the number")
        RecordingSender.sent.append(int(message.ref.removeprefix("sign-up ")))


def another_run_waits_for_a_claim():
    """True once another connection waits for a row this one holds locked."""
    with connection.cursor() as cursor:
        # Within a transaction PostgreSQL keeps its first look at the
        # activity for good; look afresh each time.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return cursor.fetchone()[0] > 0


class OverlappingSender(RecordingSender):
    """Holds its first claim until the other run queues behind it, so the two
    runs overlap on that sign-up every time, however the threads are timed."""

    overlapped = threading.Event()

    def send(self, message):
        if not OverlappingSender.overlapped.is_set():
            wait_until(another_run_waits_for_a_claim, what="the overlapping run")
            OverlappingSender.overlapped.set()
        super().send(message)


@pytest.fixture(autouse=True)
def sent(settings):
    """Primary keys of the sign-ups messaged, in order."""
    settings.NOTIFY_SENDER = "tests.events.test_reminders.RecordingSender"
    RecordingSender.sent = []
    return RecordingSender.sent


def event_at(starts_at, **kwargs):
    return EventFactory(
        starts_at=starts_at,
        signup_opens_at=starts_at - dt.timedelta(days=30),
        **kwargs,
    )


def send_reminders():
    """Run the command; returns what it wrote to stdout and stderr."""
    out, err = StringIO(), StringIO()
    call_command("send_reminders", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_confirmed_volunteers_of_tomorrows_event_get_one_reminder(april, sent):
    event = event_at(TOMORROW_9AM)
    first, second = SignupFactory.create_batch(2, event=event)

    out, _err = send_reminders()

    assert sorted(sent) == [first.pk, second.pk]
    assert [s.reminder_sent_at for s in Signup.objects.order_by("pk")] == [april] * 2
    assert "2 reminders sent for 1 events" in out


def test_a_second_run_sends_nothing(april, sent):
    SignupFactory(event=event_at(TOMORROW_9AM))
    send_reminders()
    sent.clear()

    out, _err = send_reminders()

    assert sent == []
    assert "0 reminders sent" in out


@pytest.mark.parametrize(
    "starts_at",
    [
        dt.datetime(2024, 4, 16, 0, 0, tzinfo=BEIJING),  # 15 April in UTC
        dt.datetime(2024, 4, 16, 23, 59, tzinfo=BEIJING),
    ],
)
def test_tomorrow_is_the_beijing_date(april, starts_at, sent):
    signup = SignupFactory(event=event_at(starts_at))

    send_reminders()

    assert sent == [signup.pk]


def test_no_reminder_for_the_waitlisted_cancelled_or_other_days(april, sent):
    tomorrow = event_at(TOMORROW_9AM)
    SignupFactory(event=tomorrow, status="waitlisted")
    SignupFactory(event=tomorrow, status="cancelled")
    SignupFactory(event=event_at(dt.datetime(2024, 4, 15, 18, 0, tzinfo=BEIJING)))
    SignupFactory(event=event_at(dt.datetime(2024, 4, 17, 0, 0, tzinfo=BEIJING)))
    SignupFactory(event=event_at(TOMORROW_9AM, status="cancelled"))
    SignupFactory(event=event_at(TOMORROW_9AM, status="draft"))

    out, _err = send_reminders()

    assert sent == []
    assert not Signup.objects.filter(reminder_sent_at__isnull=False).exists()
    assert "0 reminders sent for 0 events" in out


def test_a_failed_send_stays_unclaimed_and_the_others_are_sent(april, sent):
    event = event_at(TOMORROW_9AM)
    before = SignupFactory(event=event)
    unreachable = SignupFactory(event=event, name="unreachable")
    after = SignupFactory(event=event)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError):
        call_command("send_reminders", stdout=out, stderr=err)

    assert sent == [before.pk, after.pk]
    unreachable.refresh_from_db()
    assert unreachable.reminder_sent_at is None
    assert f"Sign-up {unreachable.pk}" in err.getvalue()
    assert "SMS gateway refused" in err.getvalue()
    assert "2 reminders sent for 1 events" in out.getvalue()
    assert "1 failed" in out.getvalue()


def test_a_failed_send_is_tried_again_on_the_next_run(april, sent):
    unreachable = SignupFactory(event=event_at(TOMORROW_9AM), name="unreachable")
    with pytest.raises(CommandError):
        send_reminders()
    Signup.objects.filter(pk=unreachable.pk).update(name="reachable")

    send_reminders()

    assert sent == [unreachable.pk]


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_overlapping_runs_remind_each_volunteer_once(april, settings, sent):
    settings.NOTIFY_SENDER = "tests.events.test_reminders.OverlappingSender"
    OverlappingSender.overlapped.clear()
    signups = SignupFactory.create_batch(6, event=event_at(TOMORROW_9AM))

    outputs = run_together([lambda: send_reminders()[0]] * 2, timeout=30)

    assert [type(out) for out in outputs] == [str, str], outputs
    assert sorted(sent) == sorted(s.pk for s in signups)
    counts = [int(re.search(r"(\d+) reminders sent", out)[1]) for out in outputs]
    taken = [int(re.search(r"(\d+) already sent", out)[1]) for out in outputs]
    assert sum(counts) == 6
    assert sum(taken) >= 1  # the runs did overlap
    assert not Signup.objects.filter(reminder_sent_at__isnull=True).exists()


# --- The service the command calls ------------------------------------------


def test_send_reminders_reports_its_counts(april, sent):
    event = event_at(TOMORROW_9AM)
    reached = SignupFactory(event=event)
    unreachable = SignupFactory(event=event, name="unreachable")
    SignupFactory(event=event_at(TOMORROW_9AM + dt.timedelta(hours=3)))
    SignupFactory(event=event, reminder_sent_at=april)  # reminded by an earlier run

    run = services.send_reminders()

    assert run.day == dt.date(2024, 4, 16)
    assert (run.events, run.sent, run.taken, run.failed) == (2, 2, 0, 1)
    assert [signup.pk for signup, _error in run.failures] == [unreachable.pk]
    assert reached.pk in sent


def test_send_reminders_counts_a_sign_up_another_run_claimed_as_taken(
    april, sent, monkeypatch
):
    first, second = SignupFactory.create_batch(2, event=event_at(TOMORROW_9AM))
    send = notify.reminder

    def send_while_another_run_claims_the_second(signup):
        # After this run read its list, another run reminded the second.
        Signup.objects.filter(pk=second.pk).update(reminder_sent_at=april)
        send(signup)

    monkeypatch.setattr(notify, "reminder", send_while_another_run_claims_the_second)

    run = services.send_reminders()

    assert (run.sent, run.taken, run.failed) == (1, 1, 0)
    assert sent == [first.pk]


def test_send_reminders_takes_now_for_tomorrow(sent):
    noon = dt.datetime(2024, 4, 15, 4, 0, tzinfo=dt.UTC)  # 12:00 in Beijing
    signup = SignupFactory(event=event_at(TOMORROW_9AM))

    run = services.send_reminders(now=noon)

    assert (run.day, run.sent) == (dt.date(2024, 4, 16), 1)
    assert sent == [signup.pk]
    signup.refresh_from_db()
    assert signup.reminder_sent_at == noon
