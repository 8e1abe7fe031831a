"""
Demo data of the events app: the planting day of 2024-04-07 and the next
one, open for sign-ups.

The story gives the day, the name, the offices that came and "about 300
people"; it gives neither the hours nor how many came from each office, so
those are demo figures (the description says so). Sign-ups go through the
services; rows that exist already are left alone.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from gardens.models import Garden
from tongyun.lib.dates import today

from . import services
from .models import Event, Organisation

BEIJING = ZoneInfo("Asia/Shanghai")
PLANTING_DAY_2024 = "2024-planting-day"

# (name, English name, kind, people): about 300 in all.
GROUPS = [
    ("区纪委区监委", "District Discipline Inspection Commission", "government", 40),
    ("区政府办", "District Government Office", "government", 40),
    ("区委编办", "District Staffing Office", "government", 30),
    ("区委网信办", "District Cyberspace Office", "government", 30),
    ("通运街道办事处", "Tongyun Subdistrict Office", "government", 60),
    ("社区志愿者", "Community volunteers", "community", 100),
]


def first_sunday_of_april(year):
    april_first = dt.date(year, 4, 1)
    return april_first + dt.timedelta(days=(6 - april_first.weekday()) % 7)


def next_planting_day():
    """The next Capital Voluntary Tree-Planting Day (first Sunday of April)."""
    day = first_sunday_of_april(today().year)
    return day if day > today() else first_sunday_of_april(today().year + 1)


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


def load():
    """Create what is missing of the demo; returns a line saying what is there."""
    gardens = list(
        Garden.objects.filter(slug__in=["mudanyuan", "zijingyuan", "yuejiyuan"])
    )
    day = dt.date(2024, 4, 7)
    past, created = Event.objects.get_or_create(
        slug=PLANTING_DAY_2024,
        defaults={
            "title": "乡土植物进社区 扮靓美丽副中心",
            "title_en": (
                "Native plants into the communities, to brighten the sub-centre"
            ),
            "kind": Event.Kind.PLANTING_DAY,
            "starts_at": at(day, 9),
            "ends_at": at(day, 11, 30),
            "signup_opens_at": at(day - dt.timedelta(days=14), 9),
            "signup_closes_at": at(day - dt.timedelta(days=1), 18),
            "meeting_point": "牡丹园社区党群服务站",
            "meeting_point_en": "Mudanyuan community service station",
            "capacity": 300,
            "status": Event.Status.PUBLISHED,
            "seedling_goal": 14000,
            "description": (
                "首都全民义务植树日，区纪委区监委、区政府办、区委编办、区委网信办的"
                "干部职工，街道领导干部和社区志愿者约300人，在牡丹园、紫荆园、月季园"
                "种下14000余株花苗。（活动时段与各单位人数为演示数据。）"
            ),
            "description_en": (
                "On the Capital Voluntary Tree-Planting Day about 300 people from four "
                "district offices, the subdistrict and the communities planted more "
                "than 14,000 flower seedlings in the three gardens. (The hours and "
                "the number from each office are demo figures.)"
            ),
        },
    )
    if created:
        past.gardens.set(gardens)
        for name, name_en, kind, people in GROUPS:
            organisation, _ = Organisation.objects.get_or_create(
                name=name, defaults={"name_en": name_en, "kind": kind}
            )
            services.sign_up(
                event=past,
                name=f"{name}带队人",
                phone="",
                headcount=people,
                organisation=organisation,
                is_group=True,
            )
        services.mark_attended(past.signups.all(), at=past.starts_at)

    upcoming_day = next_planting_day()
    upcoming, created = Event.objects.get_or_create(
        slug=f"{upcoming_day.year}-planting-day",
        defaults={
            "title": f"{upcoming_day.year}年首都全民义务植树日 · 社区花园种植",
            "title_en": (
                f"Capital Voluntary Tree-Planting Day {upcoming_day.year}: "
                "planting the community gardens"
            ),
            "kind": Event.Kind.PLANTING_DAY,
            "starts_at": at(upcoming_day, 9),
            "ends_at": at(upcoming_day, 11, 30),
            "signup_opens_at": timezone.now() - dt.timedelta(days=1),
            "signup_closes_at": at(upcoming_day - dt.timedelta(days=1), 18),
            "meeting_point": "牡丹园社区党群服务站",
            "meeting_point_en": "Mudanyuan community service station",
            "capacity": 120,
            "status": Event.Status.PUBLISHED,
            "seedling_goal": 3000,
            "description": (
                "欢迎居民和家人一起来补种花苗、整理花境。请穿方便劳动的衣服，工具由街道准备。"
            ),
            "description_en": (
                "Residents and their families are welcome to plant seedlings and tidy "
                "the flower beds. Wear clothes for garden work; tools are provided."
            ),
        },
    )
    if created:
        upcoming.gardens.set(gardens)
    return f"{Event.objects.count()} events, {past.signups.count()} group bookings"
