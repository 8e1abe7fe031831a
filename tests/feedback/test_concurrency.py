"""One resident pressing "send" in two tabs at once."""

import pytest
from django.core.exceptions import ValidationError

from feedback import services
from feedback.models import Suggestion, SurveyAnswer
from tests.factories import SuggestionFactory, SurveyRoundFactory
from tests.threads import postgres_only, run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgres_only,
]

SCORES = {"beauty": 5, "upkeep": 4, "taking_part": 3, "happiness": 5}


def test_one_browser_answers_a_round_once_however_many_tabs_send():
    survey_round = SurveyRoundFactory()

    def answer():
        return services.answer_survey(
            survey_round=survey_round, browser_id="one-browser", scores=SCORES
        )

    outcomes = run_together([answer for _ in range(6)])

    assert sum(isinstance(o, SurveyAnswer) for o in outcomes) == 1
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert [r.code for r in refusals] == ["answered_already"] * 5
    assert SurveyAnswer.objects.count() == 1


def test_a_suggestion_is_rated_once_however_many_tabs_send():
    suggestion = SuggestionFactory(status="done")

    def rate(rating):
        return lambda: services.rate_suggestion(suggestion=suggestion, rating=rating)

    outcomes = run_together(
        [rate("satisfied"), rate("dissatisfied"), rate("basically"), rate("satisfied")]
    )

    assert sum(isinstance(o, Suggestion) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 3
    winner = next(o for o in outcomes if isinstance(o, Suggestion))
    suggestion.refresh_from_db()
    assert suggestion.rating == winner.rating
