"""
The programme dashboard (/dashboard/) and its workbook: every figure equals
what the records hold, counted here independently of the query functions
that the page uses; the workbook holds the same numbers; its download is
for staff who reach every community.
"""

import datetime as dt
import importlib
import io
import math
import re
import statistics
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from artworks.models import Artwork
from events.models import Event, Signup
from feedback.models import RESPONSE_DAYS, Suggestion, SurveyAnswer, SurveyRound
from gardens.models import Garden, Zone
from plantings.models import Donation, Donor, Observation, Planting
from tests.factories import (
    AllocationFactory,
    ArtworkFactory,
    CallFactory,
    DonationFactory,
    EventFactory,
    ObservationFactory,
    OrganisationFactory,
    PlantingFactory,
    SignupFactory,
    SuggestionFactory,
    SurveyAnswerFactory,
    SurveyRoundFactory,
    ZoneFactory,
)
from tongyun import dashboard
from tongyun.models import SuggestionOutcome
from tongyun.roles import make_staff

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 1, 4, 0, tzinfo=dt.UTC)
PASSWORD = "花园-Dashboard-2026"
# Student's t for 95% at 11 degrees of freedom (12 answers), from a printed
# table, not from the code under test.
T_11 = 2.201


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def demo_without_feedback(demo):
    """
    The demo without its suggestions and survey rounds, for tests whose
    feedback rows are made by the fixtures below, with figures known by hand.
    """
    SuggestionOutcome.objects.all().delete()
    Suggestion.objects.all().delete()
    SurveyAnswer.objects.all().delete()
    SurveyRound.objects.all().delete()


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


@pytest.fixture
def survey(now):
    """A demo round of 12 answers, and a round of 4 answers of 10 needed."""
    spring = SurveyRoundFactory(
        title="2026年春季调查",
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
        min_answers=5,
        is_demo=True,
    )
    scores = [(5, 4, 3, 5), (4, 4, 4, 4), (3, 2, 3, 4), (5, 5, 5, 5)] * 3
    for beauty, upkeep, taking_part, happiness in scores:
        SurveyAnswerFactory(
            round=spring,
            beauty=beauty,
            upkeep=upkeep,
            taking_part=taking_part,
            happiness=happiness,
        )
    autumn = SurveyRoundFactory(
        title="2026年秋季调查",
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=10),
        min_answers=10,
    )
    SurveyAnswerFactory.create_batch(4, round=autumn)
    return spring, autumn


def suggestion(now, *, days_ago, status="new", answered=None, closed=None, rating=""):
    sent = now - dt.timedelta(days=days_ago)
    return SuggestionFactory(
        submitted_at=sent,
        status=status,
        reply="" if status == "new" else "谢谢",
        answered_at=None if answered is None else sent + dt.timedelta(days=answered),
        closed_at=None if closed is None else sent + dt.timedelta(days=closed),
        rating=rating,
    )


@pytest.fixture
def suggestions(now):
    return [
        # Answered in time, done in 4 days, satisfied.
        suggestion(
            now, days_ago=40, status="done", answered=2, closed=4, rating="satisfied"
        ),
        # Answered late, done in 20 days, basically satisfied.
        suggestion(
            now, days_ago=30, status="done", answered=9, closed=20, rating="basically"
        ),
        # Answered in time, declined in 6 days, not satisfied.
        suggestion(
            now,
            days_ago=20,
            status="declined",
            answered=1,
            closed=6,
            rating="dissatisfied",
        ),
        # Answered in time, accepted, still open.
        suggestion(now, days_ago=12, status="accepted", answered=3),
        # Not answered, past the promised days: late.
        suggestion(now, days_ago=10),
        # Not answered, still within the promised days: not due yet.
        suggestion(now, days_ago=2),
        # Answered the same day, recently: due and in time.
        suggestion(now, days_ago=1, status="accepted", answered=0),
    ]


