import datetime as dt

import pytest

from gardens.models import Species
from plantings import queries, services
from tests.factories import (
    AllocationFactory,
    DonationFactory,
    ObservationFactory,
    PlantingFactory,
    SpeciesFactory,
    ZoneFactory,
)
from tests.plantings.conftest import DAY
from tongyun.lib.figures import Plants

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


# --- Figures ----------------------------------------------------------------


def test_total_planted_is_a_floor_when_any_planting_is():
    PlantingFactory(quantity=1600)
    PlantingFactory(quantity=12400, is_floor=True)

    assert queries.total_planted() == Plants(14000, is_floor=True)
    assert str(queries.total_planted()) == "14000余株"


def test_total_planted_counts_exactly_without_floors():
    PlantingFactory(quantity=300)
    PlantingFactory(quantity=400)

    assert queries.total_planted() == Plants(700)
    assert queries.total_planted(quantity=300) == Plants(300)


def test_total_given_keeps_a_gifts_floor():
    DonationFactory(quantity=1000, is_floor=True)
    DonationFactory(quantity=200)

    assert queries.total_given() == (Plants(1200, is_floor=True), 2)


def test_planted_per_species_is_a_floor_where_a_planting_is():
    exact, floor = SpeciesFactory(), SpeciesFactory()
    PlantingFactory(species=exact, quantity=700)
    PlantingFactory(species=floor, quantity=4000, is_floor=True)
    PlantingFactory(species=floor, quantity=5)

    rows = queries.with_planted(Species.objects.all())

    assert {(s.pk, s.planted, s.planted_is_floor) for s in rows} == {
        (exact.pk, 700, False),
        (floor.pk, 4005, True),
    }


def test_species_of_a_garden_are_those_planned_or_planted_there():
    zone = ZoneFactory()
    planned, planted, both = SpeciesFactory.create_batch(3)
    elsewhere = SpeciesFactory()
    zone.species.set([planned, both])
    PlantingFactory(zone=zone, species=planted)
    PlantingFactory(zone=zone, species=both)
    PlantingFactory(species=elsewhere)

    found = list(queries.species_of_garden(zone.garden))

    assert sorted(s.pk for s in found) == sorted([planned.pk, planted.pk, both.pk])


def test_gifts_to_a_species_are_whole_with_what_was_planted_of_it(gift, peony):
    zone = ZoneFactory()
    for species, count in [(peony, 400), (gift.items.last().species, 300)]:
        allocation = services.allocate(
            donation=gift, zone=zone, species=species, quantity=count, allocated_on=DAY
        )
        services.plant(
            zone=zone,
            species=species,
            quantity=count,
            planted_on=DAY,
            allocation=allocation,
        )

    [found] = queries.gifts_to(species=peony)

    assert (found.quantity_display, found.planted_here) == ("1000余株", 400)
    assert [s.name for s in found.species_list()] == ["牡丹", "芍药"]


def test_surviving_by_donor_and_garden_is_planted_less_losses_never_below_zero():
    gift = DonationFactory(quantity=100, is_floor=True)
    zone = ZoneFactory()
    allocation = AllocationFactory(donation=gift, zone=zone, quantity=60)
    planting = PlantingFactory(zone=zone, allocation=allocation, quantity=50)
    other = PlantingFactory(zone=zone, quantity=5)
    for lost, from_planting in [(8, planting), (9, other)]:
        ObservationFactory(
            zone=zone,
            species=from_planting.species,
            planting=from_planting,
            kind="loss",
            count=lost,
        )

    [donor] = queries.by_donor()
    [garden] = queries.by_garden()
    elsewhere = queries.from_no_donation([garden])

    assert (donor.given, donor.given_is_floor, donor.planted, donor.lost) == (
        100,
        True,
        50,
        8,
    )
    assert donor.surviving == 42
    assert (garden.allocated, garden.planted, garden.lost, garden.surviving) == (
        60,
        55,
        17,
        38,
    )
    assert elsewhere == {"planted": Plants(5, False), "lost": 9}
    assert queries.surviving(elsewhere["planted"], elsewhere["lost"]) == Plants(0)
    assert queries.total_lost() == 17


def test_totals_added_up_from_rows_agree_with_the_totals_queried():
    first, second = DonationFactory(quantity=100, is_floor=True), DonationFactory()
    zone, elsewhere = ZoneFactory(), ZoneFactory()
    allocation = AllocationFactory(donation=first, zone=zone, quantity=60)
    planting = PlantingFactory(zone=zone, allocation=allocation, quantity=50)
    PlantingFactory(zone=elsewhere, quantity=7, is_floor=True)
    ObservationFactory(
        zone=zone,
        species=planting.species,
        planting=planting,
        kind="loss",
        count=4,
    )

    planted, lost = queries.totals_of(queries.by_garden())
    given, donors = queries.given_of(queries.by_donor())

    assert (planted, lost) == (queries.total_planted(), queries.total_lost())
    assert planted == Plants(57, True)
    assert (given, donors) == queries.total_given()
    assert given == Plants(100 + second.quantity, True)
