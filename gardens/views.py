"""
The gardens app's own pages: the list of gardens and the bloom calendar.

The pages of one garden, zone or species also show what other apps know of
them (plantings, events, works), so the site layer composes those
(tongyun.views), under this app's URL names.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from tongyun.lib.dates import today
from tongyun.lib.pagecache import cached_page

from .models import MONTHS, Garden, Species


@require_safe
@cached_page("gardens")
def garden_list(request):
    ctx = {"gardens": Garden.objects.for_cards()}
    return render(request, "gardens/garden_list.html", ctx)


@require_safe
@cached_page("gardens")
def bloom_calendar(request):
    ctx = {
        "species_list": Species.objects.all(),
        "months": MONTHS,
        "month": today().month,
    }
    return render(request, "gardens/bloom_calendar.html", ctx)
