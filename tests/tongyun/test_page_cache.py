"""
The shared page cache (tongyun.lib.pagecache): anonymous visitors get kept
pages, each with their own CSRF token; a committed write to what a page
shows drops it, whichever path wrote (a visitor's sign-up, a moderation, a
reply, a save, a bulk update, a delete, a relation); staff, sessions and
POSTs bypass it; a conditional GET gets 304; pages are compressed.
"""

import gzip
import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import Client
from django.urls import reverse

from artworks import services as artwork_services
from events.models import Event
from feedback import services as feedback_services
from tests.factories import (
    ArtworkFactory,
    EventFactory,
    GardenFactory,
    SuggestionFactory,
)
from tongyun.lib import history, pagecache

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def page_cache(settings):
    """The page cache on, as in production (the test settings turn it off)."""
    settings.PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()


# Tests of what a write drops commit for real: the bumps wait for commits.
committing = pytest.mark.django_db(transaction=True)


def visitor(**headers):
    """A new browser: no cookies, CSRF checked as in production."""
    return Client(enforce_csrf_checks=True, headers=headers)


def page(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


def test_a_second_visitor_gets_the_kept_page_without_a_query(
    django_assert_num_queries,
):
    event = EventFactory(capacity=7)
    url = reverse("events:detail", args=[event.slug])

    first, first_html = page(visitor(), url)
    with django_assert_num_queries(0):
        second, second_html = page(visitor(), url)

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert event.title in second_html
    assert "还剩 7 个名额" in second_html
    # The same page but each visitor's own token.
    assert TOKEN.sub("", first_html) == TOKEN.sub("", second_html)
    assert TOKEN.findall(first_html) != TOKEN.findall(second_html)


def test_a_kept_pages_token_is_the_visitors_own_and_their_sign_up_goes_through():
    event = EventFactory(capacity=5)
    url = reverse("events:detail", args=[event.slug])
    page(visitor(), url)  # kept
    resident = visitor()
    response, html = page(resident, url)
    assert response["X-Page-Cache"] == "hit"
    assert "csrftoken" in response.cookies  # a first visit gets its cookie

    posted = resident.post(
        reverse("events:signup", args=[event.slug]),
        {
            "name": "李华",
            "phone": "138 0013 8000",
            "headcount": "1",
            "consent": "on",
            "csrfmiddlewaretoken": TOKEN.search(html)[1],
        },
    )

    assert posted.status_code == 303
    assert event.signups.get().name == "李华"


@committing
def test_a_sign_up_drops_the_event_page_so_seats_left_are_never_stale():
    event = EventFactory(capacity=3)
    url = reverse("events:detail", args=[event.slug])
    english = {"Accept-Language": "en"}
    assert "3 of 3 seats left" in page(visitor(), url, **english)[1]
    assert page(visitor(), url, **english)[0]["X-Page-Cache"] == "hit"

    Client().post(
        reverse("events:signup", args=[event.slug]),
        {"name": "李华", "phone": "138 0013 8000", "headcount": "1", "consent": "on"},
    )

    response, html = page(visitor(), url, **english)
    assert response["X-Page-Cache"] == "miss"
    assert "2 of 3 seats left" in html
    # The list of events, kept too, shows it as well.
    assert "2 of 3 seats left" in page(visitor(), reverse("events:list"), **english)[1]


@committing
def test_a_write_that_never_commits_drops_nothing():
    event = EventFactory(title="春季植树日")
    url = reverse("events:detail", args=[event.slug])
    page(visitor(), url)

    def rename():
        with transaction.atomic():
            event.title = "改名"
            event.save()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        rename()
    assert page(visitor(), url)[0]["X-Page-Cache"] == "hit"


@committing
def test_a_moderation_decision_shows_at_once():
    work = ArtworkFactory(title="雨后牡丹")
    staff = User.objects.create_user("moderator", is_staff=True)
    gallery = reverse("artworks:list")
    assert "雨后牡丹" in page(visitor(), gallery)[1]

    artwork_services.moderate(
        type(work).objects.filter(pk=work.pk), status="rejected", by=staff
    )

    response, html = page(visitor(), gallery)
    assert response["X-Page-Cache"] == "miss"
    assert "雨后牡丹" not in html
    detail = visitor().get(reverse("artworks:detail", args=[work.pk]))
    assert detail.status_code == 404


@committing
def test_a_reply_shows_on_the_board_at_once():
    suggestion = SuggestionFactory(status="accepted", reply="")
    staff = User.objects.create_user("clerk", is_staff=True)
    board = reverse("feedback:board")
    assert "已在安排补种" not in page(visitor(), board)[1]
    assert page(visitor(), board)[0]["X-Page-Cache"] == "hit"

    feedback_services.change_status(
        type(suggestion).objects.filter(pk=suggestion.pk),
        status="done",
        by=staff,
        reply="已在安排补种",
    )

    assert "已在安排补种" in page(visitor(), board)[1]


@pytest.mark.parametrize("write", ["save", "delete", "bulk_update", "relation"])
@committing
def test_every_kind_of_write_drops_the_pages_of_its_app(write):
    garden = GardenFactory(name="牡丹园")
    other = GardenFactory(name="紫荆园")
    event = EventFactory(title="牡丹节", gardens=[garden])
    events = reverse("events:list")
    assert page(visitor(), events)[0]["X-Page-Cache"] == "miss"
    assert page(visitor(), events)[0]["X-Page-Cache"] == "hit"

    if write == "save":
        event.title = "月季节"
        event.save()
    elif write == "delete":
        event.delete()
    elif write == "bulk_update":
        event.title = "月季节"
        history.bulk_update([event], Event, ["title"])
    else:
        event.gardens.add(other)

    response, html = page(visitor(), events)
    assert response["X-Page-Cache"] == "miss"
    assert ("牡丹节" in html) == (write == "relation")


@committing
def test_a_write_to_another_app_keeps_the_page():
    event = EventFactory()
    url = reverse("events:detail", args=[event.slug])
    page(visitor(), url)
    ArtworkFactory()  # the artworks' pages only
    assert page(visitor(), url)[0]["X-Page-Cache"] == "hit"


@committing
def test_many_writes_in_one_transaction_bump_once(monkeypatch):
    bumped = []
    monkeypatch.setattr(pagecache, "bump", lambda *topics: bumped.append(topics))
    with transaction.atomic():
        for n in range(5):
            GardenFactory(name=f"花园{n}")
        EventFactory()
    assert len(bumped) == 1
    assert set(bumped[0]) >= {"gardens", "events"}


def test_each_language_gets_its_own_page():
    event = EventFactory(title="植树日", title_en="Planting day")
    url = reverse("events:detail", args=[event.slug])
    chinese, chinese_html = page(visitor(), url, **{"Accept-Language": "zh-CN"})
    english, english_html = page(visitor(), url, **{"Accept-Language": "en"})
    assert english["X-Page-Cache"] == "miss"
    assert "Planting day" in english_html
    assert "植树日" in chinese_html
    again, again_html = page(visitor(), url, **{"Accept-Language": "en"})
    assert again["X-Page-Cache"] == "hit"
    assert "Planting day" in again_html
    varies = set(again["Vary"].replace(" ", "").split(","))
    assert {"Accept-Language", "Cookie"} <= varies


def test_a_kept_calendar_file_says_it_varies_by_language_and_cookie():
    event = EventFactory(title="植树日", title_en="Planting day")
    url = reverse("events:ics", args=[event.slug])
    page(visitor(), url)

    response, text = page(visitor(**{"Accept-Language": "zh-CN"}), url)

    assert response["X-Page-Cache"] == "hit"
    assert "SUMMARY:植树日" in text
    assert {"Accept-Language", "Cookie"} <= set(
        response["Vary"].replace(" ", "").split(",")
    )


def test_staff_and_visitors_with_a_session_bypass_the_cache():
    garden = GardenFactory()
    url = reverse("gardens:garden_detail", args=[garden.slug])
    page(visitor(), url)
    staff = Client()
    staff.force_login(User.objects.create_user("clerk", is_staff=True))
    assert page(staff, url)[0]["X-Page-Cache"] == "bypass"
    flashed = visitor()
    flashed.cookies["messages"] = "anything"
    assert page(flashed, url)[0]["X-Page-Cache"] == "bypass"


def test_a_missing_page_is_never_kept():
    missing = reverse("events:detail", args=["no-such-day"])
    refused = visitor().get(missing)
    # Created since, inside the test's transaction (which bumps nothing):
    # only a 404 that was never kept lets the new page show.
    EventFactory(slug="no-such-day", title="补种月季")
    found, html = page(visitor(), missing)

    assert refused.status_code == 404
    assert "X-Page-Cache" not in refused  # raised past the cache, never kept
    assert found["X-Page-Cache"] == "miss"
    assert "补种月季" in html


@committing
def test_a_conditional_get_gets_a_304_until_the_page_changes():
    event = EventFactory(capacity=4)
    url = reverse("events:detail", args=[event.slug])
    resident = visitor()
    first = resident.get(url)
    assert "no-cache" in first["Cache-Control"]
    assert "private" in first["Cache-Control"]
    etag = first["ETag"]

    again = resident.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    since = resident.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304

    event.capacity = 10
    event.save()

    changed = resident.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    # Another browser's token secret is another ETag: its copy's token differs.
    assert visitor().get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_page_is_compressed_for_browsers_that_take_gzip():
    event = EventFactory()
    url = reverse("events:detail", args=[event.slug])
    for _ in range(2):  # rendered, then kept
        response = visitor().get(url, headers={"Accept-Encoding": "gzip"})
        assert response["Content-Encoding"] == "gzip"
        html = gzip.decompress(response.content).decode()
        assert event.title in html
        assert len(response.content) < len(html.encode()) / 2


def test_the_cache_out_of_reach_still_renders_the_page(settings):
    settings.CACHES = {
        **settings.CACHES,
        # A port nothing listens on: every call fails at once.
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        },
    }
    event = EventFactory(title="断网也能看")
    url = reverse("events:detail", args=[event.slug])
    response, html = page(visitor(), url)
    assert response.status_code == 200
    assert "断网也能看" in html
    assert "X-Page-Cache" not in response


