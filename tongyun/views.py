"""
The site layer's pages: those that show several apps at once.

Each app offers query functions about its own data; the pages here compose
them (DESIGN §3). The home page and the pages of one garden, zone or species
keep the gardens app's URL names, and the event page the events app's: the
root URLconf adds them to those namespaces.
"""

from django.db import DatabaseError, connection
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from artworks.models import Artwork
from events.forms import SignupForm
from events.models import Event
from events.views import public_events, render_detail
from gardens.models import Garden, Species, Zone
from plantings import queries as ledger
from plantings.models import Observation, Planting

from .lib.dates import today

LATEST_OBSERVATIONS = 4
LATEST_ARTWORKS = 4
LARGEST_GIFTS = 6


def _next_events():
    """Published events still to come, soonest first, with seats taken."""
    return Event.objects.published().upcoming().with_seats()


def _latest_artworks():
    """The works most recently let into the gallery, featured or not."""
    return Artwork.objects.public().order_by("-reviewed_at", "-pk")[:LATEST_ARTWORKS]


@require_safe
def home(request):
    day = today()
    blooming = list(ledger.in_bloom(Species.objects.all(), day))
    # Out of season, say what comes next rather than only "nothing".
    next_month, upcoming = (
        (None, []) if blooming else Species.objects.next_to_bloom(after=day.month)
    )
    figures = Zone.objects.aggregate(zone_count=Count("pk"), area_m2=Sum("area_m2"))
    figures["planted"] = ledger.total_planted()
    ctx = {
        "next_event": _next_events().first(),
        "artworks": _latest_artworks(),
        "gifts": ledger.largest_gifts(LARGEST_GIFTS),
        "gardens": Garden.objects.for_cards(),
        "blooming": blooming,
        "next_month": next_month,
        "upcoming": upcoming,
        "month": day.month,
        "figures": figures,
        "today": day,
    }
    return render(request, "gardens/home.html", ctx)


@require_safe
def garden_detail(request, slug):
    gardens = (
        Garden.objects.select_related("community")
        .with_figures()
        .prefetch_related("zones__species")
    )
    garden = get_object_or_404(gardens, slug=slug)
    observations = Observation.objects.latest_first().filter(zone__garden=garden)
    ctx = {
        "garden": garden,
        "zones": garden.zones.all(),
        "species_list": list(ledger.species_of_garden(garden)),
        "planted": ledger.with_planted(Species.objects.all(), zone__garden=garden),
        "gifts": ledger.gifts_to(zone__garden=garden),
        "observations": observations[:LATEST_OBSERVATIONS],
        "events": _next_events().filter(gardens=garden),
        "month": today().month,
    }
    return render(request, "gardens/garden_detail.html", ctx)


@require_safe
def zone_detail(request, slug, code):
    zones = Zone.objects.select_related("garden__community")
    zone = get_object_or_404(zones, garden__slug=slug, code=code)
    day = today()
    observations = Observation.objects.latest_first().filter(zone=zone)
    ctx = {
        "zone": zone,
        "species_list": ledger.with_bloom_signals(zone.species.all(), day.year, zone),
        "plantings": Planting.objects.with_sources().filter(zone=zone),
        "observations": observations[:LATEST_OBSERVATIONS],
        "month": day.month,
    }
    return render(request, "gardens/zone_detail.html", ctx)


@require_safe
def species_detail(request, slug):
    day = today()
    signals = ledger.with_bloom_signals(Species.objects.all(), day.year)
    species = get_object_or_404(signals, slug=slug)
    zones = species.zones.select_related("garden").order_by("garden", "code")
    planted = ledger.with_planted(
        Zone.objects.select_related("garden"), species=species
    ).order_by("garden", "code")
    observations = Observation.objects.latest_first().filter(species=species)
    ctx = {
        "species": species,
        "zones": zones,
        "planted": planted,
        "gifts": ledger.gifts_to(species=species),
        "observations": observations[:LATEST_OBSERVATIONS],
        "month": day.month,
        "in_bloom": species.is_in_bloom(day.month),
    }
    return render(request, "gardens/species_detail.html", ctx)


@require_safe
def event_detail(request, slug):
    """
    The event page with its sign-up form; once the day is over, what it
    achieved instead: attendance (events) and what was planted (plantings).
    """
    event = get_object_or_404(public_events(), slug=slug)
    results = None
    if event.signup_state() == Event.SignupState.OVER:
        results = {**event.attendance(), **ledger.planted_at_event(event)}
    return render_detail(request, event, SignupForm(), results=results)


@never_cache
@require_safe
def healthz(request):
    """200 "ok" when the database answers a query; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")
