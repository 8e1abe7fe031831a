"""Demo data of the gardens app: the three gardens of DESIGN §1, their zones
and species, each with a drawn picture. Loaded by `manage.py load_demo`; safe
to load again: rows are updated, and a picture is drawn only where a row has
none."""

from gardens.models import Community, Garden, Species, Theme, Zone

from .demo_pictures import draw_garden, draw_species, draw_zone, jpeg

DESIGNER = "专业园林设计师"

SPECIES = [
    {
        "slug": "mudan",
        "name": "牡丹",
        "name_en": "Tree peony",
        "latin_name": "Paeonia suffruticosa",
        "bloom_start_month": 4,
        "bloom_end_month": 5,
        "theme": Theme.PEONY,
        "description": (
            "落叶灌木，花大色艳，被誉为“花中之王”。漷县镇赠送的牡丹种在牡丹园。"
        ),
        "description_en": (
            "A deciduous shrub with large, bright flowers, called the king of "
            "flowers. The tree peonies given by Huoxian town grow in the Peony Garden."
        ),
        "care_notes": "喜阳、耐寒，怕积水；花后剪去残花，秋季施肥。",
        "care_notes_en": (
            "Likes sun and tolerates cold but not standing water; cut off spent "
            "flowers after blooming and feed in autumn."
        ),
    },
    {
        "slug": "shaoyao",
        "name": "芍药",
        "name_en": "Herbaceous peony",
        "latin_name": "Paeonia lactiflora",
        "bloom_start_month": 5,
        "bloom_end_month": 5,
        "theme": Theme.PEONY,
        "description": "多年生草本，牡丹谢后接着开放，有“花相”之称。",
        "description_en": (
            "A perennial that opens as the tree peonies fade; it is called the "
            "minister of flowers."
        ),
        "care_notes": "冬季地上部分枯萎，春季重新萌发；开花时可设支架防倒伏。",
        "care_notes_en": (
            "Dies back above ground in winter and sprouts again in spring; "
            "stake the stems when in flower."
        ),
    },
    {
        "slug": "zijing",
        "name": "紫荆",
        "name_en": "Chinese redbud",
        "latin_name": "Cercis chinensis",
        "bloom_start_month": 4,
        "bloom_end_month": 4,
        "theme": Theme.REDBUD,
        "description": (
            "早春先花后叶，紫红色小花簇生在枝干上。张家湾镇赠送的紫荆种在紫荆园。"
        ),
        "description_en": (
            "In early spring, small purple-pink flowers cluster on bare branches "
            "before the leaves. The redbuds given by Zhangjiawan town grow in "
            "the Redbud Garden."
        ),
        "care_notes": "耐寒耐旱，不耐涝；花后适当修剪保持树形。",
        "care_notes_en": (
            "Hardy and drought tolerant but dislikes wet feet; prune lightly "
            "after flowering to keep its shape."
        ),
    },
    {
        "slug": "zidingxiang",
        "name": "紫丁香",
        "name_en": "Lilac",
        "latin_name": "Syringa oblata",
        "bloom_start_month": 4,
        "bloom_end_month": 5,
        "theme": Theme.LILAC,
        "description": "北京常见的春季花木，圆锥花序，香气浓郁。",
        "description_en": (
            "A spring-flowering tree common in Beijing, with cone-shaped, "
            "strongly scented flower clusters."
        ),
        "care_notes": "喜光，耐寒，耐旱；花后剪除残花序。",
        "care_notes_en": (
            "Likes light, hardy and drought tolerant; remove the spent flower "
            "clusters after blooming."
        ),
    },
    {
        "slug": "yueji",
        "name": "月季",
        "name_en": "Chinese rose",
        "latin_name": "Rosa chinensis",
        "bloom_start_month": 5,
        "bloom_end_month": 10,
        "theme": Theme.ROSE,
        "description": "北京市花，花期长，从初夏开到深秋。潞城镇赠送的月季种在月季园。",
        "description_en": (
            "Beijing's city flower, blooming from early summer into late autumn. "
            "The roses given by Lucheng town grow in the Rose Garden."
        ),
        "care_notes": "喜阳，勤剪残花可延长花期；注意防治白粉病和蚜虫。",
        "care_notes_en": (
            "Likes sun; deadheading keeps it flowering. Watch for powdery mildew "
            "and aphids."
        ),
    },
    {
        "slug": "xiangtu-caohua",
        "name": "乡土草花",
        "name_en": "Native flowering plants",
        "latin_name": "",
        "bloom_start_month": 5,
        "bloom_end_month": 9,
        "theme": Theme.LEAF,
        "description": (
            "“乡土植物进社区”植树日种下的多种乡土草花花苗，品种未逐一登记。"
        ),
        "description_en": (
            "The many native flower seedlings planted on the “native plants into "
            "the communities” planting day; their kinds were not recorded one by one."
        ),
        "care_notes": "耐旱、好养护，夏季注意浇水。",
        "care_notes_en": "Hardy and easy to keep; water in summer.",
    },
]

