"""
Pictures for the demo's art call, drawn with Pillow: gongbi peonies on rice
paper, calligraphy scrolls and garden photographs. Nothing is downloaded.
"""

import io
import math
import random
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# Fonts with Chinese characters, if the machine has one; else brush strokes.
CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]

# Petal colours of a bloom, outer layer first (real peonies deepen inwards).
ROSE_RED = [(236, 128, 160), (222, 92, 132), (198, 48, 96), (160, 24, 66)]
PINK = [(250, 208, 220), (244, 176, 198), (232, 138, 168), (208, 96, 136)]
WHITE = [(253, 250, 246), (248, 238, 236), (240, 222, 224), (226, 190, 198)]
PURPLE = [(214, 160, 210), (192, 120, 188), (162, 82, 160), (126, 48, 124)]

INK = (24, 20, 18)
SEAL_RED = (178, 34, 34)
RICE_PAPER = (243, 233, 210)
XUAN_PAPER = (240, 232, 214)

# --- Drawing ----------------------------------------------------------------


def _font(size):
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None


def _paper(size, colour, rng, fibres=True):
    """Warm paper with a faint grain and, for xuan paper, long fibres."""
    paper = Image.new("RGB", size, colour)
    grain = Image.effect_noise(size, 18).filter(ImageFilter.GaussianBlur(1))
    paper = Image.composite(
        Image.new("RGB", size, tuple(c - 14 for c in colour)),
        paper,
        grain.point(lambda v: max(0, v - 128) // 3),
    )
    if fibres:
        draw = ImageDraw.Draw(paper)
        width, height = size
        for _ in range(width * height // 6000):
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            angle = rng.uniform(0, math.pi)
            length = rng.uniform(8, 30)
            end = (x + length * math.cos(angle), y + length * math.sin(angle))
            draw.line([(x, y), end], fill=tuple(c - 10 for c in colour), width=1)
    return paper


def _petal(centre, angle, length, width, rng, squash):
    """A peony petal from the bloom's centre outwards, its rim ruffled."""
    cx, cy = centre
    ripples = rng.randint(4, 7)
    phase = rng.uniform(0, math.tau)
    points = []
    for step in range(41):
        t = math.pi * step / 40  # along one side, round the rim, back
        u = length * (1 - math.cos(t)) / 2  # 0 at the base, length at the rim
        v = width / 2 * math.sin(t) ** 0.7
        if t > math.pi / 3:
            u *= 1 + 0.05 * math.sin(ripples * t * 2 + phase)
        points.append((u, v))
    outline = points + [(u, -v) for u, v in reversed(points)]
    cos, sin = math.cos(angle), math.sin(angle)
    return [
        (cx + u * cos - v * sin, cy + (u * sin + v * cos) * squash) for u, v in outline
    ]


def _bloom(layer, centre, radius, colours, rng, squash=0.8, shade=0.0):
    """
    A peony seen from above and a little to the side, drawn onto an RGBA
    layer. shade (0–1) darkens it towards the heart, as light falls on a
    real bloom.
    """
    bloom = Image.new("RGBA", layer.size)
    draw = ImageDraw.Draw(bloom)
    cx, cy = centre
    rings = [(1.0, 10), (0.82, 9), (0.62, 8), (0.42, 7)]
    for (fraction, count), colour in zip(rings, colours, strict=True):
        start = rng.uniform(0, math.tau)
        edge = tuple(max(0, c - 40) for c in colour) + (150,)
        for k in range(count):
            angle = start + math.tau * k / count + rng.uniform(-0.2, 0.2)
            length = radius * fraction * rng.uniform(0.85, 1.05)
            petal = _petal(centre, angle, length, length * 0.8, rng, squash)
            draw.polygon(petal, fill=colour + (255,), outline=edge)
    if shade:
        size = round(radius * 2.2)
        light = Image.radial_gradient("L").resize((size, round(size * squash)))
        dark = light.point(lambda v: round((255 - min(v, 255)) * shade))
        mask = Image.new("L", layer.size, 0)
        mask.paste(dark, (round(cx - size / 2), round(cy - size * squash / 2)))
        alpha = bloom.getchannel("A")
        shadow = Image.new("RGBA", layer.size, (60, 0, 20, 255))
        shadow.putalpha(Image.composite(mask, Image.new("L", layer.size, 0), alpha))
        bloom.alpha_composite(shadow)
        bloom.putalpha(alpha)
    # Golden stamens round a green heart.
    heart = radius * 0.16
    draw = ImageDraw.Draw(bloom)
    draw.ellipse(
        [cx - heart, cy - heart * squash, cx + heart, cy + heart * squash],
        fill=(150, 170, 70, 255),
    )
    for _ in range(40):
        angle = rng.uniform(0, math.tau)
        distance = rng.uniform(heart * 0.6, heart * 1.6)
        x = cx + distance * math.cos(angle)
        y = cy + distance * math.sin(angle) * squash
        dot = rng.uniform(2, 4) * radius / 120
        draw.ellipse([x - dot, y - dot, x + dot, y + dot], fill=(246, 196, 40, 255))
    layer.alpha_composite(bloom)


def _bud(layer, centre, radius, colour):
    draw = ImageDraw.Draw(layer)
    cx, cy = centre
    draw.ellipse(
        [cx - radius * 0.8, cy - radius, cx + radius * 0.8, cy + radius],
        fill=colour + (240,),
    )
    for side in (-1, 1):  # green sepals hugging the bud
        tip = (cx + side * radius * 0.9, cy - radius * 0.2)
        draw.polygon(
            [(cx, cy + radius * 1.1), tip, (cx + side * radius * 0.2, cy + radius)],
            fill=(70, 110, 50, 240),
        )


def _leaf(layer, base, angle, length, colour, rng):
    """
    A peony leaf: a stalk ending in three pointed leaflets (the side ones
    smaller), each with a paler midrib.
    """
    draw = ImageDraw.Draw(layer)
    bx, by = base
    stalk = length * 0.35
    tip = (bx + stalk * math.cos(angle), by + stalk * math.sin(angle))
    draw.line([base, tip], fill=colour + (255,), width=max(2, round(length / 50)))
    vein = tuple(min(255, c + 40) for c in colour) + (200,)
    for turn, scale in ((-0.75, 0.7), (0.75, 0.7), (0, 1.0)):
        a = angle + turn + rng.uniform(-0.12, 0.12)
        lobe = length * scale
        cos, sin = math.cos(a), math.sin(a)
        half = []
        for step in range(25):
            t = step / 24
            # Widest a third of the way out, then tapering to a point.
            half.append((lobe * t, lobe * 0.2 * math.sin(math.pi * t**0.8) ** 1.2))
        outline = half + [(u, -v) for u, v in reversed(half)]
        shade = tuple(max(0, c + rng.randint(-12, 12)) for c in colour)
        draw.polygon(
            [
                (tip[0] + u * cos - v * sin, tip[1] + u * sin + v * cos)
                for u, v in outline
            ],
            fill=shade + (235,),
        )
        draw.line(
            [tip, (tip[0] + lobe * 0.85 * cos, tip[1] + lobe * 0.85 * sin)],
            fill=vein,
            width=max(1, round(length / 90)),
        )


def _curve(start, control, end, steps=24):
    """Points along a quadratic Bézier curve."""
    return [
        (
            (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t**2 * end[0],
            (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t**2 * end[1],
        )
        for t in (i / steps for i in range(steps + 1))
    ]


def _stem(layer, start, control, end, colour, width):
    ImageDraw.Draw(layer).line(
        _curve(start, control, end), fill=colour + (255,), width=width, joint="curve"
    )


def _drops(picture, blooms, rng):
    """Rain drops on the petals: clear beads with a rim and a glint."""
    layer = Image.new("RGBA", picture.size)
    draw = ImageDraw.Draw(layer)
    for (cx, cy), radius in blooms:
        for _ in range(16):
            angle, distance = rng.uniform(0, math.tau), rng.uniform(0.2, 0.85)
            x = cx + radius * distance * math.cos(angle)
            y = cy + radius * distance * math.sin(angle) * 0.72
            r = rng.uniform(4, 9)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(255, 255, 255, 70))
            draw.arc([x - r, y - r, x + r, y + r], 20, 160, fill=(80, 20, 40, 110))
            g = r / 3
            draw.ellipse(
                [x - r / 2 - g, y - r / 2 - g, x - r / 2 + g, y - r / 2 + g],
                fill=(255, 255, 255, 230),
            )
    picture.paste(layer, (0, 0), layer)


def _seal(picture, box, text, rng):
    """A square red seal, its characters carved out in white."""
    x, y, size = box
    seal = Image.new("RGBA", (size, size), SEAL_RED + (235,))
    draw = ImageDraw.Draw(seal)
    if _font(size):
        text = text[:4]
        columns = 1 if len(text) <= 2 else 2
        rows = 1 if len(text) == 1 else 2
        for i, char in enumerate(text):
            column, row = divmod(i, rows)  # read down the right column first
            cx = size * (2 * (columns - column) - 1) // (2 * columns)
            cy = size * (2 * row + 1) // (2 * rows)
            scale = size * 3 // 5 if len(text) == 1 else size * 2 // 5
            draw.text(
                (cx, cy),
                char,
                font=_font(scale),
                fill=(250, 240, 230, 255),
                anchor="mm",
            )
    else:
        for i in range(3):
            offset = size * (i + 1) // 4
            draw.line([(offset, size // 6), (offset, size * 5 // 6)], fill="white")
    draw.rectangle([2, 2, size - 3, size - 3], outline=(250, 240, 230, 255), width=2)
    seal = seal.rotate(rng.uniform(-2, 2), resample=Image.Resampling.BICUBIC)
    picture.paste(seal, (x, y), seal)


def _write_column(picture, text, top_centre, size, colour=INK):
    """Characters written top to bottom, in ink that bleeds a little."""
    font = _font(size)
    if font is None:
        return
    # Write on a strip just wide and tall enough, then lay it on the paper.
    x, y = top_centre
    left, top = round(x - size * 0.7), round(y - size * 0.2)
    strip = (round(size * 1.4), round(len(text) * size * 1.08 + size * 0.4))
    mask = Image.new("L", strip, 0)
    draw = ImageDraw.Draw(mask)
    for i, char in enumerate(text):
        offset = (x - left, y - top + i * size * 1.08)
        draw.text(offset, char, font=font, fill=255, anchor="mt")
    # Ragged, slightly bled edges, as ink on absorbent paper: blur the
    # letters, stir in noise, cut again, soften.
    mask = mask.filter(ImageFilter.GaussianBlur(max(0.6, size / 80)))
    noise = Image.effect_noise(strip, 60).filter(ImageFilter.GaussianBlur(1))
    mask = Image.blend(mask, noise, 0.18).point(lambda v: 255 if v > 118 else 0)
    mask = mask.filter(ImageFilter.GaussianBlur(max(0.5, size / 200)))
    picture.paste(Image.new("RGB", strip, colour), (left, top), mask)


def _brush_strokes(picture, box, rng):
    """A character's worth of brush strokes, when no Chinese font is there."""
    x, y, size = box
    draw = ImageDraw.Draw(picture)
    width = max(4, size // 9)
    for _ in range(rng.randint(4, 7)):
        kind = rng.choice(["across", "down", "sweep", "dot"])
        if kind == "across":
            top = y + rng.uniform(0.15, 0.85) * size
            line = [(x + 0.15 * size, top), (x + 0.85 * size, top - 0.04 * size)]
        elif kind == "down":
            left = x + rng.uniform(0.2, 0.8) * size
            line = [(left, y + 0.1 * size), (left, y + 0.9 * size)]
        elif kind == "sweep":
            line = [
                (x + 0.5 * size, y + 0.3 * size),
                (x + 0.2 * size, y + 0.85 * size),
            ]
        else:
            cx, cy = x + rng.uniform(0.3, 0.7) * size, y + rng.uniform(0.2, 0.8) * size
            draw.ellipse([cx - width, cy - width, cx + width, cy + width], fill=INK)
            continue
        draw.line(line, fill=INK, width=width)
        for end in (line[0], line[-1]):
            half = width / 2
            draw.ellipse(
                [end[0] - half, end[1] - half, end[0] + half, end[1] + half], fill=INK
            )


def _write(picture, text, box, rng):
    """text in one column within box (x, y, cell size): a font or strokes."""
    x, y, size = box
    if _font(size):
        _write_column(picture, text, (x + size // 2, y), size)
    else:
        for i, _char in enumerate(text):
            _brush_strokes(picture, (x, y + round(i * size * 1.08), size), rng)


def draw_painting(seed, colours, title_text, mirror=False):
    """A peony painting on rice paper: a branch with blooms, buds and leaves,
    an inscription and a seal; mirror puts the branch on the right."""
    rng = random.Random(seed)
    width, height = 1200, 900
    picture = _paper((width, height), RICE_PAPER, rng, fibres=False)
    layer = Image.new("RGBA", (width, height))
    green, bark = (58, 100, 52), (96, 70, 50)

    def jitter(x, y, by=40):
        return (x + rng.uniform(-by, by), y + rng.uniform(-by, by))

    root = jitter(200, 890, 30)
    blooms = [
        (jitter(520, 420), 190, colours[0]),
        (jitter(810, 560), 150, colours[1 % len(colours)]),
        (jitter(320, 650), 115, colours[0]),
    ]
    buds = [(jitter(930, 190, 20), 34), (jitter(700, 240, 20), 26)]
    for centre, _radius, _petals in blooms:
        control = (root[0] + rng.uniform(-60, 60), centre[1] + 120)
        _stem(layer, root, control, centre, bark, 8)
    for centre, _radius in buds:
        _stem(layer, root, (centre[0] - 300, centre[1] + 250), centre, bark, 5)
    for _ in range(16):
        bx, by = rng.choice(blooms)[0]
        base = (bx + rng.uniform(-120, 120), by + rng.uniform(60, 200))
        angle = rng.uniform(-math.pi, 0) if rng.random() < 0.6 else rng.uniform(0, 1)
        _leaf(layer, base, angle, rng.uniform(130, 200), green, rng)
    for centre, radius, petals in blooms:
        _bloom(layer, centre, radius, petals, rng, shade=0.15)
    for (centre, radius), petals in zip(buds, colours * 2, strict=False):
        _bud(layer, centre, radius, petals[3])
    layer = layer.filter(ImageFilter.GaussianBlur(0.8))  # soften like wet paint
    if mirror:
        layer = layer.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    picture.paste(layer, (0, 0), layer)
    x = 54 if mirror else 1090
    _write(picture, title_text, (x, 60, 56), rng)
    seal_top = 70 + round(len(title_text) * 56 * 1.08) + 20
    _seal(picture, (x - 4, seal_top, 64), "通运", rng)
    return picture


def draw_calligraphy(seed, columns, inscription):
    """A hanging scroll: columns of large characters (right to left), a small
    inscription and two seals, mounted on silk."""
    rng = random.Random(seed)
    longest = max(len(column) for column in columns)
    cell = 260 if len(columns) == 1 and longest <= 4 else 150
    paper_width = 160 + len(columns) * round(cell * 1.3) + 120
    paper_height = 160 + round(longest * cell * 1.08) + 80
    paper = _paper((paper_width, paper_height), XUAN_PAPER, rng)
    x = paper_width - 80 - round(cell * 1.15)
    for column in columns:
        _write(paper, column, (x, 120, cell), rng)
        x -= round(cell * 1.3)
    # The writer's inscription down the left edge, then the name seal.
    small = 40
    _write(paper, inscription, (40, 180, small), rng)
    seal_top = 180 + round(len(inscription) * small * 1.08) + 16
    _seal(paper, (38, seal_top, 52), "通运", rng)
    _seal(paper, (paper_width - 90, 40, 44), "花", rng)
    # Silk mounting, darker bands above and below.
    margin, band = 50, 140
    scroll = Image.new(
        "RGB", (paper_width + 2 * margin, paper_height + 2 * band), (196, 180, 146)
    )
    draw = ImageDraw.Draw(scroll)
    draw.rectangle([0, 0, scroll.width, band - 40], fill=(120, 96, 70))
    draw.rectangle(
        [0, scroll.height - band + 40, scroll.width, scroll.height], fill=(120, 96, 70)
    )
    scroll.paste(paper, (margin, band))
    return scroll


def draw_photograph(seed, colours, sky=((128, 178, 228), (226, 236, 242)), rain=False):
    """A close photograph of peonies: sky, the garden out of focus, sharp
    blooms among their leaves; rain adds drops on the petals."""
    rng = random.Random(seed)
    width, height = 1200, 800
    gradient = Image.linear_gradient("L").resize((width, height))
    picture = Image.composite(
        Image.new("RGB", (width, height), sky[1]),
        Image.new("RGB", (width, height), sky[0]),
        gradient,
    )
    # The garden behind, out of focus: foliage, far flowers, light spots.
    back = Image.new("RGBA", (width, height))
    draw = ImageDraw.Draw(back)
    for _ in range(220):
        x, y = rng.uniform(-50, width + 50), rng.uniform(height * 0.3, height + 50)
        r = rng.uniform(30, 90)
        green = (rng.randint(40, 90), rng.randint(100, 150), rng.randint(40, 70))
        draw.ellipse([x - r, y - r * 0.7, x + r, y + r * 0.7], fill=green + (255,))
    for _ in range(18):
        x, y = rng.uniform(0, width), rng.uniform(height * 0.35, height * 0.8)
        r = rng.uniform(20, 45)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=rng.choice(colours)[1] + (255,))
    back = back.filter(ImageFilter.GaussianBlur(16))
    picture.paste(back, (0, 0), back)
    # In focus: leaves, then the blooms.
    front = Image.new("RGBA", (width, height))
    blooms = [
        ((rng.uniform(380, 470), rng.uniform(400, 460)), 230),
        ((rng.uniform(820, 900), rng.uniform(500, 560)), 180),
    ]
    for _ in range(14):
        (bx, by), _radius = rng.choice(blooms)
        base = (bx + rng.uniform(-150, 150), by + rng.uniform(120, 300))
        green = (rng.randint(50, 80), rng.randint(110, 140), rng.randint(40, 60))
        angle = rng.uniform(-math.pi, 0)
        _leaf(front, base, angle, rng.uniform(200, 300), green, rng)
    for i, (centre, radius) in enumerate(blooms):
        petals = colours[i % len(colours)]
        _bloom(front, centre, radius, petals, rng, squash=0.72, shade=0.25)
    front = front.filter(ImageFilter.GaussianBlur(1.1))  # a lens, not a pen
    picture.paste(front, (0, 0), front)
    if rain:
        _drops(picture, blooms, rng)
    # Grain and a soft vignette, as a camera gives.
    noise = Image.effect_noise((width, height), 10).convert("RGB")
    picture = Image.blend(picture, noise, 0.04)
    vignette = Image.radial_gradient("L").resize((width, height))
    dark = Image.new("RGB", (width, height), (30, 30, 30))
    return Image.composite(dark, picture, vignette.point(lambda v: max(0, v - 150)))


def jpeg_upload(picture, name):
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# --- The call and its works -------------------------------------------------
