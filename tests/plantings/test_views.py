import datetime as dt

import pytest
from django.urls import reverse

from plantings import services
from plantings.views import DONATIONS_PER_PAGE
from tests.factories import (
    DonationFactory,
    DonationItemFactory,
    DonorFactory,
    ObservationFactory,
    SpeciesFactory,
    ZoneFactory,
)
from tests.plantings.conftest import DAY
from tongyun.lib.figures import Plants

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


@pytest.fixture
def story(gift, peony, herbaceous):
    """漷县镇's gift, part allocated and planted in 牡丹园, one loss recorded."""
    gift.donor.name = "漷县镇"
    gift.donor.contact = "王主任 13800138000"
    gift.donor.save()
    zone = ZoneFactory(garden__name="牡丹园", code="A2", name="牡丹台地")
    allocation = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=400, allocated_on=DAY
    )
    planting = services.plant(
        zone=zone, species=peony, quantity=400, planted_on=DAY, allocation=allocation
    )
    services.observe(
        zone=zone,
        species=peony,
        observed_on=DAY,
        kind="loss",
        count=12,
        planting=planting,
        note="冬季冻害",
    )
    return gift, zone


def test_thanks_wall_shows_each_gift_where_it_went_and_how_it_does(client, story):
    gift, zone = story

    response = client.get(reverse("plantings:donation_list"))

    page = html(response)
    donation = response.context["donations"][0]
    assert (donation.allocated, donation.planted, donation.surviving) == (400, 400, 388)
    assert "漷县镇" in page
    assert "1000余株" in page
    assert "牡丹" in page
    assert "芍药" in page
    assert zone.get_absolute_url() in page
    assert "388株" in page


def test_thanks_wall_never_shows_a_donors_private_contact(client, story):
    response = client.get(reverse("plantings:donation_list"))

    assert "13800138000" not in html(response)
    assert "王主任" not in html(response)


def test_thanks_wall_counts_plants_from_no_donation(client, story, peony):
    services.plant(
        zone=ZoneFactory(), species=peony, quantity=600, planted_on=DAY, source="采购"
    )

    response = client.get(reverse("plantings:donation_list"))

    assert response.context["totals"]["planted"] == Plants(1000)
    assert response.context["totals"]["from_donations"] == 400
    assert "1000株" in html(response)


def test_thanks_wall_in_english(english, story):
    response = english.get(reverse("plantings:donation_list"))

    assert "1000+ plants" in html(response)
    assert "Where the flowers came from" in html(response)


def test_empty_thanks_wall_reads_well(client):
    response = client.get(reverse("plantings:donation_list"))

    assert list(response.context["donations"]) == []
    assert 'class="empty"' in html(response)


@pytest.mark.parametrize("item_count", [1, 10])
def test_thanks_wall_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        species = SpeciesFactory()
        donation = DonationFactory(donor=DonorFactory(), quantity=50)
        DonationItemFactory(donation=donation, species=species)
        zone = ZoneFactory()
        allocation = services.allocate(
            donation=donation,
            zone=zone,
            species=species,
            quantity=20,
            allocated_on=DAY,
        )
        services.plant(
            zone=zone,
            species=species,
            quantity=20,
            planted_on=DAY,
            allocation=allocation,
        )

    # the count; the page's donations + donor + figures; their species; their
    # allocations + zone + garden + species; donation totals; planting totals
    with django_assert_num_queries(6):
        response = client.get(reverse("plantings:donation_list"))

    assert html(response).count('class="card donation-card"') == item_count


# --- Garden, zone and species pages gain the ledger ------------------------


def test_garden_page_shows_donors_planted_and_observations(client, story):
    gift, zone = story

    response = client.get(zone.garden.get_absolute_url())

    page = html(response)
    gifts = response.context["gifts"]
    assert [(g.donor.name, g.quantity_display, g.planted_here) for g in gifts] == [
        ("漷县镇", "1000余株", 400)
    ]
    planted = {s.name: (s.planted, s.surviving) for s in response.context["planted"]}
    assert planted == {"牡丹": (400, 388)}
    assert "冬季冻害" in page


def test_zone_page_lists_what_was_planted_and_from_whom(client, story):
    gift, zone = story

    response = client.get(zone.get_absolute_url())

    page = html(response)
    plantings = list(response.context["plantings"])
    assert [(p.species.name, p.quantity, p.donor.name) for p in plantings] == [
        ("牡丹", 400, "漷县镇")
    ]
    assert "漷县镇" in page
    assert "400株" in page


def test_species_page_lists_zones_planted_and_donors(client, story, peony):
    gift, zone = story

    response = client.get(peony.get_absolute_url())

    rows = [(z.code, z.planted, z.surviving) for z in response.context["planted"]]
    assert rows == [("A2", 400, 388)]
    gifts = response.context["gifts"]
    assert [(g.donor.name, g.planted_here) for g in gifts] == [("漷县镇", 400)]


# --- Bloom status follows this year's observations --------------------------


@pytest.fixture
def november(monkeypatch):
    instant = dt.datetime(2024, 11, 15, 4, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: instant)


def test_a_bloom_record_wins_over_the_month_window(client, april):
    lilac = SpeciesFactory(name="紫丁香", bloom_start_month=5, bloom_end_month=5)
    ObservationFactory(
        species=lilac, kind="bloom_start", observed_on=dt.date(2024, 4, 10)
    )

    response = client.get(reverse("gardens:home"))

    assert response.context["blooming"] == [lilac]


def test_zone_bloom_status_uses_that_zones_records(client, april):
    peony = SpeciesFactory(bloom_start_month=5, bloom_end_month=5)
    here, elsewhere = ZoneFactory(), ZoneFactory()
    here.species.add(peony)
    elsewhere.species.add(peony)
    ObservationFactory(
        zone=here, species=peony, kind="full_bloom", observed_on=dt.date(2024, 4, 14)
    )

    at_here = client.get(here.get_absolute_url())
    at_elsewhere = client.get(elsewhere.get_absolute_url())

    assert 'class="now-tag"' in html(at_here)
    assert 'class="now-tag"' not in html(at_elsewhere)


def test_thanks_wall_shows_a_page_at_a_time_and_the_totals_of_all(client):
    town = DonorFactory()
    gifts = [
        DonationFactory(donor=town, quantity=10, received_on=DAY)
        for _ in range(DONATIONS_PER_PAGE + 1)
    ]
    url = reverse("plantings:donation_list")

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert [d.pk for d in first.context["donations"]] == [
        d.pk for d in gifts[:DONATIONS_PER_PAGE]
    ]
    assert [d.pk for d in second.context["donations"]] == [gifts[-1].pk]
    assert first.context["totals"]["given"] == Plants(10 * (DONATIONS_PER_PAGE + 1))
    assert second.context["totals"] == first.context["totals"]
    assert f'href="{url}?page=2"' in html(first)
    assert f'id="donation-{gifts[-1].pk}"' in html(second)
    assert f'id="donation-{gifts[-1].pk}"' not in html(first)