GARDENS = [
    {
        "community": {
            "slug": "mudanyuan",
            "name": "牡丹园社区",
            "name_en": "Mudanyuan Community",
        },
        "slug": "mudanyuan",
        "name": "牡丹园",
        "name_en": "Peony Garden",
        "theme": Theme.PEONY,
        "position": 1,
        "tagline": "牡丹、芍药相继开放的春日花园",
        "tagline_en": "A spring garden where tree and herbaceous peonies bloom in turn",
        "address": "牡丹园社区党群服务站旁",
        "address_en": "Beside the Mudanyuan community service station",
        "description": (
            "原来的闲置、斑秃绿地，经专业园林设计师分区设计，种上了漷县镇赠送的牡丹和芍药。"
        ),
        "description_en": (
            "Once idle, bare ground: a garden designer divided it into zones, "
            "planted with the tree and herbaceous peonies given by Huoxian town."
        ),
        "signature": ["mudan", "shaoyao"],
        "zones": [
            (
                "A1",
                "入口花境",
                "Entrance border",
                "86.0",
                Zone.State.PLANTED,
                ["mudan", "zidingxiang"],
                "入口两侧以牡丹为主景，后排配植紫丁香。",
                "Tree peonies frame the entrance, with lilacs behind them.",
            ),
            (
                "A2",
                "牡丹台地",
                "Peony terrace",
                "142.5",
                Zone.State.PLANTED,
                ["mudan"],
                "沿坡地分三层种植牡丹，方便居民近距离观赏。",
                "Three tiers of tree peonies on the slope, close to the path.",
            ),
            (
                "B1",
                "芍药花带",
                "Herbaceous peony strip",
                "64.0",
                Zone.State.DESIGNED,
                ["shaoyao"],
                "楼前带状花境，牡丹谢后芍药接续开放。",
                "A strip in front of the building where herbaceous peonies follow "
                "the tree peonies.",
            ),
        ],
    },
    {
        "community": {
            "slug": "zijingyayuan",
            "name": "紫荆雅园",
            "name_en": "Zijing Yayuan",
            "description": "含紫荆园小区",
            "description_en": "Including the Zijingyuan estate",
        },
        "slug": "zijingyuan",
        "name": "紫荆园",
        "name_en": "Redbud Garden",
        "theme": Theme.REDBUD,
        "position": 2,
        "tagline": "早春满枝紫红的紫荆小道",
        "tagline_en": "A path of redbuds, purple-pink on bare branches in early spring",
        "address": "紫荆园小区中心绿地",
        "address_en": "Central green of the Zijingyuan estate",
        "description": "张家湾镇赠送的紫荆沿步道种植，春天还能看到紫丁香开花。",
        "description_en": (
            "The redbuds given by Zhangjiawan town line the footpath; lilacs "
            "bloom here in spring too."
        ),
        "signature": ["zijing"],
        "zones": [
            (
                "A1",
                "紫荆林荫道",
                "Redbud walk",
                "120.0",
                Zone.State.PLANTED,
                ["zijing"],
                "步道两侧对植紫荆，形成花廊。",
                "Redbuds planted in pairs along both sides of the walk.",
            ),
            (
                "A2",
                "丁香角",
                "Lilac corner",
                "48.0",
                Zone.State.PLANTED,
                ["zidingxiang", "zijing"],
                "角落种植紫丁香，与紫荆同期开花。",
                "Lilacs in the corner, blooming together with the redbuds.",
            ),
            (
                "B1",
                "休憩花坛",
                "Resting bed",
                "36.5",
                Zone.State.DESIGNED,
                ["zijing"],
                "座椅旁的小花坛，供老人休息赏花。",
                "A small bed beside the benches, for older residents to sit and look.",
            ),
        ],
    },
    {
        "community": {
            "slug": "yuejiyuan",
            "name": "月季园小区",
            "name_en": "Yuejiyuan Estate",
        },
        "slug": "yuejiyuan",
        "name": "月季园",
        "name_en": "Rose Garden",
        "theme": Theme.ROSE,
        "position": 3,
        "tagline": "从初夏开到深秋的月季花园",
        "tagline_en": "Roses from early summer into late autumn",
        "address": "月季园小区宅间绿地",
        "address_en": "Green space between the Yuejiyuan buildings",
        "description": "潞城镇赠送的月季让宅间绿地开满鲜花。",
        "description_en": (
            "The roses given by Lucheng town fill the space between the buildings."
        ),
        "signature": ["yueji"],
        "zones": [
            (
                "A1",
                "月季花廊",
                "Rose arbour",
                "95.0",
                Zone.State.PLANTED,
                ["yueji"],
                "藤本月季攀援花架，形成花廊。",
                "Climbing roses cover the arbour.",
            ),
            (
                "A2",
                "月季花坛",
                "Rose bed",
                "78.0",
                Zone.State.PLANTED,
                ["yueji"],
                "丰花月季按花色分块种植。",
                "Floribunda roses planted in blocks of colour.",
            ),
            (
                "B1",
                "北侧空地",
                "North plot",
                "52.0",
                Zone.State.IDLE,
                [],
                "尚待设计的斑秃绿地。",
                "A bare patch still waiting for its design.",
            ),
        ],
    },
]


