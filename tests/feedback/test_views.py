"""
The suggestion form, a suggestion's photo and the survey: good paths, bad
paths, and what stays unwritten on a refusal.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from feedback import forms, services, views
from feedback.models import Suggestion, SurveyAnswer
from gardens.models import StaffMembership
from tests.factories import (
    CommunityFactory,
    GardenFactory,
    SpeciesFactory,
    SuggestionFactory,
    SurveyRoundFactory,
    ZoneFactory,
)
from tests.feedback.conftest import jpeg, not_an_image

pytestmark = pytest.mark.django_db

NEW = reverse("feedback:new")
SURVEY = reverse("feedback:survey")
TYPED = "西门口的月季缺水，叶子都卷了"


def send(client, **fields):
    data = {
        "category": "care",
        "garden": "",
        "zone": "",
        "species": "",
        "text": TYPED,
        "phone": "138 0013 8000",
        "consent": "on",
        "website": "",
    }
    data |= fields
    return client.post(NEW, {k: v for k, v in data.items() if v is not None})


def error_codes(response, field="__all__"):
    errors = response.context["form"].errors.as_data().get(field, [])
    return [error.code for error in errors]


def assert_nothing_written_and_form_kept(response, stored_photos):
    page = response.content.decode()
    assert Suggestion.objects.count() == 0
    assert stored_photos() == []
    assert f"{TYPED}</textarea>" in page
    assert 'value="138 0013 8000"' in page


# --- The form -----------------------------------------------------------------


def test_form_sends_a_suggestion_and_answers_303_to_its_status_page(client):
    zone = ZoneFactory()

    response = send(client, garden=zone.garden.pk, zone=zone.pk)

    suggestion = Suggestion.objects.get()
    assert response.status_code == 303
    assert response["Location"] == suggestion.get_status_url()
    assert (suggestion.garden, suggestion.zone) == (zone.garden, zone)
    assert suggestion.phone == "+8613800138000"
    assert suggestion.text == TYPED
    assert suggestion.history.get().history_change_reason == services.SUBMITTED


def test_form_sends_without_garden_phone_or_photo(client):
    response = send(client, phone="")

    suggestion = Suggestion.objects.get()
    assert response.status_code == 303
    assert (suggestion.garden, suggestion.zone, suggestion.phone) == (None, None, "")
    assert not suggestion.photo


def test_form_takes_a_photo(client, stored_photos):
    response = send(client, photo=jpeg())

    assert response.status_code == 303
    assert Suggestion.objects.get().photo
    assert len(stored_photos()) == 1


def test_form_refuses_a_zone_of_another_garden(client, stored_photos):
    zone = ZoneFactory()

    response = send(client, garden=GardenFactory().pk, zone=zone.pk)

    assert response.status_code == 422
    assert error_codes(response, "zone") == ["invalid_choice"]
    assert_nothing_written_and_form_kept(response, stored_photos)


def test_form_offers_only_the_chosen_gardens_zones(client):
    zone = ZoneFactory(code="A1")
    ZoneFactory(code="Z9")

    response = client.get(NEW, {"garden": zone.garden.pk})

    field = response.context["form"].fields["zone"]
    assert list(field.queryset) == [zone]
    assert [label for _value, label in field.choices][1:] == [f"A1 {zone.name}"]


def test_form_names_each_zones_garden_when_no_garden_is_chosen(client):
    zone = ZoneFactory(code="A1")

    response = client.get(NEW)

    labels = [label for _value, label in response.context["form"]["zone"].field.choices]
    assert labels[1:] == [f"{zone.garden.name} · A1 {zone.name}"]


@pytest.fixture
def many_zones(monkeypatch):
    """More zones in all than the form offers before a garden is chosen."""
    monkeypatch.setattr(forms, "FEW_ZONES", 1)
    return ZoneFactory(code="A1"), ZoneFactory(code="B2")


def zone_options(response):
    return re.findall(r'<option value="(\d+)"', select(response, "zone"))


def select(response, name):
    found = re.search(rf'<select name="{name}".*?</select>', response.text, re.S)
    return found.group() if found else ""


def test_form_offers_no_zone_and_a_hint_until_a_garden_is_chosen(client, many_zones):
    response = client.get(NEW)

    assert response.context["form"].zones_wait_for_garden
    assert list(response.context["form"].fields["zone"].queryset) == []
    assert select(response, "zone") == ""
    assert 'id="zones-hint"' in response.text
    assert 'name="show_zones"' in response.text


def test_form_offers_every_zone_when_there_are_few(client):
    zones = [ZoneFactory(), ZoneFactory()]

    response = client.get(NEW)

    assert not response.context["form"].zones_wait_for_garden
    assert sorted(map(int, zone_options(response))) == sorted(z.pk for z in zones)
    assert 'id="zones-hint"' not in response.text


def test_form_with_a_garden_offers_only_its_zones_among_many(client, many_zones):
    mine, other = many_zones

    response = client.get(NEW, {"garden": mine.garden.pk})

    assert zone_options(response) == [str(mine.pk)]
    assert 'id="zones-hint"' not in response.text


def test_a_refused_post_keeps_the_garden_and_offers_its_zones(
    client, many_zones, stored_photos
):
    mine, other = many_zones

    response = send(client, garden=mine.garden.pk, zone=mine.pk, phone="12345")

    assert response.status_code == 422
    assert error_codes(response, "phone") == ["invalid_phone"]
    assert zone_options(response) == [str(mine.pk)]
    assert f'<option value="{mine.pk}" selected>' in select(response, "zone")
    assert f'<option value="{mine.garden.pk}" selected>' in select(response, "garden")
    assert Suggestion.objects.count() == 0


def test_a_zone_sent_without_its_garden_is_taken_with_its_garden(client, many_zones):
    mine, other = many_zones

    response = send(client, zone=mine.pk)

    suggestion = Suggestion.objects.get()
    assert response.status_code == 303
    assert (suggestion.garden, suggestion.zone) == (mine.garden, mine)


def test_a_zone_of_another_garden_is_refused_among_many(
    client, many_zones, stored_photos
):
    mine, other = many_zones

    response = send(client, garden=mine.garden.pk, zone=other.pk)

    assert error_codes(response, "zone") == ["invalid_choice"]
    assert_nothing_written_and_form_kept(response, stored_photos)


def test_show_zones_offers_the_gardens_zones_and_keeps_what_was_typed(
    client, many_zones
):
    mine, other = many_zones

    response = send(client, garden=mine.garden.pk, consent=None, show_zones="1")

    assert response.status_code == 200
    assert Suggestion.objects.count() == 0
    assert zone_options(response) == [str(mine.pk)]
    assert f'<option value="{mine.garden.pk}" selected>' in select(response, "garden")
    assert f"{TYPED}</textarea>" in response.text
    assert 'value="138 0013 8000"' in response.text
    assert response.context["form"].errors == {}


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"text": ""}, "text", "required"),
        ({"category": ""}, "category", "required"),
        ({"category": "bribes"}, "category", "invalid_choice"),
        ({"consent": None}, "consent", "required"),
        ({"phone": "12345"}, "phone", "invalid_phone"),
        ({"garden": "999999"}, "garden", "invalid_choice"),
    ],
)
def test_form_refuses_bad_input_and_keeps_what_was_typed(
    client, stored_photos, fields, field, code
):
    response = send(client, **fields)

    assert response.status_code == 422
    assert code in error_codes(response, field)
    assert Suggestion.objects.count() == 0
    assert stored_photos() == []
    if field != "text":
        assert f"{TYPED}</textarea>" in response.content.decode()


def test_form_refuses_a_file_that_is_no_picture_and_asks_for_it_again(
    client, stored_photos
):
    response = send(client, photo=not_an_image())

    assert response.status_code == 422
    assert error_codes(response, "photo") == ["not_an_image", "choose_again"]
    assert_nothing_written_and_form_kept(response, stored_photos)


def test_form_asks_for_the_photo_again_when_another_field_is_wrong(
    client, stored_photos
):
    response = send(client, photo=jpeg(), consent=None)

    assert response.status_code == 422
    assert error_codes(response, "photo") == ["choose_again"]
    assert_nothing_written_and_form_kept(response, stored_photos)


def test_form_refuses_a_bot_that_fills_the_honeypot(client, stored_photos):
    response = send(client, website="http://spam.example")

    assert response.status_code == 422
    assert error_codes(response) == ["honeypot"]
    assert_nothing_written_and_form_kept(response, stored_photos)


def test_form_needs_the_csrf_token():
    strict = Client(enforce_csrf_checks=True)

    response = send(strict)

    assert response.status_code == 403
    assert Suggestion.objects.count() == 0


def test_one_network_sends_at_most_the_ceiling_of_suggestions(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "suggest": (2, 3600)}
    for _ in range(2):
        assert send(client).status_code == 303

    response = send(client)
    elsewhere = send(Client(REMOTE_ADDR="10.0.0.2"))

    assert response.status_code == 429
    assert error_codes(response) == ["rate_limited"]
    assert f"{TYPED}</textarea>" in response.content.decode()
    assert elsewhere.status_code == 303
    assert Suggestion.objects.count() == 3


def test_refused_forms_past_their_limit_are_refused(client, settings, stored_photos):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "refused": (2, 3600)}
    for _ in range(2):
        assert send(client, consent=None).status_code == 422

    response = send(client)

    assert response.status_code == 429
    assert error_codes(response) == ["rate_limited"]
    assert_nothing_written_and_form_kept(response, stored_photos)


# --- Pre-filled from a link -----------------------------------------------------


def test_a_zone_link_fills_in_the_zone_and_its_garden(client):
    zone = ZoneFactory()

    response = client.get(NEW, {"zone": zone.pk})

    form = response.context["form"]
    assert form["zone"].value() == zone.pk
    assert form["garden"].value() == zone.garden.pk
    assert f'<option value="{zone.pk}" selected>' in response.content.decode()


def test_a_species_link_makes_a_plants_suggestion_about_it(client):
    species = SpeciesFactory(slug="shaoyao", name="芍药")

    response = client.get(NEW, {"species": "shaoyao"})

    page = response.content.decode()
    assert response.context["form"]["category"].value() == "plants"
    assert response.context["about_species"] == species
    assert 'name="species" value="shaoyao"' in page


def test_the_species_survives_a_refused_post_and_is_kept(client):
    species = SpeciesFactory(slug="shaoyao")

    refused = send(client, species="shaoyao", consent=None)
    sent = send(client, species="shaoyao", category="plants")

    assert refused.status_code == 422
    assert refused.context["about_species"] == species
    assert 'name="species" value="shaoyao"' in refused.content.decode()
    assert sent.status_code == 303
    assert Suggestion.objects.get().species == species


@pytest.mark.parametrize(
    "query",
    [
        {"zone": "abc"},
        {"zone": "999999"},
        {"garden": "x"},
        {"species": "no-such-flower"},
        {"category": "bribes"},
    ],
)
def test_links_that_name_nothing_leave_the_form_empty(client, query):
    response = client.get(NEW, query)

    assert response.status_code == 200
    assert {
        name: response.context["form"][name].value()
        for name in ("zone", "garden", "category", "species")
    } == {"zone": None, "garden": None, "category": None, "species": None}


def test_category_link_fills_in_the_category(client):
    response = client.get(NEW, {"category": "facilities"})

    assert response.context["form"]["category"].value() == "facilities"


# --- The photo ------------------------------------------------------------------


def photo_body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def with_photo(client):
    send(client, photo=jpeg())
    return Suggestion.objects.get()


@pytest.mark.parametrize("status", ["new", "declined"])
def test_photo_of_an_unanswered_suggestion_is_hidden_from_the_public(
    client, with_photo, status
):
    Suggestion.objects.filter(pk=with_photo.pk).update(status=status, reply="不行")

    response = client.get(with_photo.get_photo_url())
    wrong = client.get(with_photo.get_photo_url() + "?token=wrong")

    assert (response.status_code, wrong.status_code) == (404, 404)
    for refused in (response, wrong):
        assert not refused["Content-Type"].startswith("image/")
        assert b"\xff\xd8\xff" not in refused.content  # no JPEG in the answer


@pytest.mark.parametrize("status", ["accepted", "done"])
def test_photo_of_a_suggestion_taken_up_is_public(client, with_photo, status):
    Suggestion.objects.filter(pk=with_photo.pk).update(status=status)

    response = client.get(with_photo.get_photo_url())

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=86400"
    assert photo_body(response).startswith(b"\xff\xd8")


def test_photo_is_the_submitters_with_their_link(client, with_photo):
    response = client.get(with_photo.get_private_photo_url())

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert photo_body(response).startswith(b"\xff\xd8")


def staff(username, community):
    """Staff who view suggestions, in community only."""
    user = User.objects.create_user(username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_suggestion"))
    StaffMembership.objects.create(user=user, community=community)
    client = Client()
    client.force_login(user)
    return client


def test_photo_is_shown_to_staff_who_reach_the_suggestion(client):
    garden = GardenFactory()
    send(client, garden=garden.pk, photo=jpeg())
    suggestion = Suggestion.objects.get()
    alice = staff("alice", garden.community)
    bob = staff("bob", CommunityFactory())

    seen = alice.get(suggestion.get_photo_url())
    refused = bob.get(suggestion.get_photo_url())

    assert seen.status_code == 200
    assert seen["Cache-Control"] == "private, no-store"
    photo_body(seen)
    assert refused.status_code == 404


def test_photo_of_a_suggestion_without_one_is_a_404(client):
    suggestion = SuggestionFactory(status="done")

    response = client.get(suggestion.get_photo_url())

    assert response.status_code == 404


# --- The survey -----------------------------------------------------------------

ANSWER = {
    "beauty": "5",
    "upkeep": "4",
    "taking_part": "3",
    "happiness": "5",
    "comment": "希望多办活动",
    "website": "",
}


def test_survey_without_an_open_round_says_so_kindly(client):
    response = client.get(SURVEY)

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "feedback/survey_closed.html"


def test_survey_shows_the_newest_open_round_and_sets_the_browser_cookie(client):
    older = SurveyRoundFactory(title="旧一轮")
    newest = SurveyRoundFactory(
        title="新一轮", opens_at=older.opens_at + dt.timedelta(days=1)
    )

    response = client.get(SURVEY)

    cookie = response.cookies[views.BROWSER_COOKIE]
    assert response.context["round"] == newest
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == views.BROWSER_COOKIE_AGE
    assert response.content.decode().count('type="radio"') == 4 * 5


def test_survey_answer_is_kept_once_and_thanked(client):
    survey_round = SurveyRoundFactory()
    client.get(SURVEY)

    response = client.post(SURVEY, ANSWER)
    again = client.post(SURVEY, ANSWER)
    revisit = client.get(SURVEY)

    assert response.status_code == 303
    assert response["Location"] == reverse("feedback:survey_thanks")
    answer = SurveyAnswer.objects.get()
    assert (answer.round, answer.beauty, answer.comment) == (
        survey_round,
        5,
        "希望多办活动",
    )
    assert again.status_code == 409
    assert revisit.templates[0].name == "feedback/survey_answered.html"
    assert SurveyAnswer.objects.count() == 1


def test_survey_answer_without_a_cookie_sets_one(client):
    SurveyRoundFactory()

    response = client.post(SURVEY, ANSWER)

    assert response.status_code == 303
    assert views.BROWSER_COOKIE in response.cookies
    assert SurveyAnswer.objects.count() == 1


def test_a_forged_cookie_is_a_new_browser(client):
    SurveyRoundFactory()
    client.cookies[views.BROWSER_COOKIE] = "forged-value"

    response = client.post(SURVEY, ANSWER)

    assert response.status_code == 303
    assert response.cookies[views.BROWSER_COOKIE].value != "forged-value"


@pytest.mark.parametrize(
    "fields",
    [{"beauty": ""}, {"upkeep": "6"}, {"happiness": "0"}, {"website": "spam"}],
)
def test_survey_refuses_bad_answers_and_saves_nothing(client, fields):
    SurveyRoundFactory()

    response = client.post(SURVEY, {**ANSWER, **fields})

    assert response.status_code == 422
    assert SurveyAnswer.objects.count() == 0
    assert "希望多办活动</textarea>" in response.content.decode()


def test_survey_answers_past_the_limit_are_refused(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "survey": (1, 3600)}
    SurveyRoundFactory()
    assert client.post(SURVEY, ANSWER).status_code == 303

    response = Client().post(SURVEY, ANSWER)

    assert response.status_code == 429
    assert SurveyAnswer.objects.count() == 1


def test_survey_needs_the_csrf_token():
    SurveyRoundFactory()

    response = Client(enforce_csrf_checks=True).post(SURVEY, ANSWER)

    assert response.status_code == 403
    assert SurveyAnswer.objects.count() == 0


def test_consent_states_the_retention_period(english, settings):
    settings.RETENTION_DAYS = 45

    response = english.get(NEW)

    assert "deleted 45 days after I send it" in response.content.decode()


@pytest.mark.parametrize("item_count", [1, 3])
def test_form_query_count_is_constant(client, item_count, django_assert_num_queries):
    for _ in range(item_count):
        ZoneFactory.create_batch(2, garden=GardenFactory())
    zone = ZoneFactory()

    # 3 queries: how many zones there are (few: all are offered), the
    # gardens to choose from, the zones with their gardens.
    with django_assert_num_queries(3):
        response = client.get(NEW)
    # 3 queries: the zone of the link (with its garden), the gardens, the
    # zones of that garden (with it).
    with django_assert_num_queries(3):
        linked = client.get(NEW, {"zone": zone.pk})

    gardens, zones, empty_choices = item_count + 1, 2 * item_count + 1, 2
    options = response.content.decode().count('<option value="')
    assert options == gardens + zones + empty_choices
    assert linked.context["form"]["zone"].value() == zone.pk


@pytest.mark.parametrize("item_count", [1, 3])
def test_survey_query_count_is_constant(client, item_count, django_assert_num_queries):
    for n in range(item_count):
        SurveyRoundFactory(opens_at=dt.datetime(2020, 1, 1 + n, tzinfo=dt.UTC))
    newest = SurveyRoundFactory()

    # 1 query: the newest open round.
    with django_assert_num_queries(1):
        response = client.get(SURVEY)

    assert response.context["round"] == newest


@pytest.mark.parametrize("item_count", [1, 3])
def test_form_among_many_zones_query_count_is_constant(
    client, item_count, many_zones, django_assert_num_queries
):
    for _ in range(item_count):
        ZoneFactory.create_batch(2, garden=GardenFactory())

    # 2 queries: how many zones there are (too many: none offered), the
    # gardens to choose from.
    with django_assert_num_queries(2):
        response = client.get(NEW)

    assert response.text.count('<option value="') == item_count + 2 + 1
