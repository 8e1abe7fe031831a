"""Two staff members allocating from one gift at the same moment."""

import pytest
from django.core.exceptions import ValidationError

from plantings import services
from plantings.models import Allocation, Donation
from tests.factories import (
    DonationFactory,
    DonationItemFactory,
    SpeciesFactory,
    ZoneFactory,
)
from tests.plantings.conftest import DAY
from tests.threads import postgres_only, run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgres_only,
]


def test_two_allocations_that_together_exceed_the_gift_one_wins():
    species = SpeciesFactory()
    donation = DonationFactory(quantity=1000)
    DonationItemFactory(donation=donation, species=species)
    zones = ZoneFactory.create_batch(2)

    def allocate(zone):
        return lambda: services.allocate(
            donation=donation,
            zone=zone,
            species=species,
            quantity=600,
            allocated_on=DAY,
        )

    outcomes = run_together([allocate(zones[0]), allocate(zones[1])])

    won = [o for o in outcomes if isinstance(o, Allocation)]
    lost = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(won) == 1
    assert len(lost) == 1
    assert Donation.objects.with_figures().get().allocated == 600


def test_many_plantings_racing_for_one_allocation_never_overdraw_it():
    species = SpeciesFactory()
    donation = DonationFactory(quantity=100)
    DonationItemFactory(donation=donation, species=species)
    zone = ZoneFactory()
    allocation = services.allocate(
        donation=donation, zone=zone, species=species, quantity=50, allocated_on=DAY
    )

    def plant():
        return services.plant(
            zone=zone,
            species=species,
            quantity=15,
            planted_on=DAY,
            allocation=allocation,
        )

    outcomes = run_together([plant] * 6)

    assert sum(1 for o in outcomes if isinstance(o, ValidationError)) == 3
    assert Donation.objects.with_figures().get().planted == 45
