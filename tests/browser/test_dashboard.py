"""The dashboard on a narrow phone, in both languages: no sideways
scrolling, no serious accessibility fault, every chart an image with its
name, every table of figures opened by a tap."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browser.chromium import NARROW_PHONE
from tests.factories import SuggestionFactory, SurveyAnswerFactory, SurveyRoundFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def figures():
    """The demo, two survey rounds (one with too few answers), suggestions."""
    call_command("load_demo", stdout=io.StringIO())
    now = timezone.now()
    spring = SurveyRoundFactory(
        title="2026年春季满意度调查",
        opens_at=now - dt.timedelta(days=90),
        closes_at=now - dt.timedelta(days=60),
        min_answers=3,
        is_demo=True,
    )
    SurveyAnswerFactory.create_batch(5, round=spring)
    SurveyAnswerFactory.create_batch(2, round=SurveyRoundFactory(min_answers=10))
    sent = now - dt.timedelta(days=20)
    SuggestionFactory(
        submitted_at=sent,
        status="done",
        reply="已补种",
        answered_at=sent + dt.timedelta(days=2),
        closed_at=sent + dt.timedelta(days=9),
        rating="satisfied",
    )
    SuggestionFactory(submitted_at=sent)


@pytest.mark.parametrize("language", ["中文", "English"])
def test_dashboard_fits_a_narrow_phone_and_passes_axe(visitor, figures, language):
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)
    visitor.visit("/dashboard/")
    page.get_by_role("button", name=language).click()
    visitor.check()
    # Open every table of figures: they too must fit and pass.
    for summary in page.locator("details > summary").all():
        summary.click()
    visitor.check()

    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    charts = page.get_by_role("img").filter(has=page.locator("title"))
    assert scroll_width <= 360
    assert page.url.endswith("/dashboard/")
    assert page.locator("html").get_attribute("lang") == (
        "en" if language == "English" else "zh-Hans"
    )
    assert charts.count() == 7
    assert page.locator("details[open]").count() == page.locator("details").count()
    assert page.locator("details[open] table").count() >= 5
