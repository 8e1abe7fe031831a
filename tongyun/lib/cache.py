"""
The one-machine cache: Django's database cache, whose counts every gunicorn
worker shares, with an incr() that two workers cannot interleave.

settings.py puts it in place of django.core.cache.backends.db.DatabaseCache
whenever CACHE_URL names a database cache (dbcache://table).
"""

import base64
import pickle

from django.core.cache.backends import db
from django.db import connections, router, transaction


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