def page(client, url="/dashboard/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def row(html, attribute, value):
    """{figure: text} of the table row data-<attribute>="<value>"."""
    found = re.search(rf'<tr data-{attribute}="{value}">(.*?)</tr>', html, re.S)
    assert found, f"no row {attribute}={value}"
    return {
        name: text.strip()
        for name, text in re.findall(
            r'data-figure="([\w-]+)"[^>]*>([^<]+)<', found.group(1)
        )
    }


def figure(html, name):
    return re.findall(rf'data-figure="{name}"[^>]*>([^<]+)<', html)


def plants(count, is_floor):
    return f"{count}余株" if is_floor else f"{count}株"


# --- a. The green happiness index ---------------------------------------


def test_index_of_a_round_is_the_mean_of_its_answers_with_a_95_interval(client, survey):
    spring, _autumn = survey
    answers = list(SurveyAnswer.objects.filter(round=spring))
    scores = [
        ((a.beauty + a.upkeep + a.taking_part + a.happiness) / 4 - 1) * 25
        for a in answers
    ]
    mean = statistics.fmean(scores)
    margin = T_11 * statistics.stdev(scores) / math.sqrt(len(scores))

    [found, _] = dashboard.figures().rounds
    html = page(client)

    assert found.round == spring
    assert found.answers == 12
    assert found.index == pytest.approx(mean)
    assert (found.low, found.high) == pytest.approx((mean - margin, mean + margin))
    assert found.question_means == pytest.approx(
        {"beauty": 4.25, "upkeep": 3.75, "taking_part": 3.75, "happiness": 4.5}
    )
    assert row(html, "round", spring.pk) == {"answers": "12", "index": f"{mean:.1f}"}
    assert "demo-chip" in html.split(f'data-round="{spring.pk}"')[1].split("</tr>")[0]


def test_a_round_under_its_fewest_answers_shows_too_few_and_no_index(client, survey):
    _spring, autumn = survey

    [_, found] = dashboard.figures().rounds
    html = page(client)

    assert (found.answers, found.index, found.is_enough) == (4, None, False)
    assert found.question_means == dict.fromkeys(found.question_means)
    cells = row(html, "round", autumn.pk)
    assert set(cells) == {"answers", "too-few"}
    assert cells["answers"] == "4"
    assert "4" in cells["too-few"]


def test_the_demos_rounds_and_suggestions_are_what_its_records_hold(client, demo):
    """Over the whole demo, feedback included, recounted row by row."""
    expected = []
    for survey_round in SurveyRound.objects.order_by("opens_at"):
        scores = [
            ((a.beauty + a.upkeep + a.taking_part + a.happiness) / 4 - 1) * 25
            for a in SurveyAnswer.objects.filter(round=survey_round)
        ]
        enough = len(scores) >= survey_round.min_answers
        expected.append(
            (survey_round, len(scores), statistics.fmean(scores) if enough else None)
        )
    rows = list(Suggestion.objects.all())
    closed = [s for s in rows if s.status in ("done", "declined")]

    found = dashboard.figures()
    html = page(client)

    assert [(r.round, r.answers, r.index) for r in found.rounds] == [
        (r, n, pytest.approx(i) if i is not None else None) for r, n, i in expected
    ]
    # The demo's trend: three past rounds with an index, rising; this
    # season's short of answers.
    indexes = [i for _r, _n, i in expected]
    assert indexes[-1] is None
    assert indexes[:-1] == sorted(indexes[:-1])
    assert (found.suggestions.received, found.suggestions.closed) == (
        len(rows),
        len(closed),
    )
    assert found.suggestions.done == sum(s.status == "done" for s in rows)
    assert figure(html, "received") == [str(len(rows))]
    for survey_round, answers, _index in expected:
        assert row(html, "round", survey_round.pk)["answers"] == str(answers)


def test_a_round_without_answers_has_no_index_and_no_division(client, now):
    empty = SurveyRoundFactory(min_answers=2)

    [found] = dashboard.figures().rounds
    html = page(client)

    assert (found.answers, found.index, found.low) == (0, None, None)
    assert set(row(html, "round", empty.pk)) == {"answers", "too-few"}


def test_a_round_of_identical_answers_has_a_zero_width_interval(now):
    answered = SurveyRoundFactory(min_answers=2)
    SurveyAnswerFactory.create_batch(
        3, round=answered, beauty=5, upkeep=5, taking_part=5, happiness=5
    )

    [found] = dashboard.figures().rounds

    assert (found.index, found.low, found.high) == (100, 100, 100)


# --- b. Plants ------------------------------------------------------------


@pytest.fixture
def losses(demo):
    """Two recorded losses of the demo's plantings: one from a gift, one not."""
    from_gift = Planting.objects.filter(allocation__isnull=False).first()
    from_elsewhere = Planting.objects.filter(allocation__isnull=True).first()
    for planting, count in [(from_gift, 7), (from_elsewhere, 30)]:
        ObservationFactory(
            zone=planting.zone,
            species=planting.species,
            planting=planting,
            kind="loss",
            count=count,
        )
    return from_gift, from_elsewhere


def test_plants_by_donor_are_what_the_records_hold_and_keep_their_floor(client, losses):
    plantings = list(Planting.objects.select_related("allocation__donation"))
    lost = list(
        Observation.objects.filter(kind="loss").select_related(
            "planting__allocation__donation"
        )
    )
    expected = {}
    for donor in Donor.objects.all():
        gifts = list(Donation.objects.filter(donor=donor))
        if not gifts:
            continue
        mine = [
            p
            for p in plantings
            if p.allocation and p.allocation.donation.donor_id == donor.pk
        ]
        planted = sum(p.quantity for p in mine)
        dead = sum(
            o.count
            for o in lost
            if o.planting.allocation
            and o.planting.allocation.donation.donor_id == donor.pk
        )
        expected[donor.pk] = {
            "given": plants(
                sum(g.quantity for g in gifts), any(g.is_floor for g in gifts)
            ),
            "planted": plants(planted, any(p.is_floor for p in mine)),
            "surviving": plants(max(planted - dead, 0), any(p.is_floor for p in mine)),
        }

    html = page(client)

    assert {pk: row(html, "donor", pk) for pk in expected} == expected
    huoxian = Donor.objects.get(name="漷县镇")
    assert expected[huoxian.pk]["given"] == "1000余株"
    assert sum(1 for v in expected.values() if v["surviving"] != v["planted"]) == 1


def test_plants_from_no_donation_and_the_totals_add_up(client, losses):
    _from_gift, _from_elsewhere = losses
    planted = sum(p.quantity for p in Planting.objects.all())
    elsewhere = Planting.objects.filter(allocation__isnull=True)
    dead_elsewhere = 30

    found = dashboard.figures()
    html = page(client)

    assert (found.planted.count, found.lost) == (planted, 37)
    assert found.surviving.count == planted - 37
    assert found.no_donation["planted"].count == sum(p.quantity for p in elsewhere)
    assert found.no_donation["lost"] == dead_elsewhere
    assert row(html, "donor", "none")["planted"] == plants(
        sum(p.quantity for p in elsewhere), any(p.is_floor for p in elsewhere)
    )
    assert figure(html, "total-given") == ["1600余株"]
    # The planting day's record is a floor: every total it is part of too.
    assert set(figure(html, "total-planted")) == {f"{planted}余株"}
    assert figure(html, "total-surviving") == [f"{planted - 37}余株"]


def test_plants_by_garden_are_what_the_records_hold(client, losses):
    expected = {}
    for garden in Garden.objects.all():
        mine = list(Planting.objects.filter(zone__garden=garden))
        planted = sum(p.quantity for p in mine)
        dead = sum(
            o.count
            for o in Observation.objects.filter(kind="loss")
            if o.planting.zone.garden_id == garden.pk
        )
        floor = any(p.is_floor for p in mine)
        sent = sum(
            a.quantity
            for donation in Donation.objects.all()
            for a in donation.allocations.all()
            if a.zone.garden_id == garden.pk
        )
        expected[garden.pk] = {
            "allocated": plants(sent, False),
            "planted": plants(planted, floor),
            "surviving": plants(max(planted - dead, 0), floor),
        }

    html = page(client)

    assert {pk: row(html, "garden", pk) for pk in expected} == expected


def test_the_dashboard_shows_the_planted_total_of_every_other_page(client, demo):
    home = figure(page(client, "/"), "total-planted")

    assert set(figure(page(client), "total-planted")) == set(home) == {"14000余株"}


# --- c. Zones ----------------------------------------------------------


def test_zones_of_each_garden_are_counted_by_state(client, demo):
    yuejiyuan = Garden.objects.get(slug="yuejiyuan")
    idle_before = yuejiyuan.zones.filter(state=Zone.State.IDLE).count()
    ZoneFactory(garden=yuejiyuan, state=Zone.State.IDLE)
    expected = {
        garden.pk: {
            state: str(sum(1 for z in garden.zones.all() if z.state == state))
            for state in ("planted", "designed", "idle")
        }
        for garden in Garden.objects.all()
    }

    html = page(client)
    zones = html.split('id="zones-table"')[1]

    assert {pk: row(zones, "garden", pk) for pk in expected} == expected
    assert expected[yuejiyuan.pk]["idle"] == str(idle_before + 1)


# --- d. Volunteers ------------------------------------------------------


def past_event(now, **fields):
    starts = now - dt.timedelta(days=20)
    return EventFactory(
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2, minutes=30),
        signup_opens_at=starts - dt.timedelta(days=10),
        signup_closes_at=starts - dt.timedelta(days=1),
        capacity=100,
        **fields,
    )


