"""Open Graph tags and descriptions of the public pages (templatetags/share)."""

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.test import override_settings
from PIL import Image

from tests.events.test_views import SHANGHAI, past_event
from tests.factories import (
    ArtworkFactory,
    CallFactory,
    EventFactory,
    GardenFactory,
    SignupFactory,
    SpeciesFactory,
    SuggestionFactory,
    SurveyRoundFactory,
    ZoneFactory,
)
from tests.gardens.test_views import jpeg
from tests.test_query_budget import PAGES as BUDGET_PAGES

pytestmark = pytest.mark.django_db

SITE = "https://garden.example.org"


class MetaTags(HTMLParser):
    """The <meta> tags of a page: {property or name: [contents]}."""

    def __init__(self):
        super().__init__()
        self.tags = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        key = attrs.get("property") or attrs.get("name")
        if tag == "meta" and key:
            self.tags.setdefault(key, []).append(attrs.get("content"))


def meta_of(response):
    parser = MetaTags()
    parser.feed(response.content.decode())
    return {key: values[0] for key, values in parser.tags.items()}


@pytest.fixture
def world():
    garden = GardenFactory(
        name="牡丹园",
        description="牡丹园社区的闲置绿地，种上了牡丹和芍药。" * 10,
        photo=jpeg(),
    )
    species = SpeciesFactory(name="紫荆", description="早春开花，满枝紫红。")
    found = {
        "garden": garden,
        "other garden": GardenFactory(name="月季园", description="月季一年开三季。"),
        "zone": ZoneFactory(garden=garden, name="入口花境", design_notes="迎春"),
        "species": species,
        "coming": EventFactory(
            title="义务植树日", description="在三个花园种花。", gardens=[garden]
        ),
        "artwork": ArtworkFactory(title="国色天香", artist_name="李芳"),
        "round": SurveyRoundFactory(),
    }
    found["signup"] = SignupFactory(event=found["coming"])
    found["suggestion"] = SuggestionFactory(garden=garden)
    return found


# The public pages' kinds, addressed as the query budget test addresses them.
PAGES = {
    name: BUDGET_PAGES[name]
    for name in (
        "home",
        "garden list",
        "garden",
        "zone",
        "species",
        "bloom calendar",
        "donations",
        "events",
        "coming event",
        "gallery",
        "artwork",
        "submit a work",
        "suggestions",
        "new suggestion",
        "survey",
        "dashboard",
        "find my sign-ups",
    )
}


def image_bytes(client, url):
    """
    The bytes of an absolute og:image url: a static file from where
    collectstatic takes it and an upload from storage (the web server
    serves both), else through the test client (a work's image).
    """
    path = url.removeprefix(SITE)
    if path.startswith(settings.STATIC_URL):
        found = finders.find(path.removeprefix(settings.STATIC_URL))
        return Path(found).read_bytes()
    if path.startswith(settings.MEDIA_URL):
        with default_storage.open(path.removeprefix(settings.MEDIA_URL)) as stored:
            return stored.read()
    response = client.get(path)
    assert response.status_code == 200, url
    return b"".join(response) if response.streaming else response.content


@override_settings(SITE_URL=SITE)
@pytest.mark.parametrize("name", PAGES)
def test_public_page_has_its_own_share_tags(client, world, name):
    path = PAGES[name](world)

    meta = meta_of(client.get(path))

    assert meta["og:title"]
    assert meta["og:site_name"] == "通运花园城"
    assert meta["og:url"] == SITE + path
    assert meta["og:type"] in ("website", "article")
    assert 0 < len(meta["description"]) <= 120
    assert meta["og:description"] == meta["description"]
    assert meta["og:image"].startswith(SITE + "/")
    picture = Image.open(io.BytesIO(image_bytes(client, meta["og:image"])))
    picture.load()
    assert picture.width > 0


def test_every_public_page_has_a_description_of_its_own(client, world):
    descriptions = {
        name: meta_of(client.get(path(world)))["description"]
        for name, path in PAGES.items()
    }

    assert len(set(descriptions.values())) == len(PAGES), descriptions


