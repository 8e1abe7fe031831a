"""The admin's second step (tongyun.two_factor, tongyun.sites.StaffSite)."""

import datetime as dt
import io
from base64 import b32decode
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest
import segno
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import ArtworkFactory, SignupFactory, event_under_way
from tests.test_project import clean_env, run_django
from tests.threads import postgres_only, run_together
from tongyun import two_factor

pytestmark = pytest.mark.django_db

PASSWORD = "plum-blossom-kite-41"
GARDENS = "/admin/gardens/garden/"


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.ADMIN_REQUIRE_2FA = True


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(
        "alice", password=PASSWORD, is_staff=True, is_superuser=True
    )


@pytest.fixture
def authenticator(alice):
    return TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)


def code(device, steps=0):
    """The code device's app shows now, or `steps` time steps later."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, steps)
    return f"{value:0{device.digits}d}"


def wrong_code(device):
    """Six digits that none of the codes accepted now would match."""
    accepted = {code(device, steps) for steps in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(10**6)) if c not in accepted)


def url(name, next_url=None):
    path = reverse(name)
    return f"{path}?{urlencode({'next': next_url})}" if next_url else path


def log_in_with_password(client, next_url="/admin/"):
    return client.post(
        reverse("admin:login"),
        {"username": "alice", "password": PASSWORD, "next": next_url},
    )


def is_verified(client):
    return DEVICE_ID_SESSION_KEY in client.session


# --- Password only ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        GARDENS,
        "/admin/password_change/",
        "/admin/2fa/",
        "/admin/auth/user/1/change/",
    ],
)
def test_a_password_only_session_opens_no_admin_page(client, alice, path):
    client.force_login(alice)

    response = client.get(path)

    assert response["Location"] == url("admin:two_factor_setup", path)


def test_a_password_only_session_with_an_app_is_asked_for_its_code(
    client, alice, authenticator
):
    client.force_login(alice)

    response = client.get(GARDENS)

    assert response["Location"] == url("admin:two_factor_verify", GARDENS)


def test_the_password_leads_straight_on_to_the_second_step(client, alice):
    response = log_in_with_password(client, GARDENS)

    assert response["Location"] == url("admin:two_factor_setup", GARDENS)
    assert SESSION_KEY in client.session
    assert not is_verified(client)


def test_the_login_page_sends_a_password_only_session_on(client, alice):
    client.force_login(alice)

    response = client.get(url("admin:login", GARDENS))

    assert response["Location"] == url("admin:two_factor_setup", GARDENS)


def test_superusers_are_not_exempt(client, alice):
    assert alice.is_superuser
    client.force_login(alice)

    response = client.get("/admin/")

    assert response["Location"].startswith(reverse("admin:two_factor_setup"))


def test_second_step_pages_need_the_password_first(client, alice):
    setup = client.get(reverse("admin:two_factor_setup"))
    verify = client.get(reverse("admin:two_factor_verify"))

    assert setup["Location"].startswith(reverse("admin:login"))
    assert verify["Location"].startswith(reverse("admin:login"))
    assert TOTPDevice.objects.count() == 0


def test_a_password_only_session_can_log_out(client, alice):
    client.force_login(alice)

    client.post(reverse("admin:logout"))

    assert SESSION_KEY not in client.session


# --- Enrolment ----------------------------------------------------------


def test_setup_shows_the_qr_code_and_the_key_of_a_pending_app(client, alice):
    client.force_login(alice)

    response = client.get(url("admin:two_factor_setup", GARDENS))
    again = client.get(url("admin:two_factor_setup", GARDENS))

    device = TOTPDevice.objects.get(user=alice)
    assert not device.confirmed
    page = response.content.decode()
    expected_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000000", light="#ffffff", omitsize=True
    )
    assert expected_svg in page
    secret = response.context["secret"]
    assert b32decode(secret.replace(" ", "")) == device.bin_key
    assert all(len(group) == 4 for group in secret.split())
    assert secret in page
    assert 'name="code"' in page
    assert f'name="next" value="{GARDENS}"' in page
    assert again.context["secret"] == secret  # a reload keeps the same app key


def test_the_provisioning_uri_names_the_issuer_and_the_account(alice):
    device = two_factor.pending_authenticator(alice)

    uri = urlsplit(device.config_url)
    query = parse_qs(uri.query)

    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/通运花园城:alice"
    assert query["issuer"] == ["通运花园城"]
    assert b32decode(query["secret"][0]) == device.bin_key
    assert (query["digits"], query["period"]) == (["6"], ["30"])


def test_setup_confirms_the_app_with_its_code_and_shows_backup_codes_once(
    client, alice
):
    client.force_login(alice)
    client.get(reverse("admin:two_factor_setup"))
    device = TOTPDevice.objects.get(user=alice)

    response = client.post(
        reverse("admin:two_factor_setup"), {"code": code(device), "next": GARDENS}
    )
    after = client.get(GARDENS)

    device.refresh_from_db()
    assert device.confirmed
    codes = response.context["codes"]
    tokens = StaticToken.objects.filter(device__user=alice)
    assert sorted(codes) == sorted(t.token for t in tokens)
    assert len(set(codes)) == 10
    page = response.content.decode()
    assert all(f"<code>{c}</code>" in page for c in codes)
    assert f'href="{GARDENS}"' in page  # continue
    assert is_verified(client)
    assert after.status_code == 200
    assert after.context["cl"].model._meta.label == "gardens.Garden"


def test_setup_refuses_a_wrong_code_and_keeps_the_form(client, alice):
    client.force_login(alice)
    client.get(reverse("admin:two_factor_setup"))
    device = TOTPDevice.objects.get(user=alice)
    wrong = wrong_code(device)

    response = client.post(
        reverse("admin:two_factor_setup"), {"code": wrong, "next": GARDENS}
    )

    device.refresh_from_db()
    assert response.status_code == 422
    assert not device.confirmed
    assert list(response.context["form"].errors) == ["code"]
    page = response.content.decode()
    assert f'value="{wrong}"' in page
    assert response.context["secret"] == two_factor.secret_for_typing(device)
    assert f'name="next" value="{GARDENS}"' in page
    assert not is_verified(client)
    assert StaticDevice.objects.count() == 0


def test_setup_with_an_app_already_confirmed_asks_for_its_code(
    client, alice, authenticator
):
    """A password alone must never add a second app to an account."""
    client.force_login(alice)

    get = client.get(url("admin:two_factor_setup", GARDENS))
    post = client.post(reverse("admin:two_factor_setup"), {"code": "123456"})

    assert get["Location"] == url("admin:two_factor_verify", GARDENS)
    assert post["Location"].startswith(reverse("admin:two_factor_verify"))
    assert list(TOTPDevice.objects.all()) == [authenticator]


# --- Verification -------------------------------------------------------


def test_the_apps_code_opens_the_next_page(client, alice, authenticator):
    client.force_login(alice)

    response = client.post(
        reverse("admin:two_factor_verify"),
        {"code": code(authenticator), "next": GARDENS},
    )
    after = client.get(GARDENS)

    assert response["Location"] == GARDENS
    assert is_verified(client)
    assert after.context["cl"].model._meta.label == "gardens.Garden"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/admin/", "//evil.example/", "http://testserver.evil/"],
)
def test_an_off_site_next_leads_to_the_admin_index(
    client, alice, authenticator, next_url
):
    client.force_login(alice)

    response = client.post(
        reverse("admin:two_factor_verify"),
        {"code": code(authenticator), "next": next_url},
    )

    assert response["Location"] == reverse("admin:index")


def test_a_wrong_code_is_refused_with_the_form_kept(client, alice, authenticator):
    client.force_login(alice)
    wrong = wrong_code(authenticator)

    response = client.post(
        reverse("admin:two_factor_verify"), {"code": wrong, "next": GARDENS}
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["code"]
    assert f'value="{wrong}"' in response.content.decode()
    assert f'name="next" value="{GARDENS}"' in response.content.decode()
    assert not is_verified(client)
    assert client.get(GARDENS)["Location"].startswith(
        reverse("admin:two_factor_verify")
    )


def test_after_a_wrong_code_codes_are_refused_for_a_while(client, alice, authenticator):
    """django-otp's throttling: 1, 2, 4 … seconds after each wrong code."""
    client.force_login(alice)
    client.post(reverse("admin:two_factor_verify"), {"code": wrong_code(authenticator)})

    too_soon = client.post(
        reverse("admin:two_factor_verify"), {"code": code(authenticator)}
    )
    verified_too_soon = is_verified(client)
    authenticator.refresh_from_db()
    authenticator.throttling_failure_timestamp -= dt.timedelta(seconds=2)
    authenticator.save(update_fields=["throttling_failure_timestamp"])
    later = client.post(
        reverse("admin:two_factor_verify"), {"code": code(authenticator)}
    )

    assert too_soon.status_code == 422
    assert "code" in too_soon.context["form"].errors
    assert not verified_too_soon
    assert later["Location"] == reverse("admin:index")
    assert is_verified(client)


