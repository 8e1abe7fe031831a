"""What a database error means to the person waiting for the page."""

from django.db import OperationalError

# SQLite's words for a write lock not had within its busy timeout (the
# second for a shared in-memory database, as the tests use).
_LOCKED = ("database is locked", "database table is locked")


def is_locked(error):
    """Whether error is SQLite giving up on the write lock: the database
    was busy with other writers, nothing was written, trying again works."""
    return isinstance(error, OperationalError) and str(error).startswith(_LOCKED)
