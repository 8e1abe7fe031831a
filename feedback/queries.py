"""
What the feedback app knows about its own data, as figures: the green
happiness index (绿色幸福指数) of each survey round, and how suggestions
were answered, measured as Beijing's 接诉即办 measures requests.

The dashboard (tongyun.dashboard) composes them with the other apps'
figures; each figure has one function here (DESIGN §5).

Definitions, as the dashboard states them:

- A round's index: the mean of its answers' index scores
  (SurveyAnswer.index_score, 0–100), with a 95% interval; none for a round
  with fewer than its min_answers answers.
- 响应率 response rate: suggestions first answered within RESPONSE_DAYS of
  being sent ÷ suggestions due, i.e. answered already or sent at least
  RESPONSE_DAYS ago (one still inside its promised days and unanswered is
  not late yet, so it counts on neither side).
- 解决率 resolution rate: done ÷ closed (done or declined).
- 满意率 satisfaction rate: rated "satisfied" or "basically satisfied" ÷
  rated.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Case, Count, DurationField, F, Q, Sum, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from tongyun.lib.stats import Interval, mean_interval, median, rate

from .models import QUESTIONS, RESPONSE_DAYS, Suggestion, SurveyRound


def index_of(mean_score):
    """A mean score of 1–5 on the index's scale: 1 → 0, 5 → 100 (as index_score)."""
    return (mean_score - 1) * 25


@dataclass(frozen=True)
class RoundIndex:
    """One survey round's figures; index is None below min_answers."""

    round: SurveyRound
    answers: int
    interval: Interval | None
    question_means: dict = field(default_factory=dict)

    @property
    def is_enough(self):
        return self.answers >= max(self.round.min_answers, 1)

    @property
    def index(self):
        return self.interval.mean if self.interval else None

    @property
    def low(self):
        return self.interval.low if self.interval else None

    @property
    def high(self):
        return self.interval.high if self.interval else None


def _index_interval(answers, total, squares):
    """
    The interval of the answers' index scores, from the sums of each answer's
    four scores added up (total) and of its square: an index score is a
    linear function of that sum, so its interval is the sum's, mapped.
    """
    if answers == 0:
        return None
    per_answer = len(QUESTIONS)
    found = mean_interval(answers, total, squares)
    if found is None:  # one answer: its own score, no spread
        score = index_of(total / per_answer)
        return Interval(mean=score, low=score, high=score, sd=0.0)
    scale = 25 / per_answer  # index points per point of the summed scores
    return Interval(
        mean=index_of(found.mean / per_answer),
        low=index_of(found.low / per_answer),
        high=index_of(found.high / per_answer),
        sd=found.sd * scale,
    )


def survey_index():
    """
    Every survey round, oldest first, as RoundIndex: answer count, the
    index with its 95% interval (None below the round's min_answers) and
    the mean score (1–5) of each question (QUESTIONS). One query.
    """
    summed = sum(
        (F(f"answers__{q}") for q in QUESTIONS[1:]), F(f"answers__{QUESTIONS[0]}")
    )
    rounds = SurveyRound.objects.annotate(
        answer_count=Count("answers"),
        score_total=Sum(summed),
        score_squares=Sum(summed * summed),
        **{f"mean_{q}": Avg(f"answers__{q}") for q in QUESTIONS},
    ).order_by("opens_at", "pk")
    found = []
    for round_ in rounds:
        means = {q: getattr(round_, f"mean_{q}") for q in QUESTIONS}
        enough = round_.answer_count >= max(round_.min_answers, 1)
        interval = (
            _index_interval(
                round_.answer_count, round_.score_total, round_.score_squares
            )
            if enough
            else None
        )
        found.append(
            RoundIndex(
                round=round_,
                answers=round_.answer_count,
                interval=interval,
                question_means=means if enough else {q: None for q in QUESTIONS},
            )
        )
    return found


@dataclass(frozen=True)
class SuggestionFigures:
    received: int
    open: int
    done: int
    declined: int
    due: int
    answered_in_time: int
    rated: int
    satisfied: int
    basically_satisfied: int
    median_days_to_close: float | None

    @property
    def closed(self):
        return self.done + self.declined

    @property
    def response_rate(self):
        """响应率, %: answered within RESPONSE_DAYS ÷ due; None when none is due."""
        return rate(self.answered_in_time, self.due)

    @property
    def resolution_rate(self):
        """解决率, %: done ÷ closed; None when none is closed."""
        return rate(self.done, self.closed)

    @property
    def satisfaction_rate(self):
        """满意率, %: satisfied or basically satisfied ÷ rated; None unrated."""
        return rate(self.satisfied + self.basically_satisfied, self.rated)


def suggestion_figures(now=None):
    """
    How suggestions were answered, as SuggestionFigures (see the module's
    definitions), at now (default: this moment). One query: every count is
    a window over all suggestions, and the closed suggestions are numbered
    by their time to close (Suggestion.days_to_close), so that only the
    one or two in the middle come back, for the median.
    """
    now = now or timezone.now()
    promised = dt.timedelta(days=RESPONSE_DAYS)
    status, rating = Suggestion.Status, Suggestion.Rating
    answered = Q(answered_at__isnull=False)
    closed = Q(status__in=[status.DONE, status.DECLINED], closed_at__isnull=False)
    counted = {
        "received": None,
        "open": Q(status__in=[status.NEW, status.ACCEPTED]),
        "done": Q(status=status.DONE),
        "declined": Q(status=status.DECLINED),
        "due": answered | Q(submitted_at__lte=now - promised),
        "answered_in_time": answered & Q(answered_at__lte=F("submitted_at") + promised),
        "rated": ~Q(rating=""),
        "satisfied": Q(rating=rating.SATISFIED),
        "basically_satisfied": Q(rating=rating.BASICALLY),
        "closed_count": closed,
    }
    took = Case(
        When(closed, then=F("closed_at") - F("submitted_at")),
        output_field=DurationField(),
    )
    rows = (
        Suggestion.objects.annotate(
            took=took,
            position=Window(
                RowNumber(), order_by=[F("took").asc(nulls_last=True), F("pk")]
            ),
            **{
                name: Window(Count("pk", filter=where))
                for name, where in counted.items()
            },
        )
        # The middle of n closed ones lies in positions n // 2 and n // 2 + 1
        # (position 1 when none is closed, for the counts).
        .filter(
            position__gte=F("closed_count") / 2,
            position__lte=F("closed_count") / 2 + 1,
        )
        .order_by("position")
        .values("position", "took", *counted)
    )
    rows = list(rows)
    if not rows:
        return SuggestionFigures(
            **dict.fromkeys(counted.keys() - {"closed_count"}, 0),
            median_days_to_close=None,
        )
    first = rows[0]
    n = first["closed_count"]
    middle = [
        row["took"] / dt.timedelta(days=1)
        for row in rows
        if row["position"] in ({n // 2, n // 2 + 1} if n % 2 == 0 else {n // 2 + 1})
        and row["took"] is not None
    ]
    return SuggestionFigures(
        **{name: first[name] for name in counted if name != "closed_count"},
        median_days_to_close=median(middle),
    )
