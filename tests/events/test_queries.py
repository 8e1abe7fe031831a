"""events.queries: attendance added up, as each event's page shows it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from events import queries
from tests.factories import EventFactory, OrganisationFactory, SignupFactory

pytestmark = pytest.mark.django_db


def held(**fields):
    starts = timezone.now() - dt.timedelta(days=3)
    return EventFactory(
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        signup_opens_at=starts - dt.timedelta(days=5),
        signup_closes_at=starts - dt.timedelta(hours=1),
        **fields,
    )


def test_attendance_of_each_event_is_its_pages_figures():
    first, second = held(), held()
    group = OrganisationFactory()
    came = timezone.now()
    SignupFactory(event=first, headcount=4, organisation=group, checked_in_at=came)
    SignupFactory(event=first, headcount=1, hours=Decimal("1.5"), checked_in_at=came)
    SignupFactory(event=second, headcount=2, organisation=group, checked_in_at=came)
    SignupFactory(event=second, headcount=3, organisation=group)

    by_event, by_organisation = queries.attendance()

    assert [(e, t.participants, t.hours) for e, t in by_event] == [
        (e, e.attendance()["participants"], e.attendance()["hours"])
        for e in (first, second)
    ]
    assert [
        (o, t.events, t.volunteers, t.participants, t.hours) for o, t in by_organisation
    ] == [
        (group, 2, 9, 6, Decimal(18)),
        (None, 1, 1, 1, Decimal("1.5")),
    ]


def test_an_event_nobody_came_to_is_listed_with_nothing():
    empty = held()

    by_event, by_organisation = queries.attendance()

    assert [(e, t.volunteers, t.participants, t.hours) for e, t in by_event] == [
        (empty, 0, 0, 0)
    ]
    assert by_organisation == []