def test_off_when_page_cache_seconds_is_zero(settings):
    settings.PAGE_CACHE_SECONDS = 0
    event = EventFactory()
    url = reverse("events:detail", args=[event.slug])
    page(visitor(), url)
    response = visitor().get(url)
    assert "X-Page-Cache" not in response
    assert "ETag" not in response


def test_a_kept_page_compressed_in_pieces_is_one_valid_gzip_with_the_token():
    event = EventFactory(title="牡丹节")
    url = reverse("events:detail", args=[event.slug])
    page(visitor(), url)  # kept
    resident = visitor(**{"Accept-Encoding": "gzip, deflate, br"})
    response = resident.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    # Python's gzip checks the CRC and the length as browsers do.
    html = gzip.decompress(response.content).decode()
    assert "牡丹节" in html
    token = TOKEN.search(html)[1]
    assert response.cookies["csrftoken"].value  # the token's cookie came too
    plain = visitor().get(url).content.decode()
    assert TOKEN.sub("", plain) == TOKEN.sub("", html)
    assert len(token) == 64


def test_a_page_may_only_follow_apps_whose_writes_bump():
    with pytest.raises(ImproperlyConfigured, match="PAGE_CACHE_APPS"):
        pagecache.cached_page("sessions")


@committing
def test_a_write_outside_any_page_bumps_its_apps(monkeypatch):
    # As the task worker or a scheduled command writes: no request, no view.
    bumped = []
    monkeypatch.setattr(pagecache, "bump", lambda *topics: bumped.append(topics))
    SuggestionFactory()
    assert {topic for topics in bumped for topic in topics} >= {"feedback", "gardens"}


