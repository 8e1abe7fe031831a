"""The dashboard page's charts (tongyun.lib.charts) and context."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from feedback.models import QUESTIONS, SurveyAnswer
from gardens.models import Zone
from plantings import queries as ledger

from ..lib.charts import Series, bar_chart, trend_chart
from ..lib.figures import plant_count
from .figures import (
    ZONE_STATES,
    resolution_definition,
    response_definition,
    satisfaction_definition,
)

PLANT_SERIES = ("s-peony", "s-leaf", "s-lilac")
ZONE_SERIES = dict(zip(ZONE_STATES, ("s-leaf", "s-lilac", "s-sand"), strict=True))


def round_label(index):
    """
    A round on the trend's axis: the month it opened over its year, in two
    short lines that stay apart however many rounds share the axis; * when
    demo figures.
    """
    opened = timezone.localtime(index.round.opens_at)
    month = date_format(opened, "M")
    if index.round.is_demo:
        month = f"{month}*"
    return f"{month}\n{opened.year}"


def percent(value):
    """A rate as people read it: 87.5%; a dash when there is none."""
    if value is None:
        return "—"
    return f"{value:.1f}%".replace(".0%", "%")


def charts(dashboard):
    """The SVG charts' geometry (tongyun.lib.charts) for the dashboard's page."""
    d = dashboard

    def plant_series(first):
        names = [first, gettext("planted"), gettext("surviving")]
        return [
            Series(name, css) for name, css in zip(names, PLANT_SERIES, strict=True)
        ]

    # Each row: the three bars, and the gift (donors) or what was planted
    # (gardens) as residents read it, 余 kept.
    donor_rows = [
        (
            donor.name_i18n,
            [donor.given, donor.planted, donor.surviving],
            plant_count(donor.given, donor.given_is_floor),
        )
        for donor in d.donors
    ]
    garden_rows = [
        (
            garden.name_i18n,
            [garden.allocated, garden.planted, garden.surviving],
            plant_count(garden.planted, garden.planted_is_floor),
        )
        for garden in d.gardens
    ]
    states = ZONE_STATES
    zone_rows = [
        (
            garden.name_i18n,
            [getattr(garden, f"{state}_count") for state in states],
            gettext("{planted}/{zones} planted").format(
                planted=garden.planted_count, zones=garden.zone_count
            ),
        )
        for garden in d.zones
    ]
    hours_note = gettext("{people} people · {hours} h")
    organisation_rows = [
        (
            organisation.name_i18n
            if organisation
            else gettext("individual volunteers"),
            [totals.participants],
            hours_note.format(people=totals.participants, hours=_hours(totals.hours)),
        )
        for organisation, totals in d.organisations
    ]
    work_rows = [
        (str(label), [featured, approved], str(featured + approved))
        for _value, label, approved, featured in d.works
    ]
    s = d.suggestions
    rate_rows = [
        (gettext("response rate"), [s.response_rate], percent(s.response_rate)),
        (gettext("resolution rate"), [s.resolution_rate], percent(s.resolution_rate)),
        (
            gettext("satisfaction rate"),
            [s.satisfaction_rate],
            percent(s.satisfaction_rate),
        ),
    ]
    return {
        "index": trend_chart(
            (round_label(r), r.index, r.low, r.high) for r in d.rounds
        ),
        "donors": bar_chart(donor_rows, plant_series(gettext("given"))),
        "gardens": bar_chart(garden_rows, plant_series(gettext("sent from gifts"))),
        "zones": bar_chart(
            zone_rows,
            [Series(Zone.State(state).label, ZONE_SERIES[state]) for state in states],
            stacked=True,
        ),
        "organisations": bar_chart(
            organisation_rows, [Series(gettext("people checked in"), "s-leaf")]
        ),
        "works": bar_chart(
            work_rows,
            [
                Series(pgettext("artwork status", "featured"), "s-peony"),
                Series(pgettext("artwork status", "approved"), "s-lilac"),
            ],
            stacked=True,
        ),
        "rates": bar_chart(rate_rows, [Series(gettext("rate"), "s-leaf")], maximum=100),
    }


def _hours(value):
    """Hours with at most one decimal: 750, 12.5."""
    return f"{value:.1f}".removesuffix(".0")


def page(dashboard):
    """The dashboard page's context: the figures, charts and definitions."""
    d = dashboard
    s = d.suggestions
    return {
        "figures": d,
        "charts": charts(d),
        "question_rows": [
            (
                SurveyAnswer._meta.get_field(q).verbose_name,
                [r.question_means[q] for r in d.rounds],
            )
            for q in QUESTIONS
        ],
        "zone_states": [(state, Zone.State(state).label) for state in ZONE_STATES],
        "no_donation_surviving": ledger.surviving(
            d.no_donation["planted"], d.no_donation["lost"]
        ),
        "rates": {
            "response": percent(s.response_rate),
            "resolution": percent(s.resolution_rate),
            "satisfaction": percent(s.satisfaction_rate),
        },
        "definitions": {
            "response": response_definition(),
            "resolution": resolution_definition(),
            "satisfaction": satisfaction_definition(),
        },
    }
