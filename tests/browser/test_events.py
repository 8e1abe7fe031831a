import io

import pytest
import zxingcpp
from django.contrib.auth.models import Permission, User
from django.test import Client
from PIL import Image

from events import services
from events.models import Signup
from tests.factories import (
    EventFactory,
    GardenFactory,
    SignupFactory,
    event_under_way,
    reach_every_community,
)

pytestmark = pytest.mark.django_db(transaction=True)

NARROW_PHONE = {"width": 360, "height": 780}


@pytest.fixture
def event():
    peony = GardenFactory(name="牡丹园", theme="peony")
    rose = GardenFactory(name="月季园", theme="rose")
    return EventFactory(
        title="乡土植物进社区",
        description="带上手套和水壶。",
        gardens=[peony, rose],
        capacity=20,
    )


def sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def fill_signup_form(page, *, name, phone, headcount):
    form = page.locator("form.signup-form")
    form.locator('input[name="name"]').fill(name)
    form.locator('input[name="phone"]').fill(phone)
    form.locator(f'label:has(input[name="headcount"][value="{headcount}"])').click()
    form.locator('input[name="organisation"]').fill("牡丹园社区绘画班")
    form.locator('input[name="consent"]').check()
    return form


def test_volunteer_signs_up_keeps_the_ticket_and_cancels(
    visitor, live_server, settings, event
):
    settings.SITE_URL = live_server.url
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)

    visitor.visit("/events/")
    list_overflow = sideways_scroll(page)
    page.get_by_role("link", name="乡土植物进社区").click()
    visitor.check()
    detail_overflow = sideways_scroll(page)
    fill_signup_form(page, name="李华", phone="138 0013 8000", headcount=2).locator(
        'button[type="submit"]'
    ).click()
    visitor.check()

    signup = Signup.objects.get()
    ticket_url = live_server.url + signup.get_absolute_url()
    assert (list_overflow, detail_overflow, sideways_scroll(page)) == (0, 0, 0)
    assert page.url.split("#")[0] == ticket_url
    assert (signup.name, signup.headcount, signup.status) == ("李华", 2, "confirmed")
    assert page.locator(".status-tag.status-confirmed").is_visible()
    assert "138****8000" in page.locator(".ticket").inner_text()
    # The QR code is for check-in: it carries the check-in code, never the
    # ticket's token, which can cancel.
    assert scanned(page) == [live_server.url + signup.get_checkin_url()]
    assert signup.token not in scanned(page)[0]

    page.locator(".cancel-box button").click()
    visitor.check()
    asked = Signup.objects.get().status
    page.locator(".confirm-form button").click()
    visitor.check()

    assert asked == "confirmed"
    assert Signup.objects.get().status == "cancelled"
    assert page.url.split("#")[0] == ticket_url
    assert page.locator(".status-tag.status-cancelled").is_visible()
    assert page.locator(".qr").count() == 0


def scanned(page):
    """What a phone's camera reads from the ticket's QR code."""
    qr = Image.open(io.BytesIO(page.locator(".qr").screenshot()))
    return [code.text for code in zxingcpp.read_barcodes(qr)]


def test_staff_scan_the_qr_code_and_check_the_volunteer_in(
    visitor, live_server, settings, event
):
    settings.SITE_URL = live_server.url
    signup = SignupFactory(event=event_under_way(), name="李华", headcount=2)
    staff = User.objects.create_user("alice", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_signup"))
    reach_every_community(staff)
    desk = Client()
    desk.force_login(staff)
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)
    visitor.visit(signup.get_absolute_url())
    [address] = scanned(page)

    # The staff member's phone, signed in to the admin, opens what it read.
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": desk.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(address)
    visitor.check()
    shown = page.locator("main").inner_text()
    page.get_by_role("button", name="签到 2 人").click()
    visitor.check()

    signup.refresh_from_db()
    assert "李华" in shown
    assert page.locator(f'a[href*="{signup.token}"]').count() == 0
    assert signup.checked_in_at is not None
    assert page.url == address
    assert page.locator(".checked-in").is_visible()
    assert sideways_scroll(page) == 0


def test_volunteer_with_a_wrong_phone_sees_why_and_keeps_what_was_typed(visitor, event):
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)

    visitor.visit(event.get_absolute_url())
    fill_signup_form(page, name="王秀英", phone="12345", headcount=3).locator(
        'button[type="submit"]'
    ).click()
    visitor.check()

    phone = page.locator('input[name="phone"]')
    assert Signup.objects.count() == 0
    assert page.locator('input[name="name"]').input_value() == "王秀英"
    assert phone.input_value() == "12345"
    assert phone.get_attribute("aria-invalid") == "true"
    assert page.locator("#id_phone_error").is_visible()
    assert page.locator('input[name="headcount"][value="3"]').is_checked()
    assert page.locator('input[name="consent"]').is_checked()
    assert sideways_scroll(page) == 0


def test_first_in_line_sees_no_ticket_then_takes_the_seat_that_freed(
    visitor, live_server, settings
):
    settings.SITE_URL = live_server.url
    event = EventFactory(title="月季园养护日", capacity=3)
    leaving = SignupFactory(event=event, headcount=1)
    SignupFactory(event=event, headcount=2)
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)

    visitor.visit(event.get_absolute_url())
    fill_signup_form(page, name="陈静", phone="139 0013 9000", headcount=2).locator(
        'button[type="submit"]'
    ).click()
    visitor.check()
    waiting = Signup.objects.get(name="陈静")
    seen_waiting = {
        "qr": page.locator(".qr").count(),
        "calendar": page.locator('a[href*=".ics"]').count(),
        "offer": page.locator("form.take-seats").count(),
    }

    services.cancel(leaving)  # one seat frees up; the family of two still waits
    visitor.visit(waiting.get_absolute_url())
    offer = page.locator("form.take-seats")
    offered = offer.locator('input[name="headcount"]').evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )
    offer.locator('label:has(input[name="headcount"][value="1"])').click()
    offer.locator('button[type="submit"]').click()
    visitor.check()

    waiting.refresh_from_db()
    assert seen_waiting == {"qr": 0, "calendar": 0, "offer": 0}
    assert offered == ["1"]
    assert (waiting.status, waiting.headcount) == ("confirmed", 1)
    assert page.url.split("#")[0] == live_server.url + waiting.get_absolute_url()
    assert page.locator(".status-tag.status-confirmed").is_visible()
    assert page.locator(".qr").is_visible()
    assert page.locator('a[href*=".ics?ticket="]').is_visible()
    assert sideways_scroll(page) == 0
