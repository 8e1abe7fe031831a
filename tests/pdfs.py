"""Reading the PDFs the site makes, as a printer and a phone would."""

import pypdfium2
import zxingcpp
from django.contrib.messages import get_messages

# The SITE_URL the label tests set: the codes hold absolute addresses.
SITE = "https://garden.example.org"


def print_labels(client, changelist_url, rows):
    """Post the admin's "Print QR labels (PDF)" action on rows."""
    selected = [row.pk for row in rows]
    return client.post(
        changelist_url, {"action": "print_labels", "_selected_action": selected}
    )


def pdf_of(response):
    """The PDF an admin action answered with; fails on anything else."""
    assert response["Content-Type"] == "application/pdf"
    return response.content


def message_levels(response):
    """The levels ("error", "warning", …) of the messages a response left."""
    return [message.level_tag for message in get_messages(response.wsgi_request)]


def page_count(data):
    return len(pypdfium2.PdfDocument(data))


def scanned(data, scale=2):
    """
    Per page, what a phone's camera reads from each QR code on it, in
    reading order (left to right, then down): the page is rendered to an
    image at scale × 72 dpi and its codes decoded.
    """
    found = []
    for page in pypdfium2.PdfDocument(data):
        image = page.render(scale=scale).to_pil()
        codes = zxingcpp.read_barcodes(image)
        # Codes on one row of labels start within a few pixels of each other.
        found.append(
            [
                code.text
                for code in sorted(
                    codes,
                    key=lambda c: (
                        round(c.position.top_left.y / 50),
                        c.position.top_left.x,
                    ),
                )
            ]
        )
    return found


def text(data):
    """The text layer of every page, joined: what a search or a copy finds."""
    return "\n".join(
        page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(data)
    )


def unwrapped(data):
    """text() with each wrapped line joined to the next: long names whole."""
    return "".join(text(data).splitlines())
