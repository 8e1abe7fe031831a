import datetime as dt
import os
import time

import pytest
from django.core.cache import caches
from django.utils import translation

from tongyun.lib import cache as site_cache


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the site's default language, whatever ran before."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches, whatever ran before: the rate
    limits of the public forms count each address's posts in the cache."""
    for cache in caches.all():
        cache.clear()
    # And forgets the cache failures an earlier test logged or met.
    site_cache.reset_breakers()


@pytest.fixture(autouse=True)
def _rate_limit_windows_stand_still(monkeypatch):
    """The rate limits' windows (tongyun.lib.limits) do not move during a
    test: one ending between two of its requests would reset their counts.
    A test moves them by patching tongyun.lib.limits.clock itself."""
    now = time.time()
    monkeypatch.setattr("tongyun.lib.limits.clock", lambda: now)


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploads written by a test go to its own folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def english(client):
    """A client that asks for English pages, as a browser set to English would."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def queue(settings):
    """The dummy task backend: tasks are kept, not run (tests.tasks.run runs
    one as the worker would); its results, in order."""
    from django.tasks import default_task_backend

    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}
    }
    default_task_backend.clear()
    return default_task_backend.results


@pytest.fixture
def printed_site(settings):
    """The SITE_URL whose addresses the printed QR labels hold (tests.pdfs)."""
    from tests.pdfs import SITE

    settings.SITE_URL = SITE
    return SITE


@pytest.fixture
def april(monkeypatch):
    """Freeze the clock at noon on 15 April 2024 in Beijing (peony season)."""
    instant = dt.datetime(2024, 4, 15, 4, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: instant)
    return instant


@pytest.fixture(autouse=True, scope="session")
def _postgres_when_asked():
    """A run asked to use PostgreSQL must use it: its concurrency tests skip
    on anything else, and CI's PostgreSQL pass must not skip them quietly."""
    from django.db import connection

    wanted = os.environ.get("DATABASE_URL", "").startswith(("postgres", "psql"))
    if wanted and connection.vendor != "postgresql":
        pytest.fail(
            f"DATABASE_URL names PostgreSQL but tests run on {connection.vendor}"
        )
