"""
Figures agree on every page that shows them (DESIGN §5): one function per
figure, and 余 kept wherever a gift is shown. Checked on the demo's story:
漷县镇 gave 1000余株 of 牡丹 and 芍药 in one gift, without a split, and the
planting day's record says 14000余株.
"""

import io
import re

import pytest
from django.core.management import call_command

from plantings.models import Donation

pytestmark = pytest.mark.django_db

GIFT_PAGES = [
    "/",
    "/donations/",
    "/gardens/mudanyuan/",
    "/species/mudan/",
    "/species/shaoyao/",
]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def figures(html, name):
    """Every figure of the kind name as the page prints it, in order."""
    return re.findall(rf'data-figure="{name}"[^>]*>([^<]+)<', html)


def gifts(html):
    """{donation pk: its figure} for every gift the page shows."""
    found = re.findall(
        r'data-gift="(\d+)".*?data-figure="given"[^>]*>([^<]+)<', html, re.S
    )
    return {int(pk): figure.strip() for pk, figure in found}


def test_a_gift_keeps_its_floor_on_every_page_that_shows_it(client, demo):
    huoxian = Donation.objects.get(donor__name="漷县镇")

    shown = {url: gifts(page(client, url)) for url in GIFT_PAGES}

    assert {url: found.get(huoxian.pk) for url, found in shown.items()} == {
        url: "1000余株" for url in GIFT_PAGES
    }


def test_every_gift_shows_the_same_figure_wherever_it_is_shown(client, demo):
    urls = [*GIFT_PAGES, "/gardens/zijingyuan/", "/gardens/yuejiyuan/"]
    seen = {}

    for url in urls:
        for pk, figure in gifts(page(client, url)).items():
            seen.setdefault(pk, set()).add(figure)

    assert seen == {
        pk: {figure}
        for pk, figure in [(d.pk, f"{d.quantity}余株") for d in Donation.objects.all()]
    }


def test_a_gift_without_a_split_says_what_was_planted_not_given(client, demo):
    html = page(client, "/species/mudan/")

    # 种下 700株 once the catalogue has the new words; the figure is the point.
    [planted] = figures(html, "planted-here")
    assert planted.endswith(" 700株")
    assert "送来" not in html
    assert "700余株" not in html


def test_a_gift_without_a_split_says_what_was_planted_in_english(english, demo):
    html = page(english, "/species/mudan/")

    assert figures(html, "planted-here") == ["planted 700 plants"]
    assert "sent" not in html


def test_the_planted_total_keeps_the_records_floor_on_every_page(client, demo):
    pages = ["/", "/donations/", "/events/2024-planting-day/"]

    shown = {url: figures(page(client, url), "total-planted") for url in pages}

    assert shown == {url: ["14000余株"] for url in pages}


def test_the_planted_total_in_english(english, demo):
    assert figures(page(english, "/"), "total-planted") == ["14000+ plants"]


def test_a_gardens_species_count_equals_the_species_it_lists(client, demo):
    for slug in ["mudanyuan", "zijingyuan", "yuejiyuan"]:
        html = page(client, f"/gardens/{slug}/")
        listed = html.split('id="species-title"')[1]

        count = figures(html, "species-count")

        assert count == [str(listed.count('class="card species-card'))]
    mudanyuan = page(client, "/gardens/mudanyuan/").split('id="species-title"')[1]
    assert "乡土草花" in mudanyuan  # planted there, though planned in no zone


def test_zones_with_plantings_read_planted_on_their_pages(client, demo):
    html = page(client, "/gardens/mudanyuan/zones/B1/")

    assert 'class="state state-planted"' in html
