"""
Sign-ups for events: capacity, waiting list, cancellation, check-in.

Rules (DESIGN §5):
- The confirmed headcount of an event never exceeds its capacity, however
  many people sign up at once on however many app servers.
- A sign-up that does not fit is waitlisted whole; cancelling promotes
  waitlisted sign-ups in order, each that fits.
- The first waiting sign-up that does not fit may lower its headcount to
  take the seats that are free (take_free_seats), and is told when seats
  free up that it does not fit into.
- One active sign-up per phone per event (also a database constraint).

Every writer locks the event row first (select_for_update), so sign-ups and
cancellations of one event take turns across processes and hosts. A lock
not had within LOCK_TIMEOUT raises Busy, and nothing is written. On SQLite
the lock is the database's write lock, taken as the transaction begins;
one not had within the busy timeout raises Busy too (locking()).

Every change to a sign-up is recorded in its history (tongyun.lib.history),
writes that skip save() included; the public views give the reasons of a
volunteer's own changes (SIGNED_UP, CANCELLED, TOOK_FREE_SEATS).
"""

import dataclasses
import datetime as dt
import functools
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from tongyun.lib import db, history, retention
from tongyun.lib.errors import refuse
from tongyun.lib.senders import SendFailed

from . import notify, tasks
from .models import MAX_PUBLIC_HEADCOUNT, Event, Signup

LOCK_TIMEOUT = "3s"
# Event.signup_state() values: no sign-up at all; public sign-ups taken.
NOT_PUBLISHED = (Event.SignupState.DRAFT, Event.SignupState.CANCELLED)
SIGNUP_OPEN = (Event.SignupState.OPEN, Event.SignupState.WAITLIST)

logger = logging.getLogger("tongyun.reminders")

# Why a sign-up changed, when no staff member changed it: kept in its
# history as they are here, shown translated (tongyun.lib.history).
SIGNED_UP = gettext_noop("signed up on the public page")
CANCELLED = gettext_noop("cancelled on the ticket page")
TOOK_FREE_SEATS = gettext_noop("took the free seats on the ticket page")
PROMOTED = gettext_noop("promoted from the waiting list")
REMINDED = gettext_noop("reminder sent")
PURGED = retention.PURGED


class Busy(Exception):
    """Too many people at once: the event stayed locked; try again."""


