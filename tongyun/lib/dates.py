"""
Dates as residents read them (2024年4月7日 星期日), and days as
spreadsheets write them (parse_day).
"""

import datetime as dt
import re

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


# How staff and their spreadsheets write a day: 2025-04-06, 2025/4/6,
# 2025.4.6, 2025年4月6日; Excel may add a midnight time when it re-saves.
DAY_PATTERN = re.compile(
    r"(?P<year>[0-9]{4})\s*(?:[-/.]|年)\s*(?P<month>[0-9]{1,2})\s*(?:[-/.]|月)"
    r"\s*(?P<day>[0-9]{1,2})\s*日?(?:\s+0?0:00(?::00)?)?"
)
# Excel counts days from 1899-12-30 (its 1900 leap-year bug included);
# serials from 61 (1900-03-01) to 2958465 (9999-12-31) are dates.
EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_SERIALS = range(61, 2958466)


def parse_day(value):
    """
    The date a spreadsheet cell holds: a date or datetime cell, an Excel
    serial number (a date cell without its format), or text in one of the
    ways DAY_PATTERN lists. Returns None for an empty cell; raises
    ValueError for anything else, so that no day is ever guessed.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != int(value) or int(value) not in EXCEL_SERIALS:
            raise ValueError(value)
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"[0-9]{5}", text):
        return parse_day(int(text))
    found = DAY_PATTERN.fullmatch(text)
    if found is None:
        raise ValueError(text)
    try:
        return dt.date(*(int(found[part]) for part in ("year", "month", "day")))
    except ValueError:
        raise ValueError(text) from None
