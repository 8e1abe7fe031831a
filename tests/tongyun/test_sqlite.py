"""
The embedded default, SQLite in a file, under simultaneous writes: writers
take turns, and one that cannot get the database in time is told "busy"
(503) with what it typed, never a server error.
"""

import json
import re
import sqlite3
import urllib.parse

import pytest

from tests.servers import fetch, gunicorn, manage
from tests.threads import run_together

SIGNUPS = 10
CAPACITY = 5

MAKE_EVENT = f"""
from tests.factories import EventFactory
print(EventFactory(capacity={CAPACITY}).slug)
"""

SHOW_SIGNUPS = """
import json
from events.models import Signup
print(json.dumps(sorted((s.status, s.headcount) for s in Signup.objects.all())))
"""


def signup_form(url, slug):
    """The event page's CSRF cookie and form token, as a browser gets them."""
    _, headers, page = fetch(f"{url}/events/{slug}/")
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return cookie, token


def post_signup(url, slug, form, n):
    cookie, token = form
    data = {
        "csrfmiddlewaretoken": token,
        "name": f"志愿者{n}",
        "phone": f"139{n:08d}",
        "headcount": "1",
        "consent": "on",
        "website": "",
    }
    return fetch(
        f"{url}/events/{slug}/signup/",
        urllib.parse.urlencode(data).encode(),
        headers={"Cookie": f"csrftoken={cookie}"},
    )


def test_simultaneous_signups_on_sqlite_never_answer_500(site, tmp_path):
    slug = manage(site, code=MAKE_EVENT).strip()

    with gunicorn(site, tmp_path, "--workers", "4", "--threads", "4") as (url, _, log):
        forms = [signup_form(url, slug) for _ in range(SIGNUPS)]
        jobs = [lambda n=n: post_signup(url, slug, forms[n], n) for n in range(SIGNUPS)]
        outcomes = run_together(jobs, timeout=60)

    statuses = [o[0] if isinstance(o, tuple) else o for o in outcomes]
    assert set(statuses) <= {303, 503}, log.read_text()[-3000:]
    rows = json.loads(manage(site, code=SHOW_SIGNUPS))
    assert len(rows) == statuses.count(303)
    assert sum(h for status, h in rows if status == "confirmed") <= CAPACITY
    if statuses.count(303) >= CAPACITY:
        assert [s for s, _ in rows].count("confirmed") == CAPACITY


def test_a_signup_that_cannot_get_the_database_gets_the_busy_page(site, tmp_path):
    """Another writer holds SQLite's write lock past the busy timeout: the
    page says "busy" (503) and keeps what was typed; nothing is written."""
    slug = manage(site, code=MAKE_EVENT).strip()
    database = site["DATABASE_URL"].removeprefix("sqlite:///")
    env = {**site, "SQLITE_TIMEOUT": "0.2"}

    with gunicorn(env, tmp_path) as (url, _, _):
        form = signup_form(url, slug)
        other_writer = sqlite3.connect(database, isolation_level=None)
        other_writer.execute("BEGIN IMMEDIATE")
        try:
            status, headers, page = post_signup(url, slug, form, 7)
        finally:
            other_writer.execute("ROLLBACK")
            other_writer.close()

    assert status == 503
    assert 'value="志愿者7"' in page  # the sign-up form, as typed
    assert 'class="form-errors"' in page
    assert json.loads(manage(site, code=SHOW_SIGNUPS)) == []


@pytest.mark.parametrize("path", ["/signups/find/", "/admin/login/"])
def test_any_other_write_that_cannot_get_the_database_is_told_busy(
    site, tmp_path, path
):
    """Writes outside the events' services (a one-time code, a login) get
    the site's busy page and Retry-After instead of a server error."""
    env = {**site, "SQLITE_TIMEOUT": "0.2", "ADMIN_REQUIRE_2FA": "false"}
    database = site["DATABASE_URL"].removeprefix("sqlite:///")

    with gunicorn(env, tmp_path) as (url, _, _):
        _, headers, page = fetch(url + path)
        cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "phone": "13800138000",
            "username": "someone",
            "password": "wrong",
        }
        other_writer = sqlite3.connect(database, isolation_level=None)
        other_writer.execute("BEGIN IMMEDIATE")
        try:
            status, headers, page = fetch(
                url + path,
                urllib.parse.urlencode(data).encode(),
                headers={"Cookie": f"csrftoken={cookie}"},
            )
        finally:
            other_writer.execute("ROLLBACK")
            other_writer.close()

    assert status == 503
    assert headers["Retry-After"] == "5"
    assert 'class="error-page"' in page
