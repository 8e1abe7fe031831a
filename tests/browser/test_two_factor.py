"""
Staff log in on a phone: the password, the authenticator's QR code, the
backup codes, the admin; and the login steps at phone and desktop size.

SCREENSHOTS_DIR=docs/screenshots also saves those steps there, in Chinese,
for a person to look at (the docs' copies are made that way).
"""

import io
import os
from base64 import b32decode
from pathlib import Path

import pytest
import zxingcpp
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from tongyun import lockout

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "plum-blossom-kite-41"
SIZES = {
    "phone": {"width": 360, "height": 780},
    "desktop": {"width": 1280, "height": 800},
}


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.ADMIN_REQUIRE_2FA = True


@pytest.fixture
def staff(django_user_model):
    def make(username):
        return django_user_model.objects.create_user(
            username, password=PASSWORD, is_staff=True, is_superuser=True
        )

    return make


def log_in(visitor, username, password=PASSWORD):
    visitor.visit("/admin/")
    page = visitor.page
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#login-form [type=submit]").click()
    visitor.check()


def sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_staff_member_enrols_an_authenticator_and_reaches_the_admin(visitor, staff):
    staff("alice")
    page = visitor.page
    page.set_viewport_size(SIZES["phone"])

    log_in(visitor, "alice")
    on_setup = page.url
    overflow = sideways_scroll(page)
    qr = Image.open(io.BytesIO(page.locator(".qr").screenshot()))
    scanned = [code.text for code in zxingcpp.read_barcodes(qr)]
    secret = page.locator("#secret").inner_text()
    key = b32decode(secret.replace(" ", ""))
    page.locator("#id_code").fill(f"{totp(key):06d}")
    page.locator("#code-form [type=submit]").click()
    visitor.check()
    backup_codes = page.locator("#backup-codes li").all_inner_texts()
    page.locator(".submit-row .button").click()
    visitor.check()

    device = TOTPDevice.objects.get()
    assert "/admin/2fa/setup/" in on_setup
    assert overflow == 0
    assert scanned == [device.config_url]
    assert key == device.bin_key
    assert device.confirmed
    assert len(set(backup_codes)) == 10
    assert page.url.endswith("/admin/")
    assert page.locator("#work-queue").is_visible()


def test_a_wrong_code_is_explained_and_the_admin_stays_shut(visitor, staff):
    staff("alice")
    page = visitor.page

    log_in(visitor, "alice")
    page.locator("#id_code").fill("12345")
    page.locator("#code-form [type=submit]").click()
    visitor.check()

    assert "/admin/2fa/setup/" in page.url
    assert page.locator(".errorlist").is_visible()
    assert page.locator("#id_code").input_value() == "12345"
    assert page.locator(".qr svg").is_visible()


@pytest.mark.parametrize("size", SIZES)
def test_login_steps_fit_the_screen(visitor, staff, size, tmp_path):
    """Every login step, in Chinese: nothing to scroll sideways, the QR code
    whole and big enough to scan from the screen."""
    out = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page = visitor.page
    page.set_viewport_size(SIZES[size])
    staff("alice")
    bob = staff("bob")
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    shown = {}
    missing = []  # a stylesheet's or an icon's address that is wrong
    page.on(
        "response",
        lambda r: (
            missing.append(r.url) if "/static/" in r.url and r.status >= 400 else None
        ),
    )

    def keep(step):
        path = page.url.split("?")[0].removeprefix(visitor.base_url)
        shown[step] = (path, sideways_scroll(page))
        page.screenshot(path=out / f"staff-login-{step}-{size}.png", full_page=True)

    visitor.visit("/admin/")
    keep("password")
    log_in(visitor, "alice")
    keep("setup")
    qr_box = page.locator(".qr svg").bounding_box()
    key = b32decode(page.locator("#secret").inner_text().replace(" ", ""))
    page.locator("#id_code").fill(f"{totp(key):06d}")
    page.locator("#code-form [type=submit]").click()
    visitor.check()
    keep("backup-codes")
    visitor.visit("/admin/2fa/")
    keep("status")
    page.context.clear_cookies()
    log_in(visitor, "bob")
    keep("verify")
    page.context.clear_cookies()
    for _ in range(5):
        log_in(visitor, "carol", "wrong")
    keep("locked")
    lockout.unlock(address="127.0.0.1")

    assert shown == {
        "password": ("/admin/login/", 0),
        "setup": ("/admin/2fa/setup/", 0),
        "backup-codes": ("/admin/2fa/setup/", 0),
        "status": ("/admin/2fa/", 0),
        "verify": ("/admin/2fa/verify/", 0),
        "locked": ("/admin/login/", 0),
    }
    assert missing == []
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert qr_box["x"] >= 0
    assert qr_box["x"] + qr_box["width"] <= SIZES[size]["width"]
    assert qr_box["width"] >= 150
