from django.shortcuts import render
from django.views.decorators.http import require_safe

from tongyun.lib.pagecache import cached_page
from tongyun.lib.pages import page_context

from . import queries
from .models import Donation

DONATIONS_PER_PAGE = 20


@require_safe
@cached_page("plantings", "gardens")
def donation_list(request):
    """
    The thanks wall: each gift, how many, where it went, how it is doing,
    DONATIONS_PER_PAGE a page (?page=), and the figures of all. Six
    queries: the count; the page's gifts + donors + figures; their
    species; where they went; all given; all planted.
    """
    pages = page_context(
        Donation.objects.for_thanks_wall(),
        request.GET.get("page"),
        per_page=DONATIONS_PER_PAGE,
    )
    given, donors = queries.total_given()
    planted, from_donations = queries.total_planted_from_donations()
    totals = {
        "donors": donors,
        "given": given,
        "planted": planted,
        "from_donations": from_donations,
    }
    ctx = {**pages, "donations": pages["page"].object_list, "totals": totals}
    return render(request, "plantings/donation_list.html", ctx)
