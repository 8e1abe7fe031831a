"""
Demo data of the plantings app: the three towns' gifts of DESIGN §1, where
they went, the planting day of 2024-04-07 and a lilac bloom observation.

The gifts' sizes are the story's (1000余, 200余, 400余 plants). The story
does not record how each gift was split between zones, nor how the other
seedlings of the planting day were split between gardens: those splits are
demo figures, and their notes say so. Writes go through the services, so the
demo obeys the ledger's rules; rows that exist already are left alone.
"""

import datetime as dt

from events.demo import PLANTING_DAY_2024
from events.models import Event
from gardens.models import Species, Zone
from tongyun.lib import history

from . import services
from .models import Allocation, Donation, Donor, Observation, Planting

PLANTING_DAY = dt.date(2024, 4, 7)
DEMO_SPLIT = "分配数为演示数据"

GIFTS = [
    {
        "donor": ("漷县镇", "Huoxian Town"),
        "quantity": 1000,
        "species": ["mudan", "shaoyao"],
        "note": "牡丹、芍药共1000余株，两种未分别计数。接收日期按植树日登记。",
        "note_en": (
            "More than 1,000 tree and herbaceous peonies, not counted separately. "
            "Recorded as received on the planting day."
        ),
        # (garden, zone, species, quantity)
        "allocations": [
            ("mudanyuan", "A1", "mudan", 300),
            ("mudanyuan", "A2", "mudan", 400),
            ("mudanyuan", "B1", "shaoyao", 300),
        ],
    },
    {
        "donor": ("张家湾镇", "Zhangjiawan Town"),
        "quantity": 200,
        "species": ["zijing"],
        "note": "紫荆200余株。接收日期按植树日登记。",
        "note_en": "More than 200 redbuds. Recorded as received on the planting day.",
        "allocations": [
            ("zijingyuan", "A1", "zijing", 150),
            ("zijingyuan", "A2", "zijing", 20),
            ("zijingyuan", "B1", "zijing", 30),
        ],
    },
    {
        "donor": ("潞城镇", "Lucheng Town"),
        "quantity": 400,
        "species": ["yueji"],
        "note": "月季400余株。接收日期按植树日登记。",
        "note_en": (
            "More than 400 Chinese roses. Recorded as received on the planting day."
        ),
        "allocations": [
            ("yuejiyuan", "A1", "yueji", 200),
            ("yuejiyuan", "A2", "yueji", 200),
        ],
    },
]

# 14000余株 seedlings were planted on the day in all; these came from no
# recorded donation (14000 less the 1600 donated plants). Their count comes
# from that 余 record, so it is a floor: the day's total reads 14000余株.
OTHER_SEEDLINGS = [
    ("mudanyuan", "A1", 4000),
    ("zijingyuan", "B1", 4200),
    ("yuejiyuan", "A2", 4200),
]
OTHER_SOURCE = "植树日花苗（无捐赠记录）"


def load():
    """Create what is missing of the demo; returns a line saying what is there."""
    species = {s.slug: s for s in Species.objects.all()}
    planting_day = Event.objects.filter(slug=PLANTING_DAY_2024).first()
    zones = {(z.garden.slug, z.code): z for z in Zone.objects.select_related("garden")}

    for gift in GIFTS:
        name, name_en = gift["donor"]
        donor, _ = Donor.objects.update_or_create(
            name=name, defaults={"name_en": name_en, "kind": Donor.Kind.TOWN}
        )
        donation = Donation.objects.filter(
            donor=donor, received_on=PLANTING_DAY
        ).first() or services.record_donation(
            donor=donor,
            received_on=PLANTING_DAY,
            quantity=gift["quantity"],
            is_floor=True,
            items={species[slug]: None for slug in gift["species"]},
            note=gift["note"],
            note_en=gift["note_en"],
        )
        for garden, code, slug, quantity in gift["allocations"]:
            zone = zones[(garden, code)]
            allocation = Allocation.objects.filter(
                donation=donation, zone=zone, species=species[slug]
            ).first() or services.allocate(
                donation=donation,
                zone=zone,
                species=species[slug],
                quantity=quantity,
                allocated_on=PLANTING_DAY,
                note=DEMO_SPLIT,
            )
            if not allocation.plantings.exists():
                services.plant(
                    zone=zone,
                    species=species[slug],
                    quantity=quantity,
                    planted_on=PLANTING_DAY,
                    allocation=allocation,
                    note="乡土植物进社区 扮靓美丽副中心",
                    event=planting_day,
                )

    for garden, code, quantity in OTHER_SEEDLINGS:
        zone = zones[(garden, code)]
        native = species["xiangtu-caohua"]
        if not Planting.objects.filter(zone=zone, species=native, source=OTHER_SOURCE):
            services.plant(
                zone=zone,
                species=native,
                quantity=quantity,
                is_floor=True,
                planted_on=PLANTING_DAY,
                source=OTHER_SOURCE,
                note=DEMO_SPLIT,
                event=planting_day,
            )

    # Plantings recorded before the planting day's event existed join it now,
    # in their history too.
    joining = list(Planting.objects.filter(planted_on=PLANTING_DAY, event__isnull=True))
    for planting in joining:
        planting.event = planting_day
    history.bulk_update(joining, Planting, ["event"])

    lilac_corner = zones[("zijingyuan", "A2")]
    if not Observation.objects.filter(
        zone=lilac_corner, species=species["zidingxiang"]
    ):
        services.observe(
            zone=lilac_corner,
            species=species["zidingxiang"],
            observed_on=dt.date(2024, 4, 20),
            kind=Observation.Kind.BLOOM_START,
            note="紫丁香开花了。",
        )

    return (
        f"{Donation.objects.count()} donations, {Allocation.objects.count()} "
        f"allocations, {Planting.objects.count()} plantings, "
        f"{Observation.objects.count()} observations"
    )
