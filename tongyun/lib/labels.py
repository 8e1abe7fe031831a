"""
Sheets of printed QR labels: A4 PDFs of cut-out labels, 2 × 4 a page.

Each label has a stripe in its garden's accent colour, a short line above a
large title (with an optional code in a coloured box), a line in Latin
italics, a few lines of text, a strip of twelve months with the bloom months
filled in, and a QR code of a public page drawn as vector squares, sharp at
any printer's resolution. Cut lines run between the labels and crop marks
into the margins.

Knows no app: each app turns its rows into Label values (gardens.labels,
artworks.labels). Chinese is set in STSong-Light, a CID font that every PDF
reader supplies (Adobe's Chinese font pack, or the system's Song face): no
font file in the project and nothing fetched from another host.
"""

import re
from dataclasses import dataclass

import segno
from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

CJK = "STSong-Light"
LATIN = "Helvetica"
LATIN_ITALIC = "Helvetica-Oblique"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))

# The most labels one sheet is asked for: a few hundred render in seconds.
MAX_LABELS = 600

INK = HexColor("#2b2622")
TITLE_INK = HexColor("#1f1b18")  # the site's text colour on warm white
MUTED = HexColor("#6b625a")
CUT = HexColor("#9a928a")
OFF_MONTH = HexColor("#efe9e1")

COLUMNS, ROWS = 2, 4
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X, MARGIN_Y = 10 * mm, 14 * mm
LABEL_WIDTH = (PAGE_WIDTH - 2 * MARGIN_X) / COLUMNS  # 95 mm
LABEL_HEIGHT = (PAGE_HEIGHT - 2 * MARGIN_Y) / ROWS  # 67.25 mm
PER_PAGE = COLUMNS * ROWS

STRIPE = 6 * mm
PAD = 4 * mm
# 40 mm of modules: a version 4 code (a site URL) has 1.2 mm modules, read
# by a phone held at arm's length. The label's white padding is its quiet
# zone together with the 2 modules drawn around it.
QR_SIZE = 40 * mm
QR_BORDER = 2
STRIP_HEIGHT = 7 * mm


@dataclass(frozen=True)
class Label:
    """
    What one label says. url is the absolute address its QR code holds;
    accent a "#rrggbb" colour; bloom twelve booleans (January first) or
    None for no strip; footer lines run the label's full width at its foot,
    in place of a bloom strip.
    """

    title: str
    url: str
    accent: str = "#2e6b34"
    kicker: str = ""
    badge: str = ""
    subtitle: str = ""
    lines: tuple = ()
    bloom: tuple | None = None
    bloom_caption: str = ""
    scan_caption: str = ""
    footer: tuple = ()


def print_labels_action(render, filename):
    """
    An admin action that prints the selected rows' labels: render(rows)
    makes the PDF of a queryset's for_labels() rows. Seeing the rows is
    enough to print their labels.
    """

    @admin.action(description=_("Print QR labels (PDF)"), permissions=["view"])
    def print_labels(modeladmin, request, queryset):
        return sheet_response(
            modeladmin,
            request,
            queryset.for_labels(),
            render=render,
            filename=filename,
        )

    return print_labels


def sheet_response(modeladmin, request, queryset, *, render, filename):
    """
    An admin action's answer: the rows of queryset (the changelist's own,
    scoped to what the staff member may see) as render(rows) PDF bytes, a
    download named filename. None, with a message, when there is nothing to
    print or more than MAX_LABELS: the admin shows its list again.
    """
    rows = list(queryset[: MAX_LABELS + 1])
    if not rows:
        modeladmin.message_user(
            request,
            gettext("Nothing to print: none of the selected rows is in your list."),
            messages.WARNING,
        )
        return None
    if len(rows) > MAX_LABELS:
        modeladmin.message_user(
            request,
            gettext(
                "Print at most {count} labels at a time: select fewer rows."
            ).format(count=MAX_LABELS),
            messages.ERROR,
        )
        return None
    return pdf_response(render(rows), filename)