def test_deploy_check_warns_of_pages_kept_in_one_process_alone(settings):
    settings.CACHES = {
        "default": {"BACKEND": "tongyun.lib.cache.DatabaseCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    alone = pagecache.check_page_cache(None)
    settings.PAGE_CACHE_SECONDS = 0
    off = pagecache.check_page_cache(None)
    settings.PAGE_CACHE_SECONDS = 60
    settings.CACHES["pages"] = {"BACKEND": "tongyun.lib.cache.DatabaseCache"}
    shared = pagecache.check_page_cache(None)

    assert [warning.id for warning in alone] == ["tongyun.W002"]
    assert off == shared == []


def test_a_blank_form_is_kept_but_never_what_a_visitor_typed():
    garden = GardenFactory(name="牡丹园")
    url = reverse("feedback:new") + f"?garden={garden.slug}"
    page(visitor(), url)
    blank, blank_html = page(visitor(), url)
    refused = Client().post(
        reverse("feedback:new"),
        {"category": "care", "garden": str(garden.pk), "text": "西门口的月季缺水"},
    )
    after, after_html = page(visitor(), url)

    assert blank["X-Page-Cache"] == "hit"
    assert "private" in blank["Cache-Control"]
    assert refused.status_code == 422
    assert refused["X-Page-Cache"] == "bypass"
    assert "no-store" in refused["Cache-Control"]
    assert "西门口的月季缺水" in refused.content.decode()
    assert after["X-Page-Cache"] == "hit"
    assert "西门口的月季缺水" not in after_html
    assert TOKEN.sub("", after_html) == TOKEN.sub("", blank_html)


def test_the_art_calls_form_is_kept_and_its_refusals_are_not():
    from tests.factories import CallFactory

    CallFactory(title="牡丹元素书画征集")
    url = reverse("artworks:submit")
    page(visitor(), url)
    blank, html = page(visitor(), url)
    refused = Client().post(url, {"title": "雨后牡丹"})

    assert blank["X-Page-Cache"] == "hit"
    assert "牡丹元素书画征集" in html
    assert refused.status_code == 422
    assert "no-store" in refused["Cache-Control"]
    assert "雨后牡丹" in refused.content.decode()


def test_pictures_are_not_compressed_again(client):
    work = ArtworkFactory()
    response = client.get(
        reverse("artworks:image", args=[work.pk, "display"]),
        headers={"Accept-Encoding": "gzip"},
    )
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert response["Content-Type"] == "image/jpeg"
    assert "Content-Encoding" not in response
    assert body.startswith(b"\xff\xd8")  # a JPEG as stored
