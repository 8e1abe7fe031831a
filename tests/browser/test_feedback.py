"""A resident on a phone: a problem reported from a zone's page; the survey."""

import pytest

from feedback import forms
from feedback.models import Suggestion, SurveyAnswer
from tests.factories import SurveyRoundFactory, ZoneFactory

pytestmark = pytest.mark.django_db(transaction=True)

NARROW_PHONE = {"width": 360, "height": 780}


def sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_resident_shows_a_gardens_zones_without_a_script_then_sends_with_enter(
    visitor, live_server, monkeypatch
):
    monkeypatch.setattr(forms, "FEW_ZONES", 1)
    zone = ZoneFactory(code="B1", name="月季花境")
    ZoneFactory(code="C3")
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)
    visitor.visit("/suggestions/new/")
    form = page.locator("form.suggestion-form")
    no_zone_yet = form.locator('select[name="zone"]').count()

    form.locator('label:has(input[name="category"][value="care"])').click()
    form.locator('textarea[name="text"]').fill("月季叶子发黄，需要施肥")
    form.locator('select[name="garden"]').select_option(str(zone.garden.pk))
    form.locator("button.show-zones").click()
    page.wait_for_load_state()
    offered = form.locator('select[name="zone"] option').all_inner_texts()
    typed = form.locator('textarea[name="text"]').input_value()
    form.locator('select[name="zone"]').select_option(str(zone.pk))
    form.locator('input[name="consent"]').check()
    form.locator('input[name="phone"]').press("Enter")
    page.wait_for_url(lambda url: "/suggestions/new/" not in url)
    visitor.check()

    suggestion = Suggestion.objects.get()
    assert no_zone_yet == 0
    assert len(offered) == 2  # no zone in particular, and B1
    assert typed == "月季叶子发黄，需要施肥"
    assert (suggestion.zone, suggestion.garden) == (zone, zone.garden)
    assert sideways_scroll(page) == 0


def test_resident_reports_a_problem_from_a_zone_page_and_follows_it(
    visitor, live_server
):
    zone = ZoneFactory(code="B1", name="月季花境")
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)
    visitor.visit(zone.get_absolute_url())

    # Tap 1: the link on the zone's page.
    page.locator(".suggest-link a").click()
    page.wait_for_url("**/suggestions/new/**")
    visitor.check()
    form_overflow = sideways_scroll(page)
    # Fill in: what it is about, the text, the consent.
    form = page.locator("form.suggestion-form")
    form.locator('label:has(input[name="category"][value="care"])').click()
    form.locator('textarea[name="text"]').fill("月季叶子发黄，需要施肥")
    form.locator('input[name="consent"]').check()
    # Tap: send.
    form.locator('button.button[type="submit"]:not(.show-zones)').click()
    # The status page keeps the form's #suggest, as browsers do on a redirect.
    page.wait_for_url(lambda url: "/suggestions/new/" not in url)
    visitor.check()

    suggestion = Suggestion.objects.get()
    assert form_overflow == 0
    assert sideways_scroll(page) == 0
    assert (suggestion.zone, suggestion.garden) == (zone, zone.garden)
    assert page.url.split("#")[0] == live_server.url + suggestion.get_status_url()
    assert page.locator(".status-tag").inner_text().strip() != ""
    assert "月季叶子发黄，需要施肥" in page.locator(".ticket").inner_text()

    visitor.visit("/suggestions/")
    assert page.locator(".suggestion-card").count() == 1


def test_resident_answers_the_survey_with_big_tappable_rows(visitor):
    SurveyRoundFactory(title="本季花园满意度调查")
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)
    visitor.visit("/survey/")

    rows = page.locator("label.score-row")
    row_height = rows.first.bounding_box()["height"]
    for question, score in [
        ("beauty", 5),
        ("upkeep", 4),
        ("taking_part", 3),
        ("happiness", 5),
    ]:
        page.locator(
            f'label.score-row:has(input[name="{question}"][value="{score}"])'
        ).click()
    overflow = sideways_scroll(page)
    page.locator('form.survey-form button[type="submit"]').click()
    page.wait_for_url("**/survey/thanks/")
    visitor.check()
    visitor.visit("/survey/")

    answer = SurveyAnswer.objects.get()
    assert (answer.beauty, answer.upkeep, answer.taking_part, answer.happiness) == (
        5,
        4,
        3,
        5,
    )
    assert row_height >= 44
    assert overflow == 0
    assert page.locator(".answered-already").count() == 1
