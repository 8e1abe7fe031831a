"""
The page cache in a real browser: a kept page, sent compressed in pieces
with the visitor's own CSRF token, takes a sign-up; the seat it took shows
at once to someone else looking at the same page.
"""

import pytest
from django.core.cache import caches

from events.models import Signup
from tests.browser.chromium import PHONE
from tests.browser.test_events import fill_signup_form
from tests.factories import EventFactory, GardenFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_kept_page_takes_a_sign_up_and_the_seat_shows_as_taken(
    visitor, live_server, settings, browser
):
    settings.PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    event = EventFactory(
        title="乡土植物进社区", capacity=20, gardens=[GardenFactory(name="牡丹园")]
    )
    url = live_server.url + event.get_absolute_url()
    neighbour = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()

    first = neighbour.goto(url)
    kept = visitor.page.goto(url)
    visitor.check()
    fill_signup_form(
        visitor.page, name="李华", phone="138 0013 8000", headcount=2
    ).locator('button[type="submit"]').click()
    visitor.check()
    again = neighbour.reload()

    assert first.headers["x-page-cache"] == "miss"
    assert kept.headers["x-page-cache"] == "hit"
    assert kept.headers["content-encoding"] == "gzip"
    signup = Signup.objects.get()
    assert (signup.name, signup.headcount, signup.status) == ("李华", 2, "confirmed")
    assert visitor.page.url.split("#")[0] == live_server.url + signup.get_absolute_url()
    assert again.headers["x-page-cache"] == "miss"
    assert (
        "还剩 18 个名额（共 20 个）"
        in neighbour.locator(".seats-left").first.inner_text()
    )
    neighbour.context.close()
