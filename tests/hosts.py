"""
Two app hosts for tests, as deploy/two-hosts.sh runs them: two gunicorn
instances (two workers each) on the test run's PostgreSQL database, one
Redis (database 5), S3 in a moto server and one task worker, all started
by that script on the production settings in local mode.

Fixtures (tests/tongyun/conftest.py makes them available there; elsewhere,
import them into a conftest.py):

- `two_hosts`: what a test uses. The processes of its module (started once
  for the module, on first use), Redis emptied before the test, and the
  test's database committed (transactional_db) so that the hosts see what
  it writes; after it, once the worker has run every task due, the
  database is flushed. Yields a TwoHosts:
  `urls` (the two base URLs), `s3` (a boto3 client of the buckets),
  `settings` (the environment they run with) and `log` (their output).
- `two_hosts_started`: the same processes without the cleaning, module-
  scoped, for a fixture of another scope.

They skip on SQLite (no database two processes could share with the test)
and without Redis, unless CI is set. A test of a new shared thing (the page
cache, say) only needs `two_hosts` and a `Browser`:

    def test_thing_holds_across_hosts(two_hosts):
        browser = Browser()
        first = browser.get(two_hosts.urls[0] + "/")
        second = browser.get(two_hosts.urls[1] + "/")
"""

import contextlib
import dataclasses
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.servers import BASE_DIR, free_port, site_env
from tests.threads import wait_until

# Redis database numbers 5 and 6 are these tests'; 5 is the hosts' cache.
REDIS_URL = "redis://127.0.0.1:6379/5"
SCRIPT = BASE_DIR / "deploy/two-hosts.sh"
BIN = Path(sys.executable).parent
# What the tests of tests/tongyun/test_two_hosts.py count against: a limit
# low enough to reach in a few requests, the others out of the way.
LIMITS = {
    "RATELIMIT_ENABLE": "true",
    "RATE_LIMIT_SUGGEST": "3/d",
    "RATE_LIMIT_SIGNUP_SEATS": "1000/d",
    "RATE_LIMIT_REFUSED": "1000/d",
    "LOGIN_FAILURE_LIMIT": "5",
}


@dataclasses.dataclass
class TwoHosts:
    urls: list
    s3: object
    settings: dict
    log: Path


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 or 303 is the answer to look at


@dataclasses.dataclass
class Response:
    status: int
    headers: object
    body: bytes

    @property
    def text(self):
        return self.body.decode()


class Browser:
    """
    One person's cookies, sent to whichever host a request goes to: cookies
    name the host, not the port, as behind one load balancer. Redirects are
    returned, not followed.
    """

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirects,
        )

    def request(self, url, data=None, files=None, headers=None):
        """GET url, or POST data (a dict) with files ({name: (filename,
        bytes, content type)}) as a form would."""
        headers = dict(headers or {})
        body = None
        if files:
            body, headers["Content-Type"] = multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(url, body, headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read())

    get = request

    def post_form(self, page_url, action_url, data, files=None):
        """The page for its CSRF token, then the form posted to action_url."""
        page = self.get(page_url).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no CSRF token on {page_url}"
        data = {**data, "csrfmiddlewaretoken": token.group(1)}
        return self.request(action_url, data, files, {"Referer": page_url})


def multipart(fields, files):
    """A multipart/form-data body and its Content-Type."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
            f"\r\n\r\n{value}\r\n".encode()
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def redis_or_skip(url=REDIS_URL):
    """A client of the Redis database url; the test skips without Redis,
    unless CI is set."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


def database_url(*, port=None):
    """The test run's own PostgreSQL database, as a URL; through port on
    127.0.0.1 when given (a tests.faults.TcpProxy in front of it)."""
    db = connection.settings_dict
    return "postgres://{}:{}@{}:{}/{}".format(
        urllib.parse.quote(db["USER"] or "", safe=""),
        urllib.parse.quote(db["PASSWORD"] or "", safe=""),
        "127.0.0.1" if port else db["HOST"] or "127.0.0.1",
        port or db["PORT"] or 5432,
        db["NAME"],
    )


def host_answers(url, process, log):
    if process.poll() is not None:
        pytest.fail(
            f"deploy/two-hosts.sh exited with {process.returncode}:\n"
            + log.read_text()[-3000:]
        )
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def two_hosts_started(request, django_db_setup, tmp_path_factory):
    """deploy/two-hosts.sh on the test database, for the module (TwoHosts)."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "two hosts share one PostgreSQL database; runs in CI's PostgreSQL pass"
        )
    redis_or_skip().close()
    # Only now: a skip need not wait for the site's static files.
    prepared_site = request.getfixturevalue("prepared_site")
    import boto3

    root = tmp_path_factory.mktemp("two-hosts")
    ports = [free_port(), free_port()]
    s3_port = free_port()
    env = site_env(
        root / "unused.sqlite3",
        prepared_site / "static",
        **LIMITS,
        DATABASE_URL=database_url(),
        CACHE_URL=REDIS_URL,
        # No connection left open: the test database is flushed after each
        # test and dropped at the end of the run.
        CONN_MAX_AGE="0",
        TWO_HOSTS_PORTS=" ".join(map(str, ports)),
        TWO_HOSTS_S3_PORT=str(s3_port),
        # The test database is migrated, the static files collected.
        TWO_HOSTS_SETUP="false",
        MAIL_BACKEND="none",
    )
    log = root / "two-hosts.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(SCRIPT), str(BIN)],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            wait_until(
                lambda url=url: host_answers(url, process, log),
                timeout=60,
                what=f"the host at {url} ({log})",
            )
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{s3_port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        yield TwoHosts(urls=urls, s3=s3, settings=env, log=log)
    finally:
        stop(process)


def stop(process):
    """Stop the script as Ctrl-C would; it stops what it started. Whatever
    is left of its session after that is killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def tasks_done():
    from django_tasks_db.models import DBTaskResult

    return not (DBTaskResult.objects.ready() | DBTaskResult.objects.running()).exists()


@pytest.fixture
def two_hosts(two_hosts_started, transactional_db):
    """The module's two hosts, Redis emptied, the database committed; after
    the test, the worker's queue run empty before the database is flushed."""
    client = redis_or_skip()
    client.flushdb()
    yield two_hosts_started
    # The worker dies when the flush deletes the task it is running
    # (django_tasks_db's set_failed() finds no row), and the script then
    # stops both hosts.
    wait_until(tasks_done, timeout=60, what="the task worker's queue to empty")
    client.flushdb()
    client.close()
