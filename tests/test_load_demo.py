import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from PIL import Image

from events import services as event_services
from events.models import Event, Organisation, Signup
from feedback.models import Suggestion, SurveyAnswer, SurveyRound
from gardens.models import Community, Garden, Species, Zone
from plantings.models import (
    Allocation,
    Donation,
    DonationItem,
    Donor,
    Observation,
    Planting,
)
from tongyun.models import SuggestionOutcome

pytestmark = pytest.mark.django_db

MODELS = [
    Community,
    Garden,
    Zone,
    Species,
    Zone.species.through,
    Garden.signature_species.through,
    Donor,
    Donation,
    DonationItem,
    Allocation,
    Planting,
    Observation,
    Organisation,
    Event,
    Event.gardens.through,
    Signup,
    Suggestion,
    SurveyRound,
    SurveyAnswer,
    SuggestionOutcome,
]


def load_demo():
    call_command("load_demo", stdout=io.StringIO())


def snapshot():
    """Every row of the demo's tables, as tuples."""
    return {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in MODELS}


def test_load_demo_tells_the_three_gardens_story():
    load_demo()

    gardens = {g.name: g for g in Garden.objects.select_related("community")}
    assert set(gardens) == {"牡丹园", "紫荆园", "月季园"}
    assert gardens["牡丹园"].community.name == "牡丹园社区"
    assert {s.name for s in gardens["牡丹园"].signature_species.all()} == {
        "牡丹",
        "芍药",
    }
    months = {
        s.name: (s.bloom_start_month, s.bloom_end_month) for s in Species.objects.all()
    }
    assert months == {
        "牡丹": (4, 5),
        "芍药": (5, 5),
        "紫荆": (4, 4),
        "月季": (5, 10),
        "紫丁香": (4, 5),
        "乡土草花": (5, 9),
    }
    assert all(
        g.zones.exclude(state=Zone.State.IDLE).exists() for g in gardens.values()
    )


def test_load_demo_tells_the_donation_story():
    load_demo()

    gifts = {
        d.donor.name: d for d in Donation.objects.with_figures().select_related("donor")
    }
    assert {name: (d.quantity, d.is_floor) for name, d in gifts.items()} == {
        "漷县镇": (1000, True),
        "张家湾镇": (200, True),
        "潞城镇": (400, True),
    }
    assert {s.name for s in gifts["漷县镇"].species.all()} == {"牡丹", "芍药"}
    assert [i.quantity for i in gifts["漷县镇"].items.all()] == [None, None]
    # Each town's gift went to the garden of its flower, and all of it was planted.
    went_to = {
        name: set(d.allocations.values_list("zone__garden__slug", flat=True))
        for name, d in gifts.items()
    }
    assert went_to == {
        "漷县镇": {"mudanyuan"},
        "张家湾镇": {"zijingyuan"},
        "潞城镇": {"yuejiyuan"},
    }
    assert all(d.planted == d.quantity == d.allocated for d in gifts.values())
    day = Planting.objects.filter(planted_on="2024-04-07")
    assert day.aggregate(total=Sum("quantity"))["total"] == 14000
    assert (
        day.filter(allocation__isnull=True).aggregate(total=Sum("quantity"))["total"]
        == 14000 - 1600
    )
    lilac = Observation.objects.get(species__slug="zidingxiang")
    assert lilac.kind == Observation.Kind.BLOOM_START


def test_load_demo_tells_the_planting_day_story():
    load_demo()

    day = Event.objects.with_seats().get(slug="2024-planting-day")
    assert day.title == "乡土植物进社区 扮靓美丽副中心"
    assert day.starts_at.date().isoformat() == "2024-04-07"
    assert day.seats_taken == 300
    assert set(day.signups.values_list("organisation__name", flat=True)) >= {
        "区纪委区监委",
        "区政府办",
        "区委编办",
        "区委网信办",
    }
    assert not day.signups.filter(checked_in_at__isnull=True).exists()
    assert day.plantings.aggregate(total=Sum("quantity"))["total"] == 14000
    assert set(day.gardens.values_list("slug", flat=True)) == {
        "mudanyuan",
        "zijingyuan",
        "yuejiyuan",
    }


def test_load_demo_opens_the_next_planting_day_for_sign_ups(april):
    load_demo()

    upcoming = Event.objects.published().upcoming().get()
    local_start = timezone.localtime(upcoming.starts_at)
    signup = event_services.sign_up(
        event=upcoming, name="居民", phone="+8613800138000", headcount=2
    )

    assert local_start.date().isoformat() == "2025-04-06"  # first Sunday of April
    assert local_start.hour == 9
    assert signup.status == Signup.Status.CONFIRMED


def test_load_demo_twice_leaves_the_same_rows():
    load_demo()
    first = snapshot()

    load_demo()

    assert snapshot() == first


def test_load_demo_marks_every_zone_with_plantings_planted():
    load_demo()
    load_demo()

    planted = Zone.objects.filter(plantings__isnull=False).distinct()
    assert planted.count() == 8
    assert set(planted.values_list("state", flat=True)) == {Zone.State.PLANTED}


def test_load_demo_gives_every_garden_zone_and_species_a_picture(settings):
    load_demo()
    media = Path(settings.MEDIA_ROOT)
    files = sorted(media.rglob("*.jpg"))

    load_demo()

    for model in (Garden, Zone, Species):
        assert not model.objects.filter(photo="").exists(), model
    assert sorted(media.rglob("*.jpg")) == files
    with Image.open(Garden.objects.first().photo.path) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (960, 420)


def test_load_demo_tells_the_residents_voice_story():
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    statuses = set(Suggestion.objects.values_list("status", flat=True))
    assert statuses == {"new", "accepted", "done", "declined"}
    declined = Suggestion.objects.get(status="declined")
    assert declined.reply
    assert Suggestion.objects.exclude(rating="").count() == 2
    done = Suggestion.objects.filter(status="done")
    assert all(s.answered_at and s.closed_at for s in done)
    assert SuggestionOutcome.objects.filter(suggestion__in=done).count() == 2
    rounds = list(SurveyRound.objects.order_by("opens_at"))
    assert [r.is_open() for r in rounds] == [False, False, False, True]
    assert all(r.is_demo for r in rounds)
    assert all(r.answers.count() >= r.min_answers for r in rounds[:-1])
    assert 0 < rounds[-1].answers.count() < rounds[-1].min_answers
    # Each past round opens in the season and year its title names.
    assert [(r.opens_at.year, r.opens_at.month) for r in rounds[:-1]] == [
        (2024, 10),
        (2025, 4),
        (2025, 10),
    ]
    assert "demo figures" in out.getvalue()