def pdf_response(data, filename):
    """The PDF as a download named filename."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def render_sheet(labels, *, heading="", title=""):
    """
    The labels as PDF bytes, PER_PAGE to an A4 page in reading order (left
    to right, then down). heading is printed small in each page's top
    margin with the page number; title is the document's title.
    """
    buffer = _Buffer()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    pdf.setTitle(title or heading)
    pdf.setCreator("tongyun.lib.labels")
    labels = list(labels)
    pages = max(1, -(-len(labels) // PER_PAGE))
    for number in range(pages):
        page = labels[number * PER_PAGE : (number + 1) * PER_PAGE]
        _draw_page_furniture(pdf, len(page), heading, number + 1, pages)
        for index, label in enumerate(page):
            row, column = divmod(index, COLUMNS)
            x = MARGIN_X + column * LABEL_WIDTH
            y = PAGE_HEIGHT - MARGIN_Y - (row + 1) * LABEL_HEIGHT
            _draw_label(pdf, label, x, y)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class _Buffer:
    """A bytes sink for reportlab, which writes with write() only."""

    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(data)

    def getvalue(self):
        return b"".join(self.parts)


# --- The page


def _draw_page_furniture(pdf, count, heading, number, pages):
    """The heading, the cut lines around the used cells, the crop marks."""
    pdf.setFillColor(MUTED)
    pdf.setFont(CJK, 8)
    top = PAGE_HEIGHT - MARGIN_Y + 5 * mm
    if heading:
        pdf.drawString(MARGIN_X, top, heading.translate(CJK_STAND_INS))
    pdf.drawRightString(PAGE_WIDTH - MARGIN_X, top, f"{number} / {pages}")
    if not count:
        return
    rows = -(-count // COLUMNS)
    columns = min(count, COLUMNS)
    left, right = MARGIN_X, MARGIN_X + columns * LABEL_WIDTH
    top = PAGE_HEIGHT - MARGIN_Y
    bottom = top - rows * LABEL_HEIGHT
    pdf.setStrokeColor(CUT)
    pdf.setLineWidth(0.4)
    pdf.setDash(3, 2)
    for row in range(rows + 1):
        y = top - row * LABEL_HEIGHT
        pdf.line(left, y, right, y)
    for column in range(columns + 1):
        x = MARGIN_X + column * LABEL_WIDTH
        pdf.line(x, top, x, bottom)
    # Crop marks: where the guillotine goes, outside what it cuts.
    pdf.setDash()
    mark = 4 * mm
    for row in range(rows + 1):
        y = top - row * LABEL_HEIGHT
        pdf.line(left - mark - 1 * mm, y, left - 1 * mm, y)
        pdf.line(right + 1 * mm, y, right + mark + 1 * mm, y)
    for column in range(columns + 1):
        x = MARGIN_X + column * LABEL_WIDTH
        pdf.line(x, top + 1 * mm, x, top + mark)
        pdf.line(x, bottom - 1 * mm, x, bottom - mark)


# --- One label


def _draw_label(pdf, label, x, y):
    accent = HexColor(label.accent)
    pdf.setFillColor(accent)
    pdf.rect(x, y, STRIPE, LABEL_HEIGHT, stroke=0, fill=1)

    qr_x = x + LABEL_WIDTH - PAD - QR_SIZE
    qr_y = y + LABEL_HEIGHT - PAD - QR_SIZE
    draw_qr(pdf, label.url, qr_x, qr_y, QR_SIZE)
    if label.scan_caption:
        caption = fit_lines(label.scan_caption, CJK, 9, 6, QR_SIZE, 1)
        pdf.setFillColor(MUTED)
        pdf.setFont(CJK, caption.size)
        pdf.drawCentredString(qr_x + QR_SIZE / 2, qr_y - 3.5 * mm, caption.lines[0])

    left = x + STRIPE + PAD
    width = qr_x - PAD - left
    cursor = y + LABEL_HEIGHT - PAD
    floor = y + PAD
    if label.footer and label.bloom is None:
        full_width = x + LABEL_WIDTH - PAD - left
        pdf.setFillColor(MUTED)
        for text in reversed(label.footer):
            line = fit_lines(text, CJK, 10, 7, full_width, 1)
            pdf.setFont(CJK, line.size)
            pdf.drawString(left, floor, line.lines[0])
            floor += line.size * 1.4
        pdf.setStrokeColor(accent)
        pdf.setLineWidth(0.8)
        pdf.line(left, floor, left + full_width, floor)
        floor += 2 * mm
    if label.bloom is not None:
        strip_width = x + LABEL_WIDTH - PAD - left
        draw_bloom_strip(
            pdf, label.bloom, left, y + PAD, strip_width, STRIP_HEIGHT, accent
        )
        floor = y + PAD + STRIP_HEIGHT + 2 * mm
        if label.bloom_caption:
            caption = fit_lines(label.bloom_caption, CJK, 11, 8, width, 1)
            pdf.setFillColor(INK)
            pdf.setFont(CJK, caption.size)
            pdf.drawString(left, floor + 0.5 * mm, caption.lines[0])
            floor += caption.size + 2 * mm

    if label.kicker or label.badge:
        cursor = _draw_kicker(pdf, label, left, cursor, width, accent)

    title = fit_lines(label.title, CJK, 24, 13, width, 2)
    for line in title.lines:
        cursor -= title.size
        _draw_bold(pdf, line, left, cursor, title.size, TITLE_INK)
        cursor -= title.size * 0.25
    cursor -= 1.5 * mm

    pdf.setFillColor(INK)
    if label.subtitle:
        font = LATIN_ITALIC if _is_latin(label.subtitle) else CJK
        cursor = _draw_block(
            pdf, label.subtitle, font, 11, 8, 2, left, cursor, width, floor
        )
        cursor -= 1 * mm
    for text in label.lines:
        font = LATIN if _is_latin(text) else CJK
        cursor = _draw_block(pdf, text, font, 11, 9, 3, left, cursor, width, floor)
        cursor -= 1 * mm


def _draw_kicker(pdf, label, left, cursor, width, accent):
    """
    The line above the title: the badge (white on accent, a zone's code)
    and the kicker (accent, a garden's name). The new cursor.
    """
    badge_width = 0
    top = cursor
    if label.badge:
        badge = fit_lines(label.badge, CJK, 14, 9, width / 2, 1)
        text_width = pdfmetrics.stringWidth(badge.lines[0], CJK, badge.size)
        badge_width = text_width + 3 * mm
        box_height = badge.size + 2.2 * mm
        pdf.setFillColor(accent)
        pdf.roundRect(left, top - box_height, badge_width, box_height, 1 * mm, 0, 1)
        baseline = top - box_height / 2 - badge.size * 0.36
        _draw_bold(pdf, badge.lines[0], left + 1.5 * mm, baseline, badge.size, white)
        cursor = top - box_height
        badge_width += 2 * mm
    if label.kicker:
        kicker = fit_lines(label.kicker, CJK, 12, 9, width - badge_width, 1)
        if label.badge:
            baseline = top - (top - cursor) / 2 - kicker.size * 0.36
        else:
            baseline = cursor = top - kicker.size
        _draw_bold(
            pdf, kicker.lines[0], left + badge_width, baseline, kicker.size, accent
        )
    return cursor - 2.5 * mm


def _draw_block(
    pdf, text, font, largest, smallest, max_lines, left, cursor, width, floor
):
    """text in up to max_lines lines from cursor down, not below floor."""
    block = fit_lines(text, font, largest, smallest, width, max_lines)
    pdf.setFont(font, block.size)
    for line in block.lines:
        if cursor - block.size * 1.35 < floor:
            break
        cursor -= block.size * 1.35
        pdf.drawString(left, cursor, line)
    return cursor


def _draw_bold(pdf, text, x, y, size, colour):
    """text with its outline stroked too: the CID font has no bold face."""
    pdf.setFillColor(colour)
    pdf.setStrokeColor(colour)
    pdf.setLineWidth(size * 0.035)
    words = pdf.beginText(x, y)
    words.setFont(CJK, size)
    words.setTextRenderMode(2)
    words.textOut(text)
    words.setTextRenderMode(0)
    pdf.drawText(words)


def draw_qr(pdf, url, x, y, size):
    """
    url as a QR code in the size × size square at (x, y): a white square
    with QR_BORDER modules of quiet zone, and each row's runs of dark
    modules as one rectangle each, filled as one path.
    """
    code = segno.make(url, error="m", micro=False)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=QR_BORDER)]
    module = size / len(rows)
    pdf.setFillColor(white)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    path = pdf.beginPath()
    # Each rectangle reaches a hair into the next row, or a renderer's
    # anti-aliasing would leave pale seams between rows.
    overlap = module * 0.02
    for index, row in enumerate(rows):
        top = y + size - index * module
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                path.rect(
                    x + start * module,
                    top - module - overlap,
                    (column - start) * module,
                    module + overlap,
                )
                start = None
    pdf.setFillColor(HexColor("#000000"))
    pdf.drawPath(path, stroke=0, fill=1)


def draw_bloom_strip(pdf, months, x, y, width, height, accent):
    """Twelve cells numbered 1–12; the months in bloom filled with accent."""
    cell = width / 12
    size = min(9, height / mm * 1.4)
    for index, on in enumerate(months):
        left = x + index * cell
        pdf.setFillColor(accent if on else OFF_MONTH)
        pdf.rect(left + 0.3 * mm, y, cell - 0.6 * mm, height, stroke=0, fill=1)
        pdf.setFillColor(white if on else MUTED)
        pdf.setFont(CJK, size)
        pdf.drawCentredString(
            left + cell / 2, y + height / 2 - size * 0.35, str(index + 1)
        )


# --- Fitting text


@dataclass(frozen=True)
class Fitted:
    size: float
    lines: list


# Characters STSong-Light lacks, and the ones it has that look the same.
CJK_STAND_INS = str.maketrans({"\u00b7": "\u30fb", "\u2022": "\u30fb"})
# Punctuation that never starts a line (Chinese typesetting's 避头).
NO_LINE_START = set("、，。；：！？）》」』】,.;:!?)")

# A run of Latin letters or digits (a word, kept whole), or one other
# character (a Chinese character, each a place to break).
TOKEN = re.compile(r"[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+\s*|\s+|.")


def fit_lines(text, font, largest, smallest, width, max_lines):
    """
    text at the largest size (points, in steps of 1) from largest down to
    smallest at which it fits in max_lines lines of width, one line down to
    3/4 of largest preferred to more; at smallest, what does not fit is cut
    with "…".
    """
    text = " ".join(text.split())
    if font == CJK:
        text = text.translate(CJK_STAND_INS)
    # One line a little smaller reads better than a word broken in two.
    for size in range(int(largest), int(largest * 0.75) - 1, -1):
        if max_lines > 1 and size >= smallest:
            lines = wrap(text, font, size, width)
            if len(lines) == 1:
                return Fitted(size, lines)
    size = largest
    while True:
        lines = wrap(text, font, size, width)
        if len(lines) <= max_lines or size <= smallest:
            break
        size -= 1
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _ellipsis(lines[-1], font, size, width)
    return Fitted(size, lines)


def wrap(text, font, size, width):
    """text broken into lines of width: Latin words whole, Chinese anywhere."""
    lines, line = [], ""
    for token in TOKEN.findall(text):
        candidate = line + token
        fits = pdfmetrics.stringWidth(candidate.rstrip(), font, size) <= width
        if fits or (token in NO_LINE_START and line.strip()):
            line = candidate
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = token.lstrip()
        # A word wider than the line is broken where it must be.
        while pdfmetrics.stringWidth(line.rstrip(), font, size) > width:
            cut = len(line) - 1
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _ellipsis(line, font, size, width):
    while line and pdfmetrics.stringWidth(line + "…", font, size) > width:
        line = line[:-1]
    return line + "…"


def _is_latin(text):
    """Whether Helvetica's WinAnsi encoding can set text."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True