def test_volunteers_by_event_and_organisation_add_up_what_came(client, demo, now):
    school = OrganisationFactory(name="通运小学")
    care_day = past_event(now)
    came = now - dt.timedelta(days=20)
    SignupFactory(event=care_day, organisation=school, headcount=12, checked_in_at=came)
    SignupFactory(
        event=care_day,
        organisation=school,
        headcount=3,
        checked_in_at=came,
        hours=Decimal("1.5"),
    )
    SignupFactory(event=care_day, headcount=2, checked_in_at=came)
    SignupFactory(event=care_day, headcount=4)  # signed up, never came
    SignupFactory(event=care_day, headcount=5, status="cancelled")
    held = Event.objects.filter(status="published", ends_at__lt=now)
    confirmed = Signup.objects.filter(status="confirmed", event__in=held)

    def hours(signups):
        return sum(
            s.headcount
            * (s.hours if s.hours is not None else Decimal(str(s.event.hours)))
            for s in signups
            if s.checked_in_at
        )

    expected_events = {
        event.pk: {
            "volunteers": str(
                sum(s.headcount for s in confirmed if s.event_id == event.pk)
            ),
            "participants": str(event.attendance()["participants"]),
            "hours": f"{event.attendance()['hours']:.1f}".removesuffix(".0"),
        }
        for event in held
    }
    by_organisation = {}
    for signup in confirmed:
        key = signup.organisation_id or "none"
        by_organisation.setdefault(key, []).append(signup)
    expected_organisations = {
        key: {
            "volunteers": str(sum(s.headcount for s in signups)),
            "participants": str(sum(s.headcount for s in signups if s.checked_in_at)),
            "hours": f"{hours(signups):.1f}".removesuffix(".0"),
        }
        for key, signups in by_organisation.items()
    }

    html = page(client)

    assert {pk: row(html, "event", pk) for pk in expected_events} == expected_events
    assert {
        key: row(html, "organisation", key) for key in expected_organisations
    } == expected_organisations
    assert expected_events[care_day.pk] == {
        "volunteers": "21",
        "participants": "17",
        "hours": "39.5",
    }
    assert expected_organisations[school.pk]["hours"] == "34.5"


