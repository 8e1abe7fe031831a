"""
Uploaded pictures: checked, then re-encoded as clean JPEGs before storage.

The one path every uploaded picture takes, whoever sends it: the artworks'
public form and the photos of gardens, zones, species and observations that
staff upload in the admin (PhotoField). Decides by decoding the bytes, never
by the file's name or content type.

Memory: a picture is refused before its pixels are decoded when decoding it
would take more than DECODE_BUDGET bytes (decode_cost), and it is shrunk
while it is decoded (a JPEG) or right after (any other), a band of rows at a
time. A process running the path stays below 200 MB for any picture it
accepts, a worker's own 120 MB included: bench/upload_memory.py measures it
(docs/PERFORMANCE.md).
"""

import io
import math
import struct
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageFile, PngImagePlugin

MB = 1024 * 1024
MAX_BYTES = 20 * MB  # a 50-megapixel phone photo as the phone saves it
# What the decoded pixels of one picture may take, with what the decoder
# needs beside them; the rest of the path (the result drawn band by band,
# the renditions) adds about 30 MB. So a worker, some 120 MB idle with
# Django, stays under 200 MB with any picture it accepts: a colour PNG of 12
# megapixels (a phone photo saved as PNG), a progressive JPEG of as many, a
# WebP of 3; a JPEG as phones save it, drafted, up to MAX_PIXELS.
DECODE_BUDGET = 48 * MB
# Nothing larger is opened at all: Pillow's own guard against decompression
# bombs (it warns past this size; strict_decoding makes the warning an error).
MAX_PIXELS = Image.MAX_IMAGE_PIXELS
# Rows of the largest rendition drawn at a time (_shrunk_flat), and how far
# the Lanczos filter reaches, in rows of the result, on either side of one.
BAND_ROWS = 32
LANCZOS_REACH = 3
# Measured on Pillow 13 (bench/upload_memory.py): libwebp decodes into
# buffers of its own, three copies of the picture beside Pillow's.
WEBP_BYTES_PER_PIXEL = 16
# Text chunks of a PNG are decompressed when it is opened (Pillow allows
# 64 MB of them); real photos carry a few kilobytes.
MAX_PNG_TEXT = 4 * MB
FORMATS = {"JPEG", "PNG", "WEBP"}
# What file inputs offer to pick; the bytes decide.
ACCEPT = "image/jpeg,image/png,image/webp"
PHOTO_SIZE = 1600  # longest side of a garden's, zone's, species' photo
PHOTO_QUALITY = 85

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

# Where EXIF says the camera was held otherwise: the transposition that
# shows the picture upright (as PIL.ImageOps.exif_transpose does).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class Rendition:
    content: bytes  # JPEG bytes
    width: int
    height: int


def renditions(upload, sizes):
    """
    Check an uploaded picture (a file object) and return a clean JPEG
    Rendition of it for each (longest side, JPEG quality) in sizes, largest
    first; a picture is never enlarged.

    Raises ValidationError with code "empty", "too_big", "not_an_image",
    "unsupported_format", "too_many_pixels" or "damaged", having decoded no
    pixel of a picture too large to decode within DECODE_BUDGET. The
    renditions are drawn afresh from the pixels, upright, transparency
    painted white, so they carry no EXIF (GPS), ICC, XMP or comment, and
    nothing that was appended to the original file. No query; reads the
    upload from its start and leaves it open.
    """
    size = _checked_size(upload)
    largest = sizes[0][0]
    with _refusals(), strict_decoding(), Image.open(upload) as img:
        _check_header(img, size, largest)
        # Only the first frame of an animation is decoded.
        img.load()
        orientation = img.getexif().get(ExifTags.Base.Orientation)
        picture = _shrunk_flat(img, largest)
    if orientation in UPRIGHT:
        picture = picture.transpose(UPRIGHT[orientation])

    result = []
    for longest, quality in sizes:
        # In place: each rendition is drawn from the one before, and no
        # copy of a larger one is kept.
        picture.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        result.append(_jpeg(picture, quality=quality))
    return result


def check(upload, largest):
    """
    Refuse (ValidationError, as renditions() does) what can be refused
    without decoding a pixel: an empty or oversized file, anything but a
    JPEG, PNG or WebP, a picture too large to decode within DECODE_BUDGET
    when drawn at most largest on its long side, and a file whose structure
    Pillow's verify() finds broken (a PNG's chunk checksums, say).

    Cheap whatever the picture: reads its header and, for a PNG, walks its
    chunks: 12 ms for a 9 MB PNG, well under a megabyte of memory. A
    picture it passes may still turn out damaged once decoded (cut-off
    pixel data): renditions() refuses it then. No query; reads the upload
    and leaves it open at its start.
    """
    size = _checked_size(upload)
    try:
        with _refusals(), strict_decoding(), Image.open(upload) as img:
            _check_header(img, size, largest)
            img.verify()
    finally:
        upload.seek(0)


