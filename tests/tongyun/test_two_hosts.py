"""
Two app hosts on one PostgreSQL database, one Redis and S3 (deploy/two-
hosts.sh, started by tests/hosts.py), with real HTTP and real threads: what
one host does, the other knows, and together they keep the rules that one
host keeps alone.
"""

import io
import re
import urllib.parse

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db.models import Sum
from PIL import Image

from artworks.models import Artwork
from events.models import Signup
from feedback.models import Suggestion
from tests.artworks.test_forms import FILLED_IN
from tests.factories import CallFactory, EventFactory, GardenFactory
from tests.hosts import Browser
from tests.threads import run_together, wait_until

PASSWORD = "plum-blossom-kite-41"
SEATS = 5


def jpeg_bytes(size=(1200, 900)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def sign_up(host, event, n):
    """A new person signs up for event through host: the answer's status."""
    page = f"{host}/events/{event.slug}/"
    data = {"name": "王秀英", "phone": f"1390013{n:04d}", "headcount": "1"}
    data |= {"consent": "on", "website": ""}
    return Browser().post_form(page, f"{page}signup/", data).status


def test_simultaneous_sign_ups_on_both_hosts_fill_the_event_exactly(two_hosts):
    event = EventFactory(capacity=SEATS)
    hosts = two_hosts.urls
    people = SEATS * 2 + 2

    statuses = run_together(
        [lambda n=n: sign_up(hosts[n % 2], event, n) for n in range(people)],
        timeout=120,
    )

    assert statuses == [303] * people, statuses
    signups = Signup.objects.filter(event=event)
    confirmed = signups.filter(status=Signup.Status.CONFIRMED)
    assert confirmed.aggregate(seats=Sum("headcount"))["seats"] == SEATS
    assert signups.filter(status=Signup.Status.WAITLISTED).count() == people - SEATS
    assert signups.count() == people


def test_rate_limit_counts_requests_to_both_hosts_together(two_hosts):
    """RATE_LIMIT_SUGGEST is 3 a day (tests.hosts.LIMITS): the fourth
    suggestion is refused though each host saw at most two."""
    garden = GardenFactory()
    browser = Browser()
    hosts = two_hosts.urls
    data = {
        "category": "care",
        "garden": str(garden.pk),
        "zone": "",
        "species": "",
        "text": "西门口的月季缺水，叶子都卷了",
        "phone": "",
        "consent": "on",
        "website": "",
    }

    statuses = [
        browser.post_form(
            f"{hosts[n % 2]}/suggestions/new/", f"{hosts[n % 2]}/suggestions/new/", data
        ).status
        for n in range(6)
    ]

    assert statuses == [303, 303, 303, 429, 429, 429]
    assert Suggestion.objects.count() == 3


def alice():
    """Staff whose password the hosts can check: they run the production
    settings, whose hashers leave out the tests' fast MD5 one."""
    password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    return User.objects.create(username="alice", password=password, is_staff=True)


def log_in(browser, host, username, password):
    """The admin login form on host, as a browser: (status, page)."""
    response = browser.post_form(
        f"{host}/admin/login/",
        f"{host}/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
    )
    return response.status, response.text


def test_login_failures_on_both_hosts_add_up_to_the_lock_out(two_hosts):
    """LOGIN_FAILURE_LIMIT is 5: failures sent in turn to the two hosts lock
    the account, though neither host saw five."""
    alice()
    hosts = two_hosts.urls
    browser = Browser()

    failures = [log_in(browser, hosts[n % 2], "alice", "wrong") for n in range(5)]
    right = [log_in(Browser(), host, "alice", PASSWORD) for host in hosts]

    assert [status for status, _ in failures] == [200, 200, 200, 200, 429]
    assert [status for status, _ in right] == [429, 429]
    assert all('class="locked-out"' in page for _, page in right)
    assert AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"] == 7


def test_a_session_made_on_one_host_is_valid_on_the_other(two_hosts):
    alice()
    first, second = two_hosts.urls
    browser = Browser()

    status, _ = log_in(browser, first, "alice", PASSWORD)
    admin = browser.get(f"{second}/admin/")
    stranger = Browser().get(f"{second}/admin/")

    assert status == 302
    assert admin.status == 200
    assert re.search(r'<form id="logout-form"', admin.text)
    assert "alice" in admin.text
    assert stranger.status == 302
    assert urllib.parse.urlsplit(stranger.headers["Location"]).path == "/admin/login/"


def test_a_work_uploaded_through_one_host_is_served_by_the_other_from_s3(
    two_hosts,
):
    call = CallFactory()
    first, second = two_hosts.urls
    picture = jpeg_bytes()

    sent = Browser().post_form(
        f"{first}/artworks/submit/",
        f"{first}/artworks/submit/",
        FILLED_IN,
        files={"image": ("peony.jpg", picture, "image/jpeg")},
    )
    # The hosts' worker draws the pictures from the original sent.
    wait_until(
        lambda: Artwork.objects.filter(call=call, picture_state="ready").exists(),
        timeout=60,
        what="the worker to draw the work's pictures",
    )
    artwork = Artwork.objects.get(call=call)
    before = Browser().get(f"{second}/artworks/{artwork.pk}/display.jpg")
    Artwork.objects.filter(pk=artwork.pk).update(status=Artwork.Status.APPROVED)
    served = Browser().get(f"{second}/artworks/{artwork.pk}/display.jpg")
    signed = Browser().get(served.headers["Location"])

    assert sent.status == 303
    assert before.status == 404
    assert "Location" not in before.headers
    listed = two_hosts.s3.list_objects_v2(Bucket="tongyun-private")
    stored = sorted(item["Key"] for item in listed["Contents"])
    assert stored == sorted([artwork.image.name, artwork.thumbnail.name])
    assert served.status == 302
    location = urllib.parse.urlsplit(served.headers["Location"])
    assert location.path == f"/tongyun-private/{artwork.image.name}"
    assert "X-Amz-Signature" in location.query
    assert signed.status == 200
    with Image.open(io.BytesIO(signed.body)) as shown:
        assert shown.format == "JPEG"
        assert shown.size == (artwork.image_width, artwork.image_height)


@pytest.mark.parametrize("index", [0, 1])
def test_both_hosts_answer_from_the_one_database(two_hosts, index):
    event = EventFactory(title="通运街道义务植树日")

    page = Browser().get(f"{two_hosts.urls[index]}/events/{event.slug}/")

    assert page.status == 200
    assert "通运街道义务植树日" in page.text


def test_a_page_kept_by_one_host_is_served_by_both_until_either_changes_it(
    two_hosts,
):
    event = EventFactory(capacity=SEATS)
    first, second = two_hosts.urls
    page = f"/events/{event.slug}/"
    english = {"Accept-Language": "en"}
    resident = Browser()

    kept = resident.get(first + page, headers=english)
    shared = resident.get(second + page, headers=english)
    unchanged = resident.get(
        second + page, headers=english | {"If-None-Match": kept.headers["ETag"]}
    )
    signed_up = sign_up(second, event, 1)  # its form from the kept page
    after = Browser().get(first + page, headers=english)
    listed = Browser().get(first + "/events/", headers=english)

    assert kept.headers["X-Page-Cache"] == "miss"
    assert shared.headers["X-Page-Cache"] == "hit"
    assert f"{SEATS} of {SEATS} seats left" in shared.text
    assert unchanged.status == 304
    assert signed_up == 303
    assert Signup.objects.get(event=event).status == Signup.Status.CONFIRMED
    assert after.headers["X-Page-Cache"] == "miss"
    assert f"{SEATS - 1} of {SEATS} seats left" in after.text
    assert f"{SEATS - 1} of {SEATS} seats left" in listed.text
