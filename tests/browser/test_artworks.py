import pytest
from PIL import Image, ImageDraw

from artworks import services
from artworks.models import Artwork
from tests.factories import ArtworkFactory, CallFactory

pytestmark = pytest.mark.django_db(transaction=True)

NARROW_PHONE = {"width": 360, "height": 780}


@pytest.fixture
def call():
    return CallFactory(title="牡丹元素书画与摄影作品征集", theme="牡丹")


@pytest.fixture
def painting(tmp_path):
    """A phone photo of a painting: a JPEG file on disk, as a person picks it."""
    path = tmp_path / "牡丹.jpg"
    picture = Image.new("RGB", (1200, 900), "#fff4e8")
    draw = ImageDraw.Draw(picture)
    draw.ellipse((350, 200, 850, 700), fill="#b0124a")
    draw.rectangle((580, 650, 620, 880), fill="#2e6b34")
    picture.save(path, "JPEG", quality=90)
    return path


def sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_resident_submits_a_painting_and_finds_it_in_the_gallery_once_approved(
    visitor, live_server, call, painting
):
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)

    visitor.visit("/artworks/submit/")
    form_overflow = sideways_scroll(page)
    form = page.locator("form.artwork-form")
    form.locator('input[name="title"]').fill("国色天香")
    form.locator('label:has(input[name="category"][value="painting"])').click()
    form.locator('input[name="image"]').set_input_files(painting)
    form.locator('textarea[name="description"]').fill("清晨的牡丹园。")
    form.locator('input[name="artist_name"]').fill("王秀英")
    form.locator('input[name="class_name"]').fill("绘画培训班")
    form.locator('input[name="phone"]').fill("138 0013 8000")
    form.locator('input[name="consent"]').check()
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**/artworks/status/**")
    visitor.check()

    artwork = Artwork.objects.get()
    assert form_overflow == 0
    assert sideways_scroll(page) == 0
    assert page.url.split("#")[0] == live_server.url + artwork.get_status_url()
    assert (artwork.title, artwork.status, artwork.class_name) == (
        "国色天香",
        "pending",
        "绘画培训班",
    )
    assert page.locator(".status-tag.status-pending").is_visible()
    assert page.locator(".submission-figure img").evaluate("img => img.naturalWidth")

    services.moderate(Artwork.objects.all(), status="approved", by=None)
    visitor.visit("/artworks/")

    tile = page.locator(".artwork-tile").filter(has_text="国色天香")
    thumbnail = tile.locator("img")
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    assert sideways_scroll(page) == 0

    tile.locator("a").click()
    visitor.check()

    assert page.url == live_server.url + artwork.get_absolute_url()
    assert page.locator("h1").inner_text() == "国色天香"
    assert page.locator(".artwork-figure img").evaluate("img => img.naturalWidth") > 0
    assert "13800138000" not in page.content()


def test_resident_whose_file_is_not_a_picture_is_told_under_the_image(
    visitor, call, tmp_path
):
    fake = tmp_path / "牡丹.jpg"
    fake.write_text("not a picture")
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)

    visitor.visit("/artworks/submit/")
    form = page.locator("form.artwork-form")
    form.locator('input[name="title"]').fill("国色天香")
    form.locator('label:has(input[name="category"][value="photography"])').click()
    form.locator('input[name="image"]').set_input_files(fake)
    form.locator('input[name="artist_name"]').fill("王秀英")
    form.locator('input[name="phone"]').fill("138 0013 8000")
    form.locator('input[name="consent"]').check()
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state("load")
    visitor.check()

    image = page.locator('input[name="image"]')
    assert Artwork.objects.count() == 0
    assert page.locator("#id_image_error").is_visible()
    assert image.get_attribute("aria-invalid") == "true"
    assert page.locator('input[name="title"]').input_value() == "国色天香"
    assert page.locator('input[name="category"][value="photography"]').is_checked()
    assert sideways_scroll(page) == 0


BROKEN_IMAGES = """
[...document.images].filter(i => i.complete && i.naturalWidth === 0).length
"""


def test_work_whose_picture_is_gone_shows_a_placeholder_not_a_broken_image(visitor):
    work = ArtworkFactory(title="春日牡丹")
    for stored in (work.image, work.thumbnail):
        stored.storage.delete(stored.name)
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)
    shown = {}

    for path in ("/artworks/", work.get_absolute_url()):
        visitor.visit(path)
        page.wait_for_function("[...document.images].every(i => i.complete)")
        shown[path] = page.evaluate(BROKEN_IMAGES)

    assert shown == {"/artworks/": 0, work.get_absolute_url(): 0}
