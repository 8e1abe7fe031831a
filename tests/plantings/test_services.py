import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from plantings import services
from plantings.models import Allocation, Donation, Observation, Planting
from tests.factories import (
    AllocationFactory,
    DonationFactory,
    DonationItemFactory,
    DonorFactory,
    PlantingFactory,
    SpeciesFactory,
    ZoneFactory,
)
from tests.plantings.conftest import DAY

pytestmark = pytest.mark.django_db


def codes(excinfo):
    return sorted(e.code for e in excinfo.value.error_list)


# --- Allocations ----------------------------------------------------------


def test_allocate_within_the_gift(gift, zone, peony, herbaceous):
    services.allocate(
        donation=gift, zone=zone, species=peony, quantity=600, allocated_on=DAY
    )
    services.allocate(
        donation=gift, zone=zone, species=herbaceous, quantity=400, allocated_on=DAY
    )

    figures = Donation.objects.with_figures().get()
    assert figures.allocated == 1000


def test_allocate_beyond_the_gift_is_refused_and_writes_nothing(gift, zone, peony):
    services.allocate(
        donation=gift, zone=zone, species=peony, quantity=999, allocated_on=DAY
    )

    with pytest.raises(ValidationError) as excinfo:
        services.allocate(
            donation=gift, zone=zone, species=peony, quantity=2, allocated_on=DAY
        )

    assert codes(excinfo) == ["donation_over_allocated"]
    assert Allocation.objects.count() == 1


def test_a_floor_figure_counts_as_its_floor_and_says_so(gift, zone, peony):
    with pytest.raises(ValidationError) as excinfo:
        services.allocate(
            donation=gift, zone=zone, species=peony, quantity=1001, allocated_on=DAY
        )

    assert codes(excinfo) == ["donation_over_allocated"]
    assert "余" in excinfo.value.messages[0]


def test_allocate_respects_a_recorded_split(zone, peony, herbaceous):
    donation = DonationFactory(quantity=1000)
    DonationItemFactory(donation=donation, species=peony, quantity=600)
    DonationItemFactory(donation=donation, species=herbaceous, quantity=400)

    with pytest.raises(ValidationError) as excinfo:
        services.allocate(
            donation=donation,
            zone=zone,
            species=herbaceous,
            quantity=401,
            allocated_on=DAY,
        )

    assert codes(excinfo) == ["species_over_allocated"]
    assert not Allocation.objects.exists()


def test_allocate_a_species_the_donor_did_not_give_is_refused(gift, zone):
    rose = SpeciesFactory(name="月季")

    with pytest.raises(ValidationError) as excinfo:
        services.allocate(
            donation=gift, zone=zone, species=rose, quantity=1, allocated_on=DAY
        )

    assert codes(excinfo) == ["species_not_donated"]


def test_check_donation_refuses_shares_above_the_gift(peony, herbaceous):
    with pytest.raises(ValidationError) as excinfo:
        services.check_donation(
            quantity=100,
            is_floor=False,
            items={peony: 80, herbaceous: 30},
            allocations=[],
        )

    assert codes(excinfo) == ["split_exceeds_donation"]


def test_check_donation_refuses_lowering_an_allocation_below_its_plantings(peony):
    with pytest.raises(ValidationError) as excinfo:
        services.check_donation(
            quantity=100,
            is_floor=False,
            items={peony: None},
            allocations=[(peony, 5, 8)],
        )

    assert codes(excinfo) == ["allocation_below_planted"]


def test_messages_are_in_chinese_by_default(gift, zone, peony):
    with pytest.raises(ValidationError) as excinfo:
        services.allocate(
            donation=gift, zone=zone, species=peony, quantity=5000, allocated_on=DAY
        )

    assert "超过" in excinfo.value.messages[0]


# --- Plantings ------------------------------------------------------------


def test_plant_from_an_allocation_up_to_its_size(gift, zone, peony):
    allocation = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=300, allocated_on=DAY
    )

    services.plant(
        zone=zone, species=peony, quantity=300, planted_on=DAY, allocation=allocation
    )
    with pytest.raises(ValidationError) as excinfo:
        services.plant(
            zone=zone, species=peony, quantity=1, planted_on=DAY, allocation=allocation
        )

    assert codes(excinfo) == ["planting_exceeds_allocation"]
    assert Planting.objects.get().quantity == 300


