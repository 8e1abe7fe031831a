"""Dates as residents read them: 2024年4月7日 星期日."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext


def today():
    """Today's date where the gardens are (settings.TIME_ZONE)."""
    return timezone.localdate()


def long_date(value):
    """The date with its weekday, in the active language's order."""
    return gettext("{weekday}, {date}").format(
        date=date_format(value, "DATE_FORMAT"), weekday=date_format(value, "l")
    )
