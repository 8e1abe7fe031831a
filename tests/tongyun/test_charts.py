"""tongyun.lib.charts: the geometry of the dashboard's SVG charts."""

import pytest

from tongyun.lib.charts import NOTE_ROOM, WIDTH, Series, bar_chart, trend_chart

TWO = [Series("given", "s-peony"), Series("planted", "s-leaf")]


def test_grouped_bars_scale_the_longest_to_the_width_left_for_notes():
    chart = bar_chart(
        [("漷县镇", [1000, 500], "1000余株"), ("潞城镇", [400, 0], "400余株")], TWO
    )

    first, second = chart.rows
    assert [bar.width for bar in first.bars] == [
        WIDTH - NOTE_ROOM,
        (WIDTH - NOTE_ROOM) / 2,
    ]
    assert [bar.css for bar in first.bars] == ["s-peony", "s-leaf"]
    assert second.bars[1].width == 0
    assert first.bars[1].y > first.bars[0].y
    assert second.label_y > first.bars[1].y
    assert first.note_x == pytest.approx(WIDTH - NOTE_ROOM + 6)
    assert chart.height >= second.bars[-1].y + second.bars[-1].height


def test_stacked_bars_put_segments_end_to_end():
    chart = bar_chart([("牡丹园", [3, 1], "3 of 4")], TWO, stacked=True)

    [bar_a, bar_b] = chart.rows[0].bars
    assert bar_a.x == 0
    assert bar_b.x == pytest.approx(bar_a.width)
    assert bar_a.width + bar_b.width == pytest.approx(WIDTH - NOTE_ROOM)
    assert bar_a.y == bar_b.y


def test_a_fixed_maximum_keeps_percentages_on_their_scale():
    chart = bar_chart([("response", [50], "50%")], TWO[:1], maximum=100)

    assert chart.rows[0].bars[0].width == pytest.approx((WIDTH - NOTE_ROOM) / 2)


def test_bars_of_nothing_draw_nothing_and_divide_by_nothing():
    chart = bar_chart([("none", [0, None], "—")], TWO)
    empty = bar_chart([], TWO)

    assert [bar.width for bar in chart.rows[0].bars] == [0, 0]
    assert (empty.rows, empty.height) == ([], 1)


def test_trend_places_values_on_the_scale_and_skips_periods_without_one():
    chart = trend_chart(
        [("2025春", 50, 40, 60), ("2025秋", None, None, None), ("2026春", 100, 90, 110)]
    )

    first, missing, last = chart.points
    ticks = dict(chart.ticks)
    assert first.y == pytest.approx(ticks[50])
    assert last.y == pytest.approx(ticks[100])
    assert last.high_y == ticks[100]  # clamped to the scale
    assert missing.y is None
    assert chart.line == f"{first.x},{first.y} {last.x},{last.y}"
    assert first.x < missing.x < last.x


def test_trend_labels_of_two_lines_are_drawn_one_under_another():
    chart = trend_chart([("Oct*\n2024", 50, 40, 60), ("Apr\n2025", 60, 50, 70)])

    assert [p.label_lines for p in chart.points] == [["Oct*", "2024"], ["Apr", "2025"]]
