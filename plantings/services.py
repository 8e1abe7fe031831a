"""
The donation ledger's rules, in one place for the admin, imports and commands.

- Allocations never exceed what was given: per species where the donor
  recorded a split, in total always. A 余 figure counts as its floor.
- Plantings never exceed the allocation they draw from.
- Losses never exceed the planting they come from.

Each writer runs in a transaction and first locks the row that guards the
figures it changes: the donation row for allocations and plantings from a
donation, the planting row for losses. Two writers on the same donation
therefore take turns, and the second one sees what the first one wrote.
Breaches raise ValidationError with a message in the active language.
Every row written is recorded in its history (tongyun.lib.history), those
of bulk_create() included.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext

from tongyun.lib import history

from .models import Allocation, Donation, DonationItem, Observation, Planting


def lock_donation(donation_id):
    """The donation, its row locked until the transaction ends."""
    return Donation.objects.select_for_update().get(pk=donation_id)


def lock_planting(planting_id):
    """The planting, its row locked until the transaction ends."""
    return Planting.objects.select_for_update().get(pk=planting_id)


def lock_ledger(*, donations=(), plantings=()):
    """
    Lock the rows that guard the figures a change may alter: donations
    first, then plantings, each in the order of their keys, as every writer
    here takes them, so that two writers never wait for each other in a
    circle. Ids that name no row are passed over. Two queries at most.
    """
    for model, ids in ((Donation, donations), (Planting, plantings)):
        ids = sorted({pk for pk in ids if pk is not None})
        if ids:
            list(model.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _floor_hint(is_floor):
    if not is_floor:
        return ""
    return " " + gettext(
        "A “more than” figure counts as its floor: if more plants arrived, "
        "raise the donation's quantity first."
    )


def check_donation(*, quantity, is_floor, items, allocations):
    """
    Check a donation's whole proposed state; raise ValidationError naming
    every breach.

    items maps each donated species to its share (None: no split recorded).
    allocations is a list of (species, quantity, planted) for every allocation
    the donation would have, planted being what is already planted from it.
    Pure: no query.
    """
    errors = []
    hint = _floor_hint(is_floor)
    split = sum(share for share in items.values() if share)
    if split > quantity:
        errors.append(
            ValidationError(
                gettext(
                    "The species' shares add up to {split}, more than the "
                    "donation's {given}."
                ).format(split=split, given=quantity),
                code="split_exceeds_donation",
            )
        )
    allocated = defaultdict(int)
    for species, count, planted in allocations:
        allocated[species] += count
        if planted > count:
            errors.append(
                ValidationError(
                    gettext(
                        "An allocation of {species} cannot be {count}: {planted} "
                        "of it are already planted."
                    ).format(species=species.name, count=count, planted=planted),
                    code="allocation_below_planted",
                )
            )
    for species, count in allocated.items():
        if species not in items:
            errors.append(
                ValidationError(
                    gettext("{species} is not part of this donation.").format(
                        species=species.name
                    ),
                    code="species_not_donated",
                )
            )
        elif items[species] is not None and count > items[species]:
            errors.append(
                ValidationError(
                    gettext(
                        "Allocations of {species} add up to {allocated}, more than "
                        "its share of {given}."
                    ).format(
                        species=species.name, allocated=count, given=items[species]
                    )
                    + hint,
                    code="species_over_allocated",
                )
            )
    total = sum(allocated.values())
    if total > quantity:
        errors.append(
            ValidationError(
                gettext(
                    "Allocations add up to {allocated}, more than the {given} given."
                ).format(allocated=total, given=quantity)
                + hint,
                code="donation_over_allocated",
            )
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_donation(
    *, donor, received_on, quantity, is_floor, items, note="", note_en=""
):
    """
    Record a gift and its species.

    items maps each species to its share, or None where the donor recorded
    no split. Checks the shares against the quantity, then creates the
    Donation and its DonationItems. Raises ValidationError; writes nothing then.
    """
    check_donation(quantity=quantity, is_floor=is_floor, items=items, allocations=[])
    donation = Donation.objects.create(
        donor=donor,
        received_on=received_on,
        quantity=quantity,
        is_floor=is_floor,
        note=note,
        note_en=note_en,
    )
    history.bulk_create(
        (
            DonationItem(donation=donation, species=species, quantity=share)
            for species, share in items.items()
        ),
        DonationItem,
    )
    return donation


def save_fields(obj, values):
    """Set and save these fields of obj alone ({name: value}); one UPDATE."""
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(values))


@transaction.atomic
def change_donation(
    *, donation, donor, received_on, quantity, is_floor, items, note=""
):
    """
    Change a recorded gift and its species (a spreadsheet's row).

    Locks the donation row, checks the whole ledger with the new figures
    against its allocations and what is planted from them (a quantity or a
    share never drops below what was allocated), then saves the donation's
    changed fields and adds, changes or removes its DonationItems, each
    write recorded in its history. Raises ValidationError; writes nothing
    then.
    """
    lock_donation(donation.pk)
    _current, allocations = ledger_of(donation)
    check_donation(
        quantity=quantity, is_floor=is_floor, items=items, allocations=allocations
    )
    changed = {
        "donor": donor,
        "received_on": received_on,
        "quantity": quantity,
        "is_floor": is_floor,
        "note": note,
    }
    save_fields(donation, changed)
    kept = set()
    for item in donation.items.select_related("species"):
        if item.species not in items:
            item.delete()
            continue
        kept.add(item.species)
        if item.quantity != items[item.species]:
            item.quantity = items[item.species]
            item.save(update_fields=["quantity"])
    history.bulk_create(
        (
            DonationItem(donation=donation, species=species, quantity=share)
            for species, share in items.items()
            if species not in kept
        ),
        DonationItem,
    )
    return donation


def ledger_of(donation, exclude_allocation=None):
    """
    The donation's items and allocations as check_donation takes them.

    Two queries: items with species, allocations with species and planted.
    """
    items = {
        item.species: item.quantity for item in donation.items.select_related("species")
    }
    rows = (
        donation.allocations.exclude(pk=exclude_allocation)
        .select_related("species")
        .annotate(planted=Sum("plantings__quantity", default=0))
    )
    return items, [(a.species, a.quantity, a.planted) for a in rows]


def default_species(*, donated, zone):
    """
    The species an allocation of a gift to zone is of, when staff leave it
    to be told: the gift's only species; else the one of its species that
    zone is planned for; else None (staff must choose). donated lists the
    gift's species (empty: not named yet, then any species zone is planned
    for counts). One query: the zone's planned species.
    """
    if len(donated) == 1:
        return donated[0]
    planned = [s for s in zone.species.all() if not donated or s in donated]
    return planned[0] if len(planned) == 1 else None


def record_allocated_species(donation):
    """
    Name as the gift's species, with no split, the species it was
    allocated to, when staff named none (a gift listed by its allocations
    alone). Does nothing to a gift that names its species. Two queries, and
    one insert and its history.
    """
    if donation.items.exists():
        return
    species = donation.allocations.values_list("species", flat=True).distinct()
    history.bulk_create(
        (
            DonationItem(donation=donation, species_id=pk, quantity=None)
            for pk in species
        ),
        DonationItem,
    )


@transaction.atomic
def allocate(*, donation, zone, species, quantity, allocated_on, note=""):
    """
    Send part of a donation to a zone.

    Locks the donation row, checks the whole ledger with the new allocation
    and creates it. Raises ValidationError on a breach; writes nothing then.
    """
    donation = lock_donation(donation.pk)
    items, allocations = ledger_of(donation)
    check_donation(
        quantity=donation.quantity,
        is_floor=donation.is_floor,
        items=items,
        allocations=[*allocations, (species, quantity, 0)],
    )
    return Allocation.objects.create(
        donation=donation,
        zone=zone,
        species=species,
        quantity=quantity,
        allocated_on=allocated_on,
        note=note,
    )


def check_planting(*, zone, species, quantity, allocation=None, planting=None):
    """
    Check a planting as it would be saved (planting: the row being changed).

    The caller holds the locks (see lock_for_planting). Queries: planted from
    the allocation, losses of the planting being changed.
    """
    errors = []
    if allocation is not None:
        if allocation.zone_id != zone.pk or allocation.species_id != species.pk:
            errors.append(
                ValidationError(
                    gettext(
                        "The chosen allocation is for {species} in {zone}; the "
                        "planting must match it."
                    ).format(
                        species=allocation.species.name,
                        zone=f"{allocation.zone.garden.name} {allocation.zone.code}",
                    ),
                    code="allocation_mismatch",
                )
            )
        others = allocation.plantings.exclude(pk=getattr(planting, "pk", None))
        planted = others.aggregate(total=Sum("quantity", default=0))["total"]
        if planted + quantity > allocation.quantity:
            errors.append(
                ValidationError(
                    gettext(
                        "Only {left} plants of this allocation are left to plant "
                        "({planted} of {given} already planted)."
                    ).format(
                        left=max(allocation.quantity - planted, 0),
                        planted=planted,
                        given=allocation.quantity,
                    ),
                    code="planting_exceeds_allocation",
                )
            )
    if planting is not None and planting.pk:
        lost = losses_of(planting)
        if quantity < lost:
            errors.append(
                ValidationError(
                    gettext(
                        "{lost} plants of this planting are recorded as lost; the "
                        "quantity cannot be lower."
                    ).format(lost=lost),
                    code="planting_below_losses",
                )
            )
    if errors:
        raise ValidationError(errors)


def lock_for_planting(*, allocation=None, planting=None):
    """
    Lock what guards a planting's figures: its donation, then the planting.

    Returns the allocation re-read under the lock (its quantity may have
    changed while the caller waited), or None.
    """
    if allocation is not None:
        lock_donation(allocation.donation_id)
        allocation = Allocation.objects.select_related("zone__garden", "species").get(
            pk=allocation.pk
        )
    if planting is not None and planting.pk:
        lock_planting(planting.pk)
    return allocation


@transaction.atomic
def plant(
    *,
    zone,
    species,
    quantity,
    planted_on,
    is_floor=False,
    allocation=None,
    source="",
    note="",
    event=None,
):
    """
    Record plants that went into the ground; is_floor: quantity is a floor
    (余), as when it comes from a record of "14000余株".

    Locks the donation row when the plants came from an allocation, checks
    that the allocation has enough left and creates the Planting, which marks
    its zone planted. Raises ValidationError on a breach; writes nothing then.
    """
    allocation = lock_for_planting(allocation=allocation)
    check_planting(zone=zone, species=species, quantity=quantity, allocation=allocation)
    return Planting.objects.create(
        zone=zone,
        species=species,
        quantity=quantity,
        is_floor=is_floor,
        planted_on=planted_on,
        allocation=allocation,
        source=source,
        note=note,
        event=event,
    )


@transaction.atomic
def change_planting(
    *,
    planting,
    zone,
    species,
    quantity,
    planted_on,
    is_floor=False,
    allocation=None,
    source="",
    note="",
):
    """
    Change a recorded planting (a spreadsheet's row).

    Locks the donations of the allocation it leaves and of the one it draws
    from, then the planting (lock_ledger's order); checks that the
    allocation has room and that the quantity stays above the recorded
    losses; saves the changed fields, recorded in its history. Raises
    ValidationError; writes nothing then.
    """
    leaves = Allocation.objects.filter(plantings=planting.pk).values_list(
        "donation", flat=True
    )
    lock_ledger(
        donations=[*leaves, allocation.donation_id if allocation else None],
        plantings=[planting.pk],
    )
    if allocation is not None:
        # Re-read under the lock: its quantity may have changed meanwhile.
        allocation = Allocation.objects.select_related("zone__garden", "species").get(
            pk=allocation.pk
        )
    check_planting(
        zone=zone,
        species=species,
        quantity=quantity,
        allocation=allocation,
        planting=planting,
    )
    changed = {
        "zone": zone,
        "species": species,
        "quantity": quantity,
        "is_floor": is_floor,
        "planted_on": planted_on,
        "allocation": allocation,
        "source": source,
        "note": note,
    }
    save_fields(planting, changed)
    return planting


def losses_of(planting, exclude_observation=None):
    """Plants recorded as lost from planting (one query)."""
    losses = planting.observations.filter(kind=Observation.Kind.LOSS)
    losses = losses.exclude(pk=exclude_observation)
    return losses.aggregate(total=Sum("count", default=0))["total"]


def check_observation(*, zone, species, kind, count, planting, observation=None):
    """
    Check an observation as it would be saved; a loss must fit its planting.

    The caller holds the planting's lock for a loss. One query for a loss.
    """
    if kind != Observation.Kind.LOSS:
        if count:
            raise ValidationError(
                gettext("Only a loss has a number of plants."), code="count_not_loss"
            )
        return
    if planting is None or not count:
        raise ValidationError(
            gettext("A loss needs the planting it comes from and how many died."),
            code="loss_incomplete",
        )
    if planting.zone_id != zone.pk or planting.species_id != species.pk:
        raise ValidationError(
            gettext("The planting is of another zone or species."),
            code="loss_mismatch",
        )
    lost = losses_of(planting, exclude_observation=getattr(observation, "pk", None))
    if lost + count > planting.quantity:
        raise ValidationError(
            gettext(
                "Only {left} plants of this planting are still recorded as alive "
                "({planted} planted, {lost} lost)."
            ).format(
                left=planting.quantity - lost, planted=planting.quantity, lost=lost
            ),
            code="loss_exceeds_planting",
        )


@transaction.atomic
def observe(*, zone, species, observed_on, kind, count=None, planting=None, note=""):
    """
    Record a bloom, health, care or loss observation.

    For a loss, locks the planting row and checks that the losses stay within
    what was planted. Raises ValidationError on a breach; writes nothing then.
    """
    if kind == Observation.Kind.LOSS and planting is not None:
        planting = lock_planting(planting.pk)
    check_observation(
        zone=zone, species=species, kind=kind, count=count, planting=planting
    )
    return Observation.objects.create(
        zone=zone,
        species=species,
        observed_on=observed_on,
        kind=kind,
        count=count,
        planting=planting,
        note=note,
    )
