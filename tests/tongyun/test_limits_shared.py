"""
Rate limits hold across app processes: two real gunicorn processes, one
database, one cache, requests sent to each in turn.

Seen before: counts in each worker's own memory let about twice the limit
through with two workers.
"""

import http.cookiejar
import os
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection

from events.models import Signup
from tests.factories import EventFactory
from tests.hosts import redis_or_skip
from tests.threads import wait_until
from tests.tongyun.test_lockout import NoRedirects, answers, free_port

# Redis database numbers 11–13 are this suite's; 12 is these tests'.
REDIS_URL = "redis://127.0.0.1:6379/12"
CACHE_TABLE = "tongyun_cache"
SEATS = 4


class Browser:
    """One person's cookies, sent to whichever app server a request goes to
    (cookies name the host, not the port, as behind one load balancer)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirects,
        )

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_up(self, server, event, n):
        """The event page for its CSRF token, then the form, as a browser."""
        page_url = f"{server}/events/{event.slug}/"
        _, page = self.request(page_url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "name": "王秀英",
            "phone": f"1390013{n:04d}",
            "headcount": "1",
            "consent": "on",
            "website": "",
        }
        return self.request(f"{page_url}signup/", data)[0]


@pytest.fixture
def shared_database(tmp_path, settings):
    """
    A database that processes started by the test share with it: the test
    database itself on PostgreSQL; on SQLite, whose test database lives in
    this process's memory, a file copy of it made by copy(). With the
    database cache's table, empty.
    """
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "tongyun.lib.cache.DatabaseCache",
            "LOCATION": CACHE_TABLE,
        },
    }
    call_command("createcachetable", "--database", "default", verbosity=0)
    caches["shared"].clear()
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        url = "postgres://{}@{}:{}/{}".format(
            urllib.parse.quote(db["USER"] or "", safe=""),
            db["HOST"] or "127.0.0.1",
            db["PORT"] or 5432,
            db["NAME"],
        )
        yield url, lambda: None, Signup.objects.count
        caches["shared"].clear()
        return

    path = tmp_path / "shared.sqlite3"

    def copy():
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)

    def count():
        with sqlite3.connect(path) as db:
            return db.execute("SELECT COUNT(*) FROM events_signup").fetchone()[0]

    yield f"sqlite:///{path}", copy, count


@pytest.fixture
def redis_db():
    """This suite's Redis database 12, emptied before and after."""
    client = redis_or_skip(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def start_servers(tmp_path, settings, *, database_url, cache_url, count=2):
    """count gunicorn processes, one worker each, on one database and one
    cache, with a ceiling of SEATS seats per event and network."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        # No connection left open: the test database is flushed after the test.
        "CONN_MAX_AGE": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "RATELIMIT_ENABLE": "true",
        # A day's window: one ending during the test is all but impossible.
        "RATE_LIMIT_SIGNUP_SEATS": f"{SEATS}/d",
    }
    servers = []
    for _ in range(count):
        port = free_port()
        log = (tmp_path / f"gunicorn-{port}.log").open("w")
        command = [sys.executable, "-m", "gunicorn", "tongyun.wsgi", "--workers", "1"]
        command += ["--bind", f"127.0.0.1:{port}", "--no-control-socket"]
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log
        )
        servers.append((f"http://127.0.0.1:{port}", process, log))
    return servers


def stop_servers(servers):
    for _, process, _log in servers:
        process.terminate()
    for _, process, log in servers:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def sign_ups_in_turn(tmp_path, settings, shared_database, cache_url):
    """SEATS * 2 sign-ups from one address, sent to two servers in turn:
    the answers, and the sign-ups saved."""
    database_url, copy, count = shared_database
    event = EventFactory(capacity=100)
    copy()
    servers = start_servers(
        tmp_path, settings, database_url=database_url, cache_url=cache_url
    )
    try:
        for url, process, log in servers:
            wait_until(
                lambda url=url, process=process: answers(url, process),
                timeout=30,
                what=f"gunicorn at {url} (log: {log.name})",
            )
        browser = Browser()
        urls = [url for url, _, _ in servers]
        statuses = [browser.sign_up(urls[n % 2], event, n) for n in range(SEATS * 2)]
    finally:
        stop_servers(servers)
    return statuses, count()


@pytest.mark.django_db(transaction=True)
def test_seat_ceiling_holds_across_two_processes_sharing_redis(
    tmp_path, settings, shared_database, redis_db
):
    statuses, saved = sign_ups_in_turn(tmp_path, settings, shared_database, redis_db)

    assert statuses == [303] * SEATS + [429] * SEATS
    assert saved == SEATS


@pytest.mark.django_db(transaction=True)
def test_seat_ceiling_holds_across_two_processes_sharing_the_database_cache(
    tmp_path, settings, shared_database
):
    statuses, saved = sign_ups_in_turn(
        tmp_path, settings, shared_database, f"dbcache://{CACHE_TABLE}"
    )

    assert statuses == [303] * SEATS + [429] * SEATS
    assert saved == SEATS
