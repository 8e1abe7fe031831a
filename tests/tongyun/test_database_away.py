"""
PostgreSQL away (stopped, restarting): a real gunicorn on the test
database through a tests.faults.TcpProxy, its pages kept in Redis
(database 11), the proxy refusing connections and cutting the open ones as
a stopped server does. Anonymous pages kept before stay served; everything
else answers 503 with Retry-After and the kind page, never 500; nothing is
half-written; once PostgreSQL is back, the same processes answer again.
"""

import contextlib
import dataclasses
import re
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import (
    DatabaseError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import Sum

from events.models import Signup
from tests.factories import EventFactory, GardenFactory, SignupFactory
from tests.faults import TcpProxy
from tests.hosts import Browser, database_url, redis_or_skip
from tests.servers import gunicorn, site_env
from tests.threads import run_together, wait_until
from tongyun.lib import db

REDIS_URL = "redis://127.0.0.1:6379/11"
PASSWORD = "plum-blossom-kite-41"
# The kind page's link home, in Chinese: the 503 page is the site's own.
HOME_LINK = "返回首页"


@dataclasses.dataclass
class Site:
    url: str
    proxy: TcpProxy
    access: Path

    def answered_500(self):
        """Requests gunicorn answered 500, by its access log."""
        return re.findall(r'"[A-Z]+ [^"]*" 500 ', self.access.read_text())


def healthy(url):
    return Browser().get(url + "/healthz").status == 200


def end_sessions(django_db_blocker):
    """End the site's sessions that outlive it, so that the test database
    can be dropped at the end of the run."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="module")
def site_started(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn (two workers, persistent connections) whose PostgreSQL is
    behind a proxy, for the module."""
    if connection.vendor != "postgresql":
        pytest.skip("cuts PostgreSQL off; runs in CI's PostgreSQL pass")
    redis_or_skip(REDIS_URL).close()
    prepared_site = request.getfixturevalue("prepared_site")
    db = connection.settings_dict
    proxy = TcpProxy(int(db["PORT"] or 5432), target_host=db["HOST"] or "127.0.0.1")
    proxy.start()
    root = tmp_path_factory.mktemp("database-away")
    env = site_env(
        root / "unused.sqlite3",
        prepared_site / "static",
        DATABASE_URL=database_url(port=proxy.port),
        CACHE_URL=REDIS_URL,
        PAGE_CACHE_SECONDS="60",
        WEB_CONCURRENCY="2",
        MAIL_BACKEND="none",
    )
    try:
        with gunicorn(env, root) as (url, access, _errors):
            yield Site(url, proxy, access)
    finally:
        proxy.stop()
        end_sessions(django_db_blocker)


@pytest.fixture
def site(site_started, transactional_db):
    """The module's site with PostgreSQL reachable, its cache emptied, the
    test's rows committed; PostgreSQL given back after the test."""
    client = redis_or_skip(REDIS_URL)
    client.flushdb()
    yield site_started
    site_started.proxy.restore()
    assert not site_started.answered_500()
    wait_until(lambda: healthy(site_started.url), timeout=30, what="the site back")
    client.flushdb()
    client.close()


def planting_day(**fields):
    return EventFactory(gardens=[GardenFactory()], **fields)


def sign_up(url, event, n, browser=None):
    """A new person signs up for event: the answer's status."""
    page = f"{url}/events/{event.slug}/"
    data = {"name": "王秀英", "phone": f"1390013{n:04d}", "headcount": "1"}
    data |= {"consent": "on", "website": ""}
    return (browser or Browser()).post_form(page, f"{page}signup/", data).status


def assert_kind_503(response):
    assert response.status == 503, response.text[:500]
    assert response.headers["Retry-After"] == "30"
    assert HOME_LINK in response.text
    assert 'class="error-page"' in response.text


def test_a_kept_page_stays_served_while_the_database_is_away(site):
    event = planting_day(title="牡丹园春季植树日", capacity=5)
    page = f"{site.url}/events/{event.slug}/"
    assert Browser().get(page).headers["X-Page-Cache"] == "miss"
    # A sign-up moves the events' version: the kept copy is no longer current.
    assert sign_up(site.url, event, 1) == 303

    site.proxy.refuse()
    answer = Browser().get(page)

    assert answer.status == 200, answer.text[:500]
    assert "牡丹园春季植树日" in answer.text
    assert answer.headers["X-Page-Cache"] == "stale"
    # Its form still carries the visitor's own token.
    assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', answer.text)
    assert Browser().get(site.url + "/healthz").status == 503


def test_a_page_never_kept_answers_503_with_the_kind_page(site):
    planting_day()
    site.proxy.refuse()

    assert_kind_503(Browser().get(site.url + "/events/"))
    assert_kind_503(Browser().get(site.url + "/gardens/"))


def test_a_sign_up_sent_while_the_database_is_away_is_not_written(site):
    event = planting_day(capacity=5)
    Browser().get(f"{site.url}/events/{event.slug}/")  # kept for the form
    site.proxy.refuse()

    answer_status = sign_up(site.url, event, 2)

    assert answer_status == 503
    site.proxy.restore()
    wait_until(lambda: healthy(site.url), timeout=30, what="the site back")
    assert not Signup.objects.filter(event=event).exists()
    # And the same person's sign-up goes through once it is back.
    assert sign_up(site.url, event, 2) == 303
    assert Signup.objects.get(event=event).phone.endswith("13900130002")


def test_a_cancellation_sent_while_the_database_is_away_changes_nothing(site):
    event = planting_day(capacity=1)
    signup = SignupFactory(event=event)
    waiting = SignupFactory(event=event, status=Signup.Status.WAITLISTED)
    browser = Browser()
    ticket = site.url + signup.get_absolute_url()
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(ticket).text
    )[1]
    site.proxy.refuse()

    answer = browser.request(
        f"{ticket}cancel/",
        {"csrfmiddlewaretoken": token, "confirm": "yes"},
        headers={"Referer": ticket},
    )

    assert_kind_503(answer)
    site.proxy.restore()
    wait_until(lambda: healthy(site.url), timeout=30, what="the site back")
    signup.refresh_from_db()
    waiting.refresh_from_db()
    assert (signup.status, signup.cancelled_at) == (Signup.Status.CONFIRMED, None)
    assert waiting.status == Signup.Status.WAITLISTED