def test_upcoming_draft_and_cancelled_events_are_not_counted(now):
    SignupFactory(event=EventFactory(), checked_in_at=now)
    SignupFactory(event=past_event(now, status="cancelled"), checked_in_at=now)
    SignupFactory(event=past_event(now, status="draft"), checked_in_at=now)

    found = dashboard.figures()

    assert (found.events, found.organisations, found.participants) == ([], [], 0)


# --- e. Works ---------------------------------------------------------------


def test_works_on_show_are_counted_by_category(client, demo):
    call = CallFactory()
    ArtworkFactory(call=call, category="calligraphy", status="featured")
    ArtworkFactory(call=call, category="calligraphy", status="pending")
    ArtworkFactory(call=call, category="photography", status="rejected")
    expected = {
        category: {
            "featured": str(
                Artwork.objects.filter(category=category, status="featured").count()
            ),
            "approved": str(
                Artwork.objects.filter(category=category, status="approved").count()
            ),
        }
        for category in ("painting", "calligraphy", "photography")
    }

    html = page(client)

    assert {c: row(html, "category", c) for c in expected} == expected
    assert figure(html, "works") == [
        str(Artwork.objects.filter(status__in=["approved", "featured"]).count())
    ]


# --- f. Suggestions ---------------------------------------------------------


