import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_resident_goes_from_home_to_a_garden_to_a_species(visitor, demo):
    page = visitor.page

    visitor.visit("/")
    page.get_by_role("link", name="牡丹园", exact=True).click()
    visitor.check()
    heading = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="牡丹").first.click()
    visitor.check()

    assert heading == "牡丹园"
    assert page.url.endswith("/species/mudan/")
    assert page.get_by_role("heading", level=1).inner_text() == "牡丹"
    assert page.get_by_text("Paeonia suffruticosa").is_visible()


def test_resident_switches_to_english_and_stays_on_the_page(visitor, demo):
    page = visitor.page

    visitor.visit("/gardens/zijingyuan/")
    page.get_by_role("button", name="English").click()
    visitor.check()

    assert page.url.endswith("/gardens/zijingyuan/")
    assert page.get_by_role("heading", level=1).inner_text() == "Redbud Garden"
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("language", ["中文", "English"])
def test_narrow_phone_page_has_no_sideways_scrolling(visitor, demo, language):
    page = visitor.page
    page.set_viewport_size({"width": 360, "height": 780})
    visitor.visit("/")
    page.get_by_role("button", name=language).click()
    paths = [
        "/",
        "/gardens/",
        "/gardens/yuejiyuan/",
        "/gardens/zijingyuan/zones/A2/",
        "/bloom/",
        "/species/yueji/",
        "/donations/",
    ]

    overflow = {}
    for path in paths:
        visitor.visit(path)
        overflow[path] = page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )

    assert {path: px for path, px in overflow.items() if px > 0} == {}


def test_foreign_hosts_are_caught(visitor, demo):
    """The guard itself works: a request to another host is recorded."""
    page = visitor.page
    visitor.visit("/")

    # A navigation: the page's CSP would stop a fetch() before the network.
    # The guard records the request, then aborts it, and only then it fails.
    with page.expect_event(
        "requestfailed", lambda request: request.url == "http://example.invalid/x"
    ):
        page.evaluate("window.location.href = 'http://example.invalid/x'")

    assert visitor.foreign_requests == ["http://example.invalid/x"]
    visitor.foreign_requests.clear()


def test_resident_follows_a_rose_back_to_the_town_that_gave_it(visitor, demo):
    page = visitor.page

    visitor.visit("/")
    page.get_by_role("link", name="月季园", exact=True).click()
    visitor.check()
    page.get_by_role("link", name="月季花廊").click()
    visitor.check()
    page.get_by_role("link", name="潞城镇").first.click()
    visitor.check()

    assert "/donations/" in page.url
    card = page.locator(page.url[page.url.index("#") :])
    assert card.is_visible()
    assert "潞城镇" in card.inner_text()
    assert "400余株" in card.inner_text()
