"""
Secret links never reach a log: whoever reads a ticket link there could
cancel the sign-up. Django's logs and gunicorn's access and error logs
replace the secret part with "[token]".
"""

import logging
import urllib.parse

import pytest

from tests.servers import fetch, gunicorn, manage
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


MAKE_SIGNUP = """
from tests.factories import SignupFactory
signup = SignupFactory(phone="+8613800138000")
print(signup.token, signup.checkin_code)
"""


def test_gunicorn_and_django_logs_never_hold_a_ticket_token(site, tmp_path):
    """The requests that carry a ticket token: the ticket, a cancel and a
    check-in refused by the CSRF check (Django logs their paths), a wrong
    token (the 404's path), a page asked for from the ticket (its Referer),
    and the login page on the way to a check-in (its ?next=)."""
    token, code = manage(site, code=MAKE_SIGNUP).split()
    ticket = f"/signups/{token}/"

    with gunicorn(site, tmp_path) as (url, access, errors):
        answers = [
            fetch(url + ticket)[0],
            fetch(url + ticket + "cancel/", b"confirm=yes")[0],
            fetch(url + f"/signups/{token}x/")[0],
            fetch(url + f"/check-in/{code}/", b"")[0],
            fetch(url + "/events/", headers={"Referer": url + ticket})[0],
            fetch(url + f"/admin/login/?next={urllib.parse.quote(ticket)}")[0],
        ]

    access_log, error_log = access.read_text(), errors.read_text()
    assert answers == [200, 403, 404, 403, 200, 200]
    assert token not in access_log
    assert token not in error_log
    assert code not in access_log
    assert code not in error_log
    assert '"GET /signups/[token]/ HTTP/1.1" 200' in access_log
    assert "Not Found: /signups/[token]/" in error_log
    assert "Forbidden (CSRF cookie not set.): /signups/[token]/cancel/" in error_log
    assert f'"{url}/signups/[token]/"' in access_log  # the Referer
