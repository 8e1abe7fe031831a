"""
Charts drawn on the server as inline SVG: no script, no other host.

These functions know no app: they take labels and numbers and return the
geometry of a chart in SVG user units; templates/includes/chart_bars.html
and chart_trend.html draw it, each colour a CSS class of the site's palette
(static/css/site.css, ".chart .s-peony"). The SVG scales to its box
(viewBox, width 100%), so a chart fits a 360 px phone.
"""

from dataclasses import dataclass, field

WIDTH = 360
FONT = 18  # label size in user units; the stylesheet uses the same
LABEL_LINE = 26  # a row's label above its bars
BAR = 18  # one bar's thickness
BAR_GAP = 4  # between the bars of one row
ROW_GAP = 14  # between rows
NOTE_ROOM = 150  # right of the longest bar, for its value printed as text


@dataclass(frozen=True)
class Series:
    """One kind of bar: its name (legend) and CSS colour class (s-peony…)."""

    name: str
    css: str


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    value: float


@dataclass
class BarRow:
    label: str
    label_y: float
    bars: list
    note: str
    note_x: float
    note_y: float


@dataclass
class BarChart:
    width: int
    height: int
    rows: list
    series: list
    stacked: bool


def _scale(values, maximum):
    top = max([maximum or 0, *values]) or 1
    return (WIDTH - NOTE_ROOM) / top


def bar_chart(rows, series, *, stacked=False, maximum=None):
    """
    Horizontal bars, a row each: rows is [(label, [value per series],
    note)], note the text printed after the row's bars (its figure as
    people read it: "1000余株"). Grouped: a bar per series, one under the
    other; stacked: one bar of segments. maximum fixes the scale (100 for
    percentages); else the largest bar fills the width less NOTE_ROOM.
    """
    series = list(series)
    rows = list(rows)
    if stacked:
        lengths = [sum(v or 0 for v in values) for _label, values, _note in rows]
    else:
        lengths = [v or 0 for _label, values, _note in rows for v in values]
    per_unit = _scale(lengths, maximum)
    bars_per_row = 1 if stacked else len(series)
    row_height = LABEL_LINE + bars_per_row * (BAR + BAR_GAP) - BAR_GAP + ROW_GAP
    drawn = []
    for index, (label, values, note) in enumerate(rows):
        top = index * row_height
        bars = []
        x = 0.0
        end = 0.0
        for position, (value, kind) in enumerate(zip(values, series, strict=True)):
            length = (value or 0) * per_unit
            if stacked:
                y = top + LABEL_LINE
                bars.append(Bar(x, y, length, BAR, kind.css, value or 0))
                x += length
                end = x
            else:
                y = top + LABEL_LINE + position * (BAR + BAR_GAP)
                bars.append(Bar(0.0, y, length, BAR, kind.css, value or 0))
                end = max(end, length)
        bars_bottom = top + LABEL_LINE + bars_per_row * (BAR + BAR_GAP) - BAR_GAP
        drawn.append(
            BarRow(
                label=label,
                label_y=top + FONT,
                bars=bars,
                note=note,
                note_x=end + 6,
                # The note beside the middle of the row's bars.
                note_y=(top + LABEL_LINE + bars_bottom) / 2 + FONT * 0.35,
            )
        )
    height = max(len(rows) * row_height - ROW_GAP, 1)
    return BarChart(
        width=WIDTH, height=round(height), rows=drawn, series=series, stacked=stacked
    )


# The trend: a value per period on a fixed scale (the index: 0–100).
TREND_HEIGHT = 220
TREND_LEFT = 40  # room for the scale's numbers
TREND_RIGHT = 16
TREND_TOP = 14
TREND_BOTTOM = 50  # room for the periods' labels: two lines


@dataclass
class Point:
    label: str
    x: float
    y: float | None  # None: no value for the period (too few answers)
    low_y: float | None
    high_y: float | None
    value: float | None

    @property
    def label_lines(self):
        """The label's lines (a newline separates them), one under another."""
        return self.label.split("\n")

    @property
    def value_y(self):
        """Where the value is printed: above its dot."""
        return None if self.y is None else self.y - 12


@dataclass
class TrendChart:
    width: int
    height: int
    points: list
    ticks: list  # [(value, y)]
    line: str  # SVG points of the line through the periods with a value
    left: int
    right: int
    bottom: float
    baseline_y: float
    label_y: float = field(default=0.0)

    @property
    def tick_x(self):
        """Where the scale's numbers end: left of the plot."""
        return self.left - 6

    @property
    def none_y(self):
        """Where a period without a value shows its dash."""
        return self.bottom - 8


def trend_chart(points, *, low=0, high=100, ticks=(0, 25, 50, 75, 100)):
    """
    A value per period, left to right, with its interval as a whisker:
    points is [(label, value or None, interval low or None, interval high
    or None)] on the scale low…high. A period without a value keeps its
    place and label and draws no dot; the line joins the others.
    """
    points = list(points)
    plot_top, plot_bottom = TREND_TOP, TREND_HEIGHT - TREND_BOTTOM
    plot_left, plot_right = TREND_LEFT, WIDTH - TREND_RIGHT

    def y_of(value):
        if value is None:
            return None
        clamped = min(max(value, low), high)
        share = (clamped - low) / (high - low)
        return round(plot_bottom - share * (plot_bottom - plot_top), 1)

    step = (plot_right - plot_left) / max(len(points), 1)
    drawn = [
        Point(
            label=label,
            x=round(plot_left + step * (index + 0.5), 1),
            y=y_of(value),
            low_y=y_of(lower),
            high_y=y_of(upper),
            value=value,
        )
        for index, (label, value, lower, upper) in enumerate(points)
    ]
    line = " ".join(f"{p.x},{p.y}" for p in drawn if p.y is not None)
    return TrendChart(
        width=WIDTH,
        height=TREND_HEIGHT,
        points=drawn,
        ticks=[(tick, y_of(tick)) for tick in ticks],
        line=line,
        left=plot_left,
        right=plot_right,
        bottom=plot_bottom,
        baseline_y=plot_bottom,
        label_y=plot_bottom + 24,
    )
