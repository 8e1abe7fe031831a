import pytest

from tests.factories import ArtworkFactory, EventFactory, GardenFactory, SignupFactory
from tests.senders import CapturingSender, codes_sent

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+8613800138000"


@pytest.fixture
def sent(settings):
    settings.NOTIFY_SENDER = "tests.senders.CapturingSender"
    CapturingSender.sent = []
    return CapturingSender.sent


def sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_volunteer_who_lost_the_link_finds_the_ticket_again(
    visitor, live_server, settings, sent
):
    settings.SITE_URL = live_server.url
    peony = GardenFactory(name="牡丹园", theme="peony")
    event = EventFactory(title="乡土植物进社区", gardens=[peony])
    signup = SignupFactory(event=event, phone=PHONE, name="李华")
    SignupFactory(event=event, name="别人")  # another phone's: never listed
    work = ArtworkFactory(phone=PHONE, title="牡丹图", status="pending")
    page = visitor.page

    visitor.visit("/events/")
    page.locator('.site-footer a[href="/signups/find/"]').click()
    visitor.check()
    page.locator('input[name="phone"]').fill("138 0013 8000")
    page.locator('form.signup-form button[type="submit"]').click()
    visitor.check()
    [code] = codes_sent(PHONE)
    page.locator('input[name="code"]').fill(code)
    page.locator('form.signup-form button[type="submit"]').click()
    visitor.check()

    tickets = page.locator(".found-signup h3 a")
    works = page.locator(".found-artwork h3 a")
    assert tickets.all_inner_texts() == ["乡土植物进社区"]
    assert works.all_inner_texts() == ["牡丹图"]
    assert works.get_attribute("href") == work.get_status_url()
    assert sideways_scroll(page) == 0
    tickets.click()
    visitor.check()
    assert page.url == live_server.url + signup.get_absolute_url()
    assert page.locator(".qr").is_visible()
    assert page.locator(".qr-note").is_visible()
