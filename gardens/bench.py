"""
Benchmark data of the gardens app (`manage.py seed_bench`): communities,
their gardens and designed zones, and the species every garden draws on.

Per scale N: N communities, 3N gardens, 12 zones a garden (36N), of which
the last of each garden is designed but not planted yet; a fixed set of
len(SPECIES) species, reused by every garden and every later set. Rows are
bulk-inserted: the same rows the admin would save, without a query per row.
"""

import random
from decimal import Decimal

from gardens.models import Community, Garden, Species, Theme, Zone
from tongyun.lib.progress import bulk_insert

GARDENS_PER_COMMUNITY = 3
ZONES_PER_GARDEN = 12
PLANNED_SPECIES_PER_ZONE = 3

# (Chinese name, Latin name, slug, bloom start, bloom end, theme)
SPECIES = [
    ("牡丹", "Paeonia suffruticosa", "mudan", 4, 5, Theme.PEONY),
    ("芍药", "Paeonia lactiflora", "shaoyao", 5, 6, Theme.PEONY),
    ("紫荆", "Cercis chinensis", "zijing", 3, 4, Theme.REDBUD),
    ("月季", "Rosa chinensis", "yueji", 5, 10, Theme.ROSE),
    ("紫丁香", "Syringa oblata", "zidingxiang", 4, 5, Theme.LILAC),
    ("玉兰", "Yulania denudata", "yulan", 3, 4, Theme.LEAF),
    ("海棠", "Malus spectabilis", "haitang", 4, 5, Theme.ROSE),
    ("连翘", "Forsythia suspensa", "lianqiao", 3, 4, Theme.LEAF),
    ("迎春", "Jasminum nudiflorum", "yingchun", 2, 4, Theme.LEAF),
    ("萱草", "Hemerocallis fulva", "xuancao", 6, 8, Theme.LEAF),
    ("鸢尾", "Iris tectorum", "yuanwei", 4, 6, Theme.LILAC),
    ("菊花", "Chrysanthemum morifolium", "juhua", 9, 11, Theme.LEAF),
    ("荷花", "Nelumbo nucifera", "hehua", 6, 9, Theme.ROSE),
    ("石竹", "Dianthus chinensis", "shizhu", 5, 9, Theme.ROSE),
    ("马蔺", "Iris lactea", "malin", 5, 6, Theme.LILAC),
    ("二月兰", "Orychophragmus violaceus", "eryuelan", 3, 5, Theme.LILAC),
    ("蜀葵", "Alcea rosea", "shukui", 6, 8, Theme.PEONY),
    ("金鸡菊", "Coreopsis basalis", "jinjiju", 5, 9, Theme.LEAF),
    ("百日草", "Zinnia elegans", "bairicao", 6, 10, Theme.ROSE),
    ("波斯菊", "Cosmos bipinnatus", "bosiju", 6, 10, Theme.REDBUD),
    ("玉簪", "Hosta plantaginea", "yuzan", 7, 9, Theme.LEAF),
    ("榆叶梅", "Prunus triloba", "yuyemei", 4, 5, Theme.REDBUD),
    ("腊梅", "Chimonanthus praecox", "lamei", 12, 2, Theme.LEAF),
    ("紫薇", "Lagerstroemia indica", "ziwei", 6, 9, Theme.REDBUD),
]

# The flower each garden is named after: its scene (一园一景).
SCENES = [
    ("牡丹园", "mudan", Theme.PEONY),
    ("紫荆园", "zijing", Theme.REDBUD),
    ("月季园", "yueji", Theme.ROSE),
    ("丁香园", "zidingxiang", Theme.LILAC),
    ("百花园", "juhua", Theme.LEAF),
]

PLACES = [
    "翠屏", "玉带", "新华", "运河", "滨河", "梨园", "九棵树", "临河", "永顺", "杨庄",
    "北苑", "果园", "土桥", "八里桥", "武夷", "紫运", "京贸", "云景", "芙蓉", "玉桥",
]  # fmt: skip
QUARTERS = ["社区", "西里社区", "东里社区", "北里社区", "南里社区"]
ZONE_NAMES = [
    "入口花境", "东侧花带", "西侧花带", "中心花坛", "林下花境", "沿路花篱",
    "廊架花园", "儿童乐园边", "健身广场边", "楼间绿地", "北侧坡地", "待建花田",
]  # fmt: skip
DESIGNER = "专业园林设计师"
SPECIES_PREFIX = "bench-sp-"


