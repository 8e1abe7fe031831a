import datetime as dt
import re

import pytest

from tongyun.lib.dates import parse_day

DAY = dt.date(2025, 4, 6)


@pytest.mark.parametrize(
    "written",
    [
        "2025-04-06",
        "2025-4-6",
        "2025/4/6",
        "2025/04/06",
        "2025年4月6日",
        "2025 年 4 月 6 日",
        "2025.4.6",
        " 2025/4/6 ",
        "2025/4/6 0:00",
        "2025-04-06 00:00:00",
        dt.datetime(2025, 4, 6),
        dt.datetime(2025, 4, 6, 9, 30),
        DAY,
        45753,
        45753.0,
        "45753",
    ],
)
def test_parse_day_reads_what_excel_writes(written):
    assert parse_day(written) == DAY


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_parse_day_of_an_empty_cell_is_none(empty):
    assert parse_day(empty) is None


@pytest.mark.parametrize(
    "written",
    [
        "2025/2/30",
        "2025/13/1",
        "4/6/2025",
        "6.4.2025",
        "2025-04",
        "2025/4/6 14:30",
        "2025年4月",
        "明天",
        "20250406",
        45753.5,
        0,
        -1,
        True,
        "1",
    ],
)
def test_parse_day_refuses_what_it_would_have_to_guess(written):
    with pytest.raises(ValueError, match=re.escape(str(written))):
        parse_day(written)
