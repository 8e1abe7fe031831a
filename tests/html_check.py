"""
The Nu HTML Checker over every kind of page: `make html-check`.

Usage: python -m tests.html_check

Fills a throwaway SQLite database with the demo (load_demo), renders every
page type through Django's test client into a temporary folder (public
pages, paged lists, each form with and without errors, the private pages
of every state, the 404 page) and runs vnu (npm's vnu-jar, package.json)
over them. Prints how many pages were checked, every error, and how many
warnings; exits 1 on any error, and when vnu.jar is missing (`npm ci`).
"""

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path

from tests.headings import outline_problems

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _configure(folder):
    """Settings of a throwaway site in folder, before Django starts."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tongyun.settings_test",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
        PRIVATE_MEDIA_ROOT=str(folder / "private-media"),
    )


def _fill():
    from django.core.management import call_command

    quiet = io.StringIO()
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command("load_demo", stdout=quiet)


def _signups():
    """A confirmed, a waitlisted (first in line) and a cancelled sign-up."""
    from events import services
    from events.models import Event

    event = Event.objects.visible().upcoming().first()
    confirmed = services.sign_up(
        event=event, name="张三", phone="13800000001", headcount=2
    )
    # Fill the event but one seat, so that two people must wait.
    taken = Event.objects.with_seats().get(pk=event.pk).seats_taken
    Event.objects.filter(pk=event.pk).update(capacity=taken + 1)
    event.refresh_from_db()
    waitlisted = services.sign_up(
        event=event, name="李四", phone="13800000002", headcount=2
    )
    cancelled = services.sign_up(
        event=event, name="王五", phone="13800000003", headcount=1
    )
    services.cancel(cancelled)
    return confirmed, waitlisted, cancelled


def _find_steps(client, *, phone):
    """Find my sign-ups: the code step, then (proven) the phone's list."""
    import time

    from django.urls import reverse

    from tongyun.views import FIND_SESSION_KEY

    url = reverse("events:find_signups")
    client.post(url, {"phone": phone})
    steps = [("find, the code", client.get(url))]
    # Proven as check_code proves it, without reading the text message.
    session = client.session
    session[FIND_SESSION_KEY] = {"phone": phone, "verified_until": time.time() + 600}
    session.save()
    steps.append(("find, the list", client.get(url)))
    client.session.flush()
    return steps


def pages(client):
    """
    [(name, response)] of every page type, rendered from the demo data.
    Forms posted with bad input come back with their error messages.
    """
    from django.contrib.auth import get_user_model
    from django.http import HttpResponse
    from django.template import loader
    from django.urls import reverse

    from artworks.models import Artwork
    from feedback.models import Suggestion
    from tongyun.public_pages import public_pages

    found = [(name, client.get(path)) for name, path in public_pages()]
    event = dict(public_pages())["event"]
    past = reverse("events:detail", args=["2024-planting-day"])
    confirmed, waitlisted, cancelled = _signups()
    work = Artwork.objects.exclude(token="").first()
    suggestion = Suggestion.objects.filter(status="done").first()
    found += [
        ("past event", client.get(past)),
        ("events, past page 2", client.get(reverse("events:list") + "?past=2")),
        (
            "gallery, painting",
            client.get(reverse("artworks:list") + "?category=painting"),
        ),
        ("gallery, page 2", client.get(reverse("artworks:list") + "?page=2")),
        ("bloom calendar, English", client.get("/bloom/", HTTP_ACCEPT_LANGUAGE="en")),
        ("home, English", client.get("/", HTTP_ACCEPT_LANGUAGE="en")),
        ("sign-up refused", client.post(event + "signup/", {"name": "", "phone": "1"})),
        ("art call refused", client.post(reverse("artworks:submit"), {"title": ""})),
        ("suggestion refused", client.post(reverse("feedback:new"), {"text": ""})),
        ("survey refused", client.post(reverse("feedback:survey"), {})),
        ("find refused", client.post(reverse("events:find_signups"), {"phone": "x"})),
        ("ticket, confirmed", client.get(confirmed.get_absolute_url())),
        ("ticket, waitlisted", client.get(waitlisted.get_absolute_url())),
        ("ticket, cancelled", client.get(cancelled.get_absolute_url())),
        (
            "cancel, are you sure",
            client.post(reverse("events:cancel", args=[confirmed.token])),
        ),
        ("artwork status", client.get(work.get_status_url())),
        ("suggestion status", client.get(suggestion.get_status_url())),
        ("404", client.get("/no-such-page/")),
    ]
    found += _find_steps(client, phone=confirmed.phone)
    found += [
        ("survey thanks", client.get(reverse("feedback:survey_thanks"))),
        # Rendered as their handlers render them: without a request.
        ("500", HttpResponse(loader.render_to_string("500.html"))),
        ("503", HttpResponse(loader.render_to_string("503.html"))),
    ]
    staff = get_user_model().objects.create_superuser("html-check", password=None)
    client.force_login(staff)
    found.append(
        (
            "check-in",
            client.get(confirmed.get_checkin_url()),
        )
    )
    client.logout()
    return found


def _vnu(folder):
    """vnu's messages on every page in folder: [{type, url, message, …}]."""
    answer = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", folder],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(answer.stderr)["messages"]


def main():
    if not VNU.exists():
        sys.exit("html-check: no vnu.jar; run `npm ci --no-audit --no-fund` first.")
    with tempfile.TemporaryDirectory(prefix="tongyun-html-") as tmp:
        folder = Path(tmp)
        _configure(folder)
        import django

        django.setup()
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        # What the site logs and its console sender prints is not the report.
        logging.disable(logging.CRITICAL)
        warnings.filterwarnings("ignore", "No directory at")
        with contextlib.redirect_stdout(io.StringIO()):
            _fill()
            rendered = pages(Client())
        out = folder / "pages"
        out.mkdir()
        outlines = []
        for number, (name, response) in enumerate(rendered):
            if not response["Content-Type"].startswith("text/html"):
                sys.exit(f"html-check: {name} is not a page ({response.status_code}).")
            slug = "-".join(name.replace(",", "").split())
            (out / f"{number:02}-{slug}.html").write_bytes(response.content)
            html = response.content.decode()
            outlines += [f"{name}: {problem}" for problem in outline_problems(html)]
        checked = len(list(out.iterdir()))
        messages = _vnu(str(out))
    for problem in outlines:
        print(f"headings of {problem}")
    errors = [m for m in messages if m["type"] != "info"]
    advice = [m for m in messages if m.get("subType") == "warning"]
    for message in errors:
        where = Path(message.get("url", "")).name
        line = message.get("lastLine", "?")
        print(f"{where}:{line}: {message['message']}")
        if message.get("extract"):
            print("    " + message["extract"].replace("\n", " "))
    # Warnings are advice (a section without a heading…): counted, by kind.
    for text, count in Counter(m["message"] for m in advice).most_common():
        print(f"warning ×{count}: {text}")
    print(
        f"html-check: {checked} pages checked, {len(errors)} errors, "
        f"{len(advice)} warnings."
    )
    return 1 if errors or outlines else 0


if __name__ == "__main__":
    sys.exit(main())
