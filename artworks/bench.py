"""
Benchmark data of the artworks app (`manage.py seed_bench`): calls for
artworks and the works sent to them, each with its own small image files.

Per scale N: N calls (one per benchmark community; the newest ones still
open) and WORKS_PER_CALL works each, in every status. Each work has an image
and a thumbnail written through the artworks' storage, as services.submit
writes them: tiny real JPEGs, drawn once with Pillow in a few colours and
reused. No phone sends more works to a call than the call allows.
"""

import datetime as dt
import io
import random

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from tongyun.lib.names import mobile, person_name
from tongyun.lib.progress import bulk_insert

from .models import Artwork, Call, Category, image_path, private_storage

WORKS_PER_CALL = 100
WORKS_PER_PHONE = 2
DISPLAY_SIZE = (96, 72)
THUMBNAIL_SIZE = (48, 36)
COLOURS = [(200, 40, 90), (170, 70, 150), (230, 110, 150), (60, 140, 70)]
# Share of works by status in a closed call (pending: not reviewed yet).
STATUSES = [
    (Artwork.Status.APPROVED, 55),
    (Artwork.Status.FEATURED, 5),
    (Artwork.Status.REJECTED, 15),
    (Artwork.Status.PENDING, 25),
]
WORDS = ["盛放", "春色", "花开富贵", "国色天香", "园中一角", "晨光", "雨后", "邻里花园"]
CLASS_NAME = "社区绘画培训班"


def picture(size, colour):
    """A tiny real JPEG: a flower on a light ground, bytes."""
    img = Image.new("RGB", size, (250, 246, 240))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.ellipse((w // 4, h // 6, 3 * w // 4, 5 * h // 6), fill=colour)
    draw.ellipse((w // 2 - 4, h // 2 - 4, w // 2 + 4, h // 2 + 4), fill=(250, 210, 60))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    return out.getvalue()


def seed(*, scale, prefix, rng: random.Random, progress, places, reviewer=None):
    """Insert the calls and works for places; return {"calls", "artworks"}."""
    now = timezone.now()
    species = places["species"]
    calls = []
    for i, community in enumerate(places["communities"][:scale]):
        flower = species[i % len(species)]
        # The newest tenth of the calls are still open.
        open_ = i >= scale - max(1, scale // 10)
        opens = now - dt.timedelta(days=rng.randint(5, 20) if open_ else 400 - i)
        calls.append(
            Call(
                title=f"{community.name}“{flower.name}”书画摄影作品征集",
                slug=f"{prefix}call{i}",
                organiser=f"{community.name}党群服务站",
                theme=f"{flower.name}元素书画与摄影作品",
                community=community,
                species=flower,
                opens_at=opens,
                closes_at=(now + dt.timedelta(days=30))
                if open_
                else opens + dt.timedelta(days=60),
            )
        )
    bulk_insert(Call, calls, progress=progress, label="calls")

    displays = [picture(DISPLAY_SIZE, c) for c in COLOURS]
    thumbnails = [picture(THUMBNAIL_SIZE, c) for c in COLOURS]
    storage = private_storage()
    statuses, weights = zip(*STATUSES, strict=True)
    works = []
    progress.start("image files", len(calls) * WORKS_PER_CALL)
    for c, call in enumerate(calls):
        until = min(call.closes_at, now)
        span = (until - call.opens_at).total_seconds()
        for j in range(WORKS_PER_CALL):
            category = Category.values[j % 3]
            submitted = call.opens_at + dt.timedelta(seconds=rng.uniform(0, span))
            status = rng.choices(statuses, weights)[0]
            minor = category == Category.PAINTING and rng.random() < 0.3
            colour = rng.randrange(len(COLOURS))
            work = Artwork(
                call=call,
                title=f"{call.species.name}·{rng.choice(WORDS)}",
                artist_name=person_name(rng),
                community=call.community.name,
                category=category,
                class_name=CLASS_NAME if minor else "",
                is_minor=minor,
                guardian_consent=minor,
                age_group=rng.choice(Artwork.AgeGroup.values) if minor else "",
                phone=mobile(c * WORKS_PER_CALL + j // WORKS_PER_PHONE, prefix=139),
                image=_write(storage, displays[colour]),
                image_width=DISPLAY_SIZE[0],
                image_height=DISPLAY_SIZE[1],
                thumbnail=_write(storage, thumbnails[colour]),
                thumbnail_width=THUMBNAIL_SIZE[0],
                thumbnail_height=THUMBNAIL_SIZE[1],
                status=status,
                submitted_at=submitted,
            )
            if status != Artwork.Status.PENDING:
                work.reviewed_by = reviewer
                work.reviewed_at = min(
                    submitted + dt.timedelta(days=rng.uniform(0.1, 7)), now
                )
            if status == Artwork.Status.REJECTED:
                work.moderation_note = "作品与本次征集主题不符，欢迎再次投稿。"
            works.append(work)
            progress.advance(1)
    progress.finish()
    bulk_insert(Artwork, works, progress=progress, label="artworks")
    return {"calls": calls, "artworks": works}


def _write(storage, content):
    """Save content under an unguessable name, as an upload; its stored name."""
    return storage.save(image_path(None, "upload.jpg"), ContentFile(content))