def test_a_code_is_accepted_once(client, alice, authenticator):
    client.force_login(alice)
    now = code(authenticator)
    client.post(reverse("admin:two_factor_verify"), {"code": now})
    client.post(reverse("admin:logout"))
    client.force_login(alice)

    again = client.post(reverse("admin:two_factor_verify"), {"code": now})

    assert again.status_code == 422
    assert not is_verified(client)


def test_a_backup_code_works_once(client, alice, authenticator):
    codes = two_factor.make_backup_codes(alice)
    client.force_login(alice)

    first = client.post(reverse("admin:two_factor_verify"), {"code": codes[3]})
    client.post(reverse("admin:logout"))
    client.force_login(alice)
    second = client.post(reverse("admin:two_factor_verify"), {"code": codes[3]})

    assert first["Location"] == reverse("admin:index")
    assert second.status_code == 422
    assert not is_verified(client)
    left = StaticToken.objects.filter(device__user=alice)
    assert sorted(t.token for t in left) == sorted(codes[:3] + codes[4:])


def test_a_backup_code_may_be_typed_in_capitals_with_spaces(
    client, alice, authenticator
):
    codes = two_factor.make_backup_codes(alice)
    client.force_login(alice)
    typed = f" {codes[0][:4].upper()} {codes[0][4:].upper()} "

    response = client.post(reverse("admin:two_factor_verify"), {"code": typed})

    assert response["Location"] == reverse("admin:index")