def community_name(index):
    """A district-like name, unique for the first len(PLACES) × len(QUARTERS)."""
    place = PLACES[index % len(PLACES)]
    quarter = QUARTERS[(index // len(PLACES)) % len(QUARTERS)]
    round_ = index // (len(PLACES) * len(QUARTERS))
    return f"{place}{quarter}" + (f"{round_ + 1}" if round_ else "")


def zone_code(index):
    """A1–A4, B1–B4, C1–C4: the codes on the garden's plan."""
    return f"{'ABC'[index // 4]}{index % 4 + 1}"


def seed(*, scale, prefix, rng: random.Random, progress):
    """
    Insert the gardens' rows; return {"communities", "gardens", "zones",
    "species", "planted_zones"} as lists of saved rows. A zone's planned
    species are in zone.planned (a list of Species).
    """
    # One set of species for every benchmark set: a second set (--force)
    # reuses the first one's, as new gardens reuse the flowers there are.
    slugs = [f"{SPECIES_PREFIX}{row[2]}" for row in SPECIES]
    found = {s.slug: s for s in Species.objects.filter(slug__in=slugs)}
    bulk_insert(
        Species,
        (
            Species(
                name=name,
                latin_name=latin,
                slug=f"{SPECIES_PREFIX}{slug}",
                bloom_start_month=start,
                bloom_end_month=end,
                theme=theme,
                care_notes="喜阳，定期浇水，花后修剪。",
            )
            for name, latin, slug, start, end, theme in SPECIES
            if f"{SPECIES_PREFIX}{slug}" not in found
        ),
        progress=progress,
        label="species",
    )
    species = list(Species.objects.filter(slug__in=slugs).order_by("pk"))
    by_slug = {s.slug.removeprefix(SPECIES_PREFIX): s for s in species}
    communities = bulk_insert(
        Community,
        (Community(name=community_name(i), slug=f"{prefix}c{i}") for i in range(scale)),
        progress=progress,
        label="communities",
    )
    gardens = []
    for c, community in enumerate(communities):
        for g in range(GARDENS_PER_COMMUNITY):
            scene, flower, theme = SCENES[(c + g) % len(SCENES)]
            gardens.append(
                Garden(
                    community=community,
                    name=f"{community.name.removesuffix('社区')}{scene}",
                    slug=f"{prefix}c{c}-g{g}",
                    tagline=f"一园一景：{by_slug[flower].name}",
                    address=f"{community.name}{g + 1}号楼旁",
                    theme=theme,
                    position=100 + c * GARDENS_PER_COMMUNITY + g,
                )
            )
            gardens[-1].flower = by_slug[flower]
    bulk_insert(Garden, gardens, progress=progress, label="gardens")
    Garden.signature_species.through.objects.bulk_create(
        Garden.signature_species.through(garden_id=g.pk, species_id=g.flower.pk)
        for g in gardens
    )
    zones = []
    for garden in gardens:
        for z in range(ZONES_PER_GARDEN):
            last = z == ZONES_PER_GARDEN - 1
            zone = Zone(
                garden=garden,
                code=zone_code(z),
                name=ZONE_NAMES[z],
                area_m2=Decimal(rng.randint(200, 3000)) / 10,
                # Every zone but the last gets plantings (plantings.bench),
                # which make it planted as Planting.save would.
                state=Zone.State.DESIGNED if last else Zone.State.PLANTED,
                designer=DESIGNER,
            )
            others = [s for s in species if s != garden.flower]
            zone.planned = [garden.flower, *rng.sample(others, 2)]
            zones.append(zone)
    bulk_insert(Zone, zones, progress=progress, label="zones")
    Zone.species.through.objects.bulk_create(
        (
            Zone.species.through(zone_id=zone.pk, species_id=s.pk)
            for zone in zones
            for s in zone.planned
        ),
        batch_size=2000,
    )
    return {
        "communities": communities,
        "gardens": gardens,
        "zones": zones,
        "species": species,
        "planted_zones": [z for z in zones if z.state == Zone.State.PLANTED],
    }
