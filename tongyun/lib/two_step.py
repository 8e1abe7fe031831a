"""Whether a staff session may act: the second step of the admin's login."""

from django.conf import settings


def passed_second_step(user):
    """
    Whether user's session has passed the second step of the staff login,
    or needs none (settings.ADMIN_REQUIRE_2FA off). False where django-otp's
    middleware has not looked (a bare user object with the setting on).
    Staff pages outside the admin (check-in, previews) ask this too, so
    that a stolen password alone opens none of them.
    """
    if not settings.ADMIN_REQUIRE_2FA:
        return True
    check = getattr(user, "is_verified", None)
    return bool(check and check())
