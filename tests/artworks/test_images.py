import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageFile

from artworks import images
from tongyun.lib.images import MAX_BYTES

PEONY = (200, 16, 46)  # a deep peony red
LEAF = (20, 140, 60)


def _encoded(img, fmt, **options):
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def _solid(fmt, size=(300, 200), mode="RGB", color=PEONY, **options):
    return _encoded(Image.new(mode, size, color), fmt, **options)


def _noise(size):
    """An incompressible RGB image, so its encoded body is much larger than its
    header."""
    data = random.Random(0).randbytes(size[0] * size[1] * 3)
    return Image.frombytes("RGB", size, data)


def _two_halves(size, left, right):
    img = Image.new("RGB", size, right)
    img.paste(left, (0, 0, size[0] // 2, size[1]))
    return img


def _upload(content, name="peony.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _decoded(rendition):
    img = Image.open(io.BytesIO(rendition.content))
    img.load()
    return img


def _close(pixel, expected, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


# Builders of the good and bad files. Each returns (file name, bytes).


def _jpeg():
    return "peony.jpg", _solid("JPEG", size=(3000, 2000))


def _png_with_alpha():
    img = Image.new("RGBA", (2000, 3000), (0, 0, 0, 0))  # left half transparent
    img.paste((*PEONY, 255), (1000, 0, 2000, 3000))
    return "peony.png", _encoded(img, "PNG")


def _palette_png_with_transparency():
    img = Image.new("P", (300, 200), 0)
    img.putpalette([*PEONY, *LEAF])
    img.paste(1, (150, 0, 300, 200))
    return "peony.png", _encoded(img, "PNG", transparency=0)


def _sixteen_bit_png():
    return "scan.png", _solid("PNG", mode="I;16", color=40000)


def _cmyk_jpeg():
    return "print.jpg", _solid("JPEG", mode="CMYK", color=(0, 100, 100, 0))


def _webp():
    return "peony.webp", _solid("WEBP", size=(1000, 1000))


def _animated_webp():
    first, second = Image.new("RGB", (64, 64), PEONY), Image.new("RGB", (64, 64))
    return "peony.webp", _encoded(first, "WEBP", save_all=True, append_images=[second])


def _phone_mpo():
    photo, depth_map = Image.new("RGB", (400, 300), PEONY), Image.new("RGB", (40, 30))
    return "IMG_0001.jpg", _encoded(
        photo, "MPO", save_all=True, append_images=[depth_map]
    )


def _png_with_html_appended():
    html = b"<html><body><script>alert(1)</script></body></html>"
    return "peony.png", _solid("PNG") + html


def _text():
    return "peony.jpg", "牡丹 peony notes\n".encode() * 20


def _html():
    return "peony.jpg", b"<!doctype html><html><body><h1>Peony</h1></body></html>"


def _script():
    return "peony.jpg", b"<script>fetch('/admin/').then(r => r.text())</script>"


def _svg():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">'
        b'<script>alert(1)</script><rect width="300" height="200" fill="red"/></svg>'
    )
    return "peony.png", svg


def _pdf():
    return "peony.jpg", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _tiff():
    return "peony.jpg", _solid("TIFF")


def _ico():
    return "peony.jpg", _solid("ICO", size=(64, 64))


def _gif():
    return "peony.jpg", _solid("GIF")


def _bmp():
    return "peony.jpg", _solid("BMP")


def _colour_png_too_large_to_decode():
    # 48 million colour pixels in a few kB: over what a colour PNG may have
    # (each takes 4 bytes decoded), under Pillow's own warning limit.
    return "bomb.png", _solid("PNG", size=(8000, 6000))


def _big_one_bit_png():
    # 48 million pixels too, but of one byte each once decoded: it fits.
    return "scan.png", _solid("PNG", size=(8000, 6000), mode="1", color=1)


def _pixel_bomb():
    # 100 million pixels in about 12 kB; Pillow itself warns at 89 million.
    return "bomb.png", _solid("PNG", size=(10_000, 10_000), mode="1", color=0)


def _pixel_bomb_over_pillows_error_limit():
    # 180 million pixels: Pillow raises DecompressionBombError while opening.
    return "bomb.png", _solid("PNG", size=(15_000, 12_000), mode="1", color=0)


def _truncated_jpeg():
    content = _encoded(_noise((800, 600)), "JPEG")
    return "peony.jpg", content[: len(content) // 2]


def _truncated_png():
    content = _encoded(_noise((400, 300)), "PNG")
    return "peony.png", content[: len(content) // 2]


def _empty():
    return "peony.jpg", b""


def _too_big():
    junk = random.Random(0).randbytes(MAX_BYTES)
    return "peony.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + junk


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (_text, "not_an_image"),
        (_html, "not_an_image"),
        (_script, "not_an_image"),
        (_svg, "not_an_image"),
        (_pdf, "not_an_image"),
        (_tiff, "unsupported_format"),
        (_ico, "unsupported_format"),
        (_gif, "unsupported_format"),
        (_bmp, "unsupported_format"),
        (_colour_png_too_large_to_decode, "too_many_pixels"),
        (_pixel_bomb, "too_many_pixels"),
        (_pixel_bomb_over_pillows_error_limit, "too_many_pixels"),
        (_truncated_jpeg, "damaged"),
        (_truncated_png, "damaged"),
        (_empty, "empty"),
        (_too_big, "too_big"),
    ],
    ids=lambda value: value.__name__.lstrip("_") if callable(value) else value,
)
def test_prepare_refuses_bad_file(build, code):
    name, content = build()

    with pytest.raises(ValidationError) as excinfo:
        images.prepare(_upload(content, name=name))

    assert excinfo.value.code == code


@pytest.mark.parametrize(
    "build",
    [
        _jpeg,
        _png_with_alpha,
        _palette_png_with_transparency,
        _sixteen_bit_png,
        _cmyk_jpeg,
        _webp,
        _animated_webp,
        _phone_mpo,
        _png_with_html_appended,
        _big_one_bit_png,
    ],
    ids=lambda build: build.__name__.lstrip("_"),
)
def test_prepare_accepts_good_file(build):
    name, content = build()

    prepared = images.prepare(_upload(content, name=name))

    for rendition, limit in (
        (prepared.display, images.DISPLAY_SIZE),
        (prepared.thumbnail, images.THUMB_SIZE),
    ):
        img = _decoded(rendition)
        assert img.format == "JPEG"
        assert img.mode == "RGB"
        assert img.size == (rendition.width, rendition.height)
        assert max(img.size) <= limit


def test_prepare_keeps_aspect_ratio_when_shrinking():
    name, content = _jpeg()  # 3000 × 2000

    prepared = images.prepare(_upload(content, name=name))

    assert (prepared.display.width, prepared.display.height) == (1600, 1067)
    assert (prepared.thumbnail.width, prepared.thumbnail.height) == (480, 320)


def test_prepare_never_enlarges_small_picture():
    content = _solid("PNG", size=(300, 200))

    prepared = images.prepare(_upload(content, name="small.png"))

    assert (prepared.display.width, prepared.display.height) == (300, 200)
    assert (prepared.thumbnail.width, prepared.thumbnail.height) == (300, 200)


def test_prepare_paints_transparency_white():
    name, content = _png_with_alpha()  # left half transparent, right half red

    prepared = images.prepare(_upload(content, name=name))

    img = _decoded(prepared.display)
    assert _close(img.getpixel((10, img.height // 2)), (255, 255, 255))
    assert _close(img.getpixel((img.width - 10, img.height // 2)), PEONY)


def test_prepare_keeps_only_first_frame_of_animation():
    name, content = _animated_webp()  # a red frame, then a black one

    prepared = images.prepare(_upload(content, name=name))

    assert _close(_decoded(prepared.display).getpixel((32, 32)), PEONY)


def test_prepare_drops_bytes_appended_to_picture():
    name, content = _png_with_html_appended()

    prepared = images.prepare(_upload(content, name=name))

    assert b"<html" not in prepared.display.content
    assert b"<html" not in prepared.thumbnail.content
    assert b"<script" not in prepared.display.content


def test_prepare_strips_metadata_and_applies_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif.get_ifd(0x8825).update(
        {1: "N", 2: (31.0, 14.0, 12.5), 3: "E", 4: (121.0, 28.0, 4.2)}
    )
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo = _two_halves((400, 200), left=PEONY, right=LEAF)
    content = _encoded(
        photo,
        "JPEG",
        exif=exif,
        icc_profile=srgb,
        xmp=b"<x:xmpmeta>Tongyun garden plot 7</x:xmpmeta>",
        comment=b"taken at home",
    )
    assert Image.open(io.BytesIO(content)).getexif().get_ifd(0x8825)[1] == "N"

    prepared = images.prepare(_upload(content, name="IMG_0002.jpg"))

    for rendition in (prepared.display, prepared.thumbnail):
        img = _decoded(rendition)
        assert dict(img.getexif()) == {}
        assert not {"exif", "icc_profile", "xmp", "comment"} & img.info.keys()
        assert b"Exif" not in rendition.content
        assert b"ICC_PROFILE" not in rendition.content
        assert b"Tongyun" not in rendition.content
        assert b"taken at home" not in rendition.content
    img = _decoded(prepared.display)
    assert img.size == (200, 400)
    assert _close(img.getpixel((100, 50)), PEONY)  # the left half is now on top
    assert _close(img.getpixel((100, 350)), LEAF)


def test_prepare_goes_by_the_files_size_and_reads_none_of_a_file_too_big():
    name, content = _too_big()
    upload = _upload(content, name=name)
    upload.size = 1024  # a size someone claimed

    with pytest.raises(ValidationError) as excinfo:
        images.prepare(upload)

    assert excinfo.value.code == "too_big"
    assert upload.tell() == 0  # nothing was read


def test_prepare_reads_upload_from_the_start():
    name, content = _jpeg()
    upload = _upload(content, name=name)
    upload.read(100)  # as a form's own checks might have

    prepared = images.prepare(upload)

    assert prepared.display.width == 1600


def test_prepare_names_size_limit_in_megabytes():
    with pytest.raises(ValidationError) as excinfo:
        images.prepare(_upload(_too_big()[1]))

    assert excinfo.value.params == {"limit": 20}


def test_prepare_refuses_even_when_truncated_images_are_allowed(monkeypatch):
    monkeypatch.setattr("PIL.ImageFile.LOAD_TRUNCATED_IMAGES", True)
    name, content = _truncated_jpeg()

    with pytest.raises(ValidationError) as excinfo:
        images.prepare(_upload(content, name=name))

    assert excinfo.value.code == "damaged"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored afterwards
