"""
Production is safe by default: what a bare production environment gets,
what local mode relaxes, and what stops startup. Each runs the real settings
(tongyun.settings) in a subprocess, without the developer's .env.
"""

import json
import re
import secrets
import shlex
import subprocess
import sys

import pytest

from tests.servers import fetch, free_port, gunicorn, manage
from tests.test_project import BASE_DIR, clean_env, run_django
from tests.threads import wait_until

SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({n: getattr(s, n, None) for n in %r}))"
)


def production(**extra):
    """A bare production environment: what docs/DEPLOY.md says to set."""
    return clean_env(
        **{
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "garden.example.org",
            "DATABASE_URL": "postgres://tongyun@db.example.org:5432/tongyun",
            "SITE_URL": "https://garden.example.org",
            **extra,
        }
    )


def settings_in(env, *names):
    result = run_django(env, SHOW % (names,))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_with_a_bare_production_environment():
    result = check_deploy(production())

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_is_https_only_by_default():
    shown = settings_in(
        production(),
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_HOST",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "MAILERS",
    )

    assert shown == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        # Only behind a proxy that says so (TRUSTED_PROXY).
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_SSL_HOST": "garden.example.org",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "MAILERS": {
            "default": {"BACKEND": "tongyun.lib.mail.NoMailBackend", "OPTIONS": {}}
        },
    }


def test_a_trusted_proxy_says_which_requests_came_over_https():
    shown = settings_in(production(TRUSTED_PROXY="true"), "SECURE_PROXY_SSL_HEADER")

    assert shown == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]}


def test_hsts_preload_is_an_opt_in_that_passes_the_check_too():
    env = production(HSTS_PRELOAD="true")

    shown = settings_in(env, "SECURE_HSTS_PRELOAD", "SILENCED_SYSTEM_CHECKS")
    result = check_deploy(env)

    assert shown == {"SECURE_HSTS_PRELOAD": True, "SILENCED_SYSTEM_CHECKS": []}
    assert result.returncode == 0, result.stderr


def test_smtp_mail_takes_its_server_from_the_environment():
    env = production(MAIL_BACKEND="smtp", MAIL_HOST="smtp.example.org", MAIL_PORT="587")

    shown = settings_in(env, "MAILERS")
    result = check_deploy(env)

    mailer = shown["MAILERS"]["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (mailer["OPTIONS"]["host"], mailer["OPTIONS"]["port"]) == (
        "smtp.example.org",
        587,
    )
    assert result.returncode == 0, result.stderr


def test_local_mode_relaxes_the_https_only_settings_and_check_deploy_says_so():
    env = production(LOCAL_MODE="true", MAIL_BACKEND="")

    shown = settings_in(
        env,
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "MAILERS",
    )
    result = check_deploy(env)

    assert shown == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "MAILERS": {
            "default": {
                "BACKEND": "django.core.mail.backends.console.EmailBackend",
                "OPTIONS": {},
            }
        },
    }
    assert result.returncode != 0
    found = set(re.findall(r"\((\w+\.\w+)\)", result.stderr))
    assert found == {
        "security.W004",
        "security.W008",
        "security.W012",
        "security.W016",
        "mail.E001",
    }


def test_check_deploy_refuses_the_console_mail_backend_in_production():
    result = check_deploy(production(MAIL_BACKEND="console"))

    assert result.returncode != 0
    assert "mail.E001" in result.stderr


