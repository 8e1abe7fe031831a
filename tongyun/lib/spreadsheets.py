"""
Spreadsheet files for staff that are safe to open in Excel, WPS or LibreOffice.

Every text cell that a spreadsheet would run as a formula is escaped; numbers
and dates stay numbers and dates; characters a spreadsheet cannot hold are
left out (tongyun.lib.text.spreadsheet_text), so that text stored before
the text rule never makes an export fail. Admin classes use these formats
for every export: export_formats = [CSV, XLSX].
"""

import datetime as dt

from import_export.formats import base_formats

from .text import spreadsheet_text

# A cell starting with one of these is a formula to Excel, WPS and
# LibreOffice (tab and carriage return too, as OWASP lists them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Text a spreadsheet would run as a formula, behind a ' that keeps it text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeFormatMixin:
    """
    Escape every text cell that looks like a formula; keep numbers and dates.

    Stands in for import-export's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT,
    which drops one leading "=" only (so "+1", "@SUM(A1)" and "==1" stay
    formulas) and turns every number and date into text.
    """

    def export_data(self, dataset, **kwargs):
        # Take each row off the front and put it back, escaped, at the end.
        for _row in range(dataset.height):
            dataset.append([self.cell(value) for value in dataset.lpop()])
        return super().export_data(dataset, **kwargs)

    def cell(self, value):
        return escape_formula(spreadsheet_text(value))

    def _escape_formulae(self, dataset):
        """Done by export_data already."""


class CSV(SafeFormatMixin, base_formats.CSV):
    def cell(self, value):
        if isinstance(value, dt.datetime):
            return f"{value:%Y-%m-%d %H:%M}"
        return super().cell(value)


class XLSX(SafeFormatMixin, base_formats.XLSX):
    pass
