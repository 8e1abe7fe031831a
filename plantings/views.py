from django.shortcuts import render
from django.views.decorators.http import require_safe

from tongyun.lib.pagecache import cached_page

from . import queries
from .models import Donation


@require_safe
@cached_page("plantings", "gardens")
def donation_list(request):
    """The thanks wall: each gift, how many, where it went, how it is doing."""
    donations = list(Donation.objects.for_thanks_wall())
    given, donors = queries.total_given()
    totals = {
        "donors": donors,
        "given": given,
        "planted": queries.total_planted(),
        "from_donations": sum(donation.planted for donation in donations),
    }
    ctx = {"donations": donations, "totals": totals}
    return render(request, "plantings/donation_list.html", ctx)
