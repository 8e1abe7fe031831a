"""
Staff answer suggestions in the admin: the actions, the change page, what
answered a suggestion, phones, history; community staff reach their own
community's suggestions only, by every path.
"""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from feedback.models import Suggestion
from tests.factories import (
    CommunityFactory,
    EventFactory,
    GardenFactory,
    SuggestionFactory,
    SurveyAnswerFactory,
    SurveyRoundFactory,
    ZoneFactory,
)
from tongyun.models import SuggestionOutcome
from tongyun.roles import make_staff

pytestmark = pytest.mark.django_db

SUGGESTIONS = reverse("admin:feedback_suggestion_changelist")
PASSWORD = "花园-Admin-2026"
PHONE = "+8613812345678"


def change_url(suggestion):
    return reverse("admin:feedback_suggestion_change", args=[suggestion.pk])


def logged_in(role, community=None, username=None):
    user = make_staff(
        username=username or f"{role}-staff",
        role=role,
        password=PASSWORD,
        community=community,
    )
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def own_garden():
    return GardenFactory()


@pytest.fixture
def street():
    return logged_in("street")


@pytest.fixture
def alice(own_garden):
    """Community staff of own_garden's community."""
    return logged_in("community", own_garden.community, "alice")


@pytest.fixture
def bob():
    """Community staff elsewhere."""
    return logged_in("community", CommunityFactory(), "bob")


def act(client, action, suggestions, **extra):
    data = {"action": action, "_selected_action": [s.pk for s in suggestions]}
    return client.post(SUGGESTIONS, data | extra)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def listed(response):
    return list(response.context["cl"].result_list)


# --- Lists and scoping ---------------------------------------------------------


def test_street_staff_list_every_suggestion_with_or_without_a_garden(street):
    with_garden = SuggestionFactory()
    without = SuggestionFactory(garden=None)

    response = street.get(SUGGESTIONS)

    assert set(listed(response)) == {with_garden, without}


def test_community_staff_list_only_their_communitys_suggestions(alice, own_garden):
    own = SuggestionFactory(garden=own_garden)
    SuggestionFactory(garden=GardenFactory())
    SuggestionFactory(garden=None)

    response = alice.get(SUGGESTIONS)

    assert listed(response) == [own]


def test_another_communitys_suggestion_by_url_is_refused(bob, own_garden):
    suggestion = SuggestionFactory(garden=own_garden)
    without = SuggestionFactory(garden=None)

    assert bob.get(change_url(suggestion)).status_code == 403
    assert bob.get(change_url(without)).status_code == 403
    history = reverse("admin:feedback_suggestion_history", args=[suggestion.pk])
    assert bob.get(history).status_code == 403


def test_an_action_on_another_communitys_suggestion_has_no_effect(bob, own_garden):
    suggestion = SuggestionFactory(garden=own_garden)

    act(bob, "accept", [suggestion])
    act(bob, "decline", [suggestion], apply="yes", reply="不行")

    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reply) == ("new", "")


def test_the_outcome_pickers_offer_only_the_staff_members_events(alice, own_garden):
    own = EventFactory(gardens=[own_garden])
    EventFactory(gardens=[GardenFactory()])

    response = alice.get(
        reverse("admin:autocomplete"),
        {
            "term": "",
            "app_label": "tongyun",
            "model_name": "suggestionoutcome",
            "field_name": "event",
        },
    )

    assert [int(r["id"]) for r in response.json()["results"]] == [own.pk]


def test_community_staff_cannot_add_suggestions(alice, own_garden):
    url = reverse("admin:feedback_suggestion_add")
    data = {"category": "plants", "garden": own_garden.pk, "text": "冒名的建议"}

    page = alice.get(url)
    sent = alice.post(url, data)

    assert (page.status_code, sent.status_code) == (403, 403)
    assert not Suggestion.objects.exists()


# --- Actions -------------------------------------------------------------------


def test_accept_and_mark_done_move_forward_and_record_the_clerk(street):
    suggestion = SuggestionFactory()

    act(street, "accept", [suggestion])
    suggestion.refresh_from_db()
    accepted_at = suggestion.answered_at
    act(street, "mark_done", [suggestion])

    suggestion.refresh_from_db()
    assert suggestion.status == "done"
    assert suggestion.handled_by == street.user
    assert suggestion.answered_at == accepted_at
    assert suggestion.closed_at >= accepted_at
    assert suggestion.history.first().history_user == street.user


def test_an_action_that_would_move_back_is_refused_with_a_warning(street):
    done = SuggestionFactory(status="done")
    new = SuggestionFactory()

    response = act(street, "accept", [done, new])

    done.refresh_from_db()
    new.refresh_from_db()
    assert (done.status, new.status) == ("done", "accepted")
    assert len(messages_of(response)) == 2


def test_decline_asks_for_the_reason_first(street):
    suggestion = SuggestionFactory()

    response = act(street, "decline", [suggestion])

    assert response.status_code == 200
    assert response.templates[0].name == ("admin/action_confirmation.html")
    suggestion.refresh_from_db()
    assert suggestion.status == "new"