def test_staff_in_the_admin_get_503_while_the_database_is_away(site):
    password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    User.objects.create(
        username="alice", password=password, is_staff=True, is_superuser=True
    )
    staff = Browser()
    logged_in = staff.post_form(
        f"{site.url}/admin/login/",
        f"{site.url}/admin/login/",
        {"username": "alice", "password": PASSWORD, "next": "/admin/"},
    )
    assert logged_in.status == 302
    assert staff.get(f"{site.url}/admin/events/event/").status == 200
    stranger = Browser()
    login_page = stranger.get(f"{site.url}/admin/login/")
    site.proxy.refuse()

    # The session and the user are loaded by middlewares, before any view.
    assert_kind_503(staff.get(f"{site.url}/admin/events/event/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text)
    assert_kind_503(
        stranger.request(
            f"{site.url}/admin/login/",
            {"username": "alice", "password": PASSWORD}
            | {"csrfmiddlewaretoken": token[1]},
        )
    )


def test_a_sign_up_wave_cut_midway_fills_no_more_than_the_seats(site):
    seats, people = 5, 16
    event = planting_day(capacity=seats)
    Browser().get(f"{site.url}/events/{event.slug}/")  # kept for the forms
    answered = threading.Semaphore(0)

    def cut_and_restore():
        # Mid-way: once three have their answer, twelve or so still to come.
        for _ in range(3):
            answered.acquire(timeout=60)
        site.proxy.refuse()
        time.sleep(2)
        site.proxy.restore()

    cutter = threading.Thread(target=cut_and_restore)
    cutter.start()

    def person(n):
        status = sign_up(site.url, event, n)
        answered.release()
        return status

    statuses = run_together(
        [lambda n=n: person(n) for n in range(people)], threads=4, timeout=120
    )
    cutter.join(timeout=30)

    assert set(statuses) <= {303, 503}, statuses
    assert 503 in statuses, "the cut came after every sign-up"
    wait_until(lambda: healthy(site.url), timeout=30, what="the site back")
    signups = Signup.objects.filter(event=event)
    confirmed = signups.filter(status=Signup.Status.CONFIRMED)
    assert (confirmed.aggregate(seats=Sum("headcount"))["seats"] or 0) <= seats
    # Each answered 303 was written; each row is whole, with its history.
    assert signups.count() >= statuses.count(303)
    for signup in signups:
        assert signup.name == "王秀英"
        assert signup.history.filter(history_type="+").exists()


def test_the_site_recovers_once_the_database_is_back_without_a_restart(site):
    planting_day()
    for _ in range(4):  # both workers' persistent connections open
        assert healthy(site.url)
    site.proxy.refuse()
    assert_kind_503(Browser().get(site.url + "/gardens/"))

    site.proxy.restore()
    back = time.monotonic()
    # The cut connections are replaced: every request reaches PostgreSQL
    # again (/healthz queries it each time; the page was never kept).
    wait_until(
        lambda: all(healthy(site.url) for _ in range(6)),
        timeout=5,
        what="every worker answering again",
    )
    page = Browser().get(site.url + "/gardens/")
    assert time.monotonic() - back < 5
    assert (page.status, page.headers["X-Page-Cache"]) == (200, "miss")


# --- What counts as away ------------------------------------------------


def failure(sql):
    """The error of sql run on the test database (in a savepoint)."""
    with (
        pytest.raises(DatabaseError) as raised,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    return raised.value


@pytest.mark.django_db
def test_a_working_servers_refusal_is_no_outage():
    """A programming error fails every time: never a passing 503."""
    assert not db.is_unavailable(failure("SELECT * FROM no_such_table"))
    assert not db.is_unavailable(failure("SELEC 1"))


@pytest.mark.django_db
def test_a_query_cancelled_by_its_time_limit_is_no_outage():
    if connection.vendor != "postgresql":
        pytest.skip("a statement timeout is PostgreSQL's")
    error = failure("SET LOCAL statement_timeout = '10ms'; SELECT pg_sleep(1)")
    assert isinstance(error, OperationalError)
    assert not db.is_unavailable(error)


@pytest.mark.django_db
def test_a_server_refusing_connections_is_an_outage():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server to lose")
    with TcpProxy(int(connection.settings_dict["PORT"] or 5432)) as proxy:
        proxy.refuse()
        wrapper = type(connections["default"])(
            {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": proxy.port},
            alias="away",
        )
        with pytest.raises(OperationalError) as refused:
            wrapper.ensure_connection()
    assert db.is_unavailable(refused.value)


@pytest.mark.django_db
def test_a_cut_ends_the_servers_session_and_its_locks():
    """As PostgreSQL going away does: a session cut mid-transaction must not
    linger on the server holding its row locks (tests.faults.TcpProxy)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server sessions")

    def session_open(pid):
        with connection.cursor() as cursor:
            # The test's transaction would see one snapshot of the activity.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            return cursor.fetchone() is not None

    with TcpProxy(int(connection.settings_dict["PORT"] or 5432)) as proxy:
        wrapper = type(connections["default"])(
            {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": proxy.port},
            alias="away",
        )
        wrapper.set_autocommit(False)
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        assert session_open(pid)
        proxy.refuse()
        wait_until(lambda: not session_open(pid), timeout=5, what="the session ended")
        with contextlib.suppress(DatabaseError):
            wrapper.close()
