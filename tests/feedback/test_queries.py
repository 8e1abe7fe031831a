"""feedback.queries: the index of survey rounds and the suggestions' figures."""

import datetime as dt

import pytest
from django.utils import timezone

from feedback import queries
from feedback.models import SurveyAnswer
from tests.factories import SuggestionFactory, SurveyAnswerFactory, SurveyRoundFactory

pytestmark = pytest.mark.django_db


def test_a_rounds_index_is_the_mean_of_its_answers_index_scores():
    answered = SurveyRoundFactory(min_answers=2)
    SurveyAnswerFactory(round=answered, beauty=1, upkeep=2, taking_part=3, happiness=4)
    SurveyAnswerFactory(round=answered, beauty=5, upkeep=5, taking_part=4, happiness=5)
    SurveyAnswerFactory(round=answered, beauty=3, upkeep=3, taking_part=3, happiness=2)
    scores = [a.index_score() for a in SurveyAnswer.objects.all()]

    [found] = queries.survey_index()

    assert found.index == pytest.approx(sum(scores) / len(scores))
    assert found.low < found.index < found.high


def test_rounds_come_oldest_first():
    now = timezone.now()
    newer = SurveyRoundFactory(opens_at=now - dt.timedelta(days=1))
    older = SurveyRoundFactory(opens_at=now - dt.timedelta(days=100))

    assert [r.round for r in queries.survey_index()] == [older, newer]


def test_a_round_whose_fewest_answers_is_one_shows_that_answer_alone():
    single = SurveyRoundFactory()
    single.min_answers = 1  # the form refuses it; the database may hold it
    single.save(update_fields=["min_answers"])
    SurveyAnswerFactory(round=single, beauty=5, upkeep=5, taking_part=5, happiness=1)

    [found] = queries.survey_index()

    assert (found.index, found.low, found.high) == (75, 75, 75)


def test_a_suggestion_answered_on_its_last_promised_day_is_in_time():
    now = timezone.now()
    sent = now - dt.timedelta(days=30)
    SuggestionFactory(
        submitted_at=sent,
        status="accepted",
        answered_at=sent + dt.timedelta(days=queries.RESPONSE_DAYS),
    )
    SuggestionFactory(
        submitted_at=sent,
        status="accepted",
        answered_at=sent + dt.timedelta(days=queries.RESPONSE_DAYS, seconds=1),
    )

    found = queries.suggestion_figures(now)

    assert (found.due, found.answered_in_time, found.response_rate) == (2, 1, 50)


def test_a_suggestion_not_yet_due_counts_for_no_rate():
    now = timezone.now()
    SuggestionFactory(submitted_at=now - dt.timedelta(days=1))

    found = queries.suggestion_figures(now)

    assert (found.received, found.open, found.due, found.response_rate) == (
        1,
        1,
        0,
        None,
    )
