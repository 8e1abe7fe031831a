import datetime as dt

import pytest

from tests.factories import (
    DonationFactory,
    DonationItemFactory,
    SpeciesFactory,
    ZoneFactory,
)

DAY = dt.date(2024, 4, 7)


@pytest.fixture
def peony():
    return SpeciesFactory(name="牡丹", slug="mudan")


@pytest.fixture
def herbaceous():
    return SpeciesFactory(name="芍药", slug="shaoyao")


@pytest.fixture
def zone():
    return ZoneFactory(code="A1")


@pytest.fixture
def gift(peony, herbaceous):
    """漷县镇's kind of gift: 1000余株 of two species with no split recorded."""
    donation = DonationFactory(quantity=1000, is_floor=True)
    DonationItemFactory(donation=donation, species=peony)
    DonationItemFactory(donation=donation, species=herbaceous)
    return donation
