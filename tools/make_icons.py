"""
Draw the site's icons from its mark (static/img/favicon.svg) with Pillow:
static/img/favicon.ico (16, 32 and 48 px, for /favicon.ico, which browsers
and crawlers ask for whatever the pages link) and
static/img/apple-touch-icon.png (180 px, opaque: iOS fills transparency
with black).

Usage: python tools/make_icons.py   (run again after changing the mark)
"""

from pathlib import Path

from PIL import Image, ImageDraw

IMG = Path(__file__).resolve().parent.parent / "static" / "img"
PEONY = (0xB0, 0x12, 0x4A)
GOLD = (0xE8, 0xB9, 0x31)
PAPER = (0xFF, 0xFA, 0xF3)
# favicon.svg on its 64-unit grid: (cx, cy, rx, ry, opacity), painted in order.
PETALS = [
    (32, 20, 13, 10, 0.55),
    (19, 30, 11, 12, 0.6),
    (45, 30, 11, 12, 0.6),
    (24, 39, 11, 8, 0.75),
    (40, 39, 11, 8, 0.75),
    (32, 30, 11, 10, 0.9),
]
HEART = (32, 32, 4)
# Drawn this many times larger, then scaled down: smooth edges.
SCALE = 16


def _box(cx, cy, rx, ry):
    """An ellipse's bounding box on the large canvas."""
    return [(cx - rx) * SCALE, (cy - ry) * SCALE, (cx + rx) * SCALE, (cy + ry) * SCALE]


def mark(size):
    """The mark on a transparent square of size pixels."""
    big = 64 * SCALE
    picture = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    for cx, cy, rx, ry, opacity in PETALS:
        layer = Image.new("RGBA", picture.size, (0, 0, 0, 0))
        fill = (*PEONY, round(255 * opacity))
        ImageDraw.Draw(layer).ellipse(_box(cx, cy, rx, ry), fill=fill)
        picture = Image.alpha_composite(picture, layer)
    cx, cy, r = HEART
    ImageDraw.Draw(picture).ellipse(_box(cx, cy, r, r), fill=(*GOLD, 255))
    return picture.resize((size, size), Image.Resampling.LANCZOS)


def main():
    sizes = [16, 32, 48]
    largest = mark(max(sizes))
    largest.save(
        IMG / "favicon.ico",
        format="ICO",
        sizes=[(s, s) for s in sizes],
        append_images=[mark(s) for s in sizes if s != max(sizes)],
    )
    # The mark on the site's paper, with a margin, as iOS rounds the corners.
    touch = Image.new("RGBA", (180, 180), (*PAPER, 255))
    inner = mark(148)
    touch.alpha_composite(inner, (16, 16))
    touch.convert("RGB").save(IMG / "apple-touch-icon.png", optimize=True)
    for name in ("favicon.ico", "apple-touch-icon.png"):
        print(IMG / name, (IMG / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