def test_another_users_backup_code_is_refused(
    client, alice, authenticator, django_user_model
):
    bob = django_user_model.objects.create_user("bob", is_staff=True)
    bobs_codes = two_factor.make_backup_codes(bob)
    client.force_login(alice)

    response = client.post(reverse("admin:two_factor_verify"), {"code": bobs_codes[0]})

    assert response.status_code == 422
    assert StaticToken.objects.filter(device__user=bob).count() == 10


def test_logging_out_and_in_again_asks_for_the_code_again(client, alice, authenticator):
    client.force_login(alice)
    client.post(reverse("admin:two_factor_verify"), {"code": code(authenticator)})
    client.post(reverse("admin:logout"))

    log_in_with_password(client)
    response = client.get("/admin/")

    assert response["Location"] == url("admin:two_factor_verify", "/admin/")


def test_passing_the_second_step_gives_a_new_session_key(client, alice, authenticator):
    client.force_login(alice)
    before = client.session.session_key

    client.post(reverse("admin:two_factor_verify"), {"code": code(authenticator)})

    assert client.session.session_key != before
    assert is_verified(client)


# --- A user's own status, lost phones ----------------------------------


def verified(client, user, device):
    client.force_login(user)
    client.post(reverse("admin:two_factor_verify"), {"code": code(device)})
    assert is_verified(client)


def test_staff_see_that_the_second_step_is_on_for_them(client, alice, authenticator):
    two_factor.make_backup_codes(alice)
    verified(client, alice, authenticator)

    index = client.get("/admin/")
    status = client.get(reverse("admin:two_factor"))

    assert f'href="{reverse("admin:two_factor")}"' in index.content.decode()
    assert status.context["authenticator"] == authenticator
    assert status.context["codes_left"] == 10


