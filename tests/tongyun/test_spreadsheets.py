import codecs
import datetime as dt
import io

import openpyxl
import pytest
import tablib
from django.utils import translation

from tongyun.lib.spreadsheets import (
    CSV,
    XLSX,
    UnknownEncoding,
    decode,
    escape_formula,
    unescape_formula,
)

TEXT = "donor,species\n漷县镇,牡丹:600、芍药\n"


@pytest.mark.parametrize(
    ("content", "codec"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        ((TEXT + "㐀").encode("gb18030"), "gb18030"),  # beyond GBK
    ],
)
def test_decode_reads_utf8_and_gb18030(content, codec):
    text, _name = decode(content)

    assert text == content.decode(codec)
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize(
    "content",
    [
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16"),  # with its mark: Excel's "Unicode text"
        codecs.BOM_UTF8 + TEXT.encode("gbk"),
        b"\x80\xff" * 10,
    ],
)
def test_decode_refuses_other_encodings(content):
    with pytest.raises(UnknownEncoding):
        decode(content)


@pytest.mark.parametrize(
    "text",
    ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "'", "'a", "'=1", "''+1", "牡丹", ""],
)
def test_unescape_formula_undoes_escape_formula_exactly(text):
    assert unescape_formula(escape_formula(text)) == text


def test_unescape_formula_keeps_an_apostrophe_before_other_text():
    assert unescape_formula("'牡丹") == "'牡丹"


def test_csv_round_trip_gives_back_the_text_and_days():
    data = tablib.Dataset(
        ["=1+2", dt.date(2025, 4, 6), 7, "'a"], headers=["a", "b", "c", "d"]
    )

    written = CSV().export_data(data).encode()
    read = CSV().create_dataset(written)

    assert written.startswith(codecs.BOM_UTF8)
    assert b"'=1+2,2025-04-06,7,'a" in written
    assert list(read[0]) == ["=1+2", "2025-04-06", "7", "'a"]
    with translation.override("en"):
        assert str(read.file_encoding) == "UTF-8 with byte order mark"


def test_xlsx_cells_are_typed_and_formulas_stay_text():
    moment = dt.datetime(2025, 4, 6, 9, 30, tzinfo=dt.UTC)
    data = tablib.Dataset(
        [dt.date(2025, 4, 6), moment, 300, 1.5, "=1+2", "牡丹"],
        headers=["day", "moment", "count", "share", "note", "name"],
    )

    content = XLSX().export_data(data)

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    day, moment_cell, count, share, note, name = sheet[2]
    assert (day.value, day.is_date, day.number_format) == (
        dt.datetime(2025, 4, 6),
        True,
        "yyyy-mm-dd",
    )
    assert moment_cell.value == dt.datetime(2025, 4, 6, 9, 30)
    assert moment_cell.number_format == "yyyy-mm-dd hh:mm"
    assert (count.value, count.data_type, share.value) == (300, "n", 1.5)
    assert (note.value, note.data_type, note.quotePrefix) == ("=1+2", "s", True)
    assert (name.value, name.data_type) == ("牡丹", "s")
    assert [c.font.b for c in sheet[1]] == [True] * 6
    assert list(XLSX().create_dataset(content)[0])[4] == "=1+2"


@pytest.mark.parametrize("text", ["=1+2", "'=1+2", "''-1", "'a"])
def test_xlsx_round_trip_gives_back_the_text(text):
    data = tablib.Dataset([text], headers=["note"])

    assert XLSX().create_dataset(XLSX().export_data(data))[0] == (text,)


def test_xlsx_import_takes_off_an_old_exports_apostrophe():
    book = openpyxl.Workbook()
    book.active.append(["note"])
    book.active.append(["'=1+2"])
    out = io.BytesIO()
    book.save(out)

    assert XLSX().create_dataset(out.getvalue())[0] == ("=1+2",)
