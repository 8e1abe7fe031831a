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
# Rows a chart and its table show of a list that grows with the programme
# (gardens, donors, events, organisations): the largest, the rest counted in
# a sentence pointing to the workbook, so that the page stays small at 300
# gardens (docs/PERFORMANCE.md, issue 13).
TOP_ROWS = 10
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


def top(rows, figure):
    """
    The TOP_ROWS rows with the largest figure (a function of a row), in
    their order, and how many rows are left out.
    """
    rows = list(rows)
    if len(rows) <= TOP_ROWS:
        return rows, 0
    largest = sorted(range(len(rows)), key=lambda i: figure(rows[i]), reverse=True)
    kept = sorted(largest[:TOP_ROWS])
    return [rows[i] for i in kept], len(rows) - TOP_ROWS


def shown(dashboard):
    """
    The rows of each growing list that the page shows: {name: (rows, more)}
    for donors (by plants given), gardens (by plants planted), zones (by
    zones), events and organisations (by people checked in). The figures
    above the charts still count every row.
    """
    d = dashboard
    return {
        "donors": top(d.donors, lambda donor: donor.given),
        "gardens": top(d.gardens, lambda garden: garden.planted),
        "zones": top(d.zones, lambda garden: garden.zone_count),
        "events": top(d.events, lambda row: row[1].participants),
        "organisations": top(d.organisations, lambda row: row[1].participants),
    }


def charts(dashboard, rows=None):
    """
    The SVG charts' geometry (tongyun.lib.charts) for the dashboard's page,
    of the rows shown (shown(); every row when None).
    """
    d = dashboard
    if rows is None:
        rows = {name: (getattr(d, name), 0) for name in shown(d)}

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
        for donor in rows["donors"][0]
    ]
    garden_rows = [
        (
            garden.name_i18n,
            [garden.allocated, garden.planted, garden.surviving],
            plant_count(garden.planted, garden.planted_is_floor),
        )
        for garden in rows["gardens"][0]
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
        for garden in rows["zones"][0]
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
        for organisation, totals in rows["organisations"][0]
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
    rows = shown(d)
    return {
        "figures": d,
        "shown": {name: shown_rows for name, (shown_rows, _more) in rows.items()},
        "more": {name: more for name, (_rows, more) in rows.items()},
        "charts": charts(d, rows),
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
