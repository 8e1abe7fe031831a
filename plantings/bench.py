"""
Benchmark data of the plantings app (`manage.py seed_bench`): donors and
their gifts, where the gifts went, what was planted and what was seen.

Per scale N: 4N donors, 6N donations, ALLOCATIONS_PER_ZONE allocations for
each planted zone, PLANTINGS_PER_ALLOCATION plantings from each allocation
plus OTHER_PLANTINGS_PER_ZONE of the street office's own purchase, and one
observation per planting. Built backwards from the plantings, so that
nothing breaks services.check_donation, check_planting or check_observation:
an allocation holds at least what was planted from it, a donation (and each
species' share, where one is recorded) at least what was allocated from it,
a loss never more than its planting; a "余" figure stays a floor.
"""

import calendar
import datetime as dt
import random

from django.utils import timezone

from tongyun.lib.names import person_name
from tongyun.lib.progress import bulk_insert

from .models import Allocation, Donation, DonationItem, Donor, Observation, Planting

ALLOCATIONS_PER_ZONE = 2
PLANTINGS_PER_ALLOCATION = 12
OTHER_PLANTINGS_PER_ZONE = 8
OTHER_SOURCE = "街道自购"
TOWNS = [
    "漷县镇", "张家湾镇", "潞城镇", "西集镇", "永乐店镇",
    "宋庄镇", "台湖镇", "马驹桥镇", "于家务乡", "永顺镇",
]  # fmt: skip
FIRMS = ["花木合作社", "苗圃", "园林绿化公司", "花卉种植基地"]
KINDS = [
    (Observation.Kind.BLOOM_START, 20),
    (Observation.Kind.FULL_BLOOM, 20),
    (Observation.Kind.BLOOM_END, 15),
    (Observation.Kind.HEALTH, 20),
    (Observation.Kind.CARE, 15),
    (Observation.Kind.LOSS, 10),
]


def donor_names(count, rng, suffix):
    """count unique donor names: towns, their firms, and people."""
    seen = set()
    for i in range(count):
        if i % 4 == 0:
            kind, name = Donor.Kind.TOWN, TOWNS[(i // 4) % len(TOWNS)]
        elif i % 4 == 3:
            kind, name = Donor.Kind.PERSON, f"热心居民{person_name(rng)}"
        else:
            town = rng.choice(TOWNS).removesuffix("镇").removesuffix("乡")
            kind, name = Donor.Kind.ORGANISATION, f"{town}{rng.choice(FIRMS)}"
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base}（{n}）"
        seen.add(name)
        yield kind, f"{name}{suffix}"


def seed(*, scale, rng: random.Random, progress, places, events, suffix=""):
    """
    Insert the plantings' rows for places and events (gardens.bench and
    events.bench answers); return {"donors", "donations", "allocations",
    "plantings", "observations"}.
    """
    today = timezone.localdate()
    donors = bulk_insert(
        Donor,
        (
            Donor(name=name, kind=kind)
            for kind, name in donor_names(4 * scale, rng, suffix)
        ),
        progress=progress,
        label="donors",
    )
    donations = [
        Donation(
            donor=donors[i % len(donors)],
            received_on=today - dt.timedelta(days=rng.randint(60, 1000)),
            is_floor=rng.random() < 0.3,
            note="缺什么补什么",
        )
        for i in range(6 * scale)
    ]
    allocations, plantings = [], []
    held = events["held_planting_days"]
    for z, zone in enumerate(places["planted_zones"]):
        for a in range(ALLOCATIONS_PER_ZONE):
            donation = donations[(z * ALLOCATIONS_PER_ZONE + a) % len(donations)]
            allocation = Allocation(
                donation=donation,
                zone=zone,
                species=zone.planned[a],
                allocated_on=donation.received_on
                + dt.timedelta(days=rng.randint(1, 14)),
            )
            rows = [
                _planting(zone, zone.planned[a], allocation.allocated_on, today, rng)
                for _ in range(PLANTINGS_PER_ALLOCATION)
            ]
            for row in rows:
                row.allocation = allocation
                # Planted at a planting day of the garden, where one was held
                # after the allocation.
                days = [
                    e
                    for e in held.get(zone.garden.pk, ())
                    if timezone.localdate(e.starts_at) >= allocation.allocated_on
                ]
                if days and rng.random() < 0.3:
                    row.event = rng.choice(days)
                    row.planted_on = timezone.localdate(row.event.starts_at)
            allocation.quantity = sum(r.quantity for r in rows) + rng.randint(0, 10)
            allocations.append(allocation)
            plantings.extend(rows)
        first = today - dt.timedelta(days=900)
        for _ in range(OTHER_PLANTINGS_PER_ZONE):
            row = _planting(zone, rng.choice(zone.planned), first, today, rng)
            row.source = OTHER_SOURCE
            plantings.append(row)

    # What each donation gave of each species: at least what was allocated.
    allocated = {id(d): {} for d in donations}
    for a in allocations:
        shares = allocated[id(a.donation)]
        shares[a.species] = shares.get(a.species, 0) + a.quantity
    items = []
    for donation in donations:
        shares = allocated[id(donation)]
        split = rng.random() < 0.3
        mine = [
            DonationItem(
                donation=donation,
                species=species,
                quantity=count + rng.randint(0, 20) if split else None,
            )
            for species, count in shares.items()
        ]
        recorded = sum(item.quantity or 0 for item in mine)
        donation.quantity = max(sum(shares.values()), recorded) + rng.randint(0, 50)
        items.extend(mine)
    bulk_insert(Donation, donations, progress=progress, label="donations")
    bulk_insert(DonationItem, items, progress=progress, label="donated species")
    bulk_insert(Allocation, allocations, progress=progress, label="allocations")
    bulk_insert(Planting, plantings, progress=progress, label="plantings")
    observations = [_observation(p, today, rng) for p in plantings]
    bulk_insert(Observation, observations, progress=progress, label="observations")
    return {
        "donors": donors,
        "donations": donations,
        "allocations": allocations,
        "plantings": plantings,
        "observations": observations,
    }


def _planting(zone, species, first, today, rng):
    return Planting(
        zone=zone,
        species=species,
        quantity=rng.randint(5, 40),
        planted_on=first + dt.timedelta(days=rng.randint(0, (today - first).days)),
    )


def _observation(planting, today, rng):
    """One observation after planting; a loss never takes more than was planted."""
    kinds, weights = zip(*KINDS, strict=True)
    kind = rng.choices(kinds, weights)[0]
    species = planting.species
    on = planting.planted_on + dt.timedelta(
        days=rng.randint(0, (today - planting.planted_on).days)
    )
    if kind in (Observation.Kind.BLOOM_START, Observation.Kind.FULL_BLOOM):
        on = _in_month(species.bloom_start_month, planting.planted_on, today, rng)
    elif kind == Observation.Kind.BLOOM_END:
        on = _in_month(species.bloom_end_month, planting.planted_on, today, rng)
    if on is None:
        kind, on = Observation.Kind.HEALTH, today
    row = Observation(
        zone=planting.zone, species=species, observed_on=on, kind=kind, note=""
    )
    if kind == Observation.Kind.LOSS:
        row.planting = planting
        row.count = rng.randint(1, max(1, planting.quantity // 4))
    return row


def _in_month(month, first, last, rng):
    """A day of month between first and last (the latest year that has one)."""
    for year in range(last.year, first.year - 1, -1):
        days = calendar.monthrange(year, month)[1]
        day = dt.date(year, month, rng.randint(1, days))
        if first <= day <= last:
            return day
    return None
