"""
Secret links out of the logs.

Whoever holds a ticket link can cancel the sign-up; a status link shows a
submission and its reviewer's note; a check-in code checks a volunteer in.
Their secret part is replaced by "[token]" in everything logged:
Django's logs through the RedactTokens filter (settings.LOGGING), and
gunicorn's access and error logs through GunicornLogger (gunicorn.conf.py).

What is redacted: the path segment after /signups/ (but /signups/find/),
/artworks/status/, /check-in/ and /suggestions/ (but /suggestions/new/),
also where a URL is percent-encoded inside another (a login page's
?next=%2Fsignups%2F…), and the values of token, ticket and code query
parameters.
"""

import logging
import re

from gunicorn.glogging import Logger, SafeAtoms

REDACTED = "[token]"

_SLASH = r"(?:/|%2F)"
# The public pages whose next segment is a secret, and the segments there
# that are ordinary pages.
_SECRET_PATHS = re.compile(
    rf"(?P<prefix>{_SLASH}(?:signups|artworks{_SLASH}status|check-in|suggestions)"
    rf"{_SLASH})(?!(?:find|new)(?:{_SLASH}|[?#\s\"']|$))"
    r"[^/%?#&\s\"'\\]+",
    re.IGNORECASE,
)
_SECRET_PARAMS = re.compile(
    r"(?P<prefix>(?:[?&;]|%3F|%26)(?:amp;)?(?:token|ticket|code)(?:=|%3D))"
    r"[^&#%\s\"'\\]+",
    re.IGNORECASE,
)


def redact(text):
    """text with the secret part of every ticket, status or check-in link,
    and of token/ticket/code parameters, replaced by REDACTED."""
    text = _SECRET_PATHS.sub(rf"\g<prefix>{REDACTED}", text)
    return _SECRET_PARAMS.sub(rf"\g<prefix>{REDACTED}", text)


class RedactTokens(logging.Filter):
    """
    A logging filter (on a handler: it sees every record the handler
    writes, whichever logger it came from) that redacts a record's message,
    its traceback and its stack. Lets every record through.
    """

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (the handler reports a bad record itself)
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactedAtoms(SafeAtoms):
    """gunicorn's access-log values (request line, path, query, referrer,
    headers, environ), each redacted as the format asks for it."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return redact(value) if isinstance(value, str) else value


class GunicornLogger(Logger):
    """
    gunicorn's logger with tokens redacted: in the access log, whatever
    access_log_format shows (the request line, a redirect's Location, the
    Referer a ticket page sends); in the error log ("Error handling request
    /signups/…"), by the filter on its logger.
    """

    atoms_wrapper_class = RedactedAtoms

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactTokens) for f in log.filters):
                log.addFilter(RedactTokens())
