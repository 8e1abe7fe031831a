"""
What the plantings app knows about gardens, zones, species and events.

The pages that show a garden, a zone, a species or an event's results are
composed in the site layer (tongyun.views); these functions are the ledger's
part of them. Each takes or returns querysets of the lower apps, annotated
through the ledger's own relations (plantings, observations), so that the
lower apps never need to know this one.

Figures agree on every page (DESIGN §5): each has one function here, used by
every page that shows it.

- A gift, as given: Donation.quantity_display ("1000余株"), on the thanks
  wall, the home page and the pages of the gardens and species it went to
  (gifts_to), never split into what a species "was given" where the donor
  recorded no split; those pages say what was planted instead.
- All gifts: total_given(). Plants planted: total_planted(**where), per
  species or zone with_planted(). A total is a floor (余) when any donation
  or planting it adds up is one: a planting is, when its count comes from a
  余 record, as the planting day's 14000余株.
- The species of a garden: species_of_garden(), planned or planted there.
- Surviving: planted minus the losses recorded in observations (a loss
  names its planting and a count), never below 0: surviving(), and per
  donor and garden by_donor() and by_garden(). Plants that died unrecorded
  still count, so it says what the records hold, no more; it is a floor
  when planted is.
"""

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan

from gardens.models import Garden, Species, bloom_window_covers
from tongyun.lib.figures import Plants
from tongyun.lib.queries import keys_of, sum_of

from .models import Allocation, Donation, DonationItem, Donor, Observation, Planting

BLOOM_OPEN_KINDS = (Observation.Kind.BLOOM_START, Observation.Kind.FULL_BLOOM)
BLOOM_END_KINDS = (Observation.Kind.BLOOM_END,)


