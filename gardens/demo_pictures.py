"""
Pictures for the demo's gardens, zones and species, drawn with Pillow: a
garden among its residential buildings, a zone's bed close up, a species'
flowers. Nothing is downloaded; the same seed draws the same picture.
"""

import io
import math
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter

from .models import Theme

# The size of every demo picture: the 16:7 frame of the site's cards.
SIZE = WIDTH, HEIGHT = 960, 420

# Bloom colours of each theme, from light to dark.
BLOOMS = {
    Theme.PEONY: [(246, 176, 196), (228, 102, 140), (198, 48, 96), (150, 22, 62)],
    Theme.REDBUD: [(236, 170, 214), (206, 104, 170), (168, 60, 140), (120, 34, 100)],
    Theme.ROSE: [(252, 200, 212), (240, 140, 168), (222, 86, 124), (176, 40, 80)],
    Theme.LILAC: [(222, 200, 240), (190, 156, 224), (150, 110, 196), (110, 72, 160)],
    Theme.LEAF: [(250, 214, 90), (244, 150, 70), (236, 236, 244), (200, 90, 160)],
}
LEAVES = [(64, 112, 56), (86, 140, 66), (110, 160, 80)]
SKY = ((150, 196, 236), (236, 242, 246))
BUILDING = [(226, 214, 196), (210, 196, 178), (232, 224, 210)]


def _gradient(top, bottom, size=SIZE):
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(
        Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask
    )


def _bloom(draw, centre, radius, colours, rng, petals=None):
    """A flower seen from the front: rings of petals round a golden heart."""
    cx, cy = centre
    petals = petals or rng.randint(5, 8)
    for ring, colour in zip((1.0, 0.72, 0.45), colours[1:], strict=False):
        start = rng.uniform(0, math.tau)
        for k in range(petals):
            angle = start + math.tau * k / petals
            r = radius * ring
            px, py = cx + r * 0.55 * math.cos(angle), cy + r * 0.55 * math.sin(angle)
            half = r * 0.5
            draw.ellipse([px - half, py - half, px + half, py + half], fill=colour)
    heart = radius * 0.18
    draw.ellipse([cx - heart, cy - heart, cx + heart, cy + heart], fill=(240, 196, 60))


def _leaf(draw, base, angle, length, colour):
    bx, by = base
    tip = (bx + length * math.cos(angle), by + length * math.sin(angle))
    side = angle + math.pi / 2
    width = length * 0.28
    mid = (bx + length * 0.45 * math.cos(angle), by + length * 0.45 * math.sin(angle))
    draw.polygon(
        [
            base,
            (mid[0] + width * math.cos(side), mid[1] + width * math.sin(side)),
            tip,
            (mid[0] - width * math.cos(side), mid[1] - width * math.sin(side)),
        ],
        fill=colour,
    )


def _shrubs(draw, rng, top, bottom, colours, count, size):
    """A bed of leafy shrubs dotted with blooms, farther ones smaller."""
    for _ in range(count):
        y = rng.uniform(top, bottom)
        scale = 0.45 + 0.55 * (y - top) / max(bottom - top, 1)
        x = rng.uniform(-20, WIDTH + 20)
        r = size * scale * rng.uniform(0.8, 1.2)
        draw.ellipse([x - r, y - r * 0.7, x + r, y + r * 0.5], fill=rng.choice(LEAVES))
        for _ in range(rng.randint(2, 4)):
            fx = x + rng.uniform(-r * 0.7, r * 0.7)
            fy = y + rng.uniform(-r * 0.6, r * 0.1)
            _bloom(draw, (fx, fy), r * 0.35, rng.choice([colours, colours[::-1]]), rng)


