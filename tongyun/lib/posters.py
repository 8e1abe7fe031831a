"""
Pictures for sharing in WeChat, drawn with Pillow from plain strings and
images: share posters (portrait, with a large QR code of the page), the
site card, and the flower mark they carry. The views that know events or
works pass their text in; this module knows no app.

Chinese needs a CJK font: settings.POSTER_FONT, else the system's
(fontconfig, then Debian's usual places). Without one, pictures are still
drawn, with Pillow's own font (Latin only), and check_poster_font warns.
"""

import functools
import hashlib
import io
import logging
import math
import re
import shutil
import subprocess
import time
from pathlib import Path

import segno
from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from PIL import Image, ImageDraw, ImageFont, ImageOps

logger = logging.getLogger(__name__)

POSTER_SIZE = (1080, 1440)
CARD_SIZE = (1200, 630)
# Colours of static/css/site.css.
PAPER = "#fffaf3"
INK = "#2b2522"
MUTED = "#5c514a"
TINT = "#f3efe6"
COLOURS = {
    "peony": "#b0124a",
    "redbud": "#8e2f7a",
    "rose": "#b02a63",
    "lilac": "#6a4a9c",
    "leaf": "#2e6b34",
}
# The three gardens' colours, as the site card shows them side by side.
GARDEN_COLOURS = ("#b0124a", "#8e2f7a", "#b02a63")
# Where Debian's CJK font packages put their fonts (fonts-noto-cjk,
# fonts-wqy-zenhei, fonts-wqy-microhei), after fontconfig's own answer.
KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
# Shared caches and browsers may keep a poster this long; a change to the
# event or work changes its ETag, and the kept bytes' key with it.
POSTER_MAX_AGE = 3600
KEPT_FOR = 24 * 3600
# Part of every poster's ETag and cache key: raise it when the drawing
# changes, so that posters drawn the old way are neither kept nor revalidated.
STYLE = 1
_PROBE = "花园"


# --- Fonts ----------------------------------------------------------------


def _draws_chinese(path, index):
    """Whether the face draws 花园 as glyphs, not as missing-glyph boxes."""
    try:
        font = ImageFont.truetype(path, 32, index=index)
    except OSError:
        return False
    # A missing glyph draws the same box for any character: compare with a
    # character of a private-use plane that no font draws.
    missing = _drawn(font, "\U000f0000")
    return all(_drawn(font, char) != missing for char in _PROBE)


def _drawn(face, char):
    image = Image.new("L", (48, 48))
    ImageDraw.Draw(image).text((4, 4), char, font=face, fill=255)
    return image.tobytes()


def _chinese_face(path):
    """
    The index of the face of path (a .ttc holds several) that draws
    Simplified Chinese, the SC one where there are several; None if none.
    """
    faces = []
    for index in range(32):
        try:
            family, _style = ImageFont.truetype(path, 16, index=index).getname()
        except OSError:
            break
        faces.append((index, family or ""))
    # Noto's collection holds JP first; its SC face draws the shapes
    # residents read (Noto Sans CJK SC, not Mono).
    faces.sort(key=lambda face: ("SC" not in face[1].split(), "Mono" in face[1]))
    for index, _family in faces:
        if _draws_chinese(path, index):
            return index
    return None


