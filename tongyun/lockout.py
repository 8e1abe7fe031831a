"""
The admin login's lock-out, by django-axes: the handler that keeps the
counts, the page shown to a locked-out person, and the unlocking that
`manage.py unlock_staff` does.

Settings (tongyun/settings.py, "Staff login"): AXES_FAILURE_LIMIT wrong
passwords per account and, separately, per client address lock logins for
AXES_COOLOFF_TIME after the last attempt.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext


class AccountResetHandler(AxesDatabaseHandler):
    """
    Axes' database handler (counts shared by every app server), except that
    a successful login resets only the account's own failures.

    Axes' handler would also delete every failure from the address the login
    came from, whatever account they named: one valid account would then let
    its holder guess another's password without end, logging in to their own
    between guesses.
    """

    def reset_user_attempts(self, request, credentials=None):
        username = get_client_username(request, credentials)
        if not username:
            return 0
        return self.reset_attempts(username=username)


def locked_out(request, original_response=None, credentials=None):
    """
    The page shown instead of the login form while the account or the
    address is locked out (axes' AXES_LOCKOUT_CALLABLE), in the person's
    language, with status 429.
    """
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Login locked"),
        "minutes": minutes,
        # For the administrator who unlocks: what axes counted the attempt
        # under (the name as typed, escaped like all template output).
        "username": get_client_username(request, credentials) or "",
        "address": getattr(request, "axes_ip_address", None) or "",
    }
    return render(request, "admin/locked_out.html", context, status=429)


def failure_counts(*, username=None, address=None):
    """
    The failures that count now (within the cool-off time, as axes counts
    them) for the account username and for the client address; only the
    ones asked for are in the dict. One query each.
    """
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.filter(attempt_time__gte=since)
    counts = {}
    if username is not None:
        counts["username"] = _total(rows.filter(username=username))
    if address is not None:
        counts["address"] = _total(rows.filter(ip_address=address))
    return counts


def _total(rows):
    return sum(rows.values_list("failures_since_start", flat=True))


def unlock(*, username=None, address=None):
    """
    Lift the lock-out of the account username and of the client address
    (either may be None): delete their failures, through axes' reset().

    Returns the number of failure records deleted. Deletes AccessAttempt
    rows: every record naming username, and every one from address.
    """
    # Never call reset() with neither: axes then deletes every record.
    removed = 0
    if username:
        removed += reset(username=username)
    if address:
        removed += reset(ip=address)
    return removed
