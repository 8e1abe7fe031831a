"""
Small statistics for figures shown to residents: a mean with its 95%
interval, a median. Plain Python, no app and no database.
"""

import math
from dataclasses import dataclass

# Student's t for a two-sided 95% interval, by degrees of freedom. Between
# two rows the smaller degrees of freedom is used (the wider interval); past
# the table, the normal distribution's 1.96.
T_95 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    11: 2.201,
    12: 2.179,
    13: 2.160,
    14: 2.145,
    15: 2.131,
    16: 2.120,
    17: 2.110,
    18: 2.101,
    19: 2.093,
    20: 2.086,
    21: 2.080,
    22: 2.074,
    23: 2.069,
    24: 2.064,
    25: 2.060,
    26: 2.056,
    27: 2.052,
    28: 2.048,
    29: 2.045,
    30: 2.042,
    40: 2.021,
    60: 2.000,
    120: 1.980,
}
NORMAL_95 = 1.960


def t_95(degrees_of_freedom):
    """Student's t for a 95% interval (1.96 past 120 degrees of freedom)."""
    if degrees_of_freedom < 1:
        raise ValueError("an interval needs at least one degree of freedom")
    if degrees_of_freedom > max(T_95):
        return NORMAL_95
    return T_95[max(df for df in T_95 if df <= degrees_of_freedom)]


@dataclass(frozen=True)
class Interval:
    """A mean and its 95% interval, mean ± t·sd/√n."""

    mean: float
    low: float
    high: float
    sd: float

    @property
    def half_width(self):
        return (self.high - self.low) / 2


def mean_interval(count, total, total_of_squares):
    """
    The mean of count values and its 95% interval, from their sum and the
    sum of their squares (what a database adds up in one pass); None for
    fewer than two values, whose spread is unknown.
    """
    if count < 2:
        return None
    mean = total / count
    # max(): rounding may leave a tiny negative for equal values.
    variance = max(total_of_squares - total * total / count, 0) / (count - 1)
    sd = math.sqrt(variance)
    margin = t_95(count - 1) * sd / math.sqrt(count)
    return Interval(mean=mean, low=mean - margin, high=mean + margin, sd=sd)


def median(values):
    """The middle value (the mean of the two middle ones); None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def rate(part, whole):
    """part / whole as a percentage, None when whole is 0 (no division)."""
    if not whole:
        return None
    return 100 * part / whole
