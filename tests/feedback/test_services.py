"""Sending, answering and rating suggestions; answering the survey; the purge."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image

from feedback import services
from feedback.models import Suggestion, SurveyAnswer
from tests.factories import (
    GardenFactory,
    SuggestionFactory,
    SurveyAnswerFactory,
    SurveyRoundFactory,
    ZoneFactory,
)
from tests.feedback.conftest import jpeg, not_an_image

pytestmark = pytest.mark.django_db

SCORES = {"beauty": 5, "upkeep": 4, "taking_part": 3, "happiness": 5}


# --- Sending ----------------------------------------------------------------


def test_submit_suggestion_keeps_the_zone_and_its_garden():
    zone = ZoneFactory()

    suggestion = services.submit_suggestion(
        category="care", text="叶子发黄", zone=zone, phone="+8613800138000"
    )

    suggestion.refresh_from_db()
    assert (suggestion.garden, suggestion.zone) == (zone.garden, zone)
    assert suggestion.status == "new"
    assert suggestion.phone == "+8613800138000"
    assert suggestion.history.get().history_change_reason is None


def test_submit_suggestion_refuses_a_zone_of_another_garden(stored_photos):
    zone = ZoneFactory()

    with pytest.raises(ValidationError) as refusal:
        services.submit_suggestion(
            category="care",
            text="叶子发黄",
            garden=GardenFactory(),
            zone=zone,
            photo=jpeg(),
        )

    assert "zone" in refusal.value.error_dict
    assert Suggestion.objects.count() == 0
    assert stored_photos() == []


def test_submit_suggestion_re_encodes_the_photo_without_exif(stored_photos):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    photo = jpeg(size=(3200, 2400), exif=exif)

    suggestion = services.submit_suggestion(category="care", text="坏了", photo=photo)

    assert len(stored_photos()) == 1
    with suggestion.photo.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.format == "JPEG"
        assert max(image.size) == services.PHOTO_SIZE
        assert not image.getexif()
    assert (suggestion.photo_width, suggestion.photo_height) == (1600, 1200)


def test_submit_suggestion_refuses_what_is_not_a_picture(stored_photos):
    with pytest.raises(ValidationError) as refusal:
        services.submit_suggestion(category="care", text="坏了", photo=not_an_image())

    assert refusal.value.error_dict["photo"][0].code == "not_an_image"
    assert Suggestion.objects.count() == 0
    assert stored_photos() == []


def test_submit_suggestion_leaves_no_file_when_the_row_fails(
    stored_photos, monkeypatch
):
    def broken_save(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Suggestion, "save", broken_save)

    with pytest.raises(RuntimeError):
        services.submit_suggestion(category="care", text="坏了", photo=jpeg())

    assert stored_photos() == []


# --- Answering --------------------------------------------------------------


def test_change_status_moves_forward_and_records_the_clerk(django_user_model):
    clerk = django_user_model.objects.create_user("clerk")
    new = SuggestionFactory()
    done = SuggestionFactory(status="done")

    moved = services.change_status(
        Suggestion.objects.all(), status="accepted", by=clerk
    )

    assert (moved.changed, moved.refused) == (1, 1)
    new.refresh_from_db()
    done.refresh_from_db()
    assert (new.status, new.handled_by, done.status) == ("accepted", clerk, "done")
    assert new.answered_at is not None
    assert new.closed_at is None
    assert new.history.first().history_user == clerk


def test_change_status_declines_only_with_a_reply(django_user_model):
    clerk = django_user_model.objects.create_user("clerk")
    suggestion = SuggestionFactory()

    bare = services.change_status(Suggestion.objects.all(), status="declined", by=clerk)
    with_reason = services.change_status(
        Suggestion.objects.all(), status="declined", by=clerk, reply="放不下"
    )

    assert (bare.changed, bare.refused) == (0, 1)
    assert (with_reason.changed, with_reason.refused) == (1, 0)
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reply) == ("declined", "放不下")
    assert suggestion.closed_at == suggestion.answered_at


# --- Rating -----------------------------------------------------------------


def test_rate_suggestion_once():
    suggestion = SuggestionFactory(status="done")

    services.rate_suggestion(suggestion=suggestion, rating="satisfied")
    with pytest.raises(ValidationError) as refusal:
        services.rate_suggestion(suggestion=suggestion, rating="dissatisfied")

    assert refusal.value.code == "rated_already"
    suggestion.refresh_from_db()
    assert suggestion.rating == "satisfied"
    assert suggestion.rated_at is not None


@pytest.mark.parametrize("status", ["new", "accepted"])
def test_rate_suggestion_refuses_an_open_one(status):
    suggestion = SuggestionFactory(status=status)

    with pytest.raises(ValidationError) as refusal:
        services.rate_suggestion(suggestion=suggestion, rating="satisfied")

    assert refusal.value.code == "not_closed"
    suggestion.refresh_from_db()
    assert suggestion.rating == ""


# --- The survey -------------------------------------------------------------


def test_answer_survey_keeps_only_a_digest_of_the_browser():
    survey_round = SurveyRoundFactory()

    answer = services.answer_survey(
        survey_round=survey_round, browser_id="browser-one", scores=SCORES
    )

    assert answer.browser_digest == services.browser_digest("browser-one")
    assert "browser-one" not in answer.browser_digest
    assert len(answer.browser_digest) == 64
    assert (answer.beauty, answer.happiness) == (5, 5)


def test_answer_survey_once_per_round_per_browser():
    survey_round = SurveyRoundFactory()
    services.answer_survey(survey_round=survey_round, browser_id="b", scores=SCORES)

    with pytest.raises(ValidationError) as refusal:
        services.answer_survey(survey_round=survey_round, browser_id="b", scores=SCORES)
    other = services.answer_survey(
        survey_round=SurveyRoundFactory(), browser_id="b", scores=SCORES
    )

    assert refusal.value.code == "answered_already"
    assert SurveyAnswer.objects.filter(round=survey_round).count() == 1
    assert other.pk is not None


def test_answer_survey_refuses_a_closed_round():
    past = timezone.now() - dt.timedelta(days=30)
    survey_round = SurveyRoundFactory(
        opens_at=past, closes_at=past + dt.timedelta(days=7)
    )

    with pytest.raises(ValidationError) as refusal:
        services.answer_survey(survey_round=survey_round, browser_id="b", scores=SCORES)

    assert refusal.value.code == "round_closed"
    assert SurveyAnswer.objects.count() == 0


def test_has_answered():
    survey_round = SurveyRoundFactory()
    SurveyAnswerFactory(round=survey_round, browser_digest=services.browser_digest("b"))

    assert services.has_answered(survey_round=survey_round, browser_id="b")
    assert not services.has_answered(survey_round=survey_round, browser_id="c")
    assert not services.has_answered(survey_round=survey_round, browser_id=None)


# --- The purge --------------------------------------------------------------


def test_purge_erases_old_phones_from_rows_and_history(settings):
    settings.RETENTION_DAYS = 90
    old = SuggestionFactory(
        phone="+8613800138000",
        submitted_at=timezone.now() - dt.timedelta(days=91),
    )
    recent = SuggestionFactory(phone="+8613900139000")

    purge = services.purge_personal_data()
    again = services.purge_personal_data()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.phone, recent.phone) == ("", "+8613900139000")
    assert not old.history.filter(phone__gt="").exists()
    assert old.history.first().history_change_reason == services.PURGED
    assert (purge.suggestions, again.suggestions, again.history) == (1, 0, 0)
