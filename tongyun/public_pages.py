"""
Every public page, one address of each kind, chosen from the database: what
the benchmarks measure (bench/pages.py, bench/first_load.py) and what the
first-load test loads (tests/browser/test_first_load.py). The demo data and
the benchmark data (seed_bench) have different slugs and ids, so the pages
of one garden, zone, species, event and work are looked up, never written
down.
"""

from django.urls import reverse

from artworks.models import Artwork
from events.models import Event
from gardens.models import Garden, Species


def _event():
    """The next event people can sign up for, else the latest one."""
    visible = Event.objects.visible()
    return visible.upcoming().first() or visible.order_by("-starts_at").first()


def public_pages():
    """
    [(name, path)] of every public page, in the order of the site's menu.
    Private pages (tickets, a suggestion's or a work's status) and POST
    targets are left out, and so is a page whose object is missing (no
    event yet).

    Queries: five, one for each kind of object.
    """
    garden = Garden.objects.order_by("pk").first()
    zone = garden.zones.order_by("code").first() if garden else None
    species = Species.objects.order_by("pk").first()
    event = _event()
    artwork = Artwork.objects.public().first()
    pages = [
        ("home", reverse("gardens:home")),
        ("gardens", reverse("gardens:garden_list")),
        ("garden", garden),
        ("zone", zone),
        ("species", species),
        ("bloom calendar", reverse("gardens:bloom_calendar")),
        ("donations", reverse("plantings:donation_list")),
        ("events", reverse("events:list")),
        ("event", event),
        ("find my sign-ups", reverse("events:find_signups")),
        ("gallery", reverse("artworks:list")),
        ("artwork", artwork),
        ("art call", reverse("artworks:submit")),
        ("suggestions", reverse("feedback:board")),
        ("new suggestion", reverse("feedback:new")),
        ("survey", reverse("feedback:survey")),
        ("dashboard", reverse("dashboard")),
    ]
    return [
        (name, page if isinstance(page, str) else page.get_absolute_url())
        for name, page in pages
        if page is not None
    ]
