from django.apps import apps
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from tongyun.lib.dates import today

from .models import MONTHS, Garden, Species, Zone, with_planted

LATEST_OBSERVATIONS = 4


def plantings_model(name):
    """
    A model of the plantings app, looked up by name.

    Garden, zone and species pages show where their plants came from; the
    base app reaches the other apps through the registry so that it never
    imports them.
    """
    return apps.get_model("plantings", name)


LATEST_ARTWORKS = 4


def latest_artworks():
    """The newest works shown in the gallery (the artworks app, by name)."""
    Artwork = apps.get_model("artworks", "Artwork")
    return Artwork.objects.public().order_by("-reviewed_at", "-pk")[:LATEST_ARTWORKS]


def next_events():
    """Published events still to come, soonest first, with seats taken."""
    Event = apps.get_model("events", "Event")
    return Event.objects.published().upcoming().with_seats()


@require_safe
def home(request):
    day = today()
    gardens = Garden.objects.for_cards()
    figures = Zone.objects.aggregate(zone_count=Count("pk"), area_m2=Sum("area_m2"))
    figures |= Species.objects.aggregate(planted=Sum("plantings__quantity"))
    blooming = list(Species.objects.in_bloom(day))
    # Out of season, say what comes next rather than only "nothing".
    next_month, upcoming = (
        (None, []) if blooming else Species.objects.next_to_bloom(after=day.month)
    )
    ctx = {
        "next_event": next_events().first(),
        "artworks": latest_artworks(),
        "gardens": gardens,
        "blooming": blooming,
        "next_month": next_month,
        "upcoming": upcoming,
        "month": day.month,
        "figures": figures,
        "today": day,
    }
    return render(request, "gardens/home.html", ctx)


@require_safe
def garden_list(request):
    ctx = {"gardens": Garden.objects.for_cards()}
    return render(request, "gardens/garden_list.html", ctx)


@require_safe
def garden_detail(request, slug):
    gardens = (
        Garden.objects.select_related("community")
        .with_figures()
        .prefetch_related("zones__species")
    )
    garden = get_object_or_404(gardens, slug=slug)
    Donor, Observation = plantings_model("Donor"), plantings_model("Observation")
    ctx = {
        "garden": garden,
        "zones": garden.zones.all(),
        "species_list": garden.species_list(),
        "planted": with_planted(Species.objects.all(), zone__garden=garden),
        "donors": Donor.objects.allocated_to(zone__garden=garden),
        "observations": Observation.objects.latest_first().filter(zone__garden=garden)[
            :LATEST_OBSERVATIONS
        ],
        "events": next_events().filter(gardens=garden),
        "month": today().month,
    }
    return render(request, "gardens/garden_detail.html", ctx)


@require_safe
def zone_detail(request, slug, code):
    zones = Zone.objects.select_related("garden__community")
    zone = get_object_or_404(zones, garden__slug=slug, code=code)
    day = today()
    ctx = {
        "zone": zone,
        "species_list": zone.species.with_bloom_signals(day.year, zone=zone),
        "plantings": zone.plantings.with_sources(),
        "observations": zone.observations.latest_first()[:LATEST_OBSERVATIONS],
        "month": day.month,
    }
    return render(request, "gardens/zone_detail.html", ctx)


@require_safe
def species_detail(request, slug):
    day = today()
    species = get_object_or_404(Species.objects.with_bloom_signals(day.year), slug=slug)
    zones = species.zones.select_related("garden").order_by("garden", "code")
    planted = with_planted(
        Zone.objects.select_related("garden"), species=species
    ).order_by("garden", "code")
    Donor = plantings_model("Donor")
    ctx = {
        "species": species,
        "zones": zones,
        "planted": planted,
        "donors": Donor.objects.allocated_to(species=species),
        "observations": species.observations.latest_first()[:LATEST_OBSERVATIONS],
        "month": day.month,
        "in_bloom": species.is_in_bloom(day.month),
    }
    return render(request, "gardens/species_detail.html", ctx)


@require_safe
def bloom_calendar(request):
    ctx = {
        "species_list": Species.objects.all(),
        "months": MONTHS,
        "month": today().month,
    }
    return render(request, "gardens/bloom_calendar.html", ctx)
