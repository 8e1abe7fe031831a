"""
What the events app knows about its own data, as figures for the
dashboard (tongyun.dashboard): volunteers, participants and volunteer
hours, by event and by organisation.

The figures are the ones an event's page shows once it is over
(Event.attendance: includes/event_results.html), added up: volunteers are
the people of confirmed sign-ups, participants those checked in
(SignupQuerySet.attended), hours the participants' volunteer hours, each
person's recorded hours or else the event's length (Event.hours).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum

from .models import CHECKED_IN, Event, Organisation, Signup

HOURS = DecimalField(max_digits=10, decimal_places=1)


@dataclass
class Attendance:
    """Volunteers, participants and hours of an event or an organisation."""

    volunteers: int = 0
    participants: int = 0
    hours: Decimal = Decimal(0)
    events: int = 0


def held_events():
    """Published events that are over, oldest first: those with results."""
    return Event.objects.published().past().order_by("starts_at", "pk")


def attendance(events=None):
    """
    The attendance of events (default: held_events()), as two lists:
    [(event, Attendance)] in the events' order, every event listed, and
    [(organisation or None, Attendance)], most participants first, None
    for people who signed up for no organisation. Three queries: the
    events, their confirmed sign-ups added up by event and organisation,
    the organisations.
    """
    events = list(held_events() if events is None else events)
    came = Q(CHECKED_IN)
    rows = (
        Signup.objects.filter(status=Signup.Status.CONFIRMED, event__in=events)
        .order_by()
        .values("event", "organisation")
        .annotate(
            volunteers=Sum("headcount"),
            participants=Sum("headcount", filter=came, default=0),
            recorded_hours=Sum(
                F("headcount") * F("hours"),
                filter=came & Q(hours__isnull=False),
                output_field=HOURS,
                default=Decimal(0),
            ),
            people_at_length=Sum(
                "headcount", filter=came & Q(hours__isnull=True), default=0
            ),
        )
    )
    length = {event.pk: Decimal(str(event.hours)) for event in events}
    by_event = {event.pk: Attendance(events=1) for event in events}
    by_organisation = {}
    for row in rows:
        hours = row["recorded_hours"] + row["people_at_length"] * length[row["event"]]
        organisation = by_organisation.setdefault(row["organisation"], Attendance())
        organisation.events += 1  # one row per event and organisation
        for totals in (by_event[row["event"]], organisation):
            totals.volunteers += row["volunteers"]
            totals.participants += row["participants"]
            totals.hours += hours
    organisations = Organisation.objects.in_bulk(
        [pk for pk in by_organisation if pk is not None]
    )
    ranked = sorted(
        by_organisation.items(),
        key=lambda item: (-item[1].participants, item[0] is None, item[0] or 0),
    )
    return (
        [(event, by_event[event.pk]) for event in events],
        [(organisations.get(pk), totals) for pk, totals in ranked],
    )
