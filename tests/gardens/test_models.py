import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import translation

from gardens.models import Garden, Species
from tests.factories import GardenFactory, SpeciesFactory, ZoneFactory
from tongyun.lib import dates

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "end", "month", "expected"),
    [
        (4, 5, 3, False),
        (4, 5, 4, True),
        (4, 5, 5, True),
        (4, 5, 6, False),
        (5, 5, 5, True),
        (5, 5, 4, False),
        (11, 2, 12, True),
        (11, 2, 1, True),
        (11, 2, 2, True),
        (11, 2, 10, False),
        (11, 2, 3, False),
    ],
)
def test_species_blooms_in_month_ranges(start, end, month, expected):
    species = SpeciesFactory(bloom_start_month=start, bloom_end_month=end)

    in_python = species.blooms_in(month)
    in_database = Species.objects.blooming_in(month).filter(pk=species.pk).exists()

    assert in_python is expected
    assert in_database is expected


def test_species_bloom_months_mark_the_window():
    species = SpeciesFactory(bloom_start_month=5, bloom_end_month=10)

    months = species.bloom_months

    assert [m for m, on in months if on] == [5, 6, 7, 8, 9, 10]
    assert len(months) == 12


def test_species_rejects_month_out_of_range():
    with pytest.raises(IntegrityError):
        SpeciesFactory(bloom_start_month=13)


def test_next_to_bloom_wraps_past_december():
    winter = SpeciesFactory(bloom_start_month=1, bloom_end_month=2)
    SpeciesFactory(bloom_start_month=3, bloom_end_month=3)

    assert Species.objects.next_to_bloom(after=11) == (1, [winter])


def test_next_to_bloom_without_species_is_empty():
    assert Species.objects.next_to_bloom(after=11) == (None, [])


def test_today_uses_asia_shanghai_midnight(settings):
    # 16:30 UTC on 30 April is already 00:30 on 1 May in Beijing.
    instant = dt.datetime(2024, 4, 30, 16, 30, tzinfo=dt.UTC)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.utils.timezone.now", lambda: instant)
        local_today = dates.today()

    assert local_today == dt.date(2024, 5, 1)


def test_long_date_reads_chinese_style():
    day = dt.date(2024, 4, 7)

    chinese = dates.long_date(day)
    with translation.override("en"):
        english = dates.long_date(day)

    assert chinese == "2024年4月7日 星期日"
    assert english == "Sunday, 7 April 2024"


def test_localized_field_falls_back_to_chinese():
    garden = GardenFactory(
        name="牡丹园", name_en="", tagline="春天", tagline_en="Spring"
    )

    with translation.override("en"):
        english = (garden.name_i18n, garden.tagline_i18n)
    chinese = (garden.name_i18n, garden.tagline_i18n)

    assert english == ("牡丹园", "Spring")
    assert chinese == ("牡丹园", "春天")


def test_zone_code_is_unique_within_a_garden():
    zone = ZoneFactory(code="A1")
    ZoneFactory(code="A1")  # another garden may reuse the code

    with pytest.raises(IntegrityError):
        ZoneFactory(garden=zone.garden, code="A1")


def test_zone_area_must_be_positive():
    with pytest.raises(IntegrityError):
        ZoneFactory(area_m2=Decimal("0"))


def test_garden_figures_count_zones_and_area():
    garden = GardenFactory()
    ZoneFactory(garden=garden, area_m2=Decimal("10.5"))
    ZoneFactory(garden=garden, area_m2=Decimal("20.0"))
    GardenFactory()  # a garden without zones

    figures = {g.pk: (g.zone_count, g.area_m2) for g in Garden.objects.with_figures()}

    assert figures[garden.pk] == (2, Decimal("30.5"))


def test_garden_species_list_is_distinct_and_in_bloom_order():
    garden = GardenFactory()
    rose = SpeciesFactory(name="月季", bloom_start_month=5, bloom_end_month=10)
    peony = SpeciesFactory(name="牡丹", bloom_start_month=4, bloom_end_month=5)
    ZoneFactory(garden=garden).species.set([peony, rose])
    ZoneFactory(garden=garden).species.set([peony])

    assert garden.species_list() == [peony, rose]