def test_suggestion_rates_follow_their_definitions(client, suggestions, now):
    rows = list(Suggestion.objects.all())
    promised = dt.timedelta(days=RESPONSE_DAYS)
    due = [s for s in rows if s.answered_at or s.submitted_at <= now - promised]
    in_time = [
        s for s in due if s.answered_at and s.answered_at - s.submitted_at <= promised
    ]
    closed = [s for s in rows if s.status in ("done", "declined")]
    done = [s for s in closed if s.status == "done"]
    rated = [s for s in rows if s.rating]
    content = [s for s in rated if s.rating in ("satisfied", "basically")]
    days = sorted((s.closed_at - s.submitted_at).days for s in closed)

    found = dashboard.figures().suggestions
    html = page(client)

    assert (len(due), len(in_time), len(closed), len(done)) == (6, 4, 3, 2)
    assert (found.received, found.done, found.closed) == (7, 2, 3)
    assert (found.due, found.answered_in_time) == (6, 4)
    assert found.response_rate == pytest.approx(100 * 4 / 6)
    assert found.resolution_rate == pytest.approx(100 * 2 / 3)
    assert found.satisfaction_rate == pytest.approx(100 * len(content) / len(rated))
    assert found.median_days_to_close == days[1] == 6
    assert figure(html, "response-rate") == ["66.7%"]
    assert figure(html, "resolution-rate") == ["66.7%"]
    assert figure(html, "satisfaction-rate") == ["66.7%"]
    assert figure(html, "received") == ["7"]
    assert figure(html, "median-days") == ["6.0"]


def test_no_suggestions_gives_no_rates_and_no_division(client, now):
    found = dashboard.figures().suggestions
    html = page(client)

    assert (found.response_rate, found.resolution_rate, found.satisfaction_rate) == (
        None,
        None,
        None,
    )
    assert found.median_days_to_close is None
    assert figure(html, "response-rate") == ["—"]
    assert figure(html, "median-days") == ["—"]


def test_an_empty_site_shows_the_dashboard_without_figures(client, english):
    html = page(english)

    assert 'data-round="' not in html
    assert figure(html, "latest-index") == ["—"]
    assert figure(html, "total-planted") == ["0 plants", "0 plants"]
    # Gardens, zones, works and rates: no index trend, donors or groups.
    assert html.count('role="img"') == 4


def test_the_page_reads_in_english(english, demo, survey, suggestions):
    html = page(english)

    assert '<html lang="en">' in html
    assert "Green happiness index" in html
    assert figure(html, "total-given") == ["1600+ plants"]


