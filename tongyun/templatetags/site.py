"""Site-wide template helpers. None of them queries the database."""

from django import template
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.translation import gettext

from tongyun.lib import dates

register = template.Library()


@register.filter(expects_localtime=True)
def long_date(value):
    """2024年4月7日 星期日 / Sunday, April 7, 2024."""
    return dates.long_date(value) if value else ""


@register.filter(expects_localtime=True)
def machine_time(value):
    """
    value for a <time datetime="…">: ISO 8601 to the second, with its
    offset. The date filter's "c" keeps microseconds, which HTML refuses
    (at most three digits of a second).
    """
    return value.replace(microsecond=0).isoformat() if value else ""


@register.filter
def localized(text, kind="text"):
    """
    Content text as Localized reads it. Chinese shown on an English page
    (no English entered) is marked lang="zh-Hans", and, unless kind is
    "name", followed by a small "(in Chinese)": the page never mixes
    languages silently.
    """
    if not getattr(text, "is_fallback", False):
        return text
    if kind == "name":
        return format_html('<span lang="zh-Hans">{}</span>', text)
    return format_html(
        '<span lang="zh-Hans">{}</span> <small class="in-chinese">{}</small>',
        text,
        gettext("(in Chinese)"),
    )


@register.filter
def month_name(number):
    return MONTHS.get(number, "")


@register.simple_tag
def mark(theme, css_class=""):
    """A flower mark drawn in includes/marks.svg (inlined by base.html)."""
    return format_html(
        '<svg class="mark mark-{} {}" aria-hidden="true" focusable="false">'
        '<use href="#{}"></use></svg>',
        theme,
        css_class,
        theme,
    )


@register.filter
def in_bloom(species, month):
    """Species.is_in_bloom: observations this year, else the month window."""
    return species.is_in_bloom(month)
