"""
The site's caches, as settings.caches_from() puts them in place of Django's:

- DatabaseCache, on one machine (dbcache://table): Django's database cache,
  whose counts every gunicorn worker shares, with an incr() that two
  workers cannot interleave;
- RedisCache, past one machine (redis://…): Django's Redis cache, which a
  Redis refused or hung holds up for a second at most, then leaves alone
  for a few seconds.

And now_and_then(), by which the cache's users log its failures without
flooding the log while it is gone.
"""

import base64
import functools
import logging
import pickle
import threading
import time

import redis
from django.core.cache.backends import db
from django.core.cache.backends import redis as django_redis
from django.db import connections, router, transaction
from django.utils.functional import cached_property
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# After Redis failed, how long each process leaves it alone (seconds): the
# requests meanwhile do without the cache at once instead of each waiting
# out a timeout, and one request a pause tries Redis again.
PAUSE_SECONDS = 5
# How often one kind of cache failure is logged, at most, per process.
LOG_EVERY_SECONDS = 10

_logged_at = {}
_skip_until = {}
_lock = threading.Lock()


def now_and_then(what):
    """
    Whether to log the failure named what now: the first time, and then at
    most once every LOG_EVERY_SECONDS in this process, so that a cache gone
    for a minute logs a few lines, not one per request.
    """
    now = time.monotonic()
    with _lock:
        if now - _logged_at.get(what, -LOG_EVERY_SECONDS) < LOG_EVERY_SECONDS:
            return False
        _logged_at[what] = now
        return True


def reset_breakers():
    """Forget failures seen so far (for the tests)."""
    with _lock:
        _skip_until.clear()
        _logged_at.clear()


class DatabaseCache(db.DatabaseCache):
    """
    Django's database cache with an atomic incr(): Django's reads the value,
    then writes the sum, so two processes adding at one moment could both
    write the same sum and the rate limits (tongyun.lib.limits) would lose a
    count. Here the entry is written to first, which locks it (a row lock on
    PostgreSQL, the database's write lock on SQLite) until the sum is
    stored; the entry keeps its expiry.
    """

    def incr(self, key, delta=1, version=None):
        cache_key = self.make_and_validate_key(key, version=version)
        using = router.db_for_write(self.cache_model_class)
        connection = connections[using]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)
        key_column = quote_name("cache_key")
        with transaction.atomic(using=using), connection.cursor() as cursor:
            # A write that changes nothing, to take the lock before reading.
            cursor.execute(
                f"UPDATE {table} SET {key_column} = {key_column} "
                f"WHERE {key_column} = %s",
                [cache_key],
            )
            value = self.get(key, self._missing_key, version=version)
            if value is self._missing_key:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            pickled = pickle.dumps(value, self.pickle_protocol)
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s "
                f"WHERE {key_column} = %s",
                [base64.b64encode(pickled).decode("latin1"), cache_key],
            )
        return value


class Skipped(redis.ConnectionError):
    """Redis left alone for a few seconds after it failed."""


class RedisCache(django_redis.RedisCache):
    """
    Django's Redis cache, held up for a second at most by a Redis refused,
    hung or full:

    - every call gives up after its socket timeouts (settings: one second)
      and is not retried on a timeout, whatever redis-py's defaults of the
      day (its own client retries three times with backoff: a hung PING
      took ~14 s). A call is retried once, at once, only on a connection
      error (a connection Redis closed while idle, say);
    - after a connection error or a timeout, every call in this process
      raises Skipped at once for PAUSE_SECONDS, then one tries Redis again:
      a Redis that came back is used again without a restart.

    Calls raise rather than return a default, so that the callers know the
    cache failed: the rate limits log "not counted" and let people through,
    the page cache renders the page. A full Redis ("OOM command not
    allowed") raises its error at once, as a refused one, and reads from
    it go on.
    """

    def __init__(self, server, params):
        options = {**params.get("OPTIONS", {})}
        options.setdefault(
            "retry",
            Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        )
        super().__init__(server, {**params, "OPTIONS": options})

    @cached_property
    def _cache(self):
        return _Guarded(super()._cache, ";".join(self._servers))


class _Guarded:
    """A Redis cache client whose calls skip Redis while it is out of reach."""

    def __init__(self, client, servers):
        self._client = client
        self._servers = servers

    def __getattr__(self, name):
        call = getattr(self._client, name)
        if not callable(call):
            return call

        @functools.wraps(call)
        def guarded(*args, **kwargs):
            if time.monotonic() < _skip_until.get(self._servers, 0):
                raise Skipped("Redis is left alone for a few seconds after a failure.")
            try:
                return call(*args, **kwargs)
            except (redis.ConnectionError, redis.TimeoutError) as error:
                with _lock:
                    _skip_until[self._servers] = time.monotonic() + PAUSE_SECONDS
                if now_and_then("redis"):
                    logger.warning(
                        "Redis is out of reach (%s); the cache is done without "
                        "for %s s at a time.",
                        error,
                        PAUSE_SECONDS,
                    )
                raise

        return guarded
