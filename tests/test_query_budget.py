"""
Every public page answers an anonymous GET in at most BUDGET queries, and in
as many with three times the data (DESIGN §5; issue 13): no page queries
once per row, and a visitor without cookies costs no session, language or
message query.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.events.test_views import past_event
from tests.factories import (
    AllocationFactory,
    ArtworkFactory,
    CallFactory,
    DonationFactory,
    DonationItemFactory,
    EventFactory,
    GardenFactory,
    ObservationFactory,
    OrganisationFactory,
    PlantingFactory,
    SignupFactory,
    SpeciesFactory,
    SuggestionFactory,
    SurveyAnswerFactory,
    SurveyRoundFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

BUDGET = 6
# Rows of each kind per round of fill(); the pages' lists are paginated
# well above this, so three rounds show three times as many rows.
ROWS = 4


def fill(world):
    """
    ROWS more of every kind of row the public pages show, around the
    objects the pages are about (world), and on their own.
    """
    now = timezone.now()
    for _ in range(ROWS):
        garden = GardenFactory(community=world["garden"].community)
        for where in (world["garden"], garden):
            zone = ZoneFactory(garden=where)
            for species in (world["species"], SpeciesFactory()):
                zone.species.add(species)
                where.signature_species.add(species)
                donation = DonationFactory(quantity=50, is_floor=True)
                DonationItemFactory(donation=donation, species=species)
                allocation = AllocationFactory(
                    donation=donation, zone=zone, species=species, quantity=20
                )
                planting = PlantingFactory(
                    zone=zone,
                    species=species,
                    allocation=allocation,
                    event=world["past"],
                    quantity=10,
                )
                ObservationFactory(
                    zone=zone, species=species, planting=planting, kind="loss", count=1
                )
                ObservationFactory(zone=zone, species=species, kind="bloom_start")
        zone = world["zone"]
        PlantingFactory(zone=zone, species=world["species"], event=world["past"])
        EventFactory(gardens=[garden, world["garden"]])
        past_event(days_ago=20, capacity=100, gardens=[garden])
        organisation = OrganisationFactory()
        for event in (world["coming"], world["past"]):
            SignupFactory(event=event, organisation=organisation)
        SignupFactory(event=world["past"], checked_in_at=now)
        ArtworkFactory(call=world["call"])
        ArtworkFactory(call=world["call"], status="pending", reviewed_at=None)
        SuggestionFactory(garden=garden, status="accepted", reply="好")
        SuggestionFactory(garden=garden)
        SurveyAnswerFactory(round=world["round"])


@pytest.fixture
def world():
    garden = GardenFactory(slug="mudanyuan")
    coming = EventFactory(gardens=[garden])
    found = {
        "garden": garden,
        "zone": ZoneFactory(garden=garden, code="A1"),
        "species": SpeciesFactory(bloom_start_month=4, bloom_end_month=5),
        "coming": coming,
        "past": past_event(days_ago=20, capacity=100, gardens=[garden]),
        "call": CallFactory(),
        "round": SurveyRoundFactory(),
    }
    found["signup"] = SignupFactory(event=coming)
    found["artwork"] = ArtworkFactory(call=found["call"])
    found["suggestion"] = SuggestionFactory(garden=garden)
    return found


PAGES = {
    "home": lambda w: "/",
    "garden list": lambda w: "/gardens/",
    "garden": lambda w: w["garden"].get_absolute_url(),
    "zone": lambda w: w["zone"].get_absolute_url(),
    "species": lambda w: w["species"].get_absolute_url(),
    "bloom calendar": lambda w: "/bloom/",
    "donations": lambda w: "/donations/",
    "donations, page 2": lambda w: "/donations/?page=2",
    "events": lambda w: "/events/",
    "coming event": lambda w: w["coming"].get_absolute_url(),
    "past event": lambda w: w["past"].get_absolute_url(),
    "event calendar file": lambda w: f"/events/{w['coming'].slug}.ics",
    "find my sign-ups": lambda w: "/signups/find/",
    "ticket": lambda w: w["signup"].get_absolute_url(),
    "gallery": lambda w: "/artworks/",
    "gallery, painting": lambda w: "/artworks/?category=painting",
    "artwork": lambda w: w["artwork"].get_absolute_url(),
    "submit a work": lambda w: "/artworks/submit/",
    "work status": lambda w: w["artwork"].get_status_url(),
    "suggestions": lambda w: "/suggestions/",
    "new suggestion": lambda w: "/suggestions/new/",
    "suggestion status": lambda w: w["suggestion"].get_status_url(),
    "survey": lambda w: "/survey/",
    "dashboard": lambda w: "/dashboard/",
}


def queries_of(client, path):
    """Queries of a first visit: a browser without cookies."""
    client.cookies.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured), response


@pytest.mark.parametrize("name", PAGES)
def test_public_page_keeps_to_its_query_budget_whatever_the_data(client, world, name):
    path = PAGES[name](world)
    fill(world)

    small, _ = queries_of(client, path)
    fill(world)
    fill(world)
    large, response = queries_of(client, path)

    assert small <= BUDGET
    assert large == small
    # No session was stored for the visitor (forms set only their CSRF cookie).
    assert settings.SESSION_COOKIE_NAME not in response.cookies
