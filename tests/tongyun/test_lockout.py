"""The admin login's lock-out (tongyun.lockout, django-axes) and unlock_staff."""

import datetime as dt
import http.cookiejar
import io
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from tests.test_project import clean_env, run_django
from tests.threads import postgres_only, wait_until

pytestmark = pytest.mark.django_db

PASSWORD = "plum-blossom-kite-41"
HOME = "192.0.2.10"
ELSEWHERE = "198.51.100.7"


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(
        "alice", password=PASSWORD, is_staff=True
    )


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user(
        "bob", password=PASSWORD, is_staff=True
    )


def log_in(client, username, password, address=HOME, **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def is_locked_out_page(response):
    return "admin/locked_out.html" in [t.name for t in response.templates]


def logged_in(client):
    return SESSION_KEY in client.session


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    client, alice
):
    first_four = [log_in(client, "alice", "wrong") for _ in range(4)]
    fifth = log_in(client, "alice", "wrong")
    right = log_in(client, "alice", PASSWORD)

    assert [is_locked_out_page(r) for r in first_four] == [False] * 4
    assert is_locked_out_page(fifth)
    assert is_locked_out_page(right)
    assert right.status_code == 429
    assert not logged_in(client)


def test_a_locked_account_stays_locked_from_another_address(client, alice):
    for _ in range(5):
        log_in(client, "alice", "wrong", address=HOME)

    response = log_in(client, "alice", PASSWORD, address=ELSEWHERE)

    assert is_locked_out_page(response)
    assert not logged_in(client)


def test_an_address_that_guessed_at_many_accounts_is_locked_for_all(client, bob):
    for name in ["admin", "root", "alice", "staff", "test"]:
        log_in(client, name, "wrong", address=HOME)

    from_home = log_in(client, "bob", PASSWORD, address=HOME)
    logged_in_from_home = logged_in(client)
    from_elsewhere = log_in(client, "bob", PASSWORD, address=ELSEWHERE)

    assert is_locked_out_page(from_home)
    assert not logged_in_from_home
    assert from_elsewhere["Location"] == "/admin/"
    assert logged_in(client)


def test_a_forwarded_for_header_cannot_dodge_the_address_lock(client, bob):
    """Without a trusted proxy the client's own X-Forwarded-For is ignored:
    each guess names another 'address', yet all count against the real one."""
    for n, name in enumerate(["admin", "root", "alice", "staff", "test"]):
        log_in(client, name, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = log_in(client, "bob", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert is_locked_out_page(response)
    assert not logged_in(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}


def test_behind_a_proxy_the_address_lock_counts_the_client_it_saw(
    client, bob, settings
):
    """With one nginx in front, its entry in X-Forwarded-For is the address
    (tongyun.lib.clients), whatever the client wrote before it; the proxy's
    own address locks no one else out."""
    settings.TRUSTED_PROXY_COUNT = 1
    nginx = "10.0.0.5"
    for n, name in enumerate(["admin", "root", "alice", "staff", "test"]):
        forwarded = f"203.0.113.{n}, {HOME}"
        log_in(client, name, "wrong", nginx, HTTP_X_FORWARDED_FOR=forwarded)

    locked = log_in(client, "bob", PASSWORD, nginx, HTTP_X_FORWARDED_FOR=HOME)
    other = Client()
    log_in(other, "bob", PASSWORD, nginx, HTTP_X_FORWARDED_FOR=ELSEWHERE)

    assert is_locked_out_page(locked)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}
    assert logged_in(other)


def test_the_lock_ends_after_the_cool_off_time(client, alice, settings):
    for _ in range(5):
        log_in(client, "alice", "wrong")
    past = settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1)
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= past
        attempt.save(update_fields=["attempt_time"])

    response = log_in(client, "alice", PASSWORD)

    assert response["Location"] == "/admin/"
    assert logged_in(client)


def test_a_successful_login_resets_the_accounts_count(client, alice):
    for _ in range(4):
        log_in(client, "alice", "wrong")
    log_in(client, "alice", PASSWORD)
    client.logout()

    again = [log_in(client, "alice", "wrong") for _ in range(4)]

    assert not any(is_locked_out_page(r) for r in again)
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 4


def test_a_successful_login_leaves_other_accounts_counts(client, alice, bob):
    """One valid account must not buy more guesses at another from the same
    address: alice's success resets alice's count only."""
    for _ in range(4):
        log_in(client, "bob", "wrong")
    log_in(client, "alice", PASSWORD)
    client.logout()

    fifth = log_in(client, "bob", "wrong")
    right = log_in(client, "bob", PASSWORD, address=ELSEWHERE)

    assert is_locked_out_page(fifth)
    assert is_locked_out_page(right)
    assert not logged_in(client)


def test_a_login_leaves_no_record_of_the_address(client, alice):
    log_in(client, "alice", PASSWORD)
    client.logout()

    assert AccessLog.objects.count() == 0
    assert AccessAttempt.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "html_lang"), [("zh-hans", "zh-hans"), ("en", "en")]
)
def test_locked_out_page_is_in_the_persons_language(client, alice, language, html_lang):
    for _ in range(5):
        response = log_in(client, "alice", "wrong", HTTP_ACCEPT_LANGUAGE=language)

    page = response.content.decode()
    assert response.status_code == 429
    assert f'<html lang="{html_lang}"' in page
    assert response.context["minutes"] == 30
    # What the administrator needs to unlock, as the page shows it.
    assert "<dd>alice</dd>" in page
    assert f"<dd><code>{HOME}</code></dd>" in page
    assert 'id="login-form"' not in page
    assert reverse("admin:login") in page  # the way back


