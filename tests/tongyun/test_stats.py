"""tongyun.lib.stats: the 95% interval, the median and rates of the dashboard."""

import math
import statistics

import pytest

from tongyun.lib.stats import mean_interval, median, rate, t_95


@pytest.mark.parametrize(
    ("degrees", "t"),
    [(1, 12.706), (9, 2.262), (30, 2.042), (35, 2.042), (45, 2.021), (500, 1.96)],
)
def test_t_95_reads_the_table_and_takes_the_wider_row_between_two(degrees, t):
    assert t_95(degrees) == t


def test_t_95_refuses_no_degrees_of_freedom():
    with pytest.raises(ValueError, match="degree of freedom"):
        t_95(0)


def test_mean_interval_from_sums_equals_the_textbook_one():
    values = [3, 4, 4, 5, 2, 4, 5, 3]

    found = mean_interval(len(values), sum(values), sum(v * v for v in values))

    margin = 2.365 * statistics.stdev(values) / math.sqrt(len(values))
    assert found.mean == pytest.approx(statistics.fmean(values))
    assert (found.low, found.high) == pytest.approx(
        (found.mean - margin, found.mean + margin)
    )
    assert found.half_width == pytest.approx(margin)


def test_mean_interval_of_fewer_than_two_values_is_unknown():
    assert mean_interval(0, 0, 0) is None
    assert mean_interval(1, 4, 16) is None


def test_mean_interval_of_equal_values_has_no_width():
    found = mean_interval(3, 15, 75)

    assert (found.mean, found.low, found.high, found.sd) == (5, 5, 5, 0)


def test_median_of_odd_even_and_no_values():
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 10]) == 3.5
    assert median([]) is None


def test_rate_of_nothing_is_none_not_a_division_by_zero():
    assert rate(0, 0) is None
    assert rate(1, 4) == 25