def test_decline_without_a_reason_is_refused(street):
    suggestion = SuggestionFactory()

    response = act(street, "decline", [suggestion], apply="yes", reply="  ")

    assert response.status_code == 200
    assert "reply" in response.context["form"].errors
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.closed_at) == ("new", None)


def test_decline_with_a_reason_declines_and_shows_the_reason(street):
    suggestion = SuggestionFactory()

    response = act(street, "decline", [suggestion], apply="yes", reply="面积不够")

    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reply) == ("declined", "面积不够")
    assert suggestion.closed_at is not None


# --- The change page -----------------------------------------------------------


def form_data(suggestion, **changes):
    data = {
        "status": suggestion.status,
        "reply": suggestion.reply,
        "category": suggestion.category,
        "garden": suggestion.garden_id or "",
        "zone": suggestion.zone_id or "",
        "outcomes-TOTAL_FORMS": "0",
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "1000",
    }
    return data | changes


def test_change_page_moves_the_status_through_the_model(alice, own_garden):
    suggestion = SuggestionFactory(garden=own_garden)

    response = alice.post(
        change_url(suggestion), form_data(suggestion, status="accepted", reply="好")
    )

    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reply) == ("accepted", "好")
    assert suggestion.answered_at is not None
    assert suggestion.handled_by == alice.user


def test_change_page_refuses_a_move_back(street):
    suggestion = SuggestionFactory(status="done", reply="已补种")

    response = street.post(change_url(suggestion), form_data(suggestion, status="new"))

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    suggestion.refresh_from_db()
    assert suggestion.status == "done"


def test_change_page_refuses_declining_without_a_reply(street):
    suggestion = SuggestionFactory()

    response = street.post(
        change_url(suggestion), form_data(suggestion, status="declined")
    )

    assert response.status_code == 200
    assert "reply" in response.context["adminform"].form.errors
    suggestion.refresh_from_db()
    assert suggestion.status == "new"


def test_change_page_links_what_answered_it(alice, own_garden):
    suggestion = SuggestionFactory(garden=own_garden)
    event = EventFactory(gardens=[own_garden])

    response = alice.post(
        change_url(suggestion),
        form_data(
            suggestion,
            **{
                "outcomes-TOTAL_FORMS": "1",
                "outcomes-0-event": event.pk,
                "outcomes-0-suggestion": suggestion.pk,
            },
        ),
    )

    assert response.status_code == 302
    assert list(SuggestionOutcome.objects.values_list("event", flat=True)) == [event.pk]


def test_change_page_refuses_another_communitys_event_as_the_answer(alice, own_garden):
    suggestion = SuggestionFactory(garden=own_garden)
    elsewhere = EventFactory(gardens=[GardenFactory()])

    response = alice.post(
        change_url(suggestion),
        form_data(
            suggestion,
            **{
                "outcomes-TOTAL_FORMS": "1",
                "outcomes-0-event": elsewhere.pk,
                "outcomes-0-suggestion": suggestion.pk,
            },
        ),
    )

    assert response.status_code == 200
    assert not SuggestionOutcome.objects.exists()


def test_change_page_refuses_a_zone_of_another_community(alice, own_garden):
    suggestion = SuggestionFactory(garden=own_garden)
    elsewhere = ZoneFactory()

    response = alice.post(
        change_url(suggestion), form_data(suggestion, zone=elsewhere.pk)
    )

    assert response.status_code == 200
    suggestion.refresh_from_db()
    assert suggestion.zone is None


# --- Phones and history ----------------------------------------------------------


def test_phone_is_masked_without_the_personal_data_permission(
    alice, street, own_garden
):
    suggestion = SuggestionFactory(garden=own_garden, phone=PHONE)

    masked = alice.get(change_url(suggestion)).content.decode()
    full = street.get(change_url(suggestion)).content.decode()

    assert "138****5678" in masked
    assert "5678" not in masked.replace("138****5678", "")
    assert "138\N{NO-BREAK SPACE}1234\N{NO-BREAK SPACE}5678" in full


def test_history_records_who_answered(street):
    suggestion = SuggestionFactory()
    act(street, "accept", [suggestion])

    response = street.get(
        reverse("admin:feedback_suggestion_history", args=[suggestion.pk])
    )

    assert response.status_code == 200
    assert street.user.username in response.content.decode()


# --- The survey -------------------------------------------------------------------


def test_survey_answers_are_read_only_for_everyone(street, alice):
    answer = SurveyAnswerFactory()
    url = reverse("admin:feedback_surveyanswer_change", args=[answer.pk])

    for client in (street, alice):
        page = client.get(url)
        assert page.status_code == 200
        assert not page.context["has_change_permission"]
        client.post(url, {"beauty": 1, "comment": "改掉"})
    answer.refresh_from_db()
    assert (answer.beauty, answer.comment) == (4, "")
    assert answer.browser_digest not in page.content.decode()


def test_survey_rounds_are_the_street_offices_to_run(street, alice):
    survey_round = SurveyRoundFactory()
    add = reverse("admin:feedback_surveyround_add")
    url = reverse("admin:feedback_surveyround_change", args=[survey_round.pk])

    assert street.get(add).status_code == 200
    assert alice.get(add).status_code == 403
    assert not alice.get(url).context["has_change_permission"]
    assert street.get(url).context["has_change_permission"]
