"""
The dashboard's figures as an .xlsx workbook for the district: a sheet per
section, a header row each, numbers as numbers.
"""

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from feedback.models import QUESTIONS, SurveyAnswer
from gardens.models import Zone
from plantings import queries as ledger

from ..lib.spreadsheets import append_row
from .figures import (
    ZONE_STATES,
    resolution_definition,
    response_definition,
    satisfaction_definition,
)


def _sheet(book, title, headers, rows):
    """A sheet: a bold header row, then rows; text safe from formulas."""
    sheet = book.create_sheet(title=title[:31])
    append_row(sheet, [str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, [_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for column, header in zip(sheet.columns, headers, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(
            12, min(40, len(str(header)) * 2 + 2)
        )
    return sheet


def _cell(value):
    """Numbers stay numbers (Decimal as float)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def floor_mark(is_floor):
    """The 余 of a figure that is a floor, its own cell beside the number."""
    return pgettext("floor mark", "more than") if is_floor else ""


def workbook(dashboard):
    """
    The dashboard as an .xlsx file's bytes: a sheet per section, a header
    row each, numbers as numbers (a 余 figure as its number and a mark in
    the next column), headers in the active language. No query.
    """
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
    states = ZONE_STATES
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
            gettext("checked in (people)"),
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
            gettext("events attended"),
            gettext("volunteers signed up"),
            gettext("checked in (people)"),
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