def test_plant_must_match_its_allocation(gift, zone, peony, herbaceous):
    allocation = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=300, allocated_on=DAY
    )

    with pytest.raises(ValidationError) as excinfo:
        services.plant(
            zone=ZoneFactory(),
            species=herbaceous,
            quantity=1,
            planted_on=DAY,
            allocation=allocation,
        )

    assert codes(excinfo) == ["allocation_mismatch"]
    assert not Planting.objects.exists()


def test_plant_from_no_donation_needs_no_allocation(zone, peony):
    planting = services.plant(
        zone=zone, species=peony, quantity=4000, planted_on=DAY, source="街道采购"
    )

    assert planting.donor is None
    assert planting.source == "街道采购"


def test_changing_a_planting_counts_the_others_only(gift, zone, peony):
    allocation = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=10, allocated_on=DAY
    )
    planting = services.plant(
        zone=zone, species=peony, quantity=6, planted_on=DAY, allocation=allocation
    )

    services.check_planting(
        zone=zone, species=peony, quantity=10, allocation=allocation, planting=planting
    )
    with pytest.raises(ValidationError):
        services.check_planting(
            zone=zone,
            species=peony,
            quantity=11,
            allocation=allocation,
            planting=planting,
        )


# --- Losses ---------------------------------------------------------------


def test_losses_never_exceed_the_planting(zone, peony):
    planting = services.plant(zone=zone, species=peony, quantity=10, planted_on=DAY)
    services.observe(
        zone=zone,
        species=peony,
        observed_on=DAY,
        kind="loss",
        count=7,
        planting=planting,
    )

    with pytest.raises(ValidationError) as excinfo:
        services.observe(
            zone=zone,
            species=peony,
            observed_on=DAY,
            kind="loss",
            count=4,
            planting=planting,
        )

    assert codes(excinfo) == ["loss_exceeds_planting"]
    assert Observation.objects.count() == 1


def test_a_planting_cannot_shrink_below_its_losses(zone, peony):
    planting = services.plant(zone=zone, species=peony, quantity=10, planted_on=DAY)
    services.observe(
        zone=zone,
        species=peony,
        observed_on=DAY,
        kind="loss",
        count=7,
        planting=planting,
    )

    with pytest.raises(ValidationError) as excinfo:
        services.check_planting(zone=zone, species=peony, quantity=6, planting=planting)

    assert codes(excinfo) == ["planting_below_losses"]


def test_a_loss_needs_its_planting_and_count(zone, peony):
    with pytest.raises(ValidationError) as excinfo:
        services.observe(zone=zone, species=peony, observed_on=DAY, kind="loss")

    assert codes(excinfo) == ["loss_incomplete"]


def test_a_bloom_observation_needs_no_planting(zone, peony):
    observation = services.observe(
        zone=zone, species=peony, observed_on=DAY, kind="full_bloom", note="开花了"
    )

    assert observation.count is None


# --- Figures --------------------------------------------------------------


def test_donation_figures_are_computed_in_the_database(gift, zone, peony, herbaceous):
    a = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=600, allocated_on=DAY
    )
    b = services.allocate(
        donation=gift, zone=zone, species=herbaceous, quantity=300, allocated_on=DAY
    )
    p1 = services.plant(
        zone=zone, species=peony, quantity=500, planted_on=DAY, allocation=a
    )
    services.plant(
        zone=zone, species=herbaceous, quantity=300, planted_on=DAY, allocation=b
    )
    services.observe(
        zone=zone, species=peony, observed_on=DAY, kind="loss", count=20, planting=p1
    )
    other = DonationFactory(quantity=5)  # figures of one gift never leak

    figures = {d.pk: d for d in Donation.objects.with_figures()}

    mine = figures[gift.pk]
    assert (mine.allocated, mine.planted, mine.lost, mine.surviving) == (
        900,
        800,
        20,
        780,
    )
    theirs = figures[other.pk]
    assert (theirs.allocated, theirs.planted, theirs.lost, theirs.surviving) == (
        0,
        0,
        0,
        0,
    )


# --- The database's own guard ----------------------------------------------


@pytest.mark.parametrize(
    "factory",
    [DonationFactory, AllocationFactory, PlantingFactory],
)
def test_database_refuses_non_positive_quantities(factory):
    with pytest.raises(IntegrityError):
        factory(quantity=0)


