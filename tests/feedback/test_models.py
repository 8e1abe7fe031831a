"""A suggestion's status only moves forward, and says when and by whom."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from feedback.models import Suggestion
from tests.factories import SuggestionFactory

pytestmark = pytest.mark.django_db

FORWARD = [
    ("new", "accepted"),
    ("new", "done"),
    ("new", "declined"),
    ("accepted", "done"),
    ("accepted", "declined"),
]
BACK = [
    ("accepted", "new"),
    ("done", "new"),
    ("done", "accepted"),
    ("done", "declined"),
    ("declined", "new"),
    ("declined", "accepted"),
    ("declined", "done"),
]


@pytest.mark.parametrize(("old", "new"), FORWARD)
def test_status_moves_forward(old, new):
    Suggestion.check_move(old, new)


@pytest.mark.parametrize(("old", "new"), BACK)
def test_status_never_moves_back(old, new):
    with pytest.raises(ValidationError) as refusal:
        Suggestion.check_move(old, new)

    assert refusal.value.code == "status_back"


def test_move_to_dates_the_first_answer_and_the_closing(django_user_model):
    clerk = django_user_model.objects.create_user("clerk")
    suggestion = SuggestionFactory()
    first = timezone.now() - dt.timedelta(days=2)

    accepted = suggestion.move_to("accepted", by=clerk, now=first)
    done = suggestion.move_to("done", by=clerk)

    assert accepted == ["status", "answered_at", "handled_by"]
    assert done == ["status", "closed_at", "handled_by"]
    assert suggestion.answered_at == first
    assert suggestion.closed_at > first
    assert suggestion.handled_by == clerk


def test_move_to_the_same_status_changes_nothing():
    suggestion = SuggestionFactory(status="accepted")

    assert suggestion.move_to("accepted") == []
    assert suggestion.answered_at is None


def test_full_clean_refuses_a_status_moved_back_from_what_is_stored():
    suggestion = SuggestionFactory(status="done", reply="已补种")
    suggestion = Suggestion.objects.get(pk=suggestion.pk)

    suggestion.status = "accepted"

    with pytest.raises(ValidationError) as refusal:
        suggestion.full_clean()
    assert "status" in refusal.value.error_dict


def test_declined_needs_a_reply():
    suggestion = SuggestionFactory.build(status="declined", reply="")

    with pytest.raises(ValidationError) as refusal:
        suggestion.full_clean()
    assert "reply" in refusal.value.error_dict


def test_may_be_rated_once_closed_and_not_rated():
    assert not SuggestionFactory.build(status="accepted").may_be_rated
    assert SuggestionFactory.build(status="done").may_be_rated
    assert not SuggestionFactory.build(status="done", rating="satisfied").may_be_rated