def _fontconfig_font():
    if not shutil.which("fc-match"):
        return None
    try:
        answer = subprocess.run(
            ["fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return answer.stdout.strip() or None


@functools.cache
def _find_font(configured):
    """(path, index) of a font that draws Chinese, or None. Cached per setting."""
    candidates = [configured] if configured else []
    candidates += [_fontconfig_font(), *KNOWN_FONTS]
    for path in filter(None, candidates):
        if not Path(path).is_file():
            continue
        index = _chinese_face(path)
        if index is not None:
            return path, index
    return None


def find_font():
    """(path, face index) of the CJK font posters use, or None."""
    return _find_font(getattr(settings, "POSTER_FONT", "") or "")


def _bold_of(path):
    """The bold sibling of a regular font file, where the package has one."""
    bold = Path(str(path).replace("Regular", "Bold"))
    return bold if bold != Path(path) and bold.is_file() else None


@functools.cache
def _font(size, bold, configured):
    found = _find_font(configured)
    if found is None:
        return ImageFont.load_default(size)
    path, index = found
    if bold and (bold_path := _bold_of(path)):
        # The bold file of the same collection holds its faces in the same
        # order (Noto Sans CJK): the same index is its SC face.
        try:
            return ImageFont.truetype(str(bold_path), size, index=index)
        except OSError:
            pass
    return ImageFont.truetype(path, size, index=index)


def font(size, *, bold=False):
    """The poster font at size px; Pillow's own font when none is found."""
    return _font(size, bold, getattr(settings, "POSTER_FONT", "") or "")


def check_poster_font(app_configs, **kwargs):
    """Without a CJK font, posters would show boxes for Chinese."""
    if find_font() is not None:
        return []
    return [
        checks.Warning(
            "No font that draws Chinese was found: share posters are drawn "
            "with a Latin-only font, and their Chinese text would be missing.",
            hint="Install fonts-noto-cjk (apt-get install fonts-noto-cjk), or "
            "set POSTER_FONT to the path of a .ttf, .otf or .ttc font with "
            "Simplified Chinese.",
            id="tongyun.W003",
        )
    ]


# --- Drawing ----------------------------------------------------------------

# A Latin word (kept whole on one line), a space, or any other character
# (each Chinese character may end a line).
_TOKENS = re.compile(r"[\w'’.,:;!?()\-–/]+\s*|\s+|.", re.ASCII)


def wrap(text, face, width, max_lines):
    """text in lines no wider than width px, the last cut with … if need be."""
    lines, line = [], ""
    for token in _TOKENS.findall(" ".join(text.split())):
        if face.getlength(line + token.rstrip()) <= width or not line:
            line += token
            continue
        lines.append(line.rstrip())
        line = token.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and face.getlength(last + "…") > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines


def draw_mark(draw, centre, radius, colour, *, heart=PAPER):
    """The flower mark: five round petals about a light heart."""
    cx, cy = centre
    petal = radius * 0.46
    for i in range(5):
        angle = math.radians(-90 + i * 72)
        px = cx + math.cos(angle) * radius * 0.52
        py = cy + math.sin(angle) * radius * 0.52
        draw.ellipse((px - petal, py - petal, px + petal, py + petal), fill=colour)
    core = radius * 0.22
    draw.ellipse((cx - core, cy - core, cx + core, cy + core), fill=heart)


def qr_image(url, size):
    """
    The QR code of url, about size px square, black on white with four
    modules of quiet zone so that WeChat's scanner finds it on any poster.
    """
    code = segno.make(url, error="m")
    modules = code.symbol_size(scale=1, border=4)[0]
    buffer = io.BytesIO()
    code.save(
        buffer,
        kind="png",
        scale=max(size // modules, 1),
        border=4,
        dark=INK,
        light="#ffffff",
    )
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _text(draw, xy, lines, face, fill, spacing):
    x, y = xy
    for line in lines:
        draw.text((x, y), line, font=face, fill=fill)
        y += spacing
    return y


def draw_poster(*, title, facts, url, site_name, caption, accent, picture=None):
    """
    A share poster as PNG bytes (POSTER_SIZE, portrait): site_name and the
    flower mark on a band of the accent colour (a COLOURS key), picture (a
    PIL image, optional) above the title, facts (short lines: date, place,
    artist…), and at the foot the QR code of url beside caption (lines
    saying how to open it). Text is sized for older residents reading it
    on a phone: the smallest is about 16 px there.
    """
    width, height = POSTER_SIZE
    colour = COLOURS.get(accent, COLOURS["leaf"])
    poster = Image.new("RGB", POSTER_SIZE, PAPER)
    draw = ImageDraw.Draw(poster)
    margin, inner = 72, POSTER_SIZE[0] - 2 * 72

    band = 150
    draw.rectangle((0, 0, width, band), fill=colour)
    draw_mark(draw, (margin + 40, band // 2), 44, PAPER, heart=colour)
    draw.text(
        (margin + 108, band // 2),
        site_name,
        font=font(52, bold=True),
        fill=PAPER,
        anchor="lm",
    )

    # The foot: the QR code on the right, the caption beside it.
    code = qr_image(url, 400)
    qr_top = height - margin - code.height
    foot = qr_top - 40
    draw.rectangle((0, foot, width, height), fill=TINT)
    poster.paste(code, (width - margin - code.width, qr_top))
    caption_face = font(46, bold=True)
    lines = [
        line
        for part in caption
        for line in wrap(part, caption_face, width - 3 * margin - code.width, 2)
    ]
    top = qr_top + (code.height - len(lines) * 66) // 2
    _text(draw, (margin, top), lines, caption_face, colour, 66)

    # Between band and foot: the picture, then the title and its facts,
    # measured first so that the picture takes the room they leave.
    room = (band + 48, foot - 40)
    text_room = room[1] - room[0] - (MIN_PICTURE + 40 if picture is not None else 0)
    text = _fitted(title, facts, inner, text_room, picture is not None)
    title_face, title_lines, title_step, fact_face, fact_lines, fact_step = text
    text_height = _height(text)
    if picture is not None:
        box = (inner, room[1] - room[0] - text_height - 40)
        fitted = ImageOps.contain(picture.convert("RGB"), box)
        y = room[0]
        draw.rounded_rectangle(
            (margin, y, width - margin, y + box[1]), radius=18, fill=TINT
        )
        poster.paste(
            fitted,
            (
                margin + (box[0] - fitted.width) // 2,
                y + (box[1] - fitted.height) // 2,
            ),
        )
        y += box[1] + 40
    else:
        # No picture: the text in the middle of the room, not under the band.
        y = room[0] + max(room[1] - room[0] - text_height, 0) // 3
    y = _text(draw, (margin, y), title_lines, title_face, INK, title_step)
    # A rule in the accent colour between the title and its facts.
    draw.rectangle((margin, y + 12, margin + 120, y + 20), fill=colour)
    y += 56
    for lines in fact_lines:
        y = _text(draw, (margin, y), lines, fact_face, INK, fact_step) + 8

    out = io.BytesIO()
    poster.save(out, format="PNG", optimize=True)
    return out.getvalue()


# Sizes of the title and the facts (px), and the title's most lines, from
# the largest: the first whose text fits the room whole is drawn (the last
# cuts what does not fit). With a picture,
# from TEXT_WITH_PICTURE on. The smallest, 40 px, reads as about 13 px on a
# phone 360 px wide.
TEXT_SIZES = ((84, 50, 4), (72, 46, 4), (64, 44, 4), (56, 42, 4), (48, 40, 3))
TEXT_WITH_PICTURE = 2
MIN_PICTURE = 380


def _fitted(title, facts, width, room, has_picture):
    """
    (title font, title lines, title line step, fact font, lines of each
    fact, fact line step) at the largest TEXT_SIZES that fit room px.
    """
    sizes = TEXT_SIZES[TEXT_WITH_PICTURE:] if has_picture else TEXT_SIZES
    for title_size, fact_size, most in sizes:
        title_face, fact_face = font(title_size, bold=True), font(fact_size)
        text = (
            title_face,
            wrap(title, title_face, width, most),
            round(title_size * 1.3),
            fact_face,
            [wrap(fact, fact_face, width, 2) for fact in facts if fact],
            round(fact_size * 1.45),
        )
        lines = [text[1][-1], *(fact[-1] for fact in text[4])]
        if _height(text) <= room and not any(line.endswith("…") for line in lines):
            break
    return text


def _height(text):
    _title_face, title_lines, title_step, _fact_face, fact_lines, fact_step = text
    facts = sum(len(lines) * fact_step + 8 for lines in fact_lines)
    return len(title_lines) * title_step + 56 + facts


def draw_with_picture(stored, **text):
    """
    draw_poster(**text) with the picture of stored (a field file), when
    there is one and it can be read; without it otherwise.
    """
    if stored:
        try:
            with stored.open("rb") as file, Image.open(file) as picture:
                return draw_poster(**text, picture=picture)
        except (OSError, ValueError):
            logger.warning("Picture %s unreadable: poster drawn without.", stored)
    return draw_poster(**text)


def draw_card(*, name, subtitle, size=CARD_SIZE):
    """
    The site card (PNG bytes): the three gardens' marks and the site's name,
    centred, so that WeChat's square crop of it keeps them whole.
    """
    width, height = size
    card = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(card)
    side = min(width, height)
    # A band of the three colours along the foot.
    stripe = side // 30
    third = width / 3
    for i, colour in enumerate(GARDEN_COLOURS):
        draw.rectangle(
            (round(i * third), height - stripe, round((i + 1) * third), height),
            fill=colour,
        )
    radius = side * 0.11
    gap = radius * 2.3
    cy = height * 0.36
    for i, colour in enumerate(GARDEN_COLOURS):
        draw_mark(draw, (width / 2 + (i - 1) * gap, cy), radius, colour)
    name_face = font(round(side * 0.15), bold=True)
    draw.text((width / 2, height * 0.66), name, font=name_face, fill=INK, anchor="mm")
    draw.text(
        (width / 2, height * 0.80),
        subtitle,
        font=font(round(side * 0.055)),
        fill=MUTED,
        anchor="mm",
    )
    out = io.BytesIO()
    card.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- Serving ------------------------------------------------------------------


def poster_response(request, *, drawn_from, draw):
    """
    A poster as an image/png answer, cheap to ask for again.

    drawn_from lists every string the poster is drawn from (the language
    among them; the font is added here): their digest is the ETag, so a
    browser's copy is answered 304, and the drawn bytes are kept in the
    default cache under it; draw() makes the PNG bytes when neither holds
    them. Shared caches may
    keep it POSTER_MAX_AGE seconds, per language (Vary).
    """
    drawn_from = [*drawn_from, find_font(), POSTER_SIZE, STYLE]
    digest = hashlib.sha256("\0".join(map(str, drawn_from)).encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    response = HttpResponse(content_type="image/png")
    _cache_headers(response, etag)
    conditional = get_conditional_response(request, etag=etag, response=response)
    if conditional is not response:
        _cache_headers(conditional, etag)
        return conditional
    key = f"poster:{digest}"
    cache = caches["default"]
    try:
        png = cache.get(key)
    except Exception:
        logger.warning("The cache is out of reach; poster drawn.", exc_info=True)
        cache, png = None, None
    if png is None:
        no_font_warning()
        started = time.perf_counter()
        png = draw()
        logger.info("Poster drawn in %.0f ms.", (time.perf_counter() - started) * 1000)
        if cache is not None:
            try:
                cache.set(key, png, KEPT_FOR)
            except Exception:
                logger.warning("The cache is out of reach; poster not kept.")
    response.content = png
    return response


def _cache_headers(response, etag):
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={POSTER_MAX_AGE}"
    # Drawn in the visitor's language: Accept-Language, or the cookie.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))


def no_font_warning():
    """Log, once per process, that posters are drawn without Chinese."""
    if find_font() is None:
        _warn_once(getattr(settings, "POSTER_FONT", "") or "")


@functools.cache
def _warn_once(configured):
    logger.warning(
        "No CJK font found: posters are drawn with Pillow's default font. "
        "Install fonts-noto-cjk or set POSTER_FONT."
    )