def test_database_refuses_a_loss_without_a_count(zone, peony):
    from tests.factories import ObservationFactory

    with pytest.raises(IntegrityError):
        ObservationFactory(zone=zone, species=peony, kind="loss", count=None)


# --- Recording a gift -------------------------------------------------------


def test_record_donation_with_and_without_a_split(peony, herbaceous):
    donor = DonorFactory(name="漷县镇")

    donation = services.record_donation(
        donor=donor,
        received_on=DAY,
        quantity=1000,
        is_floor=True,
        items={peony: 600, herbaceous: None},
    )

    shares = {i.species: i.quantity for i in donation.items.all()}
    assert shares == {peony: 600, herbaceous: None}
    assert donation.quantity_display == "1000余株"


def test_record_donation_with_shares_above_the_gift_writes_nothing(peony, herbaceous):
    with pytest.raises(ValidationError) as excinfo:
        services.record_donation(
            donor=DonorFactory(),
            received_on=DAY,
            quantity=100,
            is_floor=False,
            items={peony: 80, herbaceous: 30},
        )

    assert codes(excinfo) == ["split_exceeds_donation"]
    assert not Donation.objects.exists()


# --- A zone with plantings is planted ----------------------------------------


def test_planting_marks_a_designed_zone_planted(peony):
    zone = ZoneFactory(state="designed")

    services.plant(zone=zone, species=peony, quantity=5, planted_on=DAY, source="采购")

    zone.refresh_from_db()
    assert zone.state == "planted"


def test_planting_from_an_allocation_marks_its_zone_planted(gift, peony):
    zone = ZoneFactory(state="idle")
    allocation = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=300, allocated_on=DAY
    )

    services.plant(
        zone=zone, species=peony, quantity=300, planted_on=DAY, allocation=allocation
    )

    zone.refresh_from_db()
    assert zone.state == "planted"


def test_planting_leaves_other_zones_as_they_are(peony):
    zone, other = ZoneFactory(state="designed"), ZoneFactory(state="designed")

    services.plant(zone=zone, species=peony, quantity=5, planted_on=DAY, source="采购")

    other.refresh_from_db()
    assert other.state == "designed"


# --- Changing a recorded gift or planting (spreadsheet re-imports) ----------


def test_change_donation_rewrites_its_species_and_keeps_its_allocations(
    gift, zone, peony, herbaceous
):
    services.allocate(
        donation=gift, zone=zone, species=peony, quantity=300, allocated_on=DAY
    )
    rose = SpeciesFactory(name="月季")

    services.change_donation(
        donation=gift,
        donor=gift.donor,
        received_on=DAY,
        quantity=1200,
        is_floor=False,
        items={peony: 700, rose: None},
        note="补记",
    )

    gift.refresh_from_db()
    assert (gift.quantity, gift.is_floor, gift.note) == (1200, False, "补记")
    assert sorted((i.species.name, i.quantity) for i in gift.items.all()) == [
        ("月季", None),
        ("牡丹", 700),
    ]
    assert gift.allocations.get().quantity == 300


def test_change_donation_refuses_to_drop_an_allocated_species(
    gift, zone, peony, herbaceous
):
    services.allocate(
        donation=gift, zone=zone, species=herbaceous, quantity=10, allocated_on=DAY
    )

    with pytest.raises(ValidationError) as excinfo:
        services.change_donation(
            donation=gift,
            donor=gift.donor,
            received_on=DAY,
            quantity=5,
            is_floor=False,
            items={peony: None},
        )

    assert codes(excinfo) == ["donation_over_allocated", "species_not_donated"]
    gift.refresh_from_db()
    assert gift.quantity == 1000
    assert gift.items.count() == 2


def test_change_planting_refuses_fewer_than_the_losses(zone, peony):
    planting = services.plant(zone=zone, species=peony, quantity=10, planted_on=DAY)
    services.observe(
        zone=zone,
        species=peony,
        observed_on=DAY,
        kind=Observation.Kind.LOSS,
        count=4,
        planting=planting,
    )

    with pytest.raises(ValidationError) as excinfo:
        services.change_planting(
            planting=planting, zone=zone, species=peony, quantity=3, planted_on=DAY
        )

    assert codes(excinfo) == ["planting_below_losses"]
    planting.refresh_from_db()
    assert planting.quantity == 10
