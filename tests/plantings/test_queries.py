import datetime as dt

import pytest

from gardens.models import Species
from plantings import queries
from tests.factories import ObservationFactory, SpeciesFactory

pytestmark = pytest.mark.django_db


def test_a_bloom_end_record_wins_over_the_month_window(april):
    peony = SpeciesFactory(bloom_start_month=4, bloom_end_month=5)
    ObservationFactory(
        species=peony, kind="bloom_start", observed_on=dt.date(2024, 4, 2)
    )
    ObservationFactory(
        species=peony, kind="bloom_end", observed_on=dt.date(2024, 4, 12)
    )

    in_bloom = queries.in_bloom(Species.objects.all(), dt.date(2024, 4, 15))

    assert list(in_bloom) == []
    assert (
        queries.with_bloom_signals(Species.objects.all(), 2024).get().is_in_bloom(4)
        is False
    )


def test_last_years_records_leave_the_window_in_charge():
    peony = SpeciesFactory(bloom_start_month=4, bloom_end_month=5)
    ObservationFactory(
        species=peony, kind="bloom_end", observed_on=dt.date(2023, 4, 12)
    )

    in_bloom = queries.in_bloom(Species.objects.all(), dt.date(2024, 4, 15))

    assert list(in_bloom) == [peony]
