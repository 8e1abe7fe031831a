import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from PIL import Image

from artworks.models import Artwork, Call
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
from tongyun.management.commands.seed_bench import expected_rows

pytestmark = pytest.mark.django_db

SAMPLE = 25


def seed_bench(*args):
    out = io.StringIO()
    call_command("seed_bench", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed_bench("--scale", "1")


def total(queryset, field):
    return Coalesce(
        Subquery(queryset.values(field).annotate(n=Sum(field)).values("n")[:1]), 0
    )


def test_seed_bench_adds_the_documented_rows(seeded):
    counts = {model: model.objects.count() for model in expected_rows(1)}

    assert counts == expected_rows(1)
    # The formulas of --help at N = 1.
    assert counts[Garden] == 3
    assert counts[Zone] == 36
    assert counts[Planting] == counts[Observation] == 1056
    assert counts[Signup] == 512
    assert counts[Artwork] == 100
    assert counts[SurveyAnswer] == 50
    assert "plantings.Planting: 1056 added" in seeded.splitlines()


def test_seed_bench_scales_linearly():
    assert expected_rows(3) == {
        model: count * 3 if model not in (Species, SurveyRound) else count
        for model, count in expected_rows(1).items()
    }


MODELS = [
    Community,
    Garden,
    Zone,
    Species,
    Donor,
    Donation,
    DonationItem,
    Allocation,
    Planting,
    Observation,
    Organisation,
    Event,
    Signup,
    Call,
    Artwork,
    Suggestion,
    SurveyRound,
    SurveyAnswer,
]


def test_seed_bench_rows_pass_full_clean(seeded):
    samples = {model: list(model.objects.order_by("?")[:SAMPLE]) for model in MODELS}

    for rows in samples.values():
        for row in rows:
            row.full_clean()

    assert all(samples.values())


def test_seed_bench_never_exceeds_capacity(seeded):
    confirmed = Q(signups__status=Signup.Status.CONFIRMED)
    waiting = Q(signups__status=Signup.Status.WAITLISTED)
    events = Event.objects.annotate(
        taken=Sum("signups__headcount", filter=confirmed, default=0),
        smallest_waiting=Min("signups__headcount", filter=waiting),
    )

    assert not events.filter(taken__gt=F("capacity")).exists()
    # Whoever still waits did not fit: a cancellation would have promoted them.
    assert not events.filter(smallest_waiting__lte=F("capacity") - F("taken")).exists()
    assert events.filter(smallest_waiting__isnull=False).exists()


def test_seed_bench_keeps_one_active_signup_per_phone_and_event(seeded):
    active = Signup.objects.filter(
        status__in=[Signup.Status.CONFIRMED, Signup.Status.WAITLISTED]
    )
    clashes = active.values("event", "phone").annotate(n=Count("pk")).filter(n__gt=1)

    assert list(clashes) == []
    assert Signup.objects.values("token").distinct().count() == Signup.objects.count()
    assert Signup.objects.values("checkin_code").distinct().count() == (
        Signup.objects.count()
    )


def test_seed_bench_checks_in_only_confirmed_people_of_held_events(seeded):
    checked_in = Signup.objects.filter(checked_in_at__isnull=False)

    assert checked_in.exists()
    assert not checked_in.exclude(status=Signup.Status.CONFIRMED).exists()
    assert not checked_in.filter(event__ends_at__gt=timezone.now()).exists()
    cancelled = Signup.objects.filter(status=Signup.Status.CANCELLED)
    assert not cancelled.filter(cancelled_at__isnull=True).exists()
    assert not cancelled.filter(cancelled_at__gt=F("event__starts_at")).exists()


def test_seed_bench_never_allocates_or_plants_beyond_the_gift(seeded):
    allocated = Allocation.objects.filter(donation=OuterRef("pk"))
    planted = Planting.objects.filter(allocation=OuterRef("pk"))
    lost = Observation.objects.filter(planting=OuterRef("pk"), kind="loss")
    share = Allocation.objects.filter(
        donation=OuterRef("donation"), species=OuterRef("species")
    )

    donations = Donation.objects.annotate(given=total(allocated, "quantity"))
    allocations = Allocation.objects.annotate(used=total(planted, "quantity"))
    plantings = Planting.objects.annotate(dead=total(lost.values("planting"), "count"))
    items = DonationItem.objects.filter(quantity__isnull=False).annotate(
        given=total(share, "quantity")
    )
    assert not donations.filter(given__gt=F("quantity")).exists()
    assert not allocations.filter(used__gt=F("quantity")).exists()
    assert not plantings.filter(dead__gt=F("quantity")).exists()
    assert not items.filter(given__gt=F("quantity")).exists()
    assert items.exists()
    # Each allocation is of a donated species, and each planting matches it.
    assert not Allocation.objects.exclude(
        species__donation_items__donation=F("donation")
    ).exists()
    assert (
        not Planting.objects.filter(allocation__isnull=False)
        .exclude(zone=F("allocation__zone"), species=F("allocation__species"))
        .exists()
    )


def test_seed_bench_marks_zones_planted_where_plants_went(seeded):
    with_plants = Zone.objects.filter(plantings__isnull=False).distinct()

    assert not with_plants.exclude(state=Zone.State.PLANTED).exists()
    assert Zone.objects.filter(plantings__isnull=True, state="designed").exists()


def test_seed_bench_gives_suggestions_the_timestamps_of_their_status(seeded):
    rows = Suggestion.objects.all()

    assert set(rows.values_list("status", flat=True)) == set(Suggestion.Status.values)
    assert not rows.filter(status="new", answered_at__isnull=False).exists()
    assert not rows.exclude(status="new").filter(answered_at__isnull=True).exists()
    closed = Q(status__in=["done", "declined"])
    assert not rows.filter(closed, closed_at__isnull=True).exists()
    assert not rows.exclude(closed).filter(closed_at__isnull=False).exists()
    assert not rows.filter(answered_at__lt=F("submitted_at")).exists()
    assert not rows.filter(closed_at__lt=F("answered_at")).exists()
    assert not rows.exclude(rating="").filter(rated_at__isnull=True).exists()
    assert (
        not rows.filter(zone__isnull=False).exclude(zone__garden=F("garden")).exists()
    )


def test_seed_bench_mixes_artwork_statuses(seeded):
    statuses = set(Artwork.objects.values_list("status", flat=True))

    assert statuses == set(Artwork.Status.values)
    assert not Artwork.objects.filter(
        status="pending", reviewed_at__isnull=False
    ).exists()
    assert (
        not Artwork.objects.exclude(status="pending")
        .filter(reviewed_at__isnull=True)
        .exists()
    )


def test_seed_bench_writes_real_image_files(seeded):
    works = list(Artwork.objects.all())

    for work in works:
        for field, size in (
            (work.image, (work.image_width, work.image_height)),
            (work.thumbnail, (work.thumbnail_width, work.thumbnail_height)),
        ):
            with field.storage.open(field.name) as stored, Image.open(stored) as img:
                assert (img.format, img.size) == ("JPEG", size)
    assert len({w.image.name for w in works}) == len(works)


def test_seed_bench_refuses_a_second_set_without_force(seeded):
    before = Zone.objects.count()

    with pytest.raises(CommandError):
        seed_bench("--scale", "1")

    assert Zone.objects.count() == before


def test_seed_bench_adds_a_second_set_with_force(seeded):
    seed_bench("--scale", "1", "--force")

    assert Zone.objects.count() == 2 * expected_rows(1)[Zone]
    assert Garden.objects.filter(slug__startswith="bench2-").count() == 3
    assert Donor.objects.count() == 2 * expected_rows(1)[Donor]
    # The species are shared, not made again.
    assert Species.objects.count() == expected_rows(1)[Species]


def test_seed_bench_refuses_a_scale_below_one():
    with pytest.raises(CommandError):
        seed_bench("--scale", "0")

    assert not Community.objects.exists()


def test_seed_bench_leaves_the_planner_its_statistics(seeded):
    statistics = {
        "postgresql": "SELECT count(*) FROM pg_stats WHERE tablename = %s",
        "sqlite": "SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s",
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(statistics, ["plantings_planting"])
        assert cursor.fetchone()[0] > 0
