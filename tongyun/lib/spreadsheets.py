"""
Spreadsheet files for staff that are safe to open in Excel, WPS or LibreOffice,
and that read back what Excel in China writes.

Exports: every text cell that a spreadsheet would run as a formula stays
text (an .xlsx cell typed as text; a CSV cell behind an apostrophe, as CSV
has no cell types); numbers and dates stay numbers and dates in .xlsx;
characters a spreadsheet cannot hold are left out
(tongyun.lib.text.spreadsheet_text), so that text stored before the text
rule never makes an export fail. A CSV file starts with a UTF-8 byte order
mark, without which Excel reads it as the system's GBK.

Imports: a CSV file may be UTF-8 (with or without the mark) or GB18030 (of
which GBK, what Excel in China saves, is a part); the apostrophe of the
CSV escaping is taken off again. Admin classes use these formats through
tongyun.lib.admin.SpreadsheetAdminMixin.
"""

import codecs
import datetime as dt
import io

import tablib
from django.utils.translation import gettext, gettext_lazy
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.styles import Font

from .text import spreadsheet_text

# A cell starting with one of these is a formula to Excel, WPS and
# LibreOffice (tab and carriage return too, as OWASP lists them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

DAY_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"


class UnknownEncoding(ValueError):
    """A text file in none of the encodings Excel in China writes."""


def escape_formula(value):
    """
    Text a spreadsheet would run as a formula, behind a ' that keeps it
    text; so is text that only apostrophes keep from being one ("'=1"), so
    that unescape_formula gives back exactly what was written.
    """
    if is_escapable(value):
        return "'" + value
    return value


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def is_escapable(value):
    return isinstance(value, str) and is_formula_like(value.lstrip("'"))


def unescape_formula(value):
    """A cell as it was before escape_formula: its one added ' taken off."""
    if is_escapable(value) and value.startswith("'"):
        return value[1:]
    return value


def decode(data):
    """
    (text, name of the encoding) of a text file's bytes: UTF-8 with its byte
    order mark, UTF-8, else GB18030. Raises UnknownEncoding when none reads
    it whole, or when it holds NUL characters (UTF-16 without a mark reads
    as GB18030 full of them; no spreadsheet text has one).
    """
    if isinstance(data, str):
        return data, None
    candidates = [
        ("utf-8", gettext_lazy("UTF-8")),
        ("gb18030", gettext_lazy("GB18030 (Excel in Chinese)")),
    ]
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        candidates = [("utf-8", gettext_lazy("UTF-8 with byte order mark"))]
    for codec, name in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, name
    raise UnknownEncoding(
        gettext(
            "The file's encoding could not be recognised. In Excel or WPS, save "
            "it as “CSV UTF-8” or as an Excel workbook (.xlsx), and upload it "
            "again."
        )
    )


def unescaped(dataset):
    """The dataset with each cell's escaping apostrophe taken off, in place."""
    for _row in range(dataset.height):
        dataset.append([unescape_formula(value) for value in dataset.lpop()])
    return dataset


class FileEncodingMixin:
    """
    A resource whose import result names the encoding its file was read
    in (result.file_encoding, None for a workbook), for the confirm page.
    """

    def import_data(self, dataset, **kwargs):
        result = super().import_data(dataset, **kwargs)
        result.file_encoding = getattr(dataset, "file_encoding", None)
        return result


class SafeFormatMixin:
    """
    Prepare every cell with cell() before the file is written.

    Stands in for import-export's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT,
    which drops one leading "=" only (so "+1", "@SUM(A1)" and "==1" stay
    formulas) and turns every number and date into text.
    """

    def export_data(self, dataset, **kwargs):
        # Take each row off the front and put it back, prepared, at the end.
        for _row in range(dataset.height):
            dataset.append([self.cell(value) for value in dataset.lpop()])
        return super().export_data(dataset, **kwargs)

    def cell(self, value):
        return spreadsheet_text(value)

    def _escape_formulae(self, dataset):
        """Done by export_data already."""


class CSV(SafeFormatMixin, base_formats.CSV):
    def is_binary(self):
        # The admin then keeps the upload's bytes as they are and hands
        # them to create_dataset, which finds their encoding; a text
        # format would be decoded as UTF-8 before.
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        """The rows of a CSV file; its encoding's name in .file_encoding."""
        text, encoding = decode(in_stream)
        dataset = unescaped(tablib.import_set(text, format="csv"))
        dataset.file_encoding = encoding
        return dataset

    def export_data(self, dataset, **kwargs):
        # The byte order mark tells Excel in China the file is UTF-8.
        return codecs.BOM_UTF8.decode() + super().export_data(dataset, **kwargs)

    def cell(self, value):
        if isinstance(value, dt.datetime):
            return f"{value:%Y-%m-%d %H:%M}"
        if isinstance(value, dt.date):
            return f"{value:%Y-%m-%d}"
        return escape_formula(super().cell(value))


class XLSX(SafeFormatMixin, base_formats.XLSX):
    def create_dataset(self, in_stream):
        """The first sheet's rows, as import-export reads them."""
        dataset = unescaped(super().create_dataset(in_stream))
        dataset.file_encoding = None
        return dataset

    def export_data(self, dataset, **kwargs):
        """
        The dataset as an .xlsx file's bytes: a bold header row, dates and
        times as date cells in a date format, numbers as numbers, and text
        that looks like a formula as a text cell (shown as typed, never run).
        """
        for _row in range(dataset.height):
            dataset.append([self.cell(value) for value in dataset.lpop()])
        book = Workbook()
        sheet = book.active
        sheet.title = (dataset.title or "Sheet1")[:31]
        if dataset.headers:
            for cell in append_row(sheet, [str(h) for h in dataset.headers]):
                cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
        for row in dataset:
            append_row(sheet, row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def append_row(sheet, values):
    """
    Add a row of typed cells to an openpyxl sheet and return its cells: a
    datetime (naive, local) or a date in a date format, text that a
    spreadsheet would run as a formula as text with Excel's quote prefix
    (so it stays text when edited), anything else as openpyxl types it.
    """
    sheet.append(
        [v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v for v in values]
    )
    row = sheet.max_row
    cells = [sheet.cell(row=row, column=n) for n in range(1, len(values) + 1)]
    for cell, value in zip(cells, values, strict=True):
        if isinstance(value, dt.datetime):
            cell.number_format = TIME_FORMAT
        elif isinstance(value, dt.date):
            cell.number_format = DAY_FORMAT
        elif is_formula_like(value):
            # openpyxl types any text starting with "=" as a formula.
            cell.data_type = "s"
            cell.quotePrefix = True
        elif is_escapable(value):
            # "'=1" would lose its apostrophe to the import's unescaping.
            cell.value = escape_formula(value)
    return cells
