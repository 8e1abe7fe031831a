"""Private pages keep themselves out of search engines (tongyun.lib.robots)."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import (
    ArtworkFactory,
    EventFactory,
    SignupFactory,
    SuggestionFactory,
)
from tests.test_query_budget import PAGES, world  # noqa: F401 (a fixture, for pytest)
from tongyun.views import FIND_SESSION_KEY

pytestmark = pytest.mark.django_db

META = '<meta name="robots" content="noindex, nofollow">'
PRIVATE_NAMES = {"ticket", "work status", "suggestion status"}


def ticket(client, status):
    signup = SignupFactory(status=status, event=EventFactory(capacity=1))
    return client.get(signup.get_absolute_url())


def cancel_question(client):
    signup = SignupFactory()
    return client.post(reverse("events:cancel", args=[signup.token]))


def take_seats_refused(client):
    signup = SignupFactory(status="waitlisted")
    url = reverse("events:take_seats", args=[signup.token])
    return client.post(url, {"headcount": "many"})


def artwork_status(client):
    return client.get(ArtworkFactory(status="pending").get_status_url())


def suggestion_status(client):
    return client.get(SuggestionFactory().get_status_url())


def rating_refused(client):
    suggestion = SuggestionFactory(status="done", reply="已补种")
    url = reverse("feedback:rate", args=[suggestion.token])
    return client.post(url, {"rating": "nonsense"})


def find_list(client):
    SignupFactory(phone="+8613800138000")
    session = client.session
    session[FIND_SESSION_KEY] = {
        "phone": "+8613800138000",
        "verified_until": time.time() + 600,
    }
    session.save()
    return client.get(reverse("events:find_signups"))


def check_in(client):
    signup = SignupFactory()
    staff = get_user_model().objects.create_superuser("staff", password=None)
    client.force_login(staff)
    return client.get(signup.get_checkin_url())


PRIVATE = {
    "ticket, confirmed": lambda c: ticket(c, "confirmed"),
    "ticket, waitlisted": lambda c: ticket(c, "waitlisted"),
    "ticket, cancelled": lambda c: ticket(c, "cancelled"),
    "cancel, are you sure": cancel_question,
    "take seats, refused": take_seats_refused,
    "artwork status": artwork_status,
    "suggestion status": suggestion_status,
    "rating, refused": rating_refused,
    "find my sign-ups, the list": find_list,
    "check-in": check_in,
}


@pytest.mark.parametrize("name", PRIVATE)
def test_private_page_says_noindex(client, name):
    response = PRIVATE[name](client)

    assert response["X-Robots-Tag"] == "noindex, nofollow"
    html = response.content.decode()
    assert html.count(META) == 1
    assert html.index(META) < html.index("</head>")


def test_private_redirect_says_noindex_too(client):
    signup = SignupFactory()

    response = client.post(
        reverse("events:cancel", args=[signup.token]), {"confirm": "yes"}
    )

    assert response.status_code == 303
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    signup.refresh_from_db()
    assert signup.status == "cancelled"


def test_find_my_signups_form_is_not_private(client):
    response = client.get(reverse("events:find_signups"))

    assert "X-Robots-Tag" not in response
    assert 'name="robots"' not in response.content.decode()
    assert 'name="phone"' in response.content.decode()


@pytest.mark.parametrize("name", sorted(set(PAGES) - PRIVATE_NAMES))
def test_public_page_has_no_robots_rule(client, world, name):  # noqa: F811 (fixture)
    response = client.get(PAGES[name](world))

    assert response.status_code == 200
    assert "X-Robots-Tag" not in response
    assert 'name="robots"' not in response.content.decode()


@pytest.mark.parametrize("name", sorted(PRIVATE_NAMES))
def test_private_pages_of_the_budget_say_noindex(client, world, name):  # noqa: F811 (fixture)
    response = client.get(PAGES[name](world))

    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert META in response.content.decode()
