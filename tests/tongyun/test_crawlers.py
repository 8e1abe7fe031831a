"""robots.txt, sitemap.xml and favicon.ico (tongyun.crawlers)."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.events.test_views import past_event
from tests.factories import (
    ArtworkFactory,
    EventFactory,
    GardenFactory,
    SignupFactory,
    SpeciesFactory,
    SuggestionFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://garden.example.org"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "app-host-2.internal"]


def robots_lines(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return response.content.decode().splitlines()


def test_robots_txt_keeps_crawlers_off_private_paths_only(client):
    lines = robots_lines(client)

    assert lines[0] == "User-agent: *"
    disallowed = {line.split(": ")[1] for line in lines if line.startswith("Disallow")}
    assert disallowed == {
        "/admin/",
        "/signups/",
        "/check-in/",
        "/artworks/status/",
        "/i18n/",
    }
    assert "Allow: /" in lines
    public = ["/", "/gardens/", "/events/", "/artworks/", "/suggestions/"]
    assert not [p for p in public for d in disallowed if p.startswith(d)]


def test_robots_txt_names_the_sitemap_on_site_url(client):
    lines = robots_lines(client)

    assert lines[-1] == f"Sitemap: {SITE}/sitemap.xml"


def test_robots_txt_may_be_kept_a_day(client):
    response = client.get("/robots.txt")

    assert response["Cache-Control"] == "public, max-age=86400"


def sitemap_urls(client, **extra):
    response = client.get(reverse("sitemap"), **extra)
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }


PAGES = [
    "/",
    "/gardens/",
    "/bloom/",
    "/donations/",
    "/events/",
    "/artworks/",
    "/artworks/submit/",
    "/suggestions/",
    "/suggestions/new/",
    "/survey/",
    "/dashboard/",
]


def test_sitemap_lists_the_public_pages_exactly(client):
    garden = GardenFactory(slug="mudanyuan")
    zone = ZoneFactory(garden=garden, code="A1")
    species = SpeciesFactory(slug="mudan")
    coming = EventFactory(slug="next-day")
    past = past_event(days_ago=400, slug="old-day")
    EventFactory(slug="draft-day", status="draft")
    EventFactory(slug="called-off", status="cancelled")
    approved = ArtworkFactory()
    featured = ArtworkFactory(status="featured")
    ArtworkFactory(status="pending", reviewed_at=None)
    ArtworkFactory(status="rejected")
    signup = SignupFactory(event=coming)
    suggestion = SuggestionFactory(garden=garden)

    urls = sitemap_urls(client)

    objects = [garden, zone, species, coming, past, approved, featured]
    expected = [*PAGES, *(o.get_absolute_url() for o in objects)]
    assert sorted(urls) == sorted(SITE + path for path in expected)
    private = [signup.get_absolute_url(), suggestion.get_status_url()]
    private += [approved.get_status_url(), signup.get_checkin_url()]
    assert not [url for url in urls if url.removeprefix(SITE) in private]


def test_sitemap_dates_works_by_their_review(client):
    work = ArtworkFactory()

    urls = sitemap_urls(client)

    reviewed = timezone.localdate(work.reviewed_at)
    assert urls[SITE + work.get_absolute_url()] == f"{reviewed:%Y-%m-%d}"
    assert urls[SITE + "/gardens/"] is None


def test_sitemap_dates_events_by_their_last_change(client):
    event = EventFactory()

    urls = sitemap_urls(client)

    changed = timezone.localdate(event.updated_at)
    assert urls[SITE + event.get_absolute_url()] == f"{changed:%Y-%m-%d}"


def test_sitemap_is_on_site_url_whatever_host_was_asked(client):
    GardenFactory(slug="mudanyuan")

    urls = sitemap_urls(client, HTTP_HOST="app-host-2.internal")

    assert f"{SITE}/gardens/mudanyuan/" in urls
    assert all(url.startswith(SITE + "/") for url in urls)


@pytest.mark.parametrize("item_count", [1, 3])
def test_sitemap_query_count_is_constant(client, item_count, django_assert_num_queries):
    for _ in range(item_count):
        garden = GardenFactory()
        ZoneFactory(garden=garden)
        SpeciesFactory()
        EventFactory()
        ArtworkFactory()

    # 5 queries: gardens, zones with their gardens, species, events, works
    with django_assert_num_queries(5):
        urls = sitemap_urls(client)

    assert len(urls) == len(PAGES) + 5 * item_count


@pytest.mark.django_db(transaction=True)
def test_sitemap_is_kept_until_what_it_lists_changes(settings):
    settings.PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    draft = EventFactory(slug="draft-day", status="draft")

    first = Client().get("/sitemap.xml")
    kept = Client().get("/sitemap.xml")
    draft.status = "published"
    draft.save(update_fields=["status"])
    after = Client().get("/sitemap.xml")

    answers = [first["X-Page-Cache"], kept["X-Page-Cache"], after["X-Page-Cache"]]
    assert answers == ["miss", "hit", "miss"]
    assert (kept.content, kept["Content-Type"]) == (first.content, "application/xml")
    assert f"{SITE}/events/draft-day/".encode() not in first.content
    assert f"{SITE}/events/draft-day/".encode() in after.content


def test_favicon_is_an_ico_of_three_sizes(client):
    response = client.get("/favicon.ico")

    icon = Image.open(io.BytesIO(b"".join(response)))
    assert icon.format == "ICO"
    assert sorted(icon.info["sizes"]) == [(16, 16), (32, 32), (48, 48)]
    icon.size = (16, 16)
    icon.load()
    # The peony mark's golden heart at the middle, on a clear corner.
    assert icon.getpixel((0, 0))[3] == 0
    assert icon.getpixel((8, 8))[3] > 250
    assert response["Cache-Control"] == "public, max-age=2592000"


def test_apple_touch_icon_is_linked_and_opaque(client, settings):
    html = client.get("/gardens/").content.decode()

    link = '<link rel="apple-touch-icon" href="/static/img/apple-touch-icon.png">'
    assert link in html
    with Image.open(settings.BASE_DIR / "static/img/apple-touch-icon.png") as icon:
        assert (icon.format, icon.size, icon.mode) == ("PNG", (180, 180), "RGB")
