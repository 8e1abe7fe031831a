"""What a database error means to the person waiting for the page."""

from django.db import InterfaceError, OperationalError

# SQLite's words for a write lock not had within its busy timeout (the
# second for a shared in-memory database, as the tests use).
_LOCKED = ("database is locked", "database table is locked")

# PostgreSQL's SQLSTATEs of a server that is not there to answer: class 08
# (connection exceptions) and the server shutting down, crashed or still
# starting up. Any other state is an answer of a working server (a lock
# timeout, a constraint, a bad query), which must stay what it is.
_GONE_CLASS = "08"
_GONE_STATES = {"57P01", "57P02", "57P03"}


def is_locked(error):
    """Whether error is SQLite giving up on the write lock: the database
    was busy with other writers, nothing was written, trying again works."""
    return isinstance(error, OperationalError) and str(error).startswith(_LOCKED)


def is_unavailable(error):
    """
    Whether error is PostgreSQL out of reach (stopped, restarting, the
    connection refused or cut): nothing of the request was committed, and
    the same request works once it is back. Only psycopg's own connection
    failures count, so that a programming error, which would fail the same
    way every time, is never passed off as a passing outage.
    """
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    cause = error.__cause__
    if not type(cause).__module__.startswith("psycopg"):
        return False
    # psycopg 3 names the state sqlstate, psycopg2 pgcode.
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return state is None or state.startswith(_GONE_CLASS) or state in _GONE_STATES
