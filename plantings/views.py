from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import Donation, Planting


@require_safe
def donation_list(request):
    """The thanks wall: each gift, how many, where it went, how it is doing."""
    totals = Donation.objects.aggregate(
        given=Sum("quantity"),
        donors=Count("donor", distinct=True),
        floors=Count("pk", filter=Q(is_floor=True)),
    )
    totals |= Planting.objects.aggregate(
        planted=Sum("quantity"),
        from_donations=Sum("quantity", filter=Q(allocation__isnull=False)),
    )
    ctx = {"donations": Donation.objects.for_thanks_wall(), "totals": totals}
    return render(request, "plantings/donation_list.html", ctx)
