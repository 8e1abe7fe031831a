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
from tongyun.lib.pages import page_context

from .models import MONTHS, Garden, Species

GARDENS_PER_PAGE = 24


@require_safe
@cached_page("gardens")
def garden_list(request):
    """
    The gardens as cards, GARDENS_PER_PAGE a page (?page=). Three queries:
    the count; the page's gardens + community + figures; their flowers.
    """
    pages = page_context(
        Garden.objects.for_cards().order_by("position", "name", "pk"),
        request.GET.get("page"),
        per_page=GARDENS_PER_PAGE,
    )
    ctx = {**pages, "gardens": pages["page"].object_list}
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
