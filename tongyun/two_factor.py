"""
The admin's second step (django-otp): after the password, a six-digit code
from an authenticator app (TOTP) or one of ten backup codes, before any admin
page opens, when settings.ADMIN_REQUIRE_2FA is on (tongyun.sites.StaffSite
sends staff here).

Staff without a confirmed authenticator enrol first (setup): the page shows
a QR code and the secret, and the first correct code confirms the device and
gives the backup codes, shown once. django-otp's devices keep the secrets,
the throttling after wrong codes, and the session's verification.
"""

import math
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django import forms
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        # People copy codes with the spaces the app or the sheet shows.
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()


# --- The devices --------------------------------------------------------


def is_verified(user):
    """Has this session passed the second step? False where django-otp's
    middleware has not looked (a user just logged in, a bare request)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def has_authenticator(user):
    """Whether user has a confirmed authenticator app. One query."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_step_url(user, next_url="", *, current_app="admin"):
    """Where user goes for the second step: the code, or enrolment first.
    One query."""
    name = "two_factor_verify" if has_authenticator(user) else "two_factor_setup"
    url = reverse(f"admin:{name}", current_app=current_app)
    if next_url:
        url += "?" + urlencode({REDIRECT_FIELD_NAME: next_url})
    return url


def pending_authenticator(user):
    """
    The authenticator app user is enrolling: their unconfirmed TOTPDevice,
    made if they have none. Writes at most one row; the same device (and
    QR code) comes back until it is confirmed, on every app server.
    """
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    )
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
    return device


def check_code(device, code):
    """
    Verify code on device with django-otp's throttling: after each wrong
    code the device refuses every code for 1, 2, 4, … seconds.

    Returns None when the code is accepted, else the message to show. Locks
    the device's row, so that one code is never accepted twice; an accepted
    backup code is deleted, a wrong code is counted (committed either way).
    """
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, extra = device.verify_is_allowed()
        if not allowed:
            return _refusal(extra)
        if device.verify_token(code):
            return None
    return gettext("That code is not right. Check it and try again.")


def _refusal(extra):
    if extra and extra.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        wait = extra["locked_until"] - timezone.now()
        seconds = max(1, math.ceil(wait.total_seconds()))
        return ngettext(
            "Too many wrong codes. Wait {seconds} second, then try again.",
            "Too many wrong codes. Wait {seconds} seconds, then try again.",
            seconds,
        ).format(seconds=seconds)
    return gettext("Codes cannot be checked just now. Try again later.")


def device_for_code(user, code):
    """The device a code is meant for: six digits are the app's, anything
    else a backup code. None if user has no such device. One query."""
    if len(code) == 6 and code.isdigit():
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    return devices.order_by("pk").first()


@transaction.atomic
def confirm_enrolment(device):
    """
    Confirm the authenticator app device, whose first code was right, and
    give its user new backup codes.

    Returns the backup codes. Saves device; deletes the user's other
    unconfirmed authenticators and old backup codes (make_backup_codes).
    """
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return make_backup_codes(device.user)


@transaction.atomic
def make_backup_codes(user):
    """
    Replace user's backup codes with BACKUP_CODE_COUNT new ones, each good
    once. Returns them: they are shown once and never again.

    Deletes the user's StaticDevices with their codes; writes one device
    and its codes (bulk_create).
    """
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes")
    codes = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    codes = sorted(codes)
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


@transaction.atomic
def reset_devices(user):
    """
    Remove all of user's second-step devices (authenticator apps and backup
    codes), so that their next login enrols again: for a lost phone.

    Returns {"authenticators": n, "backup_codes": n} (unused codes removed).
    A session already past the second step loses it on its next request.
    """
    codes = StaticToken.objects.filter(device__user=user).count()
    StaticDevice.objects.filter(user=user).delete()
    authenticators, _ = TOTPDevice.objects.filter(user=user).delete()
    return {"authenticators": authenticators, "backup_codes": codes}


