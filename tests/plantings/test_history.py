"""Who changed the donation ledger: staff in the admin, services, imports."""

import pytest
from django.urls import reverse

from plantings import services
from plantings.models import Allocation, DonationItem, Planting
from tests.factories import AllocationFactory, DonorFactory
from tests.plantings.conftest import DAY

pytestmark = pytest.mark.django_db

ALLOCATIONS = reverse("admin:plantings_historicalallocation_changelist")


def test_planting_through_the_service_is_recorded(peony, zone):
    planting = services.plant(zone=zone, species=peony, quantity=5, planted_on=DAY)

    record = planting.history.get()
    assert (record.history_type, record.history_user, record.quantity) == (
        "+",
        None,
        5,
    )


def test_species_of_a_gift_written_in_bulk_are_recorded(peony, herbaceous):
    donation = services.record_donation(
        donor=DonorFactory(),
        received_on=DAY,
        quantity=1000,
        is_floor=True,
        items={peony: None, herbaceous: 300},
    )

    recorded = DonationItem.history.filter(donation=donation).order_by("species_id")
    assert [(r.species, r.quantity, r.history_type) for r in recorded] == [
        (peony, None, "+"),
        (herbaceous, 300, "+"),
    ]


def test_allocation_changed_in_the_admin_records_the_staff_member(
    admin_client, admin_user, gift, peony, zone
):
    allocation = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=100, allocated_on=DAY
    )

    admin_client.post(
        reverse("admin:plantings_allocation_change", args=[allocation.pk]),
        {
            "donation": gift.pk,
            "zone": zone.pk,
            "species": peony.pk,
            "quantity": "120",
            "allocated_on": "2024-04-07",
            "note": "",
        },
    )

    latest = allocation.history.first()
    assert (latest.history_type, latest.history_user, latest.quantity) == (
        "~",
        admin_user,
        120,
    )


def test_planting_admin_shows_a_planting_history(admin_client, peony, zone):
    planting = services.plant(zone=zone, species=peony, quantity=5, planted_on=DAY)
    planting.quantity = 6
    planting.save()

    response = admin_client.get(
        reverse("admin:plantings_planting_history", args=[planting.pk])
    )

    changed, created = response.context["page_obj"]
    assert [(old, new) for _field, old, new in changed.history_changes] == [("5", "6")]
    assert created.history_changes == []
    assert Planting.history.count() == 2


@pytest.mark.parametrize("item_count", [1, 3])
def test_allocation_history_query_count_is_constant(
    admin_client, item_count, django_assert_num_queries
):
    for _ in range(item_count):
        allocation = AllocationFactory()
        allocation.quantity = 20
        allocation.save()

    # 8 queries: session, user, staff members for the filter, count, the
    # records (with donation and donor, zone and garden, species, users, and
    # the previous record's id), the previous records, the date hierarchy
    # (first and last day, days). No query per label.
    with django_assert_num_queries(8):
        response = admin_client.get(ALLOCATIONS)

    shown = response.context["cl"].result_list
    assert len(shown) == 2 * item_count
    assert "→" in response.content.decode()
    assert Allocation.history.count() == 2 * item_count