def with_planted(queryset, **where):
    """
    Annotate planted, lost and surviving on species or zones with plantings,
    and planted_is_floor: whether planted (and so surviving) is a floor.

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
            floors=Count("plantings", filter=Q(plantings__is_floor=True)),
            lost=Coalesce(Subquery(losses), 0),
        )
        .annotate(
            surviving=F("planted") - F("lost"),
            planted_is_floor=GreaterThan(F("floors"), 0),
        )
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


def total_planted(**where):
    """
    Plants that went into the ground (where: planting lookups, e.g.
    event=event), as Plants: a floor when any of them is. One query.
    """
    totals = Planting.objects.filter(**where).aggregate(
        count=Sum("quantity", default=0),
        floors=Count("pk", filter=Q(is_floor=True)),
    )
    return Plants(totals["count"], totals["floors"] > 0)


def total_planted_from_donations():
    """
    All plants planted, as total_planted(), and how many of them came from
    a donation (an allocation): the thanks wall's figures. One query.
    """
    totals = Planting.objects.aggregate(
        count=Sum("quantity", default=0),
        floors=Count("pk", filter=Q(is_floor=True)),
        given=Sum("quantity", filter=Q(allocation__isnull=False), default=0),
    )
    return Plants(totals["count"], totals["floors"] > 0), totals["given"]


def total_given():
    """
    Every gift added up, as Plants: a floor when any gift is one; and how
    many donors gave. One query.
    """
    totals = Donation.objects.aggregate(
        count=Sum("quantity", default=0),
        floors=Count("pk", filter=Q(is_floor=True)),
        donors=Count("donor", distinct=True),
    )
    return Plants(totals["count"], totals["floors"] > 0), totals["donors"]


def gifts_to(**where):
    """
    The gifts that went where (allocation lookups: zone__garden=garden,
    species=species), largest first, each with its donor and species
    (species_list) and planted_here / planted_here_is_floor: how many of it
    were planted there. Shown as given (quantity_display), the whole gift:
    a gift of two species without a split gave no count of either. Two
    queries: the gifts with donors and figures; their species.
    """
    here = Planting.objects.filter(allocation__donation=OuterRef("pk"), **where)
    return (
        Donation.objects.filter(
            pk__in=Allocation.objects.filter(**where).values("donation")
        )
        .select_related("donor")
        .prefetch_related(
            Prefetch("items", queryset=DonationItem.objects.select_related("species"))
        )
        .annotate(
            planted_here=sum_of(here, "quantity"),
            planted_here_is_floor=Exists(here.filter(is_floor=True)),
        )
        .order_by("-quantity", "donor__name", "pk")
    )


def with_planted_totals(gardens):
    """
    Annotate on every garden of the queryset planted_total and
    planted_floors: all plants planted in the gardens the query finds,
    before any slice, and how many of those gardens hold a floor (余) count
    (window sums over each garden's own figures). Every planting lies in a
    zone of a garden, so over all gardens this is total_planted(), for a
    page that shows a few gardens and the total. No query of its own.
    """
    here = Planting.objects.filter(zone__garden=OuterRef("pk"))
    return gardens.annotate(
        planted_here=sum_of(here, "quantity"),
        floor_here=Exists(here.filter(is_floor=True)),
    ).annotate(
        planted_total=Window(Sum("planted_here")),
        planted_floors=Window(Count("pk", filter=Q(floor_here=True))),
    )


def total_planted_of(garden):
    """
    The total of with_planted_totals() read from one of its gardens (or
    None, when there is no garden: nothing planted), as Plants. No query.
    """
    if garden is None:
        return Plants(0)
    return Plants(garden.planted_total, garden.planted_floors > 0)


def largest_gifts(limit):
    """The limit largest gifts with their donors. One query."""
    gifts = Donation.objects.select_related("donor")
    return gifts.order_by("-quantity", "donor__name", "pk")[:limit]


def species_of_garden(garden):
    """
    The species planned in the garden's zones or planted there, in bloom
    order: what the garden's page counts and lists. One query.
    """
    here = Q(zones__garden=garden) | Q(plantings__zone__garden=garden)
    return Species.objects.filter(
        pk__in=Species.objects.filter(here).values("pk")
    ).order_by("bloom_start_month", "name")


def species_for_garden(garden):
    """
    Every species, in bloom order, annotated for the garden's page:
    in_garden (planned in its zones or planted there: species_of_garden()),
    and planted, planted_is_floor, lost and surviving there (as
    with_planted(): 0 where nothing was). One query, with subqueries: the
    page picks from these rows its species, its planted table and the
    species of its zones, signature flowers and gifts.
    """
    species = OuterRef("pk")
    plantings = Planting.objects.filter(species=species, zone__garden=garden)
    losses = Observation.objects.filter(
        species=species, kind=Observation.Kind.LOSS, planting__zone__garden=garden
    )
    planned = Species.zones.through.objects.filter(species=species, zone__garden=garden)
    return Species.objects.annotate(
        in_garden=Exists(planned) | Exists(plantings),
        **_figures(plantings, losses),
    ).annotate(surviving=F("planted") - F("lost"))


def with_species_keys(gifts):
    """
    Annotate on gifts_to() rows species_keys, the primary keys of their
    species, in place of fetching the items: for a page that has the
    species (Donation.pick_species). No query of its own.
    """
    items = DonationItem.objects
    return gifts.prefetch_related(None).annotate(
        species_keys=keys_of(items, "donation", "species")
    )


def planted_at_event(event):
    """
    What was planted at event: species (annotated planted and
    planted_is_floor, most first), the plantings with zone, garden and
    species, and the total (total_planted). Three queries.
    """
    species = list(
        Species.objects.filter(plantings__event=event)
        .annotate(
            planted=Sum("plantings__quantity"),
            floors=Count("plantings", filter=Q(plantings__is_floor=True)),
        )
        .annotate(planted_is_floor=GreaterThan(F("floors"), 0))
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
        "planted": total_planted(event=event),
    }


def total_lost(**where):
    """
    Plants recorded as lost (where: observation lookups, e.g.
    planting__zone__garden=garden), a count. One query.
    """
    losses = Observation.objects.filter(kind=Observation.Kind.LOSS, **where)
    return losses.aggregate(count=Sum("count", default=0))["count"]


def surviving(planted, lost):
    """
    Plants surviving of planted (Plants) after lost: planted minus the
    recorded losses, never below 0, a floor when planted is. No query.
    """
    return Plants(max(planted.count - lost, 0), planted.is_floor)


def _figures(plantings, losses):
    """planted, planted_is_floor, lost and surviving from two subqueries."""
    return {
        "planted": sum_of(plantings, "quantity"),
        "planted_is_floor": Exists(plantings.filter(is_floor=True)),
        "lost": sum_of(losses, "count"),
    }


def by_donor():
    """
    Each donor who gave, largest giver first, annotated with given and
    given_is_floor (its gifts added up: 余 when any is), planted and
    planted_is_floor (of its gifts), lost and surviving, a list. One
    query.
    """
    donor = OuterRef("pk")
    gifts = Donation.objects.filter(donor=donor)
    losses = Observation.objects.filter(
        kind=Observation.Kind.LOSS, planting__allocation__donation__donor=donor
    )
    donors = (
        Donor.objects.filter(pk__in=Donation.objects.values("donor"))
        .annotate(
            given=sum_of(gifts, "quantity"),
            given_is_floor=Exists(gifts.filter(is_floor=True)),
            **_figures(
                Planting.objects.filter(allocation__donation__donor=donor), losses
            ),
        )
        .order_by("-given", "name")
    )
    return _with_surviving(donors)


def from_no_donation(gardens):
    """
    What was planted from no recorded donation (a planting without an
    allocation: the planting day's own seedlings, residents' plants): planted
    (Plants) and lost, a dict, added up from by_garden() rows. No query.
    """
    gardens = list(gardens)
    return {
        "planted": Plants(
            sum(g.unallocated for g in gardens),
            any(g.unallocated_is_floor for g in gardens),
        ),
        "lost": sum(g.unallocated_lost for g in gardens),
    }


def totals_of(gardens):
    """
    All planted (Plants) and all lost, added up from by_garden() rows: every
    planting lies in a zone of a garden and every loss names its planting,
    so these are total_planted() and total_lost() without a query of their
    own.
    """
    gardens = list(gardens)
    planted = Plants(
        sum(g.planted for g in gardens), any(g.planted_is_floor for g in gardens)
    )
    return planted, sum(g.lost for g in gardens)


def given_of(donors):
    """
    Every gift added up from by_donor() rows, as Plants, and how many donors
    gave: total_given() without a query of its own.
    """
    donors = list(donors)
    given = Plants(sum(d.given for d in donors), any(d.given_is_floor for d in donors))
    return given, len(donors)


def by_garden(gardens=None):
    """
    Each garden (of the gardens queryset, default all) in its listed order,
    annotated with allocated (plants of gifts sent to its zones), planted
    and planted_is_floor, lost and surviving, and the same of plantings from
    no donation: unallocated, unallocated_is_floor, unallocated_lost; a
    list. One query (with the annotations the queryset brings).
    """
    garden = OuterRef("pk")
    plantings = Planting.objects.filter(zone__garden=garden)
    losses = Observation.objects.filter(
        kind=Observation.Kind.LOSS, planting__zone__garden=garden
    )
    unallocated = plantings.filter(allocation__isnull=True)
    gardens = Garden.objects.all() if gardens is None else gardens
    gardens = gardens.annotate(
        allocated=sum_of(Allocation.objects.filter(zone__garden=garden), "quantity"),
        **_figures(plantings, losses),
        unallocated=sum_of(unallocated, "quantity"),
        unallocated_is_floor=Exists(unallocated.filter(is_floor=True)),
        unallocated_lost=sum_of(
            losses.filter(planting__allocation__isnull=True), "count"
        ),
    ).order_by("position", "name")
    return _with_surviving(gardens)


def _with_surviving(rows):
    """
    The rows, each with surviving: planted less lost, never below 0, set
    here rather than annotated, since the database would run the planted
    and lost subqueries a second time for it.
    """
    rows = list(rows)
    for row in rows:
        row.surviving = max(row.planted - row.lost, 0)
    return rows
