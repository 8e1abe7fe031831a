"""
Every page's headings make an outline: exactly one h1, first, and no level
skipped going down (h1 → h3). Screen readers list and jump by headings;
the Nu HTML Checker (make html-check) flags a skip too.
"""

import pytest
from django.http import HttpResponse
from django.template import loader

from tests.headings import heading_levels, outline_problems
from tests.test_query_budget import PAGES, fill, world  # noqa: F401 (a fixture)
from tests.tongyun.test_robots import PRIVATE

pytestmark = pytest.mark.django_db

PUBLIC = {name: page for name, page in PAGES.items() if not name.endswith("file")}
OTHER = {
    "404": lambda client: client.get("/no-such-page/"),
    "survey thanks": lambda client: client.get("/survey/thanks/"),
    "home, English": lambda client: client.get("/", HTTP_ACCEPT_LANGUAGE="en"),
    # Rendered as their handlers render them: without a request.
    "500": lambda client: HttpResponse(loader.render_to_string("500.html")),
    "503": lambda client: HttpResponse(loader.render_to_string("503.html")),
}


def test_outline_problems_finds_skips_and_extra_h1s():
    html = "<h2>a</h2><h1>b</h1><h3>c</h3><h2>d</h2><h4>e</h4><h1>f</h1><h2>g</h2>"

    assert heading_levels(html) == [2, 1, 3, 2, 4, 1, 2]
    assert outline_problems(html) == [
        "2 h1 headings, not one",
        "the first heading is an h2, not the h1",
        "h1 → h3 skips a level",
        "h2 → h4 skips a level",
    ]
    assert outline_problems("<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2>") == []


@pytest.mark.parametrize("name", PUBLIC)
def test_public_page_headings_skip_no_level(client, world, name):  # noqa: F811 (fixture)
    fill(world)

    response = client.get(PUBLIC[name](world))

    html = response.content.decode()
    assert response.status_code == 200
    assert outline_problems(html) == []


@pytest.mark.parametrize("name", [*PRIVATE, *OTHER])
def test_other_page_headings_skip_no_level(client, name):
    response = {**PRIVATE, **OTHER}[name](client)

    html = response.content.decode()
    assert heading_levels(html)[0] == 1
    assert outline_problems(html) == []


def test_garden_list_cards_sit_under_its_h1(client, world):  # noqa: F811 (fixture)
    fill(world)

    html = client.get("/gardens/").content.decode()

    assert heading_levels(html)[:3] == [1, 2, 2]
    assert '<h2 class="card-title"><a href="/gardens/mudanyuan/">' in html
