"""Share posters of events and works (tongyun.lib.posters and their views)."""

import io
import logging

import pytest
import zxingcpp
from django.core import checks
from django.core.management import call_command
from django.test import override_settings
from PIL import Image

from tests.factories import ArtworkFactory, EventFactory, GardenFactory
from tongyun.lib import posters

pytestmark = pytest.mark.django_db

SITE = "https://garden.example.org"


def png_of(response):
    assert response["Content-Type"] == "image/png"
    picture = Image.open(io.BytesIO(response.content))
    picture.load()
    return picture


def scanned(picture):
    """The texts of the QR codes a scanner reads in picture."""
    return [code.text for code in zxingcpp.read_barcodes(picture)]


@pytest.fixture
def event():
    garden = GardenFactory(name="牡丹园", theme="peony")
    return EventFactory(title="首都全民义务植树日", gardens=[garden])


@pytest.fixture
def missing_font(settings, tmp_path, monkeypatch):
    """No CJK font anywhere: a POSTER_FONT that is not there, and no other."""
    settings.POSTER_FONT = str(tmp_path / "gone.ttc")
    monkeypatch.setattr(posters, "KNOWN_FONTS", ())
    monkeypatch.setattr(posters, "_fontconfig_font", lambda: None)
    posters._find_font.cache_clear()
    posters._font.cache_clear()
    yield
    posters._find_font.cache_clear()
    posters._font.cache_clear()


@override_settings(SITE_URL=SITE)
def test_event_poster_is_a_png_whose_code_opens_the_event(client, event):
    response = client.get(f"/events/{event.slug}/poster.png")

    picture = png_of(response)
    assert picture.size == posters.POSTER_SIZE
    assert scanned(picture) == [SITE + event.get_absolute_url()]
    assert "public" in response["Cache-Control"]
    assert "max-age=3600" in response["Cache-Control"]


@override_settings(SITE_URL=SITE)
def test_work_poster_is_a_png_with_the_work_whose_code_opens_it(client):
    artwork = ArtworkFactory(title="国色天香")

    picture = png_of(client.get(f"/artworks/{artwork.pk}/poster.png"))

    assert picture.size == posters.POSTER_SIZE
    assert scanned(picture) == [SITE + artwork.get_absolute_url()]
    # The factory's picture is plain red: it shows in the poster's frame.
    red = [pixel for pixel in picture.get_flattened_data() if pixel == (254, 0, 0)]
    assert len(red) > 100_000


def test_poster_shows_the_chinese_text_drawn_with_a_cjk_font(client, event):
    font_path, _index = posters.find_font()

    response = client.get(f"/events/{event.slug}/poster.png")

    assert "NotoSansCJK" in font_path or "wqy" in font_path
    assert png_of(response).size == posters.POSTER_SIZE


@pytest.mark.parametrize(
    "fields", [{"status": "draft"}, {"status": "cancelled"}], ids=["draft", "cancelled"]
)
def test_poster_of_an_unpublished_event_is_not_found(client, fields):
    event = EventFactory(**fields)

    response = client.get(f"/events/{event.slug}/poster.png")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_poster_of_a_work_not_approved_is_not_found(client, status):
    artwork = ArtworkFactory(status=status)

    response = client.get(f"/artworks/{artwork.pk}/poster.png")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_poster_asked_again_is_not_drawn_again(client, event, monkeypatch):
    drawn = []
    draw = posters.draw_poster
    monkeypatch.setattr(
        posters, "draw_poster", lambda **kw: drawn.append(1) or draw(**kw)
    )
    url = f"/events/{event.slug}/poster.png"

    first = client.get(url)
    second = client.get(url)
    again = client.get(url, headers={"if-none-match": first["ETag"]})

    assert len(drawn) == 1
    assert second.content == first.content
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_poster_changes_with_its_event_and_language(client, event):
    url = f"/events/{event.slug}/poster.png"
    chinese = client.get(url)

    event.title = "秋季养护日"
    event.save()
    changed = client.get(url)
    in_english = client.get(url, headers={"accept-language": "en"})

    assert changed["ETag"] != chinese["ETag"]
    assert changed.content != chinese.content
    assert in_english["ETag"] not in (chinese["ETag"], changed["ETag"])
    assert "Accept-Language" in in_english["Vary"]


