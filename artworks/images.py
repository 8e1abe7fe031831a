"""Uploaded pictures: checked, then re-encoded as clean JPEGs before storage."""

import io
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps

MAX_BYTES = 10 * 1024 * 1024  # 10 MB
MAX_PIXELS = 40_000_000  # against decompression bombs
DISPLAY_SIZE = 1600  # longest side of the public display image
THUMB_SIZE = 480  # longest side of the gallery thumbnail
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}

MESSAGES = {
    "empty": _("The file is empty. Please choose your picture again."),
    "too_big": _(
        "The file is larger than %(limit)s MB. Please upload a smaller picture."
    ),
    "not_an_image": _(
        "This file is not a picture. Please upload a JPEG, PNG or WebP image."
    ),
    "unsupported_format": _(
        "This kind of picture is not accepted. Please upload a JPEG, PNG or WebP image."
    ),
    "too_many_pixels": _(
        "The picture has more than %(limit)s million pixels. Please upload a "
        "smaller version."
    ),
    "damaged": _("The picture is damaged or incomplete. Please upload it again."),
}


@dataclass(frozen=True)
class Rendition:
    content: bytes  # JPEG bytes
    width: int
    height: int


@dataclass(frozen=True)
class PreparedImage:
    display: Rendition
    thumbnail: Rendition


def prepare(upload):
    """
    Check an uploaded picture and return clean JPEG renditions of it.

    Decides by decoding the bytes, never by the file's name or content type.
    Raises ValidationError with code "empty", "too_big", "not_an_image",
    "unsupported_format", "too_many_pixels" or "damaged". The renditions are
    drawn afresh from the pixels, so they carry no EXIF (GPS), ICC, XMP or
    comment, and nothing that was appended to the original file.
    """
    data = _read(upload)
    try:
        with _strict_decoding(), Image.open(io.BytesIO(data)) as img:
            _check_header(img)
            # Let libjpeg decode big photos at 1/2, 1/4 or 1/8 scale: the whole
            # stream is still read, at a fraction of the memory.
            img.draft("RGB", (DISPLAY_SIZE, DISPLAY_SIZE))
            # Only the first frame of an animation is decoded.
            img.load()
            picture = _flatten(ImageOps.exif_transpose(img))
    except Image.UnidentifiedImageError:
        raise _refusal("not_an_image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refusal("too_many_pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _refusal("damaged") from None

    display = _shrunk(picture, DISPLAY_SIZE)
    thumbnail = _shrunk(display, THUMB_SIZE)
    return PreparedImage(
        display=_jpeg(display, quality=85), thumbnail=_jpeg(thumbnail, quality=80)
    )


def _refusal(code):
    params = {
        "too_big": {"limit": MAX_BYTES // (1024 * 1024)},
        "too_many_pixels": {"limit": MAX_PIXELS // 1_000_000},
    }.get(code)
    return ValidationError(MESSAGES[code], code=code, params=params)


def _read(upload):
    # Trust a claimed size only to refuse early; then read at most one byte
    # past the limit, in case the claim was wrong.
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _refusal("too_big")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refusal("too_big")
    if not data:
        raise _refusal("empty")
    return data


@contextmanager
def _strict_decoding():
    """Refuse what Pillow would let through: cut-off data, and oversized
    images it only warns about."""
    was_lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = was_lenient


def _check_header(img):
    # Both checks need only the header: refuse before any pixel data is
    # decoded, so that no other format's decoder ever runs.
    # Phones append depth maps or HDR gain maps to a JPEG as extra pictures
    # (Multi-Picture Format); Pillow calls that MPO, but the first is the photo.
    kind = "JPEG" if img.format == "MPO" else img.format
    if kind not in ALLOWED_FORMATS:
        raise _refusal("unsupported_format")
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise _refusal("too_many_pixels")


def _flatten(img):
    """Paint the picture onto a new white RGB canvas: transparent parts turn
    white, and none of the original's metadata (img.info) comes along."""
    canvas = Image.new("RGB", img.size, "#ffffff")
    if img.has_transparency_data:
        rgba = img.convert("RGBA")
        canvas.paste(rgba, mask=rgba)
    else:
        canvas.paste(img.convert("RGB"))
    return canvas


def _shrunk(img, size):
    """A copy no larger than size × size, aspect ratio kept, never enlarged."""
    copy = img.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    return copy


def _jpeg(img, *, quality):
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return Rendition(content=buffer.getvalue(), width=img.width, height=img.height)
