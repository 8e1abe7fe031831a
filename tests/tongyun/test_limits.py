"""
The rate limits' mechanism (tongyun.lib.limits), the one-machine cache that
shares their counts (tongyun.lib.cache) and their settings.
"""

import datetime as dt
import logging

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from tests.test_project import clean_env, run_django
from tests.threads import postgres_only, run_together
from tongyun.lib import limits
from tongyun.lib.limits import Limit, check_shared_cache

SETTINGS_CODE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.RATE_LIMITS['signup_seats'], s.TRUSTED_PROXY_COUNT, "
    "s.CACHES['default']['BACKEND'], s.CACHES['default'].get('OPTIONS'))"
)


def request(address="192.0.2.10"):
    return RequestFactory().post("/", REMOTE_ADDR=address)


@pytest.fixture
def five_an_hour(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test": (5, 3600)}


def test_take_counts_up_to_the_limit_and_no_further(five_an_hour):
    limit = Limit("test", request(), "event", 1)

    taken = [limit.take(2), limit.take(2), limit.take(2), limit.take(1)]

    assert taken == [True, True, False, True]
    assert limit.used() == 5
    assert limit.reached()


def test_give_back_uncounts(five_an_hour):
    limit = Limit("test", request())
    limit.take(5)

    limit.give_back(2)

    assert limit.used() == 3
    assert limit.take(2)


def test_give_back_after_the_window_ended_changes_nothing(five_an_hour):
    limit = Limit("test", request())

    limit.give_back(1)

    assert limit.used() == 0


def test_counts_are_per_rule_network_and_key(five_an_hour, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "other": (5, 3600)}
    Limit("test", request(), "event", 1).take(5)

    assert not Limit("test", request(), "event", 2).reached()
    assert not Limit("test", request("192.0.2.11"), "event", 1).reached()
    assert not Limit("other", request(), "event", 1).reached()
    assert Limit("test", request(), "event", 1).reached()


def test_a_count_ends_with_its_window(five_an_hour, monkeypatch):
    limit = Limit("test", request())
    limit.take(5)
    minutes = limit.retry_minutes()
    then = limits.clock() + minutes * 60 + 1
    monkeypatch.setattr(limits, "clock", lambda: then)

    later = Limit("test", request())

    assert 1 <= minutes <= 60
    assert later.take(5)


def test_windows_of_different_keys_end_at_different_moments(five_an_hour):
    ends = {Limit("test", request(f"192.0.2.{n}")).ends_at for n in range(20)}

    assert len(ends) > 1


def test_a_failing_cache_lets_people_through_and_says_so(
    five_an_hour, monkeypatch, caplog
):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(limits.cache, "add", down)
    monkeypatch.setattr(limits.cache, "get", down)
    limit = Limit("test", request())

    with caplog.at_level(logging.WARNING, logger="tongyun.lib.limits"):
        taken = [limit.take(5) for _ in range(3)]

    assert taken == [True, True, True]
    assert not limit.reached()
    assert "not counted" in caplog.text


def test_limits_switched_off_count_nothing(five_an_hour, settings):
    settings.RATELIMIT_ENABLE = False
    limit = Limit("test", request())

    assert all(limit.take(5) for _ in range(3))
    assert not limit.reached()


def test_deploy_check_warns_of_a_cache_each_process_keeps_alone(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    alone = check_shared_cache(None)
    settings.CACHES = {"default": {"BACKEND": "tongyun.lib.cache.DatabaseCache"}}
    shared = check_shared_cache(None)

    assert [warning.id for warning in alone] == ["tongyun.W001"]
    assert shared == []


# --- The one-machine cache ------------------------------------------------


@pytest.fixture
def database_cache(settings):
    """The cache that CACHE_URL=dbcache://… gives, on the test database."""
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "tongyun.lib.cache.DatabaseCache",
            "LOCATION": "tongyun_test_cache",
        },
    }
    call_command("createcachetable", "--database", "default", verbosity=0)
    cache = caches["shared"]
    cache.clear()
    yield cache
    cache.clear()


@pytest.mark.django_db
def test_database_cache_incr_adds_and_keeps_the_expiry(database_cache, monkeypatch):
    database_cache.set("count", 1, timeout=60)

    database_cache.incr("count", 4)
    database_cache.decr("count", 2)

    assert database_cache.get("count") == 3
    then = timezone.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr("django.core.cache.backends.db.tz_now", lambda: then)
    assert database_cache.get("count") is None


@pytest.mark.django_db
def test_database_cache_incr_of_a_missing_key_fails(database_cache):
    with pytest.raises(ValueError, match="not found"):
        database_cache.incr("nothing")


@pytest.mark.django_db
def test_limits_count_in_the_database_cache(database_cache, five_an_hour, settings):
    settings.CACHES = {**settings.CACHES, "default": settings.CACHES["shared"]}
    limit = Limit("test", request())

    assert [limit.take(2) for _ in range(3)] == [True, True, False]
    assert caches["shared"].get(limit.key) == 4


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_database_cache_incr_loses_no_count_at_one_moment(database_cache):
    """Ten processes adding at once: Django's own incr() read-then-write
    would let some read the same count and write the same sum."""
    database_cache.set("count", 0, timeout=60)

    outcomes = run_together([lambda: caches["shared"].incr("count")] * 10)

    assert sorted(outcomes) == list(range(1, 11))
    assert database_cache.get("count") == 10


# --- Settings -------------------------------------------------------------


def test_rates_are_read_as_a_count_per_period():
    env = clean_env(
        SECRET_KEY="x" * 50,
        RATE_LIMIT_SIGNUP_SEATS="30/15m",
        TRUSTED_PROXY_COUNT="1",
        CACHE_URL="dbcache://tongyun_cache",
    )

    result = run_django(env, SETTINGS_CODE)

    assert result.stdout.split("\n")[0] == (
        "(30, 900) 1 tongyun.lib.cache.DatabaseCache {'MAX_ENTRIES': 100000}"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RATE_LIMIT_SIGNUP_SEATS", "ten an hour"),
        ("RATE_LIMIT_REFUSED", "0/h"),
        ("RATE_LIMIT_FIND", "5/0m"),
        ("RATE_LIMIT_WORKS", "5/w"),
        ("TRUSTED_PROXY_COUNT", "-1"),
    ],
)
def test_settings_refuse_a_malformed_limit(name, value):
    result = run_django(clean_env(SECRET_KEY="x" * 50, **{name: value}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr
