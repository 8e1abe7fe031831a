"""
The programme dashboard (绿色幸福指数): its figures, composed from each
app's query functions (DESIGN §3), its charts, and the same figures as a
workbook for the district (tongyun.views.dashboard, dashboard_xlsx).

Every figure comes from the one function that computes it for every page
(DESIGN §5); this module only puts them side by side. The page and the
workbook read the same Dashboard, so they always agree.
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from artworks import queries as artworks
from events import queries as events
from feedback import queries as feedback
from feedback.models import QUESTIONS, RESPONSE_DAYS, SurveyAnswer
from gardens import queries as gardens
from gardens.access import communities_of
from gardens.models import Zone
from plantings import queries as ledger

from .lib.charts import Series, bar_chart, trend_chart
from .lib.figures import plant_count
from .lib.spreadsheets import escape_formula


@dataclass
class Dashboard:
    """Every figure of the dashboard, as the apps' query functions give them."""

    at: object
    rounds: list
    given: object
    donor_count: int
    planted: object
    lost: int
    surviving: object
    donors: list
    no_donation: dict
    gardens: list
    zones: list
    events: list
    organisations: list
    works: list
    suggestions: object

    @property
    def latest_index(self):
        """The newest round with an index, or None."""
        found = [r for r in self.rounds if r.index is not None]
        return found[-1] if found else None

    @property
    def has_demo_rounds(self):
        return any(r.round.is_demo for r in self.rounds)

    @property
    def participants(self):
        return sum(totals.participants for _event, totals in self.events)

    @property
    def hours(self):
        return sum((totals.hours for _event, totals in self.events), Decimal(0))

    @property
    def works_on_show(self):
        return sum(approved + featured for _v, _l, approved, featured in self.works)


def figures(now=None):
    """
    The dashboard's figures at now (default: this moment). Fifteen queries,
    whatever the data: the survey rounds (1); the suggestions (2); all
    planted, lost and given (3); by donor (1) and from no donation (2); by
    garden (1); zones by state (1); attendance (3, or 2 with no
    organisation to name); works by category (1).
    """
    now = now or timezone.now()
    planted = ledger.total_planted()
    lost = ledger.total_lost()
    given, donor_count = ledger.total_given()
    by_event, by_organisation = events.attendance()
    return Dashboard(
        at=now,
        rounds=feedback.survey_index(),
        given=given,
        donor_count=donor_count,
        planted=planted,
        lost=lost,
        surviving=ledger.surviving(planted, lost),
        donors=list(ledger.by_donor()),
        no_donation=ledger.from_no_donation(),
        gardens=list(ledger.by_garden()),
        zones=list(gardens.zone_states()),
        events=by_event,
        organisations=by_organisation,
        works=artworks.exhibited_by_category(),
        suggestions=feedback.suggestion_figures(now),
    )


# --- Charts ---------------------------------------------------------------

PLANT_SERIES = ("s-peony", "s-leaf", "s-lilac")
ZONE_SERIES = {
    Zone.State.PLANTED: "s-leaf",
    Zone.State.DESIGNED: "s-lilac",
    Zone.State.IDLE: "s-sand",
}


def round_label(index):
    """A round on the trend's axis: the month it opened, * when demo figures."""
    opened = timezone.localtime(index.round.opens_at)
    label = date_format(opened, "YEAR_MONTH_FORMAT")
    return f"{label}*" if index.round.is_demo else label


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
    states = list(ZONE_SERIES)
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
        "zone_states": [(state, Zone.State(state).label) for state in ZONE_SERIES],
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


def may_download(user):
    """
    Whether user may download the workbook: staff who reach every community
    (street office, viewers; gardens.access). The figures are the whole
    district's, not split by community, so community staff may not; they
    read the public page like everyone. The admin site checks the login.
    """
    return communities_of(user) is None


# --- The workbook -----------------------------------------------------------


