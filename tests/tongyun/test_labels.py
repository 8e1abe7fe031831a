"""The label sheet itself: pages, codes, and text that fits."""

import pytest
from reportlab.pdfbase import pdfmetrics

from tests import pdfs
from tongyun.lib.labels import (
    CJK,
    LATIN_ITALIC,
    PER_PAGE,
    Label,
    fit_lines,
    render_sheet,
    wrap,
)


def label(n, **fields):
    return Label(title=f"标牌{n}", url=f"https://garden.example.org/{n}/", **fields)


@pytest.mark.parametrize(
    ("count", "page_count"),
    [(1, 1), (PER_PAGE, 1), (PER_PAGE + 1, 2), (3 * PER_PAGE, 3)],
)
def test_sheet_has_a_page_for_each_eight_labels(count, page_count):
    data = render_sheet([label(n) for n in range(count)], heading="标牌")

    assert pdfs.page_count(data) == page_count
    scanned = [url for page in pdfs.scanned(data) for url in page]
    assert scanned == [f"https://garden.example.org/{n}/" for n in range(count)]


def test_every_part_of_a_label_is_in_the_text_layer():
    data = render_sheet(
        [
            label(
                1,
                kicker="牡丹园",
                badge="A1",
                subtitle="Paeonia suffruticosa",
                lines=("牡丹、紫丁香", "Tree peony"),
                bloom=tuple(month in (4, 5) for month in range(1, 13)),
                bloom_caption="花期：四月至五月",
                scan_caption="扫码了解更多",
            )
        ]
    )

    text = pdfs.unwrapped(data)
    for part in ["牡丹园", "A1", "标牌1", "Paeonia suffruticosa", "牡丹、紫丁香"]:
        assert part in text
    for part in ["Tree peony", "花期：四月至五月", "扫码了解更多"]:
        assert part in text
    # The bloom strip's months.
    words = pdfs.text(data).split()
    assert all(str(month) in words for month in range(1, 13))


def test_a_middle_dot_is_set_as_one_the_chinese_font_has():
    data = render_sheet([label(1, kicker="牡丹园·月季园")])

    assert "牡丹园\u30fb月季园" in pdfs.text(data)


def test_a_long_chinese_name_shrinks_then_wraps_within_the_width():
    name = "牡丹芍药紫荆月季紫丁香玉兰海棠樱花连翘迎春"
    width = 100

    fitted = fit_lines(name, CJK, 24, 12, width, 2)

    assert len(fitted.lines) == 2
    assert 12 <= fitted.size < 24
    assert all(
        pdfmetrics.stringWidth(line, CJK, fitted.size) <= width for line in fitted.lines
    )


def test_what_does_not_fit_at_the_smallest_size_ends_in_an_ellipsis():
    fitted = fit_lines("很长" * 40, CJK, 20, 10, 100, 2)

    assert fitted.size == 10
    assert len(fitted.lines) == 2
    assert fitted.lines[-1].endswith("…")


def test_latin_words_are_kept_whole():
    lines = wrap("Prunus cerasifera f. atropurpurea", LATIN_ITALIC, 11, 90)

    assert len(lines) > 1
    assert " ".join(lines) == "Prunus cerasifera f. atropurpurea"


def test_chinese_punctuation_never_starts_a_line():
    text = "牡丹、芍药、紫荆、月季、紫丁香、玉兰、海棠、樱花、连翘"

    for width in range(40, 160, 7):
        lines = wrap(text, CJK, 11, width)
        assert "".join(lines) == text
        assert not any(line.startswith(("、", "，", "。")) for line in lines[1:])


def test_an_empty_sheet_is_one_blank_page():
    data = render_sheet([])

    assert pdfs.page_count(data) == 1
    assert pdfs.scanned(data) == [[]]