@override_settings(SITE_URL=SITE)
def test_object_pages_share_their_own_picture_and_words(client, world):
    garden = world["garden"]
    event, artwork = world["coming"], world["artwork"]

    pages = {
        name: meta_of(client.get(PAGES[name](world)))
        for name in ("garden", "zone", "species", "coming event", "artwork")
    }
    pages["event"] = pages.pop("coming event")

    assert pages["garden"]["og:title"] == "牡丹园"
    assert pages["garden"]["og:image"] == SITE + garden.photo.url
    assert pages["garden"]["description"].startswith(garden.community.name)
    assert pages["garden"]["description"].endswith("…")
    assert len(pages["garden"]["description"]) == 120
    # A zone without a photo of its own shows its garden's.
    assert pages["zone"]["og:image"] == SITE + garden.photo.url
    assert "牡丹园" in pages["zone"]["description"]
    assert pages["species"]["og:title"] == "紫荆"
    assert "早春开花" in pages["species"]["description"]
    assert "四月" in pages["species"]["description"]
    # An event shows its garden's photo, its date and its garden.
    assert pages["event"]["og:image"] == SITE + garden.photo.url
    assert pages["event"]["og:type"] == "article"
    day = event.starts_at.astimezone(SHANGHAI)
    assert f"{day.year}年{day.month}月{day.day}日" in pages["event"]["description"]
    assert "牡丹园" in pages["event"]["description"]
    assert "在三个花园种花" in pages["event"]["description"]
    # A work shows its picture as the gallery serves it, and its artist.
    assert pages["artwork"]["og:image"] == SITE + artwork.image_url()
    assert pages["artwork"]["og:title"] == "国色天香"
    assert pages["artwork"]["description"].startswith("李芳 · 绘画")
    picture = Image.open(io.BytesIO(image_bytes(client, pages["artwork"]["og:image"])))
    assert picture.size == (160, 120)


def test_pages_of_different_objects_differ(client, world):
    gardens = [world["garden"], world["other garden"]]
    events = [world["coming"], EventFactory(title="秋季养护日", description="修剪")]
    species = [world["species"], SpeciesFactory(description="初夏开花")]

    for pair in (gardens, events, species):
        first, second = (meta_of(client.get(obj.get_absolute_url())) for obj in pair)
        assert first["description"] != second["description"]
        assert first["og:title"] != second["og:title"]


def test_english_page_shares_english_words_and_chinese_where_none(english, world):
    world["garden"].name_en = "Peony Garden"
    world["garden"].save()

    meta = meta_of(english.get(world["garden"].get_absolute_url()))

    assert meta["og:title"] == "Peony Garden"
    assert meta["og:site_name"] == "Tongyun Garden City"
    # No English description was entered: the Chinese one is shared.
    assert "牡丹园社区的闲置绿地" in meta["description"]


@override_settings(SITE_URL=SITE)
def test_picture_without_a_file_shares_the_site_card(client, world):
    meta = meta_of(client.get(world["species"].get_absolute_url()))

    assert meta["og:image"] == SITE + "/static/img/share-card.png"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    card = Image.open(io.BytesIO(image_bytes(client, meta["og:image"])))
    assert card.size == (1200, 630)


@override_settings(SITE_URL=SITE)
def test_private_pages_share_nothing_of_their_own(client, world):
    signup, artwork = world["signup"], world["artwork"]
    pending = ArtworkFactory(title="待审核的画", status="pending", call=CallFactory())
    private = [
        signup.get_absolute_url(),
        artwork.get_status_url(),
        pending.get_status_url(),
        world["suggestion"].get_status_url(),
    ]

    for path in private:
        page = client.get(path)
        meta = meta_of(page)
        shared = " ".join(value for key, value in meta.items() if key.startswith("og:"))
        assert meta["og:url"] == SITE + "/", path
        assert meta["og:title"] == "通运花园城"
        assert meta["og:image"] == SITE + "/static/img/share-card.png"
        for secret in ("义务植树日", "国色天香", "待审核的画", signup.token):
            assert secret not in shared + meta["description"], path
        # The page itself still shows its object.
        assert page.status_code == 200


def test_staff_preview_of_a_pending_work_shares_nothing_of_it(admin_client):
    pending = ArtworkFactory(title="待审核的画", status="pending", reviewed_at=None)

    page = admin_client.get(pending.get_absolute_url())
    meta = meta_of(page)

    assert "待审核的画" in page.content.decode()
    assert "待审核的画" not in meta["og:title"] + meta["og:description"]


def test_past_event_page_shares_its_date(client):
    event = past_event(days_ago=3, gardens=[GardenFactory(name="紫荆园")])

    meta = meta_of(client.get(event.get_absolute_url()))

    assert "紫荆园" in meta["description"]
    assert meta["og:title"] == event.title
