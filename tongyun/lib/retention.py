"""
How long personal data is kept: one policy for every app that keeps some.

Volunteers' contacts go settings.RETENTION_DAYS days after their event ends
(events.services.purge_personal_data), artwork submitters' contacts the
same number of days after their call closes, and rejected works with them
(artworks.services.purge_personal_data), and the phones left with
suggestions the same number of days after they were sent
(feedback.services.purge_personal_data). The command purge_personal_data
runs them daily; the consent text of each public form states the number.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

# Why a purge changed a row, in its history (tongyun.lib.history): kept as
# it is here, shown translated.
PURGED = gettext_noop("personal data erased after the retention period")


def retention_days():
    """Days personal data is kept after the event or call it was given for."""
    return settings.RETENTION_DAYS


def cutoff(now=None):
    """
    The moment before which an event must have ended, or a call closed, for
    its people's personal data to be erased at now (default: this moment).
    """
    return (now or timezone.now()) - dt.timedelta(days=retention_days())