def test_every_chart_is_an_image_with_a_title_and_a_description(client, demo, survey):
    html = page(client)

    charts = re.findall(r"<svg class=\"chart[^\"]*\"[^>]*>.*?</svg>", html, re.S)
    figures = re.findall(r'<figure class="chart-figure">\s*(.*?)</figure>', html, re.S)
    assert len(charts) == 7
    assert [f.count('<svg class="chart') for f in figures] == [1] * 7
    assert html.count("<figure") == html.count("</figure>") == 7
    for chart in charts:
        labelled = re.search(r'role="img" aria-labelledby="([\w-]+) ([\w-]+)"', chart)
        assert labelled
        title, desc = labelled.groups()
        assert f'<title id="{title}">' in chart
        assert f'<desc id="{desc}">' in chart
        assert 'viewBox="0 0 360 ' in chart
        assert "style=" not in chart


# --- Query count ----------------------------------------------------------


def everything(now, n):
    """n of every kind of row the dashboard counts."""
    for i in range(n):
        zone = ZoneFactory(state=["idle", "designed", "planted"][i % 3])
        donation = DonationFactory(quantity=100, is_floor=bool(i % 2))
        allocation = AllocationFactory(donation=donation, zone=zone, quantity=50)
        planting = PlantingFactory(zone=zone, allocation=allocation, quantity=40)
        ObservationFactory(
            zone=zone, planting=planting, species=planting.species, kind="loss", count=2
        )
        event = past_event(now)
        SignupFactory(
            event=event,
            organisation=OrganisationFactory(),
            headcount=3,
            checked_in_at=now,
        )
        ArtworkFactory(status="approved")
        answered = SurveyRoundFactory(min_answers=2)
        SurveyAnswerFactory.create_batch(2, round=answered)
        suggestion(
            now, days_ago=10, status="done", answered=1, closed=3, rating="satisfied"
        )


@pytest.mark.parametrize("item_count", [1, 10])
def test_dashboard_query_count_is_constant(
    client, now, item_count, django_assert_num_queries
):
    everything(now, item_count)

    # 6 queries: gardens with zones by state and plants, which add up to
    # all planted and lost and to what came from no donation (1); donors
    # with their gifts, which add up to all given (1); held events joined
    # to their confirmed sign-ups by organisation (1); survey rounds with
    # their sums (1); works by category (1); suggestions counted, with the
    # middle closed ones (1).
    with django_assert_num_queries(6):
        html = page(client)

    assert html.count('data-round="') == item_count
    assert html.count('data-event="') == item_count


# --- The workbook --------------------------------------------------------


def staff(role, community=None):
    user = make_staff(
        username=f"{role}-staff", role=role, password=PASSWORD, community=community
    )
    client = Client()
    client.force_login(user)
    return client


