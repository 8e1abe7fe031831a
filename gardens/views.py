from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from tongyun.lib.dates import today

from .models import MONTHS, Garden, Species, Zone


@require_safe
def home(request):
    day = today()
    gardens = Garden.objects.for_cards()
    figures = Zone.objects.aggregate(zone_count=Count("pk"), area_m2=Sum("area_m2"))
    blooming = list(Species.objects.blooming_in(day.month))
    # Out of season, say what comes next rather than only "nothing".
    next_month, upcoming = (
        (None, []) if blooming else Species.objects.next_to_bloom(after=day.month)
    )
    ctx = {
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
    ctx = {
        "garden": garden,
        "zones": garden.zones.all(),
        "species_list": garden.species_list(),
        "month": today().month,
    }
    return render(request, "gardens/garden_detail.html", ctx)


@require_safe
def zone_detail(request, slug, code):
    zones = Zone.objects.select_related("garden__community")
    zone = get_object_or_404(zones, garden__slug=slug, code=code)
    ctx = {"zone": zone, "species_list": zone.species.all(), "month": today().month}
    return render(request, "gardens/zone_detail.html", ctx)


@require_safe
def species_detail(request, slug):
    species = get_object_or_404(Species, slug=slug)
    zones = species.zones.select_related("garden").order_by("garden", "code")
    month = today().month
    ctx = {
        "species": species,
        "zones": zones,
        "month": month,
        "in_bloom": species.blooms_in(month),
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
