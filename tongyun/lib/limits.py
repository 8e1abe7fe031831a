"""
Rate limits of the public forms: how much one client may do in a period,
counted in the default cache, which every app process shares (the database
on one machine, Redis past it: see CACHE_URL).

A client is a network (tongyun.lib.clients.client_network): an IPv4
address, or an IPv6 /64. Rules are named in settings.RATE_LIMITS, each a
(count, seconds) pair read from the environment ("10/h"); the views build
the keys (which event, which call) and pick what to count: accepted
sign-ups by their seats, and refused forms apart from them, far more
generously, so that mistakes on a shared network lock nobody out.

Counts are kept per window of the rule's period. Each key's windows start
at their own offset, so that limits do not all end at one moment; a client
may reach the count once before the end of a window and once after it,
never more.

A cache that fails lets people through (and says so in the log, at most
every ten seconds per rule) rather than refusing everyone: a guard against
abuse must not take the forms down. Fail open rather than count in each
process's memory: a worker's own count would let through as many times the
limit as there are workers anyway, and Redis is rarely gone for long.
"""

import logging
import math
import time
import zlib

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.utils.translation import ngettext

from .cache import now_and_then
from .clients import client_network

logger = logging.getLogger(__name__)

# A count outlives its window by this many seconds: another host whose clock
# is a little behind still finds it.
CLOCK_SLACK = 60


def clock():
    """Seconds since the epoch, by which windows start and end (the tests
    hold it still, so that no window ends in the middle of one)."""
    return time.time()


class Limit:
    """
    One rule of settings.RATE_LIMITS applied to the client of request, about
    what the parts name (an event, a call): take(), give_back(), reached().
    Each method is a few cache operations (queries, with the database
    cache).
    """

    def __init__(self, rule, request, *parts):
        self.rule = rule
        self.count, self.period = settings.RATE_LIMITS[rule]
        self.network = client_network(request)
        base = ":".join(["limit", rule, self.network, *map(str, parts)])
        offset = zlib.crc32(base.encode()) % self.period
        window = int((clock() + offset) // self.period)
        self.ends_at = (window + 1) * self.period - offset
        self.key = f"{base}:{window}"

    def __repr__(self):
        return f"<Limit {self.key} {self.count}/{self.period}s>"

    def used(self):
        """How much was taken in this window."""
        if not settings.RATELIMIT_ENABLE:
            return 0
        try:
            return cache.get(self.key, 0)
        except Exception:  # Any cache failure lets people through.
            _warn("not read", self.rule)
            return 0

    def reached(self, amount=1):
        """Whether taking amount more would go past the count."""
        return self.used() + amount > self.count

    def take(self, amount=1):
        """
        Count amount against the limit unless that would go past it: True
        when counted, False (nothing counted) when refused.

        Atomic on every host: the amount is added first and taken back when
        the sum is too high, so two requests at one moment cannot both slip
        under the count.
        """
        if not settings.RATELIMIT_ENABLE:
            return True
        try:
            total = self._add(amount)
            if total > self.count:
                cache.decr(self.key, amount)
                return False
        except Exception:  # Any cache failure lets people through.
            _warn("not counted", self.rule)
        return True

    def give_back(self, amount=1):
        """Uncount what take() counted for something that then failed."""
        if not settings.RATELIMIT_ENABLE:
            return
        try:
            cache.decr(self.key, amount)
        except ValueError:
            pass  # The window ended meanwhile: nothing left to give back.
        except Exception:  # As in take().
            _warn("not given back", self.rule)

    def retry_minutes(self):
        """Whole minutes until the window ends and the count starts afresh."""
        seconds = self.ends_at - clock()
        return max(1, math.ceil(seconds / 60))

    def _add(self, amount):
        timeout = math.ceil(self.ends_at - clock()) + CLOCK_SLACK
        cache.add(self.key, 0, timeout)
        try:
            return cache.incr(self.key, amount)
        except ValueError:
            # Expired between add() and incr(): start the window's count anew.
            cache.add(self.key, 0, timeout)
            return cache.incr(self.key, amount)


def _warn(what, rule):
    """Log a count that failed, now and then: a cache gone for a minute
    would otherwise log every form sent meanwhile."""
    if now_and_then(f"limit {rule} {what}"):
        logger.warning("Rate limit %s %s", rule, what, exc_info=True)


def too_many_attempts(limit):
    """The refusal of a client past limit, saying when to try again."""
    minutes = limit.retry_minutes()
    return ngettext(
        "Too many attempts from this network. Please try again in {minutes} minute.",
        "Too many attempts from this network. Please try again in {minutes} minutes.",
        minutes,
    ).format(minutes=minutes)


# Caches whose counts one process keeps to itself, or that keep none.
UNSHARED_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def check_shared_cache(app_configs, **kwargs):
    """
    `check --deploy`: the rate limits need a cache that every app process
    shares; in one process's memory, each gunicorn worker would count on
    its own and let through as many times the limit as there are workers.
    """
    backend = settings.CACHES["default"]["BACKEND"]
    if not settings.RATELIMIT_ENABLE or backend not in UNSHARED_CACHES:
        return []
    return [
        checks.Warning(
            "The rate limits are counted in a cache that the app's processes "
            "do not share.",
            hint="Set CACHE_URL to dbcache://tongyun_cache on one machine "
            "(then run manage.py createcachetable), or to redis://… for "
            "several.",
            obj=backend,
            id="tongyun.W001",
        )
    ]