def workbook(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_workbook_holds_the_dashboards_numbers_as_numbers(
    demo_without_feedback, survey, suggestions
):
    found = dashboard.figures()

    response = staff("street").get(reverse("admin:dashboard_xlsx"))

    book = workbook(response)
    assert "attachment;" in response["Content-Disposition"]
    assert len(book.sheetnames) == 8
    index, donors, gardens, zones, events, organisations, works, rates = book.worksheets
    spring, autumn = found.rounds
    assert [c.value for c in index[2]][4:9] == [
        12,
        5,
        round(spring.index, 1),
        round(spring.low, 1),
        round(spring.high, 1),
    ]
    assert [c.value for c in index[3]][4:7] == [4, 10, None]
    by_name = {r[0].value: [c.value for c in r] for r in donors.iter_rows(min_row=2)}
    huoxian = Donor.objects.get(name="漷县镇")
    expected = next(d for d in found.donors if d.pk == huoxian.pk)
    assert by_name["漷县镇"][1:] == [
        1000,
        by_name["漷县镇"][2],
        expected.planted,
        by_name["漷县镇"][4],
        expected.lost,
        expected.surviving,
    ]
    assert by_name["漷县镇"][2]  # the 余 mark beside the floor
    assert [c.value for c in events[2]][2:] == [300, 300, 750]
    # Days are date cells in a date format, for Excel to sort and filter.
    assert events["B2"].is_date
    assert events["B2"].number_format == "yyyy-mm-dd"
    assert index["B2"].is_date
    assert sum(r[3].value for r in organisations.iter_rows(min_row=2)) == 300
    assert [c.value for c in rates["B"]][1:4] == [7, 4, 2]
    assert rates["B7"].value == pytest.approx(4 / 6, abs=1e-4)
    assert rates["B7"].number_format == "0.0%"
    for sheet in book.worksheets:
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells[1:]:
                assert not (isinstance(cell.value, str) and cell.value.isdigit())
    assert sum(r[3].value for r in works.iter_rows(min_row=2)) == found.works_on_show
    assert [r[0].value for r in gardens.iter_rows(min_row=2)] == [
        g.name for g in found.gardens
    ]
    assert zones.max_row == 1 + len(found.zones)


def test_workbook_headers_are_in_the_staffs_language(demo):
    client = staff("street")

    chinese = workbook(client.get(reverse("admin:dashboard_xlsx")))
    client.cookies["django_language"] = "en"
    english = workbook(
        client.get(reverse("admin:dashboard_xlsx"), HTTP_ACCEPT_LANGUAGE="en")
    )

    with translation.override("zh-hans"):
        donor_zh = translation.gettext("donor")
    assert chinese.worksheets[1]["A1"].value == donor_zh != "donor"
    assert english.worksheets[1]["A1"].value == "donor"


def test_workbook_is_for_staff_who_reach_every_community(demo):
    from gardens.models import Community

    url = reverse("admin:dashboard_xlsx")
    community = Community.objects.get(slug="mudanyuan")

    anonymous = Client().get(url)
    community_staff = staff("community", community).get(url)
    viewer = staff("viewer").get(url)
    street = staff("street").get(url)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("admin:login"))
    assert community_staff.status_code == 403
    assert b"PK" not in community_staff.content[:2]
    assert viewer.status_code == 200
    assert viewer.content[:2] == b"PK"
    assert street.status_code == 200
    assert street.content[:2] == b"PK"


def test_workbook_refuses_a_post(admin_client):
    response = admin_client.post(reverse("admin:dashboard_xlsx"))

    assert response.status_code == 405


def test_admin_index_links_the_dashboard_and_its_workbook(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert f'href="{reverse("admin:dashboard_xlsx")}"' in html
    assert f'href="{reverse("dashboard")}"' in html


def test_admin_index_offers_community_staff_no_workbook(demo):
    from gardens.models import Community

    client = staff("community", Community.objects.get(slug="mudanyuan"))

    html = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:dashboard_xlsx") not in html
    assert f'href="{reverse("dashboard")}"' in html


# --- Bounded at any size (issue 13) -------------------------------------------

# The module, which the package's page() function hides.
dashboard_page = importlib.import_module("tongyun.dashboard.page")


def test_the_page_shows_the_largest_gardens_and_counts_the_rest(client, monkeypatch):
    monkeypatch.setattr(dashboard_page, "TOP_ROWS", 2)
    zones = [ZoneFactory(), ZoneFactory(), ZoneFactory()]
    for zone, quantity in zip(zones, (5, 30, 20), strict=True):
        PlantingFactory(zone=zone, quantity=quantity)

    html = page(client)

    gardens = re.search(r'id="gardens-table".*?</table>', html, re.S).group()
    shown = [int(pk) for pk in re.findall(r'data-garden="(\d+)"', gardens)]
    assert shown == [zones[1].garden_id, zones[2].garden_id]
    assert 'data-more="gardens"' in html
    assert 'data-more="donors"' not in html
    assert set(figure(html, "total-planted")) == {"55株"}


def test_top_keeps_the_rows_order_and_counts_those_left_out(monkeypatch):
    monkeypatch.setattr(dashboard_page, "TOP_ROWS", 3)

    assert dashboard_page.top([4, 9, 1, 7, 8], lambda n: n) == ([9, 7, 8], 2)
    assert dashboard_page.top([4, 9], lambda n: n) == ([4, 9], 0)