@pytest.mark.parametrize("item_count", [1, 3])
def test_poster_query_count_is_constant(client, item_count, django_assert_num_queries):
    gardens = GardenFactory.create_batch(item_count)
    event = EventFactory(gardens=gardens)
    artwork = ArtworkFactory()

    # 2 queries: the event, its gardens (prefetched)
    with django_assert_num_queries(2):
        event_poster = client.get(f"/events/{event.slug}/poster.png")
    # 1 query: the work with its call and the call's flower
    with django_assert_num_queries(1):
        work_poster = client.get(f"/artworks/{artwork.pk}/poster.png")

    assert png_of(event_poster).size == png_of(work_poster).size


@override_settings(SITE_URL=SITE)
def test_missing_font_warns_and_still_draws_a_poster(
    client, event, missing_font, caplog
):
    with caplog.at_level(logging.WARNING, logger="tongyun.lib.posters"):
        response = client.get(f"/events/{event.slug}/poster.png")
    warnings = [
        message for message in checks.run_checks() if message.id == "tongyun.W003"
    ]

    assert png_of(response).size == posters.POSTER_SIZE
    assert scanned(png_of(response)) == [SITE + event.get_absolute_url()]
    assert len(warnings) == 1
    assert "fonts-noto-cjk" in warnings[0].hint
    assert "No CJK font" in caplog.text


def test_font_check_is_quiet_with_a_font():
    assert posters.check_poster_font(None) == []


def test_configured_font_is_used_with_its_chinese_face(settings):
    settings.POSTER_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"

    path, index = posters.find_font()

    assert path == settings.POSTER_FONT
    assert posters.font(30).getname() == ("Noto Sans CJK SC", "Bold")


def test_wrap_keeps_words_whole_and_cuts_the_last_line():
    face = posters.font(40)

    english = posters.wrap("Planting day in the peony garden", face, 300, 5)
    chinese = posters.wrap("乡土植物进社区扮靓美丽副中心" * 3, face, 400, 2)

    assert " ".join(english) == "Planting day in the peony garden"
    assert all(face.getlength(line) <= 300 for line in english)
    assert len(chinese) == 2
    assert chinese[-1].endswith("…")


def test_share_card_is_drawn_again_by_the_command(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    (tmp_path / "static" / "img").mkdir(parents=True)

    call_command("draw_share_cards", stdout=io.StringIO())

    folder = tmp_path / "static" / "img"
    with Image.open(folder / "share-card.png") as card:
        assert card.size == (1200, 630)
    # WeChat's square from the middle holds the whole name: ink reaches
    # neither side of it.
    with Image.open(folder / "share-card.png") as card:
        middle = card.crop((285, 0, 915, 630)).convert("L")
        assert min(middle.crop((0, 300, 6, 500)).get_flattened_data()) > 200
        assert min(middle.crop((624, 300, 630, 500)).get_flattened_data()) > 200


def test_work_poster_without_its_stored_picture_is_drawn_without_it(client, caplog):
    artwork = ArtworkFactory()
    artwork.image.storage.delete(artwork.image.name)

    with caplog.at_level(logging.WARNING, logger="tongyun.lib.posters"):
        picture = png_of(client.get(f"/artworks/{artwork.pk}/poster.png"))

    assert picture.size == posters.POSTER_SIZE
    assert "unreadable" in caplog.text


def test_long_text_is_set_smaller_to_fit_whole():
    title = "Capital Voluntary Tree-Planting Day 2027: planting the community gardens"
    facts = ["Sunday, 4 April 2027", "09:00–11:30", "Peony Garden, Redbud Garden"]

    short = posters._fitted("植树日", facts, 936, 720, False)
    facts_more = [*facts, "Meeting point: " + "x " * 40]
    long = posters._fitted(title, facts_more, 936, 720, False)

    assert short[0].size == 84
    assert long[0].size < 84
    assert posters._height(long) <= 720
    assert " ".join(long[1]) == title