def test_staff_may_replace_their_backup_codes(client, alice, authenticator):
    old = two_factor.make_backup_codes(alice)
    verified(client, alice, authenticator)

    response = client.post(reverse("admin:two_factor_backup_codes"))

    new = response.context["codes"]
    assert sorted(t.token for t in StaticToken.objects.all()) == sorted(new)
    assert not set(old) & set(new)


def test_reset_2fa_removes_the_devices_and_reports_them(client, alice, authenticator):
    two_factor.make_backup_codes(alice)
    verified(client, alice, authenticator)
    out = io.StringIO()

    call_command("reset_2fa", "alice", stdout=out)
    response = client.get("/admin/")

    assert "removed 1 authenticator app(s) and 10 unused backup code(s)" in (
        out.getvalue()
    )
    assert TOTPDevice.objects.count() == StaticDevice.objects.count() == 0
    # The session that had passed the second step with the lost phone has not.
    assert response["Location"] == url("admin:two_factor_setup", "/admin/")


def test_reset_2fa_refuses_an_unknown_username(alice):
    with pytest.raises(CommandError, match="No account is named 'alcie'"):
        call_command("reset_2fa", "alcie", stdout=io.StringIO())


# --- Off ------------------------------------------------------------------


def test_with_the_second_step_off_the_password_opens_the_admin(client, alice, settings):
    settings.ADMIN_REQUIRE_2FA = False

    response = log_in_with_password(client, GARDENS)
    page = client.get(GARDENS)
    setup = client.get(reverse("admin:two_factor_setup"))

    assert response["Location"] == GARDENS
    assert page.context["cl"].model._meta.label == "gardens.Garden"
    assert setup["Location"] == reverse("admin:index")
    assert TOTPDevice.objects.count() == 0


@pytest.mark.parametrize(
    ("environment", "required"),
    [
        ({"DEBUG": "false"}, "True"),
        ({"DEBUG": "true"}, "False"),
        ({"DEBUG": "false", "ADMIN_REQUIRE_2FA": "false"}, "False"),
    ],
)
def test_the_second_step_is_on_unless_debug_or_turned_off(environment, required):
    # Without the developer's .env, whose values would fill in the defaults.
    code = "import environ; environ.Env.read_env = lambda *args, **kwargs: None;"
    code += "import django; django.setup(); from django.conf import settings as s;"
    code += "print(s.ADMIN_REQUIRE_2FA)"

    result = run_django(clean_env(SECRET_KEY="x" * 50, **environment), code)

    assert result.stdout.split()[-1:] == [required]


# --- At the same moment ---------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_backup_code_sent_twice_at_once_is_accepted_once(alice):
    codes = two_factor.make_backup_codes(alice)
    device = StaticDevice.objects.get(user=alice)

    outcomes = run_together([lambda: two_factor.check_code(device, codes[0])] * 4)

    assert sorted(outcome is None for outcome in outcomes) == [
        False,
        False,
        False,
        True,
    ]


# --- Staff pages outside the admin ---------------------------------------


def test_a_password_only_session_neither_checks_in_nor_previews(
    client, alice, authenticator
):
    signup = SignupFactory(event=event_under_way())
    work = ArtworkFactory(status="pending")
    client.force_login(alice)
    check_in = signup.get_checkin_url()
    preview = reverse("artworks:detail", args=[work.pk])

    refused = client.post(check_in, {"confirm": "yes"})
    hidden = client.get(preview)
    signup.refresh_from_db()
    assert (refused.status_code, hidden.status_code) == (403, 404)
    assert signup.checked_in_at is None

    client.post(reverse("admin:two_factor_verify"), {"code": code(authenticator)})
    client.post(check_in, {"confirm": "yes"})
    shown = client.get(preview)

    signup.refresh_from_db()
    assert signup.checked_in_at is not None
    assert shown.context["artwork"] == work