def _sheet(book, title, headers, rows):
    """A sheet: a bold header row, then rows; text safe from formulas."""
    from openpyxl.styles import Font

    sheet = book.create_sheet(title=title[:31])
    sheet.append([escape_formula(str(h)) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for column, header in zip(sheet.columns, headers, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(
            12, min(40, len(str(header)) * 2 + 2)
        )
    return sheet


def _cell(value):
    """Numbers stay numbers (Decimal as float); text is escaped."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return escape_formula(value)
    return value


def floor_mark(is_floor):
    """The 余 of a figure that is a floor, its own cell beside the number."""
    return gettext("more than (余)") if is_floor else ""


def workbook(dashboard):
    """
    The dashboard as an .xlsx file's bytes: a sheet per section, a header
    row each, numbers as numbers (a 余 figure as its number and a mark in
    the next column), headers in the active language. No query.
    """
    from openpyxl import Workbook

    d = dashboard
    book = Workbook()
    book.remove(book.active)
    floor = gettext("more than (余)")
    question_names = [
        str(SurveyAnswer._meta.get_field(q).verbose_name) for q in QUESTIONS
    ]
    _sheet(
        book,
        gettext("Green happiness index"),
        [
            gettext("survey round"),
            gettext("opens"),
            gettext("closes"),
            gettext("demo figures"),
            gettext("answers"),
            gettext("fewest answers for an index"),
            gettext("index (0–100)"),
            gettext("low end of the interval (95%)"),
            gettext("high end of the interval (95%)"),
            *question_names,
        ],
        [
            [
                r.round.title_i18n,
                timezone.localtime(r.round.opens_at).date(),
                timezone.localtime(r.round.closes_at).date(),
                gettext("yes") if r.round.is_demo else "",
                r.answers,
                r.round.min_answers,
                _rounded(r.index),
                _rounded(r.low),
                _rounded(r.high),
                *[_rounded(r.question_means[q], 2) for q in QUESTIONS],
            ]
            for r in d.rounds
        ],
    )
    no_donation = d.no_donation
    _sheet(
        book,
        gettext("Plants by donor"),
        [
            gettext("donor"),
            gettext("given"),
            floor,
            gettext("planted"),
            floor,
            gettext("recorded lost"),
            gettext("surviving"),
        ],
        [
            *[
                [
                    donor.name_i18n,
                    donor.given,
                    floor_mark(donor.given_is_floor),
                    donor.planted,
                    floor_mark(donor.planted_is_floor),
                    donor.lost,
                    donor.surviving,
                ]
                for donor in d.donors
            ],
            [
                gettext("from no recorded donation"),
                None,
                "",
                no_donation["planted"].count,
                floor_mark(no_donation["planted"].is_floor),
                no_donation["lost"],
                ledger.surviving(no_donation["planted"], no_donation["lost"]).count,
            ],
            [
                gettext("all"),
                d.given.count,
                floor_mark(d.given.is_floor),
                d.planted.count,
                floor_mark(d.planted.is_floor),
                d.lost,
                d.surviving.count,
            ],
        ],
    )
    _sheet(
        book,
        gettext("Plants by garden"),
        [
            gettext("garden"),
            gettext("sent from gifts"),
            gettext("planted"),
            floor,
            gettext("recorded lost"),
            gettext("surviving"),
        ],
        [
            [
                garden.name_i18n,
                garden.allocated,
                garden.planted,
                floor_mark(garden.planted_is_floor),
                garden.lost,
                garden.surviving,
            ]
            for garden in d.gardens
        ],
    )
    states = list(ZONE_SERIES)
    _sheet(
        book,
        gettext("Zones by state"),
        [
            gettext("garden"),
            gettext("zones"),
            gettext("area (m²)"),
            *[
                gettext("{state}: zones").format(state=Zone.State(s).label)
                for s in states
            ],
            *[gettext("{state}: m²").format(state=Zone.State(s).label) for s in states],
        ],
        [
            [
                garden.name_i18n,
                garden.zone_count,
                garden.area_m2,
                *[getattr(garden, f"{s}_count") for s in states],
                *[getattr(garden, f"{s}_m2") for s in states],
            ]
            for garden in d.zones
        ],
    )
    _sheet(
        book,
        gettext("Volunteers by event"),
        [
            gettext("event"),
            gettext("date"),
            gettext("volunteers signed up"),
            gettext("people checked in"),
            gettext("volunteer hours"),
        ],
        [
            [
                event.title_i18n,
                timezone.localtime(event.starts_at).date(),
                totals.volunteers,
                totals.participants,
                totals.hours,
            ]
            for event, totals in d.events
        ],
    )
    _sheet(
        book,
        gettext("Volunteers by organisation"),
        [
            gettext("organisation"),
            gettext("events"),
            gettext("volunteers signed up"),
            gettext("people checked in"),
            gettext("volunteer hours"),
        ],
        [
            [
                organisation.name_i18n
                if organisation
                else gettext("individual volunteers"),
                totals.events,
                totals.volunteers,
                totals.participants,
                totals.hours,
            ]
            for organisation, totals in d.organisations
        ],
    )
    _sheet(
        book,
        gettext("Works on show"),
        [
            gettext("category"),
            pgettext("artwork status", "approved"),
            pgettext("artwork status", "featured"),
            gettext("on show"),
        ],
        [
            [str(label), approved, featured, approved + featured]
            for _value, label, approved, featured in d.works
        ],
    )
    s = d.suggestions
    ratio = "0.0%"
    suggestion_sheet = _sheet(
        book,
        gettext("Suggestions"),
        [gettext("figure"), gettext("value"), gettext("definition")],
        [
            [gettext("received"), s.received, ""],
            [gettext("still open"), s.open, ""],
            [pgettext("suggestion status", "done"), s.done, ""],
            [pgettext("suggestion status", "declined"), s.declined, ""],
            [
                gettext("median days to close"),
                _rounded(s.median_days_to_close),
                gettext("from sending to done or declined"),
            ],
            [
                gettext("response rate"),
                _share(s.response_rate),
                response_definition(),
            ],
            [
                gettext("resolution rate"),
                _share(s.resolution_rate),
                resolution_definition(),
            ],
            [
                gettext("satisfaction rate"),
                _share(s.satisfaction_rate),
                satisfaction_definition(),
            ],
        ],
    )
    for row in range(7, 10):
        suggestion_sheet.cell(row=row, column=2).number_format = ratio
    suggestion_sheet.column_dimensions["C"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rounded(value, digits=1):
    return None if value is None else round(value, digits)


def _share(percentage):
    """A percentage as a spreadsheet's ratio (87.5 → 0.875), shown as %."""
    return None if percentage is None else round(percentage / 100, 4)


def response_definition():
    return gettext(
        "Suggestions first answered within {days} days of being sent, of those "
        "answered or sent at least {days} days ago."
    ).format(days=RESPONSE_DAYS)


def resolution_definition():
    return gettext("Suggestions done, of those closed (done or declined).")


def satisfaction_definition():
    return gettext(
        "Answers rated satisfied or basically satisfied by the resident who made "
        "the suggestion, of those rated."
    )