def secret_for_typing(device):
    """The device's secret in base32, as authenticator apps take it when
    typed, in groups of four: "ABCD EFGH …"."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device):
    """The device's provisioning URI (otpauth://totp/…) as an inline SVG QR
    code, drawn here: nothing is asked of another host."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=4, dark="#000000", light="#ffffff", omitsize=True)
    # segno writes the markup itself; the URI only becomes squares.
    return mark_safe(svg)


# --- The pages ----------------------------------------------------------


def _next_url(request):
    """The page to go on to: `next` if it stays on this site, else the
    admin's index."""
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(
        REDIRECT_FIELD_NAME, ""
    )
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("admin:index")


def _pass_second_step(request, device):
    # A new session key once the second step is passed: a key learnt
    # before it (planted, or seen on a shared computer) is worth nothing.
    request.session.cycle_key()
    django_otp.login(request, device)


def _context(request, site, title, **extra):
    return {
        **site.each_context(request),
        "title": title,
        "next": _next_url(request),
        "next_field": REDIRECT_FIELD_NAME,
        **extra,
    }


def setup(request, *, site):
    """
    Enrol an authenticator app: the QR code and the secret, and a field for
    the first code, which confirms it. Staff who already have one go to
    verify instead.

    A GET writes the pending device (pending_authenticator): the secret must
    outlive the page and reach whichever app server takes the POST.
    """
    user = request.user
    if has_authenticator(user):
        return HttpResponseRedirect(
            second_step_url(user, _next_url(request), current_app=site.name)
        )
    device = pending_authenticator(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            error = check_code(device, form.cleaned_data["code"])
            if error is None:
                codes = confirm_enrolment(device)
                _pass_second_step(request, device)
                # Rendered, not redirected to: the codes are shown this once
                # and kept nowhere for a second showing.
                return render_backup_codes(request, site, codes)
            form.add_error("code", error)
        status = 422
    context = _context(
        request,
        site,
        gettext("Set up two-step login"),
        form=form,
        qr_svg=qr_svg(device),
        secret=secret_for_typing(device),
        username=user.get_username(),
    )
    return render(request, "admin/two_factor/setup.html", context, status=status)


def verify(request, *, site):
    """The second step: a code from the authenticator app or a backup code;
    on success, on to `next`."""
    user = request.user
    if is_verified(user):
        return HttpResponseRedirect(_next_url(request))
    if not has_authenticator(user):
        return HttpResponseRedirect(
            second_step_url(user, _next_url(request), current_app=site.name)
        )
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            code = form.cleaned_data["code"]
            device = device_for_code(user, code)
            error = (
                check_code(device, code)
                if device
                else gettext("That code is not right. Check it and try again.")
            )
            if error is None:
                _pass_second_step(request, device)
                return HttpResponseRedirect(_next_url(request))
            form.add_error("code", error)
        status = 422
    context = _context(
        request,
        site,
        gettext("Two-step login"),
        form=form,
        username=user.get_username(),
    )
    return render(request, "admin/two_factor/verify.html", context, status=status)


def render_backup_codes(request, site, codes):
    context = _context(
        request, site, gettext("Your backup codes"), codes=codes, count=len(codes)
    )
    return render(request, "admin/two_factor/backup_codes.html", context)


def status(request, *, site):
    """The signed-in staff member's own second step: on or off, since when,
    how many backup codes are left."""
    user = request.user
    authenticator = (
        TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    )
    codes_left = StaticToken.objects.filter(
        device__user=user, device__confirmed=True
    ).count()
    context = _context(
        request,
        site,
        gettext("Two-step login"),
        authenticator=authenticator,
        codes_left=codes_left,
    )
    return render(request, "admin/two_factor/status.html", context)


@require_POST
def new_backup_codes(request, *, site):
    """Replace the signed-in staff member's backup codes, shown once."""
    if not has_authenticator(request.user):
        return HttpResponseRedirect(reverse("admin:two_factor", current_app=site.name))
    return render_backup_codes(request, site, make_backup_codes(request.user))
