"""
Demo data of the artworks app: the 牡丹园社区 call for peony paintings,
calligraphy and photographs (DESIGN §1), and a few approved works in each
category, some by the community painting class.

The pictures are drawn here with Pillow (nothing is downloaded) and sent
through services.submit, so they pass the same checks and re-encoding as a
resident's upload; services.moderate then approves them. Works are found by
(call, title): those that exist are left alone.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from PIL import Image

from artworks import services
from artworks.models import Artwork, Call, Category
from gardens.models import Community, Species
from tongyun.lib.dates import today

from .pictures import (
    PINK,
    PURPLE,
    ROSE_RED,
    WHITE,
    draw_calligraphy,
    draw_painting,
    draw_photograph,
    jpeg_upload,
)

BEIJING = ZoneInfo("Asia/Shanghai")
CALL_SLUG = "peony-art-2024"
CALL_COMMUNITY = "mudanyuan"
PAINTING_CLASS = "牡丹园社区绘画培训班"

PAINTING, CALLIGRAPHY, PHOTOGRAPHY = (
    Category.PAINTING,
    Category.CALLIGRAPHY,
    Category.PHOTOGRAPHY,
)
FEATURED, APPROVED = Artwork.Status.FEATURED, Artwork.Status.APPROVED


@dataclass(frozen=True)
class Work:
    title: str
    artist: str
    category: str
    status: str
    phone: str
    draw: Callable[[], Image.Image]
    description: str = ""
    class_name: str = ""
    is_minor: bool = False
    age_group: str = ""


WORKS = [
    Work(
        "春满牡丹园",
        "绘画培训班学员 张淑华",
        PAINTING,
        FEATURED,
        "+8613910000001",
        lambda: draw_painting(1, [ROSE_RED, PINK], "国色天香"),
        "照着社区花园里开得最盛的一丛画的，花瓣用了三层颜色。",
        class_name=PAINTING_CLASS,
    ),
    Work(
        "富贵花开",
        "绘画培训班学员 王建国",
        PAINTING,
        APPROVED,
        "+8613910000002",
        lambda: draw_painting(2, [WHITE, PURPLE], "富贵", mirror=True),
        "绘画培训班的第一幅牡丹，白牡丹配紫牡丹。",
        class_name=PAINTING_CLASS,
    ),
    Work(
        "我画的牡丹",
        "刘小雨",
        PAINTING,
        APPROVED,
        "+8613910000003",
        lambda: draw_painting(3, [PINK, ROSE_RED], "花"),
        "和妈妈一起去牡丹园看花，回家画下来。",
        is_minor=True,
        age_group=Artwork.AgeGroup.FROM_7_TO_10,
    ),
    Work(
        "唯有牡丹真国色",
        "赵文清",
        CALLIGRAPHY,
        FEATURED,
        "+8613910000004",
        lambda: draw_calligraphy(4, ["唯有牡丹真国色", "花开时节动京城"], "甲辰春月"),
        "书刘禹锡《赏牡丹》诗句。",
    ),
    Work(
        "国色天香",
        "绘画培训班学员 陈立新",
        CALLIGRAPHY,
        APPROVED,
        "+8613910000005",
        lambda: draw_calligraphy(5, ["国色天香"], "甲辰春"),
        class_name=PAINTING_CLASS,
    ),
    Work(
        "牡丹园的早晨",
        "孙明",
        PHOTOGRAPHY,
        FEATURED,
        "+8613910000006",
        lambda: draw_photograph(6, [ROSE_RED, PINK]),
        "四月中旬早上七点，牡丹园东侧花境。",
    ),
    Work(
        "雨后",
        "周丽娟",
        PHOTOGRAPHY,
        APPROVED,
        "+8613910000007",
        lambda: draw_photograph(
            7, [PINK, WHITE], sky=((170, 178, 186), (220, 224, 228)), rain=True
        ),
        "一场春雨过后，花瓣上还挂着水珠。",
    ),
    Work(
        "紫色牡丹",
        "吴海燕",
        PHOTOGRAPHY,
        APPROVED,
        "+8613910000008",
        lambda: draw_photograph(8, [PURPLE, WHITE]),
    ),
]


def _call():
    opens = dt.datetime(2024, 4, 8, 9, tzinfo=BEIJING)
    # Open until the end of next year, so residents can send works in the demo.
    closes = dt.datetime(today().year + 1, 12, 31, 23, 59, tzinfo=BEIJING)
    call, _ = Call.objects.get_or_create(
        slug=CALL_SLUG,
        defaults={
            "title": "牡丹元素书画与摄影作品征集",
            "title_en": "Peony paintings, calligraphy and photographs",
            "organiser": "牡丹园社区党群服务站",
            "organiser_en": "Mudanyuan community party-and-masses service station",
            "theme": "牡丹",
            "theme_en": "Tree peony",
            "description": (
                "牡丹园社区党群服务站面向居民征集以牡丹为元素的绘画、书法和摄影作品，"
                "社区绘画培训班的学员也积极参与。入选作品在网上展厅展出。"
            ),
            "description_en": (
                "The Mudanyuan community service station asks residents for "
                "paintings, calligraphy and photographs with the peony as their "
                "theme; the community painting class is taking part. Selected "
                "works are shown in the online gallery."
            ),
            "species": Species.objects.filter(slug="mudan").first(),
            "opens_at": opens,
            "closes_at": closes,
            "categories": ",".join(Category.values),
        },
    )
    if call.community is None:
        # The peony community's staff run its call (an older demo had none).
        call.community = Community.objects.filter(slug=CALL_COMMUNITY).first()
        call.save(update_fields=["community"])
    return call


def load():
    """
    Create or update the call, and add the works it lacks (found by title;
    those there are left alone); returns a line saying what is there.
    """
    call = _call()
    existing = set(call.artworks.values_list("title", flat=True))
    added = 0
    for work in WORKS:
        if work.title in existing:
            continue
        artwork = services.submit(
            call=call,
            title=work.title,
            artist_name=work.artist,
            category=work.category,
            image=jpeg_upload(work.draw(), "demo.jpg"),
            phone=work.phone,
            description=work.description,
            community="牡丹园社区",
            class_name=work.class_name,
            is_minor=work.is_minor,
            guardian_consent=work.is_minor,
            age_group=work.age_group,
        )
        # Drawn at once, not left to a worker, so that the works can be
        # shown; the task queued for each then finds nothing left to do.
        services.make_renditions(artwork_id=artwork.pk)
        # Nobody in particular reviewed the demo's works.
        services.moderate(
            Artwork.objects.filter(pk=artwork.pk), status=work.status, by=None
        )
        added += 1
    public = call.artworks.public().count()
    return f"1 call, {public} works in the gallery ({added} added)"
