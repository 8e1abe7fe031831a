"""
What the plantings app knows about gardens, zones, species and events.

The pages that show a garden, a zone, a species or an event's results are
composed in the site layer (tongyun.views); these functions are the ledger's
part of them. Each takes or returns querysets of the lower apps, annotated
through the ledger's own relations (plantings, observations), so that the
lower apps never need to know this one.
"""

from django.db.models import F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from gardens.models import Species, bloom_window_covers

from .models import Observation, Planting

BLOOM_OPEN_KINDS = (Observation.Kind.BLOOM_START, Observation.Kind.FULL_BLOOM)
BLOOM_END_KINDS = (Observation.Kind.BLOOM_END,)


def with_planted(queryset, **where):
    """
    Annotate planted, lost and surviving on species or zones with plantings.

    where narrows the plantings and losses counted, in their own terms:
    with_planted(Species.objects.all(), zone__garden=garden). One query.
    """
    model = queryset.model
    planted = {f"plantings__{lookup}": value for lookup, value in where.items()}
    lost = {f"observations__{lookup}": value for lookup, value in where.items()}
    losses = (
        model.objects.filter(
            pk=OuterRef("pk"), observations__kind=Observation.Kind.LOSS, **lost
        )
        .values("pk")
        .annotate(total=Sum("observations__count"))
        .values("total")
    )
    # Filter and sum in one step so that the sum counts only these plantings.
    return (
        queryset.filter(plantings__isnull=False, **planted)
        .annotate(
            planted=Sum("plantings__quantity"),
            lost=Coalesce(Subquery(losses), 0),
        )
        .annotate(surviving=F("planted") - F("lost"))
    )


def with_bloom_signals(species, year, zone=None):
    """
    Annotate last_open_on / last_end_on on a species queryset: this year's
    latest observation that a bloom began or ended (in zone, when given),
    which Species.is_in_bloom reads. One query, joined.
    """
    seen = Q(observations__observed_on__year=year)
    if zone is not None:
        seen &= Q(observations__zone=zone)
    return species.annotate(
        last_open_on=Max(
            "observations__observed_on",
            filter=seen & Q(observations__kind__in=BLOOM_OPEN_KINDS),
        ),
        last_end_on=Max(
            "observations__observed_on",
            filter=seen & Q(observations__kind__in=BLOOM_END_KINDS),
        ),
    )


def in_bloom(species, day, zone=None):
    """
    Species of the queryset in bloom on day: this year's observations where
    there are any, the default month window otherwise. One query.
    """
    observed_open = Q(last_open_on__isnull=False) & (
        Q(last_end_on__isnull=True) | Q(last_open_on__gt=F("last_end_on"))
    )
    unobserved = Q(last_open_on__isnull=True, last_end_on__isnull=True)
    return with_bloom_signals(species, day.year, zone).filter(
        observed_open | (unobserved & bloom_window_covers(day.month))
    )


def total_planted():
    """How many plants went into the ground, in all (one query)."""
    return Planting.objects.aggregate(total=Sum("quantity", default=0))["total"]


def planted_at_event(event):
    """
    What was planted at event: species (annotated planted, most first), the
    plantings with zone, garden and species, and the total. Two queries.
    """
    species = list(
        Species.objects.filter(plantings__event=event)
        .annotate(planted=Sum("plantings__quantity"))
        .order_by("-planted", "name")
    )
    plantings = (
        Planting.objects.filter(event=event)
        .select_related("zone__garden", "species")
        .order_by("zone__garden__position", "zone__code", "species__name")
    )
    return {
        "species": species,
        "plantings": plantings,
        "planted": sum(s.planted for s in species),
    }
