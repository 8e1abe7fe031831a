"""English pages: unambiguous dates, and Chinese content marked as such."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from tests.factories import GardenFactory

pytestmark = pytest.mark.django_db


def render_tagline(garden):
    template = Template("{% load site %}{{ garden.tagline_i18n|localized }}")
    return template.render(Context({"garden": garden}))


def test_english_dates_are_unambiguous():
    day = dt.date(2024, 4, 7)

    with translation.override("en"):
        shown = (
            formats.date_format(day),
            formats.date_format(day, "SHORT_DATE_FORMAT"),
            formats.get_format("DATE_INPUT_FORMATS")[0],
        )

    assert shown == ("7 April 2024", "2024-04-07", "%Y-%m-%d")


def test_english_page_marks_chinese_text_where_no_english_was_entered():
    garden = GardenFactory(tagline="早春满枝紫红", tagline_en="")

    with translation.override("en"):
        html = render_tagline(garden)

    assert html.startswith('<span lang="zh-Hans">早春满枝紫红</span>')
    assert 'class="in-chinese"' in html


@pytest.mark.parametrize(
    ("language", "tagline_en", "shown"),
    [("en", "Redbud in spring", "Redbud in spring"), ("zh-hans", "", "早春满枝紫红")],
)
def test_text_in_the_page_language_is_shown_plain(language, tagline_en, shown):
    garden = GardenFactory(tagline="早春满枝紫红", tagline_en=tagline_en)

    with translation.override(language):
        html = render_tagline(garden)

    assert html == shown
