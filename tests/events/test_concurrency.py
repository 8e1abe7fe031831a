"""
Many volunteers at the same moment, each on their own database connection,
as several app servers would be.
"""

import random
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from events import services
from events.models import Event, Signup
from tests.factories import EventFactory
from tests.threads import postgres_only, run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgres_only,
]

THREADS = 50


def assert_capacity_holds_with_no_seat_wasted(event):
    signups = list(event.signups.all())
    confirmed = sum(s.headcount for s in signups if s.status == Signup.Status.CONFIRMED)
    waiting = [s.headcount for s in signups if s.status == Signup.Status.WAITLISTED]
    assert confirmed <= event.capacity
    # Nobody waits who would fit in the seats left.
    assert all(h > event.capacity - confirmed for h in waiting)
    return confirmed, waiting


def test_a_hundred_simultaneous_sign_ups_never_overfill_the_event():
    event = EventFactory(capacity=37)
    rng = random.Random(7)
    headcounts = [rng.randint(1, 5) for _ in range(100)]
    jobs = [
        (
            lambda n=n, h=h: services.sign_up(
                event=event, name=f"志愿者{n}", phone=f"+86139{n:08d}", headcount=h
            )
        )
        for n, h in enumerate(headcounts)
    ]

    outcomes = run_together(jobs, threads=THREADS, timeout=120)

    unexpected = [o for o in outcomes if not isinstance(o, Signup | services.Busy)]
    assert unexpected == []
    assert event.signups.count() == sum(isinstance(o, Signup) for o in outcomes)
    confirmed, waiting = assert_capacity_holds_with_no_seat_wasted(event)
    assert confirmed >= event.capacity - 4  # only a 5-person group could be left out
    assert len(waiting) > 0


def test_simultaneous_cancellations_and_sign_ups_keep_capacity_and_order():
    event = EventFactory(capacity=20)
    rng = random.Random(11)
    first = [
        services.sign_up(
            event=event,
            name=f"甲{n}",
            phone=f"+86137{n:08d}",
            headcount=rng.randint(1, 4),
        )
        for n in range(30)
    ]
    leaving = rng.sample(first, 12)
    jobs = [lambda s=s: services.cancel(s) for s in leaving]
    jobs += [
        (
            lambda n=n: services.sign_up(
                event=event,
                name=f"乙{n}",
                phone=f"+86136{n:08d}",
                headcount=rng.randint(1, 5),
            )
        )
        for n in range(40)
    ]
    rng.shuffle(jobs)

    outcomes = run_together(jobs, threads=40)

    unexpected = [
        o
        for o in outcomes
        if isinstance(o, Exception) and not isinstance(o, services.Busy)
    ]
    assert unexpected == []
    assert_capacity_holds_with_no_seat_wasted(event)
    cancelled = set(
        event.signups.filter(status="cancelled").values_list("pk", flat=True)
    )
    assert cancelled == {s.pk for s in leaving}


def test_repeat_phone_racing_itself_gets_one_sign_up():
    event = EventFactory(capacity=50)
    jobs = [
        (
            lambda: services.sign_up(
                event=event, name="同一人", phone="+8613800000000", headcount=1
            )
        )
        for _ in range(10)
    ]

    outcomes = run_together(jobs, threads=10)

    assert sum(isinstance(o, Signup) for o in outcomes) == 1
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert {e.code for e in refused} == {"phone_taken"}
    assert event.signups.count() == 1


def test_a_lock_held_too_long_answers_busy_and_writes_nothing():
    event = EventFactory(capacity=10)
    locked, gave_up = threading.Event(), threading.Event()
    waited = []

    def hold_the_event():
        with transaction.atomic():
            Event.objects.select_for_update().get(pk=event.pk)
            locked.set()
            gave_up.wait(timeout=15)

    def sign_up_while_it_is_held():
        assert locked.wait(timeout=10), "the event was never locked"
        started = time.monotonic()
        try:
            return services.sign_up(
                event=event, name="等待者", phone="+8613800000009", headcount=1
            )
        finally:
            waited.append(time.monotonic() - started)
            gave_up.set()

    held, outcome = run_together([hold_the_event, sign_up_while_it_is_held], timeout=30)

    assert held is None
    assert isinstance(outcome, services.Busy)
    assert 2.5 < waited[0] < 10  # LOCK_TIMEOUT is 3 s
    assert not event.signups.exists()


@pytest.mark.parametrize("attempt", range(5))
def test_the_first_in_line_and_a_newcomer_racing_for_one_seat_never_overfill(
    attempt,
):
    event = EventFactory(capacity=5)
    services.sign_up(event=event, name="甲", phone="+8613500000000", headcount=4)
    first = services.sign_up(
        event=event, name="乙", phone="+8613400000000", headcount=3
    )
    jobs = [
        lambda: services.take_free_seats(signup=first, headcount=1),
        lambda: services.sign_up(
            event=event, name="丙", phone="+8613300000000", headcount=1
        ),
    ]

    outcomes = run_together(jobs)

    unexpected = [
        o
        for o in outcomes
        if isinstance(o, Exception) and not isinstance(o, ValidationError)
    ]
    assert unexpected == []
    confirmed, _ = assert_capacity_holds_with_no_seat_wasted(event)
    assert confirmed == 5
    first.refresh_from_db()
    newcomer = event.signups.get(name="丙")
    # Exactly one of the two holds the seat; the other still waits.
    statuses = sorted([first.status, newcomer.status])
    assert statuses == ["confirmed", "waitlisted"]


def test_a_check_in_while_cancelling_waits_and_is_refused(monkeypatch):
    """
    The door scans a ticket while its volunteer's "cancel" is being decided:
    the check-in waits for the cancellation, then finds no seat to check
    in. Without the row lock the check-in would land in between, and the
    sign-up would end cancelled and checked in at once.
    """
    signup = services.sign_up(
        event=EventFactory(), name="丙", phone="+8613500000001", headcount=1
    )
    decide = Signup.cancel_refusal

    def slow_decision(self, now=None):
        time.sleep(0.6)  # the check-in arrives meanwhile
        return decide(self, now)

    monkeypatch.setattr(Signup, "cancel_refusal", slow_decision)

    def scan_meanwhile():
        time.sleep(0.2)
        return services.check_in(signup)

    cancelled, scanned = run_together(
        [lambda: services.cancel(signup), scan_meanwhile], timeout=60
    )

    signup.refresh_from_db()
    assert cancelled == []
    assert isinstance(scanned, ValidationError)
    assert (signup.status, signup.checked_in_at) == ("cancelled", None)