def test_unlock_staff_lets_the_right_password_in_again(client, alice):
    for _ in range(5):
        log_in(client, "alice", "wrong")
    out = io.StringIO()

    call_command("unlock_staff", "alice", stdout=out)
    response = log_in(client, "alice", PASSWORD)

    assert response["Location"] == "/admin/"
    assert logged_in(client)
    assert "alice: 5 failed logins counted." in out.getvalue()
    assert "removed 1 failure record(s)" in out.getvalue()


def test_unlock_staff_unlocks_an_address(client, bob):
    for name in ["admin", "root", "alice", "staff", "test"]:
        log_in(client, name, "wrong")
    out = io.StringIO()

    call_command("unlock_staff", "--address", HOME, stdout=out)
    response = log_in(client, "bob", PASSWORD)

    assert response["Location"] == "/admin/"
    assert f"{HOME}: 5 failed logins counted." in out.getvalue()
    assert "removed 5 failure record(s)" in out.getvalue()
    assert AccessAttempt.objects.count() == 0


def test_unlock_staff_leaves_other_accounts_locked(client, alice, bob):
    for _ in range(5):
        log_in(client, "bob", "wrong", address=ELSEWHERE)
    for _ in range(5):
        log_in(client, "alice", "wrong")

    call_command("unlock_staff", "alice", stdout=io.StringIO())

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bob"]


def test_unlock_staff_refuses_an_unknown_username(alice):
    with pytest.raises(CommandError, match="No account is named 'alcie'"):
        call_command("unlock_staff", "alcie", stdout=io.StringIO())


def test_unlock_staff_needs_a_username_or_an_address():
    AccessAttempt.objects.create(
        username="alice",
        ip_address=HOME,
        user_agent="",
        http_accept="",
        path_info="/admin/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )

    with pytest.raises(CommandError):
        call_command("unlock_staff", stdout=io.StringIO())

    assert AccessAttempt.objects.count() == 1


@pytest.mark.parametrize(
    ("minutes", "shown"), [("45", "0:45:00 5"), ("0", "ImproperlyConfigured")]
)
def test_lock_out_time_comes_from_the_environment(minutes, shown):
    # Without the developer's .env, whose values would fill in the defaults.
    code = "import environ; environ.Env.read_env = lambda *args, **kwargs: None;"
    code += "import django; django.setup(); from django.conf import settings as s;"
    code += "print(s.AXES_COOLOFF_TIME, s.AXES_FAILURE_LIMIT)"

    result = run_django(
        clean_env(SECRET_KEY="x" * 50, LOGIN_LOCKOUT_MINUTES=minutes), code
    )

    assert shown in result.stdout + result.stderr


def test_client_login_works_when_given_a_request(client, alice):
    """Axes checks every authentication against its request: tests that log
    in by password pass one (most log in with force_login instead)."""
    assert client.login(request=HttpRequest(), username="alice", password=PASSWORD)


# --- Several app servers ------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 after the login is the answer to look at


class Visitor:
    """One person's cookies, talking HTTP to one app server."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirects,
        )

    def request(self, path, data=None):
        """(status, page) of a GET, or of a POST of data."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, body, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def log_in(self, username, password):
        """Log in as a browser would: the form first, for its CSRF token."""
        _, form = self.request("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        data = {"username": username, "password": password, "next": "/admin/"}
        return self.request(
            "/admin/login/", {**data, "csrfmiddlewaretoken": token.group(1)}
        )


@pytest.fixture
def two_app_servers(tmp_path, settings):
    """Two gunicorn processes on the test database, as two app hosts behind a
    load balancer would be; each counts nothing in its own memory that the
    other would need."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongyun.settings_test",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": "postgres://{}:{}@{}:{}/{}".format(
            urllib.parse.quote(db["USER"] or "", safe=""),
            urllib.parse.quote(db["PASSWORD"] or "", safe=""),
            db["HOST"] or "127.0.0.1",
            db["PORT"] or 5432,
            db["NAME"],
        ),
        # No connection left open: the test database is flushed after the test.
        "CONN_MAX_AGE": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    servers = []
    for _ in range(2):
        port = free_port()
        log = (tmp_path / f"gunicorn-{port}.log").open("w")
        command = [sys.executable, "-m", "gunicorn", "tongyun.wsgi", "--workers", "1"]
        command += ["--bind", f"127.0.0.1:{port}", "--no-control-socket"]
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log
        )
        servers.append((f"http://127.0.0.1:{port}", process, log))
    try:
        for url, process, log in servers:
            wait_until(
                lambda url=url, process=process: answers(url, process),
                timeout=30,
                what=f"gunicorn at {url} (log: {log.name})",
            )
        yield [url for url, _, _ in servers]
    finally:
        for _, process, _log in servers:
            process.terminate()
        for _, process, log in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()


def answers(url, process):
    if process.poll() is not None:
        pytest.fail(f"gunicorn for {url} exited with {process.returncode}")
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_lock_out_holds_across_app_servers(two_app_servers, django_user_model):
    """Failures sent in turn to two servers add up: neither server alone sees
    five, yet both refuse the right password once there were five."""
    django_user_model.objects.create_user("alice", password=PASSWORD, is_staff=True)
    visitors = [Visitor(url) for url in two_app_servers]

    failures = [visitors[n % 2].log_in("alice", "wrong") for n in range(5)]
    right = [visitor.log_in("alice", PASSWORD) for visitor in visitors]

    assert [status for status, _ in failures] == [200, 200, 200, 200, 429]
    assert [status for status, _ in right] == [429, 429]
    assert all('class="locked-out"' in page for _, page in right)
    failures_counted = AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))
    assert failures_counted["n"] == 7  # the refused right passwords count too
