"""
Clerks saving the ledger in the admin at the same moment.

The admin's forms only check the rules; the change view takes the ledger's
locks before they are built (plantings.admin.LedgerLockAdmin). These races
go through the real admin views, each clerk on their own connection.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from plantings import services
from plantings.models import Allocation, Donation, Planting
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


@pytest.fixture
def clerk():
    return User.objects.create_superuser("clerk", password="unused")


def posting(clerk, url, data):
    """A job: one clerk's browser posting the form; returns the status code."""

    def post():
        browser = Client()
        browser.force_login(clerk)
        return browser.post(url, data).status_code

    return post


def test_two_clerks_allocating_more_than_the_gift_between_them_one_is_refused(clerk):
    species = SpeciesFactory()
    donation = DonationFactory(quantity=1000)
    DonationItemFactory(donation=donation, species=species)
    zones = ZoneFactory.create_batch(2)
    url = reverse("admin:plantings_allocation_add")

    outcomes = run_together(
        [
            posting(
                clerk,
                url,
                {
                    "donation": donation.pk,
                    "zone": zone.pk,
                    "species": species.pk,
                    "quantity": "600",
                    "allocated_on": "2024-04-02",
                },
            )
            for zone in zones
        ]
    )

    # One saved and redirected; the other came back as the form, with the
    # ledger's refusal.
    assert sorted(outcomes) == [200, 302]
    assert Allocation.objects.count() == 1
    assert Donation.objects.with_figures().get().allocated == 600


def test_clerks_planting_from_one_allocation_at_once_never_overdraw_it(clerk):
    species = SpeciesFactory()
    donation = DonationFactory(quantity=100)
    DonationItemFactory(donation=donation, species=species)
    zone = ZoneFactory()
    allocation = services.allocate(
        donation=donation, zone=zone, species=species, quantity=50, allocated_on=DAY
    )
    form = {"allocation": allocation.pk, "quantity": "15", "planted_on": "2024-04-07"}
    url = reverse("admin:plantings_planting_add")

    outcomes = run_together([posting(clerk, url, form) for _ in range(6)])

    assert sorted(outcomes) == [200, 200, 200, 302, 302, 302]
    assert Planting.objects.count() == 3
    assert Donation.objects.with_figures().get().planted == 45
