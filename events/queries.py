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

from django.db.models import DecimalField, F, FilteredRelation, Q, Sum

from .models import Event, Organisation, Signup

HOURS = DecimalField(max_digits=10, decimal_places=1)
# The columns of an organisation that the dashboard shows (its name).
ORGANISATION_FIELDS = ("name", "name_en", "kind")


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
    for people who signed up for no organisation. One query: the events
    joined to their confirmed sign-ups, added up by event and organisation,
    each row naming its organisation (an Organisation built from those
    columns, not fetched again).
    """
    events = held_events() if events is None else events
    confirmed = FilteredRelation(
        "signups", condition=Q(signups__status=Signup.Status.CONFIRMED)
    )
    came = Q(confirmed__checked_in_at__isnull=False)
    rows = events.annotate(
        confirmed=confirmed,
        organisation_pk=F("confirmed__organisation"),
        **{
            f"organisation_{name}": F(f"confirmed__organisation__{name}")
            for name in ORGANISATION_FIELDS
        },
    ).annotate(
        volunteers=Sum("confirmed__headcount", default=0),
        participants=Sum("confirmed__headcount", filter=came, default=0),
        recorded_hours=Sum(
            F("confirmed__headcount") * F("confirmed__hours"),
            filter=came & Q(confirmed__hours__isnull=False),
            output_field=HOURS,
            default=Decimal(0),
        ),
        people_at_length=Sum(
            "confirmed__headcount",
            filter=came & Q(confirmed__hours__isnull=True),
            default=0,
        ),
    )
    by_event = {}
    by_organisation = {}
    organisations = {}
    for row in rows:
        totals = by_event.setdefault(row.pk, (row, Attendance(events=1)))[1]
        if row.volunteers == 0:
            continue  # an event without confirmed sign-ups: listed, no more
        hours = row.recorded_hours + row.people_at_length * Decimal(str(row.hours))
        pk = row.organisation_pk
        if pk is not None and pk not in organisations:
            organisations[pk] = Organisation(
                pk=pk,
                **{
                    name: getattr(row, f"organisation_{name}")
                    for name in ORGANISATION_FIELDS
                },
            )
        organisation = by_organisation.setdefault(pk, Attendance())
        organisation.events += 1  # one row per event and organisation
        for each in (totals, organisation):
            each.volunteers += row.volunteers
            each.participants += row.participants
            each.hours += hours
    ranked = sorted(
        by_organisation.items(),
        key=lambda item: (-item[1].participants, item[0] is None, item[0] or 0),
    )
    return (
        list(by_event.values()),
        [(organisations.get(pk), totals) for pk, totals in ranked],
    )
