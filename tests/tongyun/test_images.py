"""The one checked path of uploaded pictures: what it decodes, and how large."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFile, PngImagePlugin

from tongyun.lib import images

PEONY = (200, 16, 46)
SIZES = [(1600, 85), (480, 80)]  # an artwork's display image and thumbnail


def _encoded(img, fmt, **options):
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def _upload(content, name="picture.png"):
    return SimpleUploadedFile(name, content)


def _peony_drawing(mode, size):
    """A flat drawing: a red flower on a pale ground, which compresses well."""
    img = Image.new("RGB", size, (236, 242, 236))
    width, height = size
    ImageDraw.Draw(img).ellipse(
        (width // 6, height // 6, width * 5 // 6, height * 5 // 6), fill=PEONY
    )
    return img.convert(mode) if mode != "RGB" else img


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The sizes at which pictures are decoded, as a list filled as it goes."""
    sizes = []
    load = ImageFile.ImageFile.load

    def spy(img):
        if img.tile:  # not loaded yet: this call decodes
            sizes.append(img.size)
        return load(img)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return sizes


def _refusal(content, name="picture.png"):
    with pytest.raises(ValidationError) as excinfo:
        images.renditions(_upload(content, name), SIZES)
    return excinfo.value


def test_colour_png_of_40_megapixels_in_155_kb_is_refused_before_decoding(
    decoded_sizes,
):
    # The file of the finding: decoded whole, it took 690 MB on its way.
    content = _encoded(_peony_drawing("RGB", (6320, 6320)), "PNG")
    assert len(content) < 200_000

    refusal = _refusal(content)

    assert refusal.code == "too_many_pixels"
    # 4 bytes a pixel decoded: 12 million pixels fit in DECODE_BUDGET.
    assert refusal.params == {"limit": 12}
    assert decoded_sizes == []


def test_palette_png_of_40_megapixels_is_shrunk_band_by_band():
    # One byte a pixel decoded: 40 MB, within DECODE_BUDGET.
    content = _encoded(_peony_drawing("P", (6320, 6320)), "PNG", compress_level=1)

    display, thumbnail = images.renditions(_upload(content), SIZES)

    assert (display.width, display.height) == (1600, 1600)
    assert (thumbnail.width, thumbnail.height) == (480, 480)
    picture = Image.open(io.BytesIO(display.content))
    assert picture.getpixel((800, 800)) == pytest.approx(PEONY, abs=12)
    assert picture.getpixel((10, 10)) == pytest.approx((236, 242, 236), abs=12)


def test_50_megapixel_phone_jpeg_is_decoded_at_an_eighth_of_its_pixels(
    decoded_sizes,
):
    content = _encoded(_peony_drawing("RGB", (8160, 6120)), "JPEG", quality=90)

    display, _thumbnail = images.renditions(_upload(content, "IMG_0001.jpg"), SIZES)

    assert decoded_sizes == [(2040, 1530)]  # libjpeg's 1/4 scale, not 8160 × 6120
    assert (display.width, display.height) == (1600, 1200)


def test_progressive_jpeg_too_large_for_its_coefficients_is_refused(decoded_sizes):
    # libjpeg keeps every DCT coefficient of a progressive JPEG, whatever the
    # scale it draws at: 150 MB for 50 million pixels.
    picture = _peony_drawing("RGB", (8160, 6120))
    content = _encoded(picture, "JPEG", quality=90, progressive=True)

    refusal = _refusal(content, "IMG_0001.jpg")

    assert refusal.code == "too_many_pixels"
    assert refusal.params == {"limit": 15}
    assert decoded_sizes == []


def _first_scan_of_one_component(content):
    """content (a baseline colour JPEG) with its first scan declaring one
    component: libjpeg then keeps the coefficients of all of them."""
    scan = content.index(b"\xff\xda")
    assert content[scan + 4] == 3
    return content[: scan + 4] + b"\x01" + content[scan + 5 :]


def test_baseline_jpeg_whose_scans_split_the_colours_counts_its_coefficients(
    decoded_sizes,
):
    picture = _peony_drawing("RGB", (8160, 6120))
    content = _first_scan_of_one_component(_encoded(picture, "JPEG", quality=90))

    refusal = _refusal(content, "IMG_0001.jpg")

    assert refusal.code == "too_many_pixels"
    assert decoded_sizes == []


def test_progressive_jpeg_of_a_phone_photo_size_is_accepted():
    picture = _peony_drawing("RGB", (4032, 3024))  # 12 megapixels
    content = _encoded(picture, "JPEG", quality=90, progressive=True)

    display, _thumbnail = images.renditions(_upload(content, "IMG_0002.jpg"), SIZES)

    assert (display.width, display.height) == (1600, 1200)


def test_webp_over_its_pixel_limit_is_refused_before_decoding(decoded_sizes):
    # libwebp decodes into buffers of its own: 16 bytes a pixel in all.
    content = _encoded(_peony_drawing("RGB", (3000, 2500)), "WEBP")

    refusal = _refusal(content, "picture.webp")

    assert refusal.code == "too_many_pixels"
    assert refusal.params == {"limit": 3}
    assert decoded_sizes == []


def test_webp_within_its_pixel_limit_is_accepted():
    content = _encoded(_peony_drawing("RGB", (2000, 1500)), "WEBP")

    display, _thumbnail = images.renditions(_upload(content, "picture.webp"), SIZES)

    assert (display.width, display.height) == (1600, 1200)


def test_png_with_megabytes_of_compressed_text_is_refused():
    # Pillow decompresses a PNG's text chunks as it opens the file.
    info = PngImagePlugin.PngInfo()
    for n in range(6):
        info.add_text(f"note{n}", "peony " * 150_000, zip=True)
    content = _encoded(Image.new("RGB", (64, 64), PEONY), "PNG", pnginfo=info)
    assert len(content) < 100_000
    text_memory = PngImagePlugin.MAX_TEXT_MEMORY

    refusal = _refusal(content)

    assert refusal.code == "damaged"
    assert text_memory == PngImagePlugin.MAX_TEXT_MEMORY  # restored afterwards


@pytest.mark.parametrize(
    ("mode", "limit"),
    [("RGB", 12), ("RGBA", 12), ("LA", 12), ("I;16", 25), ("L", 50), ("P", 50)],
)
def test_each_kind_of_png_may_have_as_many_pixels_as_fit_the_budget(mode, limit):
    # Measured on Pillow 13: 4 bytes a pixel of several bands, 2 of 16-bit
    # grey, 1 of 8-bit grey or palette.
    img = Image.open(io.BytesIO(_encoded(Image.new(mode, (100, 100)), "PNG")))

    cost = images.decode_cost(img, img.size, file_size=0)

    assert int(images.DECODE_BUDGET / (cost / 10_000) / 1_000_000) == limit


def test_renditions_never_keep_the_uploads_name_or_kind():
    content = _encoded(_peony_drawing("RGB", (300, 200)), "PNG")

    photo = images.checked_photo(_upload(content, name="plan.pdf"))

    assert photo.name == "photo.jpg"
    assert Image.open(photo).format == "JPEG"