def lock_event(event_id):
    """
    The event, its row locked until the transaction ends.

    Waits at most LOCK_TIMEOUT on PostgreSQL, then raises Busy.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    try:
        return Event.objects.select_for_update().get(pk=event_id)
    except OperationalError as e:
        # PostgreSQL gone is no busy event: the site's 503 says so.
        if db.is_unavailable(e):
            raise
        raise Busy from e


def locking(service):
    """
    transaction.atomic for a service that locks an event. On SQLite the lock
    is the whole database's, which each transaction takes as it begins
    (settings: transaction_mode IMMEDIATE): one not had within the busy
    timeout raises Busy, as lock_event does on PostgreSQL, so that the
    person's page says "busy, press again" and keeps what they typed.
    """
    atomic_service = transaction.atomic(service)

    @functools.wraps(service)
    def locked(*args, **kwargs):
        try:
            return atomic_service(*args, **kwargs)
        except OperationalError as e:
            if db.is_locked(e):
                raise Busy from e
            raise

    return locked


def seats_taken(event):
    """Confirmed headcount of event (one query)."""
    confirmed = event.signups.filter(status=Signup.Status.CONFIRMED)
    return confirmed.aggregate(total=Sum("headcount", default=0))["total"]


@locking
def sign_up(
    *,
    event,
    name,
    phone,
    headcount,
    organisation=None,
    is_group=False,
    email="",
    language="zh-hans",
):
    """
    Sign name up for event with headcount people; messages to them go to
    email (if any) in language.

    Locks the event, then confirms the sign-up if it fits in the seats left
    and waitlists it whole otherwise. Staff group bookings (is_group) skip
    the public window and headcount limit but must fit. Sends the
    confirmation once the transaction commits. Raises ValidationError
    (codes: event_closed, outside_window, bad_headcount, phone_taken,
    group_too_big) or Busy; writes nothing then.
    """
    event = lock_event(event.pk)
    # Counted after the lock: no sign-up of this event is confirmed between
    # this count and this sign-up's commit.
    event.seats_taken = seats_taken(event)
    now = timezone.now()
    state = event.signup_state(now)
    if state in NOT_PUBLISHED:
        refuse(gettext("This event is not open for sign-ups."), "event_closed")
    if not is_group:
        if state not in SIGNUP_OPEN:
            refuse(
                gettext("Sign-up for this event is open from {opens} to {closes}."),
                "outside_window",
                opens=timezone.localtime(event.signup_opens_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                closes=timezone.localtime(event.signup_closes_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            )
        if not 1 <= headcount <= MAX_PUBLIC_HEADCOUNT:
            raise ValidationError(event.headcount_refusal(), code="bad_headcount")
    if phone and event.signups.active().filter(phone=phone).exists():
        refuse(
            gettext(
                "This phone number is already signed up for this event. Find "
                "your ticket with “Find my sign-up”."
            ),
            "phone_taken",
        )
    left = event.seats_left
    fits = headcount <= left
    if is_group and not fits:
        refuse(
            gettext("Only {left} seats are left; the group has {count}."),
            "group_too_big",
            left=max(left, 0),
            count=headcount,
        )
    try:
        with transaction.atomic():
            signup = Signup.objects.create(
                event=event,
                name=name,
                phone=phone,
                headcount=headcount,
                organisation=organisation,
                is_group=is_group,
                email=email,
                language=language,
                status=Signup.Status.CONFIRMED if fits else Signup.Status.WAITLISTED,
            )
    except IntegrityError:
        # The unique constraint caught a repeat that raced past the check.
        refuse(
            gettext(
                "This phone number is already signed up for this event. Find "
                "your ticket with “Find my sign-up”."
            ),
            "phone_taken",
        )
    # The worker sends the message: the answer never waits for the sender.
    # robust: a queue that cannot take it is logged, never turns a saved
    # sign-up into an error page.
    transaction.on_commit(lambda: enqueue_message(signup, "signed_up"), robust=True)
    return signup


def promote(event, *, offer=True):
    """
    Confirm waitlisted sign-ups of event in order, each that fits, and tell
    each promoted volunteer once the transaction commits. With offer (seats
    were just freed), also tell the first still waiting how many seats are
    free, if it does not fit into them (offer_free_seats).

    The caller holds the event's lock. Returns the promoted sign-ups.
    Queries: seats taken, the waiting list, one update and its history.
    """
    left = event.capacity - seats_taken(event)
    promoted, waiting = [], []
    for signup in event.signups.waiting_order():
        if signup.headcount <= left:
            signup.status = Signup.Status.CONFIRMED
            left -= signup.headcount
            promoted.append(signup)
        else:
            waiting.append(signup)
    history.bulk_update(promoted, Signup, ["status"], reason=PROMOTED)
    for signup in promoted:
        # robust: one message the queue refused neither stops the others
        # nor turns the saved change into an error page.
        transaction.on_commit(
            lambda signup=signup: enqueue_message(signup, "promoted"), robust=True
        )
    if offer and waiting:
        waiting[0].event = event
        offer_free_seats(waiting[0], free=left)
    return promoted


def offer_free_seats(signup, *, free):
    """
    Tell signup, the first waiting sign-up, once the transaction commits,
    how many seats are free when it does not fit into them: it may lower
    its headcount on its ticket to take them (Signup.seats_offered()).

    The caller holds the event's lock, counted free under it, and has just
    freed seats or made signup the first in line. No query.
    """
    signup.waiting_ahead = 0
    signup.event_seats_taken = signup.event.capacity - free
    offered = signup.seats_offered()
    if offered:
        transaction.on_commit(
            lambda: enqueue_message(signup, "seats_free", seats=offered),
            robust=True,
        )


# The messages a worker sends about a sign-up (events.tasks), each with
# the status the sign-up must still have when it is sent: a volunteer who
# cancelled before the worker came to it is not told of a seat.
MESSAGES = {
    "signed_up": (notify.signed_up, None),
    "promoted": (notify.promoted, Signup.Status.CONFIRMED),
    "seats_free": (notify.seats_free, Signup.Status.WAITLISTED),
}


def enqueue_message(signup, kind, *, seats=0):
    """
    Queue the message of kind (MESSAGES) to signup for the worker
    (events.tasks.send_signup_message). One insert with the database
    backend; with the immediate backend of the tests, it is sent at once.
    """
    tasks.send_signup_message.enqueue(signup.pk, kind, seats=seats)


def send_message(*, signup_id, kind, seats=0, attempt=1):
    """
    Send the message of kind to the sign-up signup_id, if the sign-up is
    still there (not purged) and still in the status the message is about.

    A sender that cannot send (SendFailed) queues the next attempt, up to
    settings.NOTIFY_ATTEMPTS in all, after a delay growing four times with
    each (NOTIFY_RETRY_DELAY seconds first), then raises, so the failed
    attempt shows in the admin's task results. Queries: the sign-up and its
    event; one insert for a retry.
    """
    send, status = MESSAGES[kind]
    signup = Signup.objects.select_related("event").filter(pk=signup_id).first()
    if signup is None or (status and signup.status != status):
        return
    # Look the function up now: tests replace notify's functions.
    send = getattr(notify, send.__name__)
    try:
        if kind == "seats_free":
            send(signup, seats=seats)
        else:
            send(signup)
    except SendFailed:
        # A backend that runs tasks at once (the tests') cannot wait.
        backend = tasks.send_signup_message.get_backend()
        if attempt < settings.NOTIFY_ATTEMPTS and backend.supports_defer:
            delay = settings.NOTIFY_RETRY_DELAY * 4 ** (attempt - 1)
            tasks.send_signup_message.using(
                run_after=timezone.now() + dt.timedelta(seconds=delay)
            ).enqueue(signup_id, kind, seats=seats, attempt=attempt + 1)
        raise


def check_capacity(*, event, capacity):
    """
    Refuse (ValidationError, code below_confirmed) a capacity for event
    lower than its confirmed headcount. One query.

    The answer holds only while the caller holds the event's lock
    (save_event does); a form may call it unlocked to say so early.
    """
    taken = seats_taken(event)
    if capacity < taken:
        refuse(
            gettext(
                "{taken} people are confirmed already, so the capacity cannot "
                "be lower than {taken}. Cancel sign-ups first if fewer can come."
            ),
            "below_confirmed",
            taken=taken,
        )


@locking
def save_event(*, event):
    """
    Save event as staff edited it (all its fields; many-to-many relations
    are the caller's) and, when it is published, confirm whoever now fits
    from the waiting list.

    A new event is simply saved. A change locks the event first, then
    refuses (ValidationError, code below_confirmed) a capacity below the
    confirmed headcount: the lock keeps anyone from being confirmed between
    that check and the save. Tells the promoted volunteers once the
    transaction commits, and, when seats were freed (more capacity, or
    published again), the first still waiting how many are free
    (offer_free_seats). Returns the promoted sign-ups. Raises Busy or
    ValidationError; writes nothing then.
    """
    if event.pk is None:
        event.save()
        return []
    stored = lock_event(event.pk)
    check_capacity(event=event, capacity=event.capacity)
    event.save()
    if event.status != Event.Status.PUBLISHED:
        return []
    # Tell the first in line of free seats only when seats were freed, not
    # on every edit of the title.
    freed = event.capacity > stored.capacity or stored.status != event.status
    return promote(event, offer=freed)


@locking
def cancel(signup, *, now=None):
    """
    Cancel signup and promote whoever now fits; when it was the first in
    line, tell the next how many seats are free if it does not fit into
    them (offer_free_seats).

    Locks the event. Cancelling twice is harmless. Refuses a sign-up that
    was checked in or whose event has started at now (ValidationError,
    codes checked_in, event_started: Signup.cancel_refusal()), for
    volunteers and staff alike. Tells the promoted volunteers once the
    transaction commits. Returns the promoted sign-ups. Raises
    ValidationError or Busy; writes nothing then.
    """
    event = lock_event(signup.event_id)
    # The row locked as read: a check-in at the same moment (check_in(),
    # which takes no event lock) either comes first and is seen here, or
    # waits and then finds the sign-up cancelled.
    signup = Signup.objects.select_for_update().with_queue().get(pk=signup.pk)
    if signup.status == Signup.Status.CANCELLED:
        return []
    signup.event = event
    if refusal := signup.cancel_refusal(now):
        raise refusal
    was_confirmed = signup.status == Signup.Status.CONFIRMED
    was_first = signup.waitlist_position == 1
    signup.status = Signup.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        return promote(event)
    if was_first:
        _offer_to_the_first_in_line(event)
    return []


def _offer_to_the_first_in_line(event):
    """offer_free_seats() to whoever now leads the queue (two queries)."""
    first = event.signups.waiting_order().first()
    if first:
        first.event = event
        offer_free_seats(first, free=event.capacity - seats_taken(event))


@locking
def take_free_seats(*, signup, headcount):
    """
    Confirm signup, the first waiting sign-up that does not fit, for
    headcount people: fewer than it signed up, and no more than the seats
    free (Signup.seats_offered()).

    Locks the event and reads the queue under the lock. A smaller sign-up
    behind it or a newcomer may have taken the seats first: then it is
    refused, and stays where it was. Tells the next in line of any seats
    still free (offer_free_seats). Returns the confirmed sign-up. Raises
    ValidationError (codes: no_seats_offered, bad_headcount) or Busy;
    writes nothing then.
    """
    event = lock_event(signup.event_id)
    # Read after the lock: nobody is confirmed or queued between this read
    # and this sign-up's commit.
    signup = Signup.objects.with_queue().get(pk=signup.pk)
    signup.event = event
    offered = signup.seats_offered()
    if not offered:
        refuse(
            gettext(
                "No seats are free for this sign-up to take now. Its ticket "
                "shows where it stands."
            ),
            "no_seats_offered",
        )
    if not 1 <= headcount <= offered:
        raise ValidationError(
            headcount_beyond_free_seats(offered), code="bad_headcount"
        )
    signup.headcount = headcount
    signup.status = Signup.Status.CONFIRMED
    signup.save(update_fields=["headcount", "status"])
    if headcount < offered:
        _offer_to_the_first_in_line(event)
    return signup


def headcount_beyond_free_seats(most):
    """The refusal of a headcount the most free seats cannot take."""
    return ngettext(
        "{most} seat is free now: the sign-up can take it for 1 person.",
        "{most} seats are free now: choose 1 to {most} people.",
        most,
    ).format(most=most)


def check_in(signup, *, at=None):
    """
    Mark signup as arrived (once; a second scan keeps the first time).

    Refuses (ValidationError, code holds_no_seat) a sign-up that is not
    confirmed as the database has it now, whatever the copy passed in says.
    One update, then the row read back for its history; one read when
    nothing was updated.
    """
    at = at or timezone.now()
    with transaction.atomic():
        # One conditional update: a cancellation at the same moment either
        # comes first (nothing is updated) or finds the sign-up checked in.
        updated = Signup.objects.filter(
            pk=signup.pk, status=Signup.Status.CONFIRMED, checked_in_at__isnull=True
        ).update(checked_in_at=at)
        if updated:
            # Read under the update's row lock: the history gets the row as
            # this check-in left it.
            history.record_changes(Signup, Signup.objects.filter(pk=signup.pk))
            signup.checked_in_at = at
            return signup
    signup.refresh_from_db(fields=["status", "checked_in_at"])
    if signup.status != Signup.Status.CONFIRMED:
        refuse(gettext("Only confirmed sign-ups can be checked in."), "holds_no_seat")
    return signup


@transaction.atomic
def mark_attended(signups, *, at=None):
    """
    Check in every confirmed sign-up of signups not yet checked in; returns
    how many. Queries: the sign-ups, locked; one update and its history.
    """
    # Locked as read: a cancellation at the same moment either comes first
    # (the sign-up is no longer confirmed, so not read) or waits for this.
    due = list(
        Signup.objects.select_for_update().filter(
            pk__in=signups.values("pk"),
            status=Signup.Status.CONFIRMED,
            checked_in_at__isnull=True,
        )
    )
    at = at or timezone.now()
    for signup in due:
        signup.checked_in_at = at
    history.bulk_update(due, Signup, ["checked_in_at"])
    return len(due)


# A name already shortened by the purge ("张*"), or none.
SHORTENED_NAME = r"^.?\*?$"


@dataclasses.dataclass
class Purge:
    """What one purge_personal_data() erased."""

    signups: int
    history: int  # historical records of sign-ups


@transaction.atomic
def purge_personal_data(*, now=None):
    """
    Erase volunteers' phone numbers and e-mail addresses, and shorten their
    names to the first character, for events that ended more than
    settings.RETENTION_DAYS ago (tongyun.lib.retention; the sign-up form's
    consent promises this), in the sign-ups and in their history alike.

    Headcounts, statuses, check-ins and hours stay for the records, and so
    does every historical record: who changed what and when is the trail
    the office must keep; only the volunteer's data goes from it. The
    purge itself is recorded (PURGED). Returns a Purge. Queries: the
    sign-ups, one update and its history, one update of older history.
    """
    cutoff = retention.cutoff(now)
    stale = Signup.objects.filter(event__ends_at__lt=cutoff).exclude(
        phone="", email="", name__regex=SHORTENED_NAME
    )
    # Whole rows: their history is written from them.
    signups = list(stale)
    for signup in signups:
        signup.name = f"{signup.name[:1]}*" if signup.name else ""
        signup.phone = ""
        signup.email = ""
    history.bulk_update(signups, Signup, ["name", "phone", "email"], reason=PURGED)
    # By the event each record names (an event is never changed on a
    # sign-up), so that records of a sign-up since deleted go too.
    records = Signup.history.filter(event__ends_at__lt=cutoff).exclude(
        phone="", email="", name__regex=SHORTENED_NAME
    )
    erased = history.erase_history(
        records, {"name": history.SHORTEN, "phone": "", "email": ""}
    )
    return Purge(signups=len(signups), history=erased)


@dataclasses.dataclass
class ReminderRun:
    """What one send_reminders() did."""

    day: dt.date  # the events' date, in settings.TIME_ZONE
    events: int = 0  # events with a volunteer due
    sent: int = 0
    taken: int = 0  # already claimed by an overlapping run
    failures: list = dataclasses.field(default_factory=list)  # (sign-up, error)

    @property
    def failed(self):
        return len(self.failures)


def send_reminders(*, now=None):
    """
    Remind each confirmed volunteer of a published event that starts
    tomorrow (the date in settings.TIME_ZONE), once, in their language.

    Each sign-up is claimed (reminder_sent_at) and messaged in its own
    transaction, so a run that overlaps another never reminds anyone twice,
    and a failed send rolls its claim back for the next run to try again;
    failures are logged and the others still sent. Returns a ReminderRun.
    Queries: the due sign-ups with their events, then one update each, the
    row read back and its history.
    """
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    starts = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    due = list(
        Signup.objects.filter(
            status=Signup.Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            event__status=Event.Status.PUBLISHED,
            event__starts_at__gte=starts,
            event__starts_at__lt=starts + dt.timedelta(days=1),
        )
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
    run = ReminderRun(day=tomorrow, events=len({s.event_id for s in due}))
    for signup in due:
        try:
            with transaction.atomic():
                # Claim the sign-up first: a run that overlaps this one waits
                # for the claim, then finds it taken. A failed send rolls the
                # claim back, so the next run tries again.
                claimed = Signup.objects.filter(
                    pk=signup.pk,
                    status=Signup.Status.CONFIRMED,
                    reminder_sent_at__isnull=True,
                ).update(reminder_sent_at=now)
                if claimed == 1:
                    history.record_changes(
                        Signup, Signup.objects.filter(pk=signup.pk), reason=REMINDED
                    )
                    notify.reminder(signup)
        except Exception as error:
            logger.exception("Reminder for sign-up %s not sent", signup.pk)
            run.failures.append((signup, error))
            continue
        if claimed == 1:
            run.sent += 1
        else:
            run.taken += 1
    return run
