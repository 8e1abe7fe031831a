"""
Demo data of the feedback app: residents' suggestions in every state (with
the staff's replies, a declined one with its reason, a rating or two), and
two rounds of the satisfaction survey with made-up answers (is_demo: the
dashboard says these are demo figures).

Suggestions go through services.submit_suggestion and change_status, as a
resident's and a clerk's would; they are found by their text, rounds by
their title: those that exist are left alone. What answered the done ones
(a planting, an event) is linked by the site layer's load_demo.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gardens.models import Garden, Species, Zone
from tongyun.lib import history

from . import services
from .models import QUESTIONS, Suggestion, SurveyAnswer, SurveyRound

Status = Suggestion.Status
Category = Suggestion.Category
REASON = "demo data"


@dataclass(frozen=True)
class Demo:
    text: str
    category: str
    garden: str  # a garden's slug, or "" for none in particular
    zone: str  # a zone's code in that garden, or ""
    status: str
    days_ago: int
    reply: str = ""
    species: str = ""  # a species' slug
    phone: str = ""
    rating: str = ""


SUGGESTIONS = [
    Demo(
        "入口花境的牡丹旁边还空着一块地，能不能再补种一些芍药？",
        Category.PLANTS,
        "mudanyuan",
        "A1",
        Status.DONE,
        60,
        "已在植树日补种芍药，欢迎来看。",
        species="shaoyao",
        phone="+8613910000101",
        rating=Suggestion.Rating.SATISFIED,
    ),
    Demo(
        "紫荆园的小路边缺少座椅，老人走累了没地方歇脚。",
        Category.FACILITIES,
        "zijingyuan",
        "",
        Status.DONE,
        45,
        "已在小路旁增设两处座椅，并在社区护绿日一起安装。",
        rating=Suggestion.Rating.BASICALLY,
    ),
    Demo(
        "月季园B1区的月季有些叶子发黄，是不是需要施肥了？",
        Category.CARE,
        "yuejiyuan",
        "B1",
        Status.ACCEPTED,
        12,
        "园艺志愿者本周会去查看，并按养护要求施肥。",
    ),
    Demo(
        "希望在花园里放一个大的儿童滑梯。",
        Category.FACILITIES,
        "mudanyuan",
        "",
        Status.DECLINED,
        30,
        "花园面积有限，且以种植为主，放不下大型游乐设施；附近小区广场设有儿童游乐区。",
    ),
    Demo(
        "能不能在每个分区立一块牌子，写上花的名字和花期？",
        Category.OTHER,
        "",
        "",
        Status.NEW,
        2,
        phone="+8613910000102",
    ),
    Demo(
        "紫荆园A2区的紫荆开得很好，希望明年再多种几棵。",
        Category.PLANTS,
        "zijingyuan",
        "A2",
        Status.NEW,
        1,
        species="zijing",
    ),
]

# Past rounds at the dates their titles name, each a season after the
# planting day of 2024, and this season's, still open and short of answers.
# (title, title in English, opening date or days ago it opened, days it
# stays open, answers, made-up scores cycled: one tuple per answer, in the
# order of QUESTIONS). The scores rise round by round, so that the
# dashboard's trend has something to show.
ROUNDS = [
    (
        "2024年秋季花园满意度调查",
        "Autumn 2024 garden survey",
        dt.date(2024, 10, 8),
        30,
        14,
        [(3, 3, 2, 3), (4, 3, 3, 3), (3, 2, 3, 4), (4, 4, 3, 3)],
    ),
    (
        "2025年春季花园满意度调查",
        "Spring 2025 garden survey",
        dt.date(2025, 4, 8),
        30,
        16,
        [(4, 3, 3, 4), (3, 4, 3, 4), (4, 4, 3, 4), (4, 3, 4, 4)],
    ),
    (
        "2025年秋季花园满意度调查",
        "Autumn 2025 garden survey",
        dt.date(2025, 10, 8),
        30,
        18,
        [(5, 4, 4, 5), (4, 4, 3, 4), (5, 5, 4, 5), (3, 4, 3, 4), (4, 3, 4, 4)],
    ),
    (
        "本季花园满意度调查",
        "This season's garden survey",
        10,
        60,
        4,
        [(5, 4, 4, 5), (4, 5, 4, 5)],
    ),
]


def _suggestion(demo, now):
    garden = Garden.objects.filter(slug=demo.garden).first() if demo.garden else None
    zone = (
        Zone.objects.filter(garden=garden, code=demo.zone).first()
        if garden and demo.zone
        else None
    )
    species = (
        Species.objects.filter(slug=demo.species).first() if demo.species else None
    )
    with history.because(REASON):
        suggestion = services.submit_suggestion(
            category=demo.category,
            text=demo.text,
            garden=garden,
            zone=zone,
            species=species,
            phone=demo.phone,
        )
        sent = now - dt.timedelta(days=demo.days_ago)
        Suggestion.objects.filter(pk=suggestion.pk).update(submitted_at=sent)
        if demo.status != Status.NEW:
            # Answered within a few days, as the office promises; closed later.
            answered = sent + dt.timedelta(days=min(3, demo.days_ago))
            closed = sent + dt.timedelta(days=min(20, demo.days_ago))
            steps = [(demo.status, answered)]
            if demo.status == Status.DONE:
                steps = [(Status.ACCEPTED, answered), (Status.DONE, closed)]
            for status, moment in steps:
                services.change_status(
                    Suggestion.objects.filter(pk=suggestion.pk),
                    status=status,
                    by=None,
                    reply=demo.reply or None,
                    now=moment,
                )
        if demo.rating:
            suggestion.refresh_from_db()
            services.rate_suggestion(suggestion=suggestion, rating=demo.rating)
    return suggestion


def _round(title, title_en, opening, open_days, answers, scores, now):
    if isinstance(opening, dt.date):
        opens = timezone.make_aware(dt.datetime.combine(opening, dt.time(9)))
    else:
        opens = now - dt.timedelta(days=opening)
    survey_round, _created = SurveyRound.objects.get_or_create(
        title=title,
        defaults={
            "title_en": title_en,
            "opens_at": opens,
            "closes_at": opens + dt.timedelta(days=open_days),
            "min_answers": 10,
            "is_demo": True,
        },
    )
    have = survey_round.answers.count()
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            round=survey_round,
            browser_digest=services.browser_digest(f"demo-{survey_round.pk}-{n}"),
            answered_at=survey_round.opens_at + dt.timedelta(hours=n + 1),
            **dict(zip(QUESTIONS, scores[n % len(scores)], strict=True)),
        )
        for n in range(have, answers)
    )
    return survey_round


def load():
    """Create the demo rows that are missing; returns a line saying what is there."""
    now = timezone.now()
    known = set(
        Suggestion.objects.filter(
            text__in=[demo.text for demo in SUGGESTIONS]
        ).values_list("text", flat=True)
    )
    for demo in SUGGESTIONS:
        if demo.text not in known:
            _suggestion(demo, now)
    rounds = [_round(*data, now) for data in ROUNDS]
    answers = sum(r.answers.count() for r in rounds)
    return (
        f"{len(SUGGESTIONS)} suggestions in every state, {len(rounds)} survey "
        f"rounds with {answers} answers (demo figures, marked as such)."
    )
