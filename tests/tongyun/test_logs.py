"""
Secret links never reach a log: whoever reads a ticket link there could
cancel the sign-up. Django's logs and gunicorn's access and error logs
replace the secret part with "[token]".
"""

import logging

import pytest

from tongyun.lib.logs import RedactTokens, redact

TOKEN = "Zm9vYmFyLXNlY3JldC10b2tlbi0xMjM0NTY3"


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        (f"GET /signups/{TOKEN}/ HTTP/1.1", "GET /signups/[token]/ HTTP/1.1"),
        (f"/signups/{TOKEN}/cancel/", "/signups/[token]/cancel/"),
        (f"/signups/{TOKEN}/check-in/", "/signups/[token]/check-in/"),
        (f"/signups/{TOKEN}/take-seats/", "/signups/[token]/take-seats/"),
        (
            f"https://garden.example.org/signups/{TOKEN}",
            "https://garden.example.org/signups/[token]",
        ),
        (f"/artworks/status/{TOKEN}/", "/artworks/status/[token]/"),
        (f"/check-in/{TOKEN}/", "/check-in/[token]/"),
        (f"/suggestions/{TOKEN}/", "/suggestions/[token]/"),
        (
            f"/admin/login/?next=%2Fsignups%2F{TOKEN}%2Fcheck-in%2F",
            "/admin/login/?next=%2Fsignups%2F[token]%2Fcheck-in%2F",
        ),
        (f"/x/?token={TOKEN}&page=2", "/x/?token=[token]&page=2"),
        (f"/x/?page=2&ticket={TOKEN}", "/x/?page=2&ticket=[token]"),
        (f"/x/?next=%2Fy%3Fcode%3D{TOKEN}", "/x/?next=%2Fy%3Fcode%3D[token]"),
        # Ordinary pages stay as they are.
        ("POST /signups/find/ HTTP/1.1", "POST /signups/find/ HTTP/1.1"),
        ("/suggestions/new/", "/suggestions/new/"),
        ("/events/planting-day/signup/", "/events/planting-day/signup/"),
        ("/artworks/12/", "/artworks/12/"),
    ],
)
def test_redact_replaces_the_secret_of_every_link(text, logged):
    assert redact(text) == logged


def test_the_filter_redacts_message_arguments_and_traceback():
    try:
        raise ValueError(f"no such ticket /signups/{TOKEN}/")
    except ValueError as error:
        record = logging.LogRecord(
            "django.request",
            logging.WARNING,
            __file__,
            1,
            "Not Found: %s",
            (f"/signups/{TOKEN}/",),
            (type(error), error, error.__traceback__),
        )

    kept = RedactTokens().filter(record)
    written = logging.Formatter().format(record)

    assert kept is True
    assert TOKEN not in written
    assert "Not Found: /signups/[token]/" in written
    assert "no such ticket /signups/[token]/" in written