@contextmanager
def _refusals():
    """Pillow's complaints about a picture as the refusals people read."""
    try:
        yield
    except Image.UnidentifiedImageError:
        raise refusal("not_an_image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refusal("too_many_pixels", limit=MAX_PIXELS) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise refusal("damaged") from None


def _check_header(img, file_size, largest):
    """Refuse img (opened, not loaded) by its header alone: its format and
    the price of decoding it (a JPEG drafted to largest first)."""
    _check_format(img)
    full_size = img.size
    if img.format in ("JPEG", "MPO"):
        _draft(img, largest)
    _check_cost(img, full_size, file_size)


def refusal(code, *, limit=None):
    """The ValidationError of code, with its limit (bytes or pixels) if any."""
    params = None
    if code == "too_big":
        params = {"limit": MAX_BYTES // MB}
    elif code == "too_many_pixels":
        params = {"limit": limit // 1_000_000}
    return ValidationError(MESSAGES[code], code=code, params=params)


def _checked_size(upload):
    # The size of the file itself, never a size someone claimed: nothing is
    # read, the end of the file is looked up.
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    if size > MAX_BYTES:
        raise refusal("too_big")
    if not size:
        raise refusal("empty")
    return size


@contextmanager
def strict_decoding():
    """Refuse what Pillow would let through: cut-off data, oversized images
    it only warns about, and more than MAX_PNG_TEXT of PNG text chunks."""
    was_lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    text_memory = PngImagePlugin.MAX_TEXT_MEMORY
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    PngImagePlugin.MAX_TEXT_MEMORY = MAX_PNG_TEXT
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = was_lenient
        PngImagePlugin.MAX_TEXT_MEMORY = text_memory


def _check_format(img):
    # Needs only the header: refuse before any pixel data is decoded, so
    # that no other format's decoder ever runs.
    # Phones append depth maps or HDR gain maps to a JPEG as extra pictures
    # (Multi-Picture Format); Pillow calls that MPO, but the first is the photo.
    kind = "JPEG" if img.format == "MPO" else img.format
    if kind not in FORMATS:
        raise refusal("unsupported_format")


def _check_cost(img, full_size, file_size):
    """Refuse a picture (opened, a JPEG drafted from full_size) whose
    decoding would take more than DECODE_BUDGET; the limit named is the
    pixel count of this kind of picture that fits."""
    cost = decode_cost(img, full_size, file_size)
    if cost > DECODE_BUDGET:
        per_pixel = cost / (full_size[0] * full_size[1])
        raise refusal("too_many_pixels", limit=int(DECODE_BUDGET / per_pixel))


def _draft(img, longest):
    # libjpeg decodes at 1/2, 1/4 or 1/8 scale at a fraction of the memory:
    # ask for the smallest scale still at least `longest` on its long side
    # (a 50-megapixel photo decodes as 2040 × 1530).
    width, height = img.size
    scale = longest / max(width, height)
    if scale < 1:
        img.draft(img.mode, (max(1, int(width * scale)), max(1, int(height * scale))))


def decode_cost(img, full_size, file_size):
    """
    Bytes that decoding img (opened, not loaded; a JPEG drafted from
    full_size) would take, as measured on Pillow 13: its pixels in Pillow's
    layout; libwebp's own buffers and the file for a WebP; and for a JPEG
    whose scans each carry only part of the picture (progressive ones) the
    whole picture's DCT coefficients, which libjpeg keeps at full size
    whatever the draft.
    """
    width, height = img.size
    if img.format == "WEBP":
        return width * height * WEBP_BYTES_PER_PIXEL + file_size
    cost = width * height * _bytes_per_pixel(img.mode)
    if img.format in ("JPEG", "MPO") and _buffers_coefficients(img):
        full_width, full_height = full_size
        cost += full_width * full_height * 2 * _samples_per_pixel(img)
    return cost


def _bytes_per_pixel(mode):
    # Pillow keeps a pixel of several bands in 4 bytes, "I;16" in 2, any
    # other single band ("1", "L", "P") in 1, "I" and "F" in 4.
    if Image.getmodebands(mode) > 1 or mode in ("I", "F"):
        return 4
    return 2 if mode.startswith("I;16") else 1


def _samples_per_pixel(img):
    """Samples libjpeg keeps per pixel: 1.5 for colour at 4:2:0, 3 at 4:4:4,
    1 for grey, 4 for CMYK."""
    layers = getattr(img, "layer", None) or [("", 1, 1, 0)]
    most = max(h for _id, h, _v, _q in layers) * max(v for _id, _h, v, _q in layers)
    return sum(h * v for _id, h, v, _q in layers) / most


def _buffers_coefficients(img):
    """
    Whether libjpeg must keep all of the picture's coefficients before it
    can draw a pixel: a progressive JPEG, or a baseline one whose first scan
    carries only some of the colour components (libjpeg's
    has_multiple_scans). Reads the markers up to the first scan.
    """
    if img.info.get("progressive"):
        return True
    fp = img.fp
    at = fp.tell()
    try:
        fp.seek(0)
        components = None
        if fp.read(2) != b"\xff\xd8":
            return True
        while True:
            marker = fp.read(2)
            if len(marker) < 2 or marker[0] != 0xFF:
                return True
            if marker[1] == 0xFF:  # fill byte before a marker
                fp.seek(-1, io.SEEK_CUR)
                continue
            (length,) = struct.unpack(">H", fp.read(2))
            if length < 2:
                return True
            if marker[1] in (0xC0, 0xC1):  # baseline or extended frame
                components = fp.read(length - 2)[5]
            elif marker[1] == 0xDA:  # start of the first scan
                return components is None or fp.read(1)[0] < components
            else:
                fp.seek(length - 2, io.SEEK_CUR)
    except (struct.error, IndexError, OSError):
        return True
    finally:
        fp.seek(at)


def _shrunk_flat(img, longest):
    """
    A new RGB picture of img (loaded), no larger than longest × longest,
    aspect ratio kept, never enlarged, with transparent parts painted
    white; no metadata (img.info) comes along.

    Drawn a band of rows at a time, so that beside img only the result and
    one band are ever in memory: each band is cropped with the rows around
    it that the Lanczos filter reaches, converted, and resized into its
    place, the same pixels as resizing the whole picture at once.
    """
    width, height = img.size
    scale = min(1, longest / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    result = Image.new("RGB", size)
    step = height / size[1]  # rows of img to a row of the result
    reach = math.ceil(LANCZOS_REACH * step) + 1
    for top in range(0, size[1], BAND_ROWS):
        bottom = min(top + BAND_ROWS, size[1])
        start, end = top * step, bottom * step
        first, last = (
            max(0, math.floor(start) - reach),
            min(height, math.ceil(end) + reach),
        )
        band = _flat(img.crop((0, first, width, last)))
        if scale < 1:
            box = (0, start - first, width, end - first)
            band = band.resize(
                (size[0], bottom - top), Image.Resampling.LANCZOS, box=box
            )
        result.paste(band, (0, top))
    return result


def _flat(img):
    """img on a white RGB canvas: transparent parts turn white."""
    if img.mode == "RGB":
        return img
    if img.has_transparency_data:
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", img.size, "#ffffff")
        canvas.paste(rgba, mask=rgba)
        return canvas
    return img.convert("RGB")


def _jpeg(img, *, quality):
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return Rendition(content=buffer.getvalue(), width=img.width, height=img.height)


# --- Photos of gardens, zones, species and observations -------------------


class CheckedPhoto(ContentFile):
    """A photo's JPEG as renditions made it, named for what it holds."""

    def __init__(self, rendition):
        super().__init__(rendition.content, name="photo.jpg")


def checked_photo(upload):
    """The photo of upload through renditions (ValidationError if refused):
    at most PHOTO_SIZE on its long side, a fresh JPEG."""
    (rendition,) = renditions(upload, [(PHOTO_SIZE, PHOTO_QUALITY)])
    return CheckedPhoto(rendition)


class PhotoFormField(forms.FileField):
    """
    A photo input: the chosen file is checked and re-encoded while the form
    is cleaned (checked_photo), so a form with a refused photo shows its
    message beside the field and saves nothing.
    """

    default_error_messages = {"empty": MESSAGES["empty"]}

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and value is not initial and not isinstance(value, CheckedPhoto):
            value = checked_photo(value)
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs.setdefault("accept", ACCEPT)
        return attrs


class PhotoFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        # Every way of storing a photo comes here (a form, the demo, a
        # script): only a checked JPEG is ever stored, under a .jpg name.
        if not isinstance(content, CheckedPhoto):
            content = checked_photo(content)
        super().save(content.name, content, save)


class PhotoField(models.ImageField):
    """
    An image field whose files are always checked, re-encoded JPEGs
    (checked_photo), whatever was uploaded; forms get PhotoFormField.
    """

    attr_class = PhotoFieldFile

    def formfield(self, **kwargs):
        return models.FileField.formfield(
            self, **{"form_class": PhotoFormField, **kwargs}
        )


def recheck_stored_photos(model, field="photo"):
    """
    Pass every stored photo of model (a migration's historical model will
    do) through checked_photo, for photos stored before PhotoField: each is
    replaced by its clean JPEG under a .jpg name and its old file deleted; a
    file that is refused now is unlinked from its row (and left in storage);
    a missing file is left as it is. Returns the names of the refused files.
    Queries: the rows, one update per photo.
    """
    refused = []
    for obj in model.objects.exclude(**{field: ""}).iterator():
        stored = getattr(obj, field)
        old = stored.name
        try:
            with stored.storage.open(old, "rb") as original:
                photo = checked_photo(original)
        except FileNotFoundError:
            continue
        except ValidationError:
            refused.append(old)
            setattr(obj, field, "")
            obj.save(update_fields=[field])
            continue
        stored.save(photo.name, photo, save=False)
        obj.save(update_fields=[field])
        stored.storage.delete(old)
    return refused
