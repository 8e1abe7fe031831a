import datetime as dt
import io

import pytest
from django.core.management import call_command

from events.models import Event
from tests.factories import EventFactory
from tongyun.public_pages import public_pages

pytestmark = pytest.mark.django_db


def test_public_pages_of_the_demo_all_answer(client):
    call_command("load_demo", stdout=io.StringIO())

    pages = public_pages()

    paths = [path for _, path in pages]
    assert len(pages) == 17
    assert len(set(paths)) == len({name for name, _ in pages}) == 17
    assert "/gardens/mudanyuan/zones/A1/" in paths
    answers = {path: client.get(path).status_code for path in paths}
    assert answers == dict.fromkeys(paths, 200)


def test_public_pages_take_the_next_event_before_past_ones():
    call_command("load_demo", stdout=io.StringIO())
    upcoming = Event.objects.visible().upcoming().first()

    pages = dict(public_pages())

    assert pages["event"] == upcoming.get_absolute_url()
    assert upcoming.slug != "2024-planting-day"


def past_event(slug, day):
    starts = dt.datetime(*day, 9, tzinfo=dt.UTC)
    return EventFactory(
        slug=slug, starts_at=starts, signup_opens_at=starts - dt.timedelta(days=9)
    )


def test_public_pages_take_the_latest_event_when_none_is_coming():
    past_event("older", (2024, 4, 7))
    past_event("newer", (2025, 4, 6))

    pages = dict(public_pages())

    assert pages["event"] == "/events/newer/"


def test_public_pages_leave_out_pages_of_missing_rows(django_assert_num_queries):
    # 5 queries: garden, species, next event, latest event, public work
    with django_assert_num_queries(5):
        pages = public_pages()

    names = [name for name, _ in pages]
    assert not {"garden", "zone", "species", "event", "artwork"} & set(names)
    assert names[:2] == ["home", "gardens"]
    assert len(names) == 12
