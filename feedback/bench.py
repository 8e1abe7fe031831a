"""
Benchmark data of the feedback app (`manage.py seed_bench`): residents'
suggestions in every status, and survey rounds with their answers.

Per scale N: SUGGESTIONS_PER_SCALE × N suggestions, ROUNDS survey rounds
(the last one open) and ANSWERS_PER_SCALE × N answers spread over them.
Suggestions carry the timestamps Suggestion.move_to and rate_suggestion
give: answered_at once out of "received", closed_at once done or declined,
a reason for every decline, a rating (with rated_at) only once closed.
Each answer has its own browser digest (services.browser_digest), so a
round holds at most one answer a browser.
"""

import datetime as dt
import random

from django.utils import timezone

from tongyun.lib.names import mobile
from tongyun.lib.progress import bulk_insert

from .models import QUESTIONS, Suggestion, SurveyAnswer, SurveyRound
from .services import browser_digest

SUGGESTIONS_PER_SCALE = 30
ANSWERS_PER_SCALE = 50
ROUNDS = 4
ROUND_DAYS = 30

TEXTS = {
    Suggestion.Category.PLANTS: [
        "花坛里缺几株月季，建议补种。",
        "北侧坡地光秃，能否种些耐阴植物？",
    ],
    Suggestion.Category.FACILITIES: [
        "希望在花园边加几把长椅。",
        "浇水龙头坏了，请维修。",
    ],
    Suggestion.Category.CARE: [
        "杂草较多，建议组织一次除草。",
        "夏天请多浇水，部分花苗发蔫。",
    ],
    Suggestion.Category.OTHER: [
        "希望多办几次亲子种植活动。",
        "建议在花园入口放一块植物介绍牌。",
    ],
}
REPLIES = {
    Suggestion.Status.ACCEPTED: "已收到，社区将安排落实。",
    Suggestion.Status.DONE: "已按您的建议完成，欢迎来看看。",
    Suggestion.Status.DECLINED: "该处地下有管线，无法种植，感谢理解。",
}
STATUSES = [
    (Suggestion.Status.NEW, 20),
    (Suggestion.Status.ACCEPTED, 25),
    (Suggestion.Status.DONE, 40),
    (Suggestion.Status.DECLINED, 15),
]
RATINGS = [
    ("", 30),
    (Suggestion.Rating.SATISFIED, 45),
    (Suggestion.Rating.BASICALLY, 17),
    (Suggestion.Rating.DISSATISFIED, 8),
]


def seed(*, scale, prefix, rng: random.Random, progress, places, handler=None):
    """
    Insert suggestions, rounds and answers; return {"suggestions", "rounds",
    "answers"}.
    """
    now = timezone.now()
    zones = places["zones"]
    statuses, weights = zip(*STATUSES, strict=True)
    ratings, rating_weights = zip(*RATINGS, strict=True)
    suggestions = []
    for i in range(SUGGESTIONS_PER_SCALE * scale):
        category = Suggestion.Category.values[i % 4]
        zone = zones[(i * 13) % len(zones)]
        status = rng.choices(statuses, weights)[0]
        row = Suggestion(
            category=category,
            garden=zone.garden,
            zone=zone if i % 3 else None,
            text=rng.choice(TEXTS[category]),
            phone=mobile(i, prefix=137) if i % 2 else "",
            status=status,
            reply=REPLIES.get(status, ""),
            submitted_at=now - dt.timedelta(days=rng.uniform(1, 500)),
        )
        if status != Suggestion.Status.NEW:
            # Most are answered within the promised days (RESPONSE_DAYS).
            row.answered_at = _before_now(row.submitted_at, rng.uniform(0.1, 10), now)
            row.handled_by = handler
        if row.is_closed:
            row.closed_at = _before_now(row.answered_at, rng.uniform(0, 20), now)
            row.rating = rng.choices(ratings, rating_weights)[0]
            if row.rating:
                row.rated_at = _before_now(row.closed_at, rng.uniform(0.1, 5), now)
        suggestions.append(row)
    bulk_insert(Suggestion, suggestions, progress=progress, label="suggestions")

    rounds = []
    for n in range(ROUNDS):
        # Seasons, oldest first; the last round is open now.
        opens = now - dt.timedelta(days=(ROUNDS - 1 - n) * 90 + 10)
        rounds.append(
            SurveyRound(
                title=f"第{n + 1}轮花园满意度调查",
                opens_at=opens,
                closes_at=opens + dt.timedelta(days=ROUND_DAYS),
                is_demo=True,
            )
        )
    bulk_insert(SurveyRound, rounds, progress=progress, label="survey rounds")
    answers = []
    for i in range(ANSWERS_PER_SCALE * scale):
        round_ = rounds[i % ROUNDS]
        lean = i % ROUNDS  # later rounds score a little higher
        answers.append(
            SurveyAnswer(
                round=round_,
                browser_digest=browser_digest(f"{prefix}{i}"),
                answered_at=min(
                    round_.opens_at + dt.timedelta(days=rng.uniform(0, ROUND_DAYS)),
                    now,
                ),
                comment="花更多了，心情也更好了。" if i % 10 == 0 else "",
                **{q: min(5, rng.randint(2, 4) + (lean > 1)) for q in QUESTIONS},
            )
        )
    bulk_insert(SurveyAnswer, answers, progress=progress, label="survey answers")
    return {"suggestions": suggestions, "rounds": rounds, "answers": answers}


def _before_now(start, days, now):
    """start plus days, but never later than now."""
    return min(start + dt.timedelta(days=days), now)