def test_check_deploy_refuses_a_site_url_without_https():
    result = check_deploy(production(SITE_URL="http://127.0.0.1:8000"))

    assert result.returncode != 0
    assert "tongyun.W001" in result.stderr


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"MAIL_BACKEND": ""}, "MAIL_BACKEND"),
        ({"MAIL_BACKEND": "smpt"}, "MAIL_BACKEND"),
        ({"LOCAL_MODE": "ture"}, "LOCAL_MODE"),
        ({"TRUSTED_PROXY": "nginx"}, "TRUSTED_PROXY"),
        ({"HSTS_PRELOAD": "true", "HSTS_SECONDS": "3600"}, "HSTS_SECONDS"),
        ({"HSTS_SECONDS": "-1"}, "HSTS_SECONDS"),
        ({"HSTS_SECONDS": "a year"}, "HSTS_SECONDS"),
        ({"ENV_FILE": "/nowhere/.env"}, "ENV_FILE"),
    ],
)
def test_missing_or_malformed_settings_stop_startup(variables, named):
    result = run_django(production(**variables))

    assert result.returncode != 0
    [refusal] = re.findall(r"ImproperlyConfigured: (.*)", result.stderr)
    assert named in refusal


def test_env_file_names_the_file_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / "tongyun.env"
    env_file.write_text("SITE_URL=https://from-the-file.example.org\nDEBUG=true\n")
    env = production(ENV_FILE=str(env_file))
    del env["DEBUG"]

    shown = settings_in(env, "SITE_URL", "DEBUG")

    assert shown == {"SITE_URL": "https://garden.example.org", "DEBUG": True}


def test_admin_login_works_over_plain_http_in_local_mode(site, tmp_path):
    """`make run`'s mode: gunicorn over http://127.0.0.1, the session cookie
    not Secure (a browser would drop a Secure one over http), and the login
    goes through to the admin."""
    code = (
        "from django.contrib.auth.models import User;"
        "User.objects.create_superuser('admin', password='a long local password')"
    )
    manage(site, code=code)

    with gunicorn(site, tmp_path) as (url, _, _):
        _, headers, form = fetch(url + "/admin/login/")
        csrf = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        data = "username=admin&password=a+long+local+password&next=/admin/"
        data += f"&csrfmiddlewaretoken={token.group(1)}"
        status, headers, _ = fetch(
            url + "/admin/login/",
            data.encode(),
            headers={"Cookie": f"csrftoken={csrf}", "Referer": url + "/admin/login/"},
        )
        session = [c for c in headers.get_all("Set-Cookie") if "sessionid=" in c]
        sid = re.search(r"sessionid=([^;]+)", session[0]).group(1)
        _, _, admin_page = fetch(
            url + "/admin/", headers={"Cookie": f"sessionid={sid}"}
        )

    assert (status, headers["Location"]) == (302, "/admin/")
    assert "secure" not in session[0].lower()
    assert "expires" not in session[0].lower()  # ends with the browser
    assert 'action="/admin/logout/"' in admin_page


def test_make_run_on_another_port_writes_that_address_into_calendar_files(site):
    """`make run PORT=…`: the server line make would run, run for real; the
    links in what the site hands out name the port it serves at."""
    port = free_port()
    dry_run = subprocess.run(
        ["make", "-n", "run", f"PORT={port}"],
        cwd=BASE_DIR,
        env={**site, "MAKEFLAGS": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    [serve] = [line for line in dry_run.stdout.splitlines() if "serve-local.sh" in line]
    code = (
        "from tests.factories import EventFactory;"
        "print(EventFactory(status='published').slug)"
    )
    slug = manage(site, code=code).strip().splitlines()[-1]
    url = f"http://127.0.0.1:{port}"

    # The line's leading VAR=value words go into the environment.
    words = shlex.split(serve)
    assigned = [w for w in words if re.fullmatch(r"[A-Z_]+=\S*", w)]
    command = words[len(assigned) :]
    assignments = dict(word.split("=", 1) for word in assigned)

    server = subprocess.Popen(command, cwd=BASE_DIR, env={**site, **assignments})
    try:
        wait_until(lambda: answers_at(url), timeout=30, what=f"the site at {url}")
        status, _, calendar = fetch(f"{url}/events/{slug}.ics")
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert status == 200
    assert f"URL:{url}/events/{slug}/" in calendar.replace("\r\n ", "")
    assert "127.0.0.1:8000" not in calendar


def answers_at(url):
    try:
        return fetch(url + "/healthz", timeout=2)[0] == 200
    except OSError:
        return False
