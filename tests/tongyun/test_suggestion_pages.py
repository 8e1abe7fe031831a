"""
The suggestions board and a suggestion's private status page, composed in
the site layer with what answered each suggestion.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Suggestion
from tests.factories import (
    EventFactory,
    GardenFactory,
    PlantingFactory,
    SpeciesFactory,
    SuggestionFactory,
    ZoneFactory,
)
from tongyun import suggestion_views
from tongyun.models import SuggestionOutcome

pytestmark = pytest.mark.django_db

BOARD = reverse("feedback:board")
PHONE = "+8613812345678"


def html(response):
    return response.content.decode()


def cards(response):
    return html(response).count('class="suggestion-card')


# --- The board --------------------------------------------------------------


def test_board_shows_suggestions_newest_first_without_personal_data(client):
    zone = ZoneFactory(code="B1")
    older = SuggestionFactory(
        garden=zone.garden,
        zone=zone,
        text="旧的建议",
        phone=PHONE,
        submitted_at=timezone.now() - dt.timedelta(days=3),
    )
    newer = SuggestionFactory(
        garden=None, text="新的建议", status="declined", reply="放不下大型设施"
    )

    response = client.get(BOARD)

    page = html(response)
    assert list(response.context["page"]) == [newer, older]
    assert page.index("新的建议") < page.index("旧的建议")
    assert "放不下大型设施" in page
    assert zone.get_absolute_url() in page
    assert "12345678" not in page
    assert "5678" not in page
    assert older.token not in page
    assert newer.token not in page


def test_board_links_what_answered_a_suggestion(client):
    event = EventFactory(title="护绿日")
    planting = PlantingFactory(species=SpeciesFactory(name="芍药"))
    suggestion = SuggestionFactory(status="done")
    SuggestionOutcome.objects.create(suggestion=suggestion, event=event)
    SuggestionOutcome.objects.create(suggestion=suggestion, planting=planting)

    response = client.get(BOARD)

    page = html(response)
    assert event.get_absolute_url() in page
    assert planting.zone.get_absolute_url() in page
    assert "芍药" in page


def test_board_filters_by_garden_and_status(client):
    garden = GardenFactory(slug="mudanyuan")
    wanted = SuggestionFactory(garden=garden, status="accepted")
    SuggestionFactory(garden=garden, status="new")
    SuggestionFactory(garden=GardenFactory(), status="accepted")

    response = client.get(BOARD, {"garden": "mudanyuan", "status": "accepted"})

    assert list(response.context["page"]) == [wanted]
    assert (response.context["garden"], response.context["status"]) == (
        "mudanyuan",
        "accepted",
    )


def test_board_ignores_filters_that_name_nothing(client):
    SuggestionFactory.create_batch(2)

    response = client.get(BOARD, {"garden": "nowhere", "status": "bribed"})

    assert response.status_code == 200
    assert cards(response) == 2


def test_board_is_paginated(client):
    SuggestionFactory.create_batch(suggestion_views.PER_PAGE + 2)

    first = client.get(BOARD)
    second = client.get(BOARD, {"page": 2})

    assert cards(first) == suggestion_views.PER_PAGE
    assert cards(second) == 2
    assert 'rel="next"' in html(first)


def test_board_shows_a_photo_only_once_taken_up(client):
    sized = {"photo_width": 800, "photo_height": 600}
    SuggestionFactory(status="new", photo="suggestions/new.jpg", **sized)
    taken = SuggestionFactory(status="accepted", photo="suggestions/taken.jpg", **sized)

    page = html(client.get(BOARD))

    assert page.count('class="suggestion-photo"') == 1
    assert taken.get_photo_url() in page


@pytest.mark.parametrize("item_count", [1, 3])
def test_board_query_count_is_constant(client, item_count, django_assert_num_queries):
    for _ in range(item_count):
        zone = ZoneFactory()
        suggestion = SuggestionFactory(
            garden=zone.garden, zone=zone, species=SpeciesFactory(), status="done"
        )
        SuggestionOutcome.objects.create(suggestion=suggestion, event=EventFactory())
        SuggestionOutcome.objects.create(
            suggestion=suggestion, planting=PlantingFactory()
        )

    # 4 queries: gardens (filter), count, page of suggestions with their
    # places, what answered them (with events, plantings, zones, species)
    with django_assert_num_queries(4):
        response = client.get(BOARD)

    assert cards(response) == item_count


# --- The status page --------------------------------------------------------


def test_status_page_shows_the_suggestion_masked_phone_and_reply(client):
    suggestion = SuggestionFactory(
        phone=PHONE, status="accepted", reply="本周去查看", text="月季缺水"
    )

    response = client.get(suggestion.get_status_url())

    page = html(response)
    assert response.context["suggestion"] == suggestion
    assert "月季缺水" in page
    assert "本周去查看" in page
    assert "138****5678" in page
    assert PHONE not in page
    assert "138 1234 5678" not in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert response.context["form"] is None


def test_status_page_of_a_wrong_token_is_a_404(client):
    suggestion = SuggestionFactory(text="只给持链接的人看的建议")

    response = client.get(reverse("feedback:status", args=["not-the-token"]))

    assert response.status_code == 404
    assert suggestion.text not in response.content.decode()


@pytest.mark.parametrize("outcome_count", [1, 3])
def test_status_page_query_count_is_constant(
    client, outcome_count, django_assert_num_queries
):
    suggestion = SuggestionFactory(status="done")
    for _ in range(outcome_count):
        SuggestionOutcome.objects.create(suggestion=suggestion, event=EventFactory())

    # 2 queries: the suggestion with its places, what answered it
    with django_assert_num_queries(2):
        response = client.get(suggestion.get_status_url())

    assert len(response.context["outcomes"]) == outcome_count


# --- Rating -----------------------------------------------------------------


def rate(client, suggestion, **fields):
    data = {"rating": "satisfied", "website": ""} | fields
    return client.post(reverse("feedback:rate", args=[suggestion.token]), data)


@pytest.mark.parametrize("status", ["done", "declined"])
def test_a_closed_suggestion_is_rated_once(client, status):
    suggestion = SuggestionFactory(status=status, reply="已处理")
    offered = client.get(suggestion.get_status_url())

    response = rate(client, suggestion)
    second = rate(client, suggestion, rating="dissatisfied")

    assert offered.context["form"] is not None
    assert response.status_code == 303
    assert response["Location"] == suggestion.get_status_url()
    assert second.status_code == 422
    assert [e.code for e in second.context["form"].non_field_errors().as_data()] == [
        "rated_already"
    ]
    suggestion.refresh_from_db()
    assert suggestion.rating == "satisfied"
    assert client.get(suggestion.get_status_url()).context["form"] is None


def test_an_open_suggestion_is_not_rated(client):
    suggestion = SuggestionFactory(status="accepted")

    response = rate(client, suggestion)

    assert response.status_code == 422
    suggestion.refresh_from_db()
    assert suggestion.rating == ""


@pytest.mark.parametrize(
    "fields", [{"rating": "delighted"}, {"rating": ""}, {"website": "spam"}]
)
def test_a_bad_rating_is_refused(client, fields):
    suggestion = SuggestionFactory(status="done")

    response = rate(client, suggestion, **fields)

    assert response.status_code == 422
    assert Suggestion.objects.get().rating == ""


def test_rating_a_wrong_token_is_a_404(client):
    suggestion = SuggestionFactory(status="done")
    suggestion.token = "wrong"

    response = rate(client, suggestion)

    assert response.status_code == 404
    assert Suggestion.objects.get().rating == ""
