"""
The site as it runs for real, for tests that need real processes: a
migrated SQLite file, management commands, and gunicorn with the project's
gunicorn.conf.py, all on the production settings (tongyun.settings, no .env)
in local mode, each test with its own copy of the database.
"""

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.threads import wait_until

BASE_DIR = Path(settings.BASE_DIR)


def site_env(database, static_root, **extra):
    """
    The environment of a one-machine site on the SQLite file database, its
    uploads beside it, its static files collected in static_root: no .env,
    local mode (plain http), rate limits off unless extra turns them on.
    """
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "tongyun.settings",
        "ENV_FILE": "",
        "LOCAL_MODE": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(database.parent / "media"),
        "PRIVATE_MEDIA_ROOT": str(database.parent / "private-media"),
        "RATELIMIT_ENABLE": "false",
        "ADMIN_REQUIRE_2FA": "false",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def manage(env, *args, code=None, timeout=120):
    """Run manage.py args (or `shell -c code`) in env; its stdout. Fails the
    test, with the output, when the command fails."""
    command = [sys.executable, "manage.py", *args]
    if code is not None:
        command += ["shell", "-v0", "-c", code]
    result = subprocess.run(
        command,
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        pytest.fail(f"{' '.join(args) or 'shell'} failed:\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="session")
def prepared_site(tmp_path_factory):
    """A migrated SQLite file and the collected static files, made once per
    run; tests copy the database (site) and only read the static files."""
    root = tmp_path_factory.mktemp("site")
    env = site_env(root / "db.sqlite3", root / "static")
    manage(env, "migrate", "--no-input", "-v0", timeout=300)
    manage(env, "collectstatic", "--no-input", "-v0", timeout=300)
    return root


@pytest.fixture
def site(prepared_site, tmp_path):
    """The environment of this test's own site (site_env), on a copy of the
    migrated database."""
    database = tmp_path / "db.sqlite3"
    shutil.copy(prepared_site / "db.sqlite3", database)
    return site_env(database, prepared_site / "static")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url, process, log):
    if process.poll() is not None:
        pytest.fail(
            f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}"
        )
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def gunicorn(env, log_dir, *options):
    """
    gunicorn with gunicorn.conf.py (and options) on a free port of
    127.0.0.1, in env, until the block ends; yields (base URL, access log,
    error log), the logs being files of what it wrote to stdout and stderr.
    """
    port = free_port()
    access, errors = log_dir / f"access-{port}.log", log_dir / f"error-{port}.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", *options]
    with access.open("w") as out, errors.open("w") as err:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=err
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: answers(url, process, errors), timeout=30, what=f"gunicorn at {url}"
        )
        yield url, access, errors
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, data=None, *, headers=None, timeout=30):
    """(status, headers, body) of one request, redirects not followed and
    error statuses returned rather than raised."""
    opener = urllib.request.build_opener(NoRedirects)
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