def _picture(obj, draw, seed, theme):
    """Give obj a drawn photo unless it has one; returns 1 if drawn, else 0."""
    if obj.photo:
        return 0
    obj.photo.save("demo.jpg", jpeg(draw(seed, theme)), save=False)
    obj.save(update_fields=["photo"])
    return 1


def load():
    """Create or update the demo rows; returns a line saying what is there."""
    drawn = 0
    species = {}
    for data in SPECIES:
        data = dict(data)
        slug = data.pop("slug")
        species[slug], _ = Species.objects.update_or_create(slug=slug, defaults=data)
        drawn += _picture(species[slug], draw_species, f"species {slug}", data["theme"])

    zone_count = 0
    for data in GARDENS:
        data = dict(data)
        community_data = dict(data.pop("community"))
        community, _ = Community.objects.update_or_create(
            slug=community_data.pop("slug"), defaults=community_data
        )
        signature = data.pop("signature")
        zones = data.pop("zones")
        garden, _ = Garden.objects.update_or_create(
            slug=data.pop("slug"), defaults={**data, "community": community}
        )
        garden.signature_species.set([species[s] for s in signature])
        drawn += _picture(garden, draw_garden, f"garden {garden.slug}", garden.theme)
        for code, name, name_en, area, state, planned, notes, notes_en in zones:
            fields = {
                "name": name,
                "name_en": name_en,
                "area_m2": area,
                "designer": DESIGNER if state != Zone.State.IDLE else "",
                "design_notes": notes,
                "design_notes_en": notes_en,
            }
            # state is where the zone starts: recording a planting there moves
            # it on to planted (plantings.models.Planting.save), and loading
            # the demo again keeps that.
            zone, _ = Zone.objects.update_or_create(
                garden=garden,
                code=code,
                defaults=fields,
                create_defaults={**fields, "state": state},
            )
            zone.species.set([species[s] for s in planned])
            seed = f"zone {garden.slug} {code}"
            drawn += _picture(zone, draw_zone, seed, garden.theme)
            zone_count += 1
    return (
        f"{len(GARDENS)} gardens, {zone_count} zones, {len(species)} species "
        f"({drawn} pictures drawn)"
    )