def draw_garden(seed, theme):
    """A community garden: blocks of flats, trees, a lawn, a path, beds."""
    rng = random.Random(seed)
    colours = BLOOMS.get(theme, BLOOMS[Theme.LEAF])
    picture = _gradient(*SKY)
    draw = ImageDraw.Draw(picture)
    # Residential blocks along the horizon, windows in rows.
    x = -30
    while x < WIDTH:
        width, height = rng.randint(110, 190), rng.randint(110, 190)
        top = 230 - height
        draw.rectangle([x, top, x + width, 240], fill=rng.choice(BUILDING))
        for wy in range(top + 14, 226, 22):
            for wx in range(x + 12, x + width - 16, 24):
                draw.rectangle([wx, wy, wx + 12, wy + 10], fill=(150, 170, 190))
        x += width + rng.randint(10, 40)
    # Trees in front of the blocks.
    for _ in range(9):
        tx, ty = rng.uniform(0, WIDTH), rng.uniform(200, 240)
        r = rng.uniform(34, 60)
        draw.rectangle([tx - 5, ty, tx + 5, ty + 40], fill=(100, 76, 56))
        draw.ellipse(
            [tx - r, ty - r * 1.3, tx + r, ty + r * 0.3], fill=rng.choice(LEAVES)
        )
    picture = picture.filter(ImageFilter.GaussianBlur(1.5))  # the far side, soft
    draw = ImageDraw.Draw(picture)
    # Lawn, and a path curving through it.
    draw.rectangle([0, 250, WIDTH, HEIGHT], fill=(122, 170, 84))
    path = [(WIDTH * 0.42, 250), (WIDTH * 0.5, 250)]
    for step in range(1, 9):
        t = step / 8
        y = 250 + t * (HEIGHT - 250)
        bend = math.sin(t * math.pi + rng.uniform(0, 0.4)) * 120
        path.insert(0, (WIDTH * 0.42 - t * 160 + bend, y))
        path.append((WIDTH * 0.5 + t * 160 + bend, y))
    draw.polygon(path, fill=(226, 210, 182))
    _shrubs(draw, rng, 262, 400, colours, 26, 46)
    return picture


def draw_zone(seed, theme):
    """One zone close up: a bed with its edging, full of flowering plants."""
    rng = random.Random(seed)
    colours = BLOOMS.get(theme, BLOOMS[Theme.LEAF])
    picture = _gradient((176, 204, 150), (98, 140, 72))
    draw = ImageDraw.Draw(picture)
    _shrubs(draw, rng, 20, 180, colours, 30, 40)
    picture = picture.filter(ImageFilter.GaussianBlur(3))  # behind the bed
    draw = ImageDraw.Draw(picture)
    draw.rectangle([0, 330, WIDTH, HEIGHT], fill=(196, 184, 166))  # the path
    draw.rectangle([0, 318, WIDTH, 334], fill=(150, 142, 132))  # stone edging
    _shrubs(draw, rng, 170, 320, colours, 40, 64)
    return picture


def draw_species(seed, theme):
    """A species' flowers close up among their leaves, the garden blurred."""
    rng = random.Random(seed)
    colours = BLOOMS.get(theme, BLOOMS[Theme.LEAF])
    back = _gradient((190, 214, 170), (90, 130, 70))
    draw = ImageDraw.Draw(back)
    for _ in range(40):
        x, y, r = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT), rng.uniform(20, 60)
        draw.ellipse(
            [x - r, y - r, x + r, y + r], fill=rng.choice(LEAVES + colours[:1])
        )
    picture = back.filter(ImageFilter.GaussianBlur(14))
    draw = ImageDraw.Draw(picture)
    for _ in range(18):
        base = (rng.uniform(0, WIDTH), rng.uniform(HEIGHT * 0.4, HEIGHT + 40))
        _leaf(
            draw,
            base,
            rng.uniform(-math.pi, 0),
            rng.uniform(90, 170),
            rng.choice(LEAVES),
        )
    for _ in range(14):  # buds and small flowers behind the open blooms
        centre = (rng.uniform(0, WIDTH), rng.uniform(40, HEIGHT - 40))
        _bloom(draw, centre, rng.uniform(18, 34), colours, rng)
    big = rng.randint(3, 5)
    for i in range(big):
        centre = (WIDTH * (i + 0.5) / big + rng.uniform(-40, 40), rng.uniform(130, 290))
        _bloom(
            draw, centre, rng.uniform(70, 110), colours, rng, petals=rng.randint(6, 9)
        )
    return picture


def jpeg(picture, name="demo.jpg"):
    """The picture as a small JPEG file, ready for an ImageField's save()."""
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=82, optimize=True)
    return ContentFile(buffer.getvalue(), name=name)
