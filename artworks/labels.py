"""
What the printed exhibition labels of artworks say (tongyun.lib.labels
draws them): the title, the credit the public pages give (never a young
author's full name), the category and the call, with a QR code of the
work's public page. Only works on show get one: the page of any other is a
404 to the phone that scans it.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from gardens.labels import absolute_url, accent
from gardens.models import Theme
from tongyun.lib.labels import Label, render_sheet


def not_on_show(artworks):
    """The works of artworks (rows) that are not public: none gets a label."""
    return [artwork for artwork in artworks if not artwork.is_public]


def artwork_label(artwork):
    """
    A work's label, in the colour of its call's flower (leaf green for a
    call without one). No query with for_labels().
    """
    call = artwork.call
    return Label(
        kicker=artwork.get_category_display(),
        title=artwork.title,
        lines=(artwork.credit,),
        footer=(call.title, call.organiser),
        url=absolute_url(artwork),
        accent=accent(call.species.theme if call.species else Theme.LEAF),
        scan_caption=gettext("Scan for more"),
    )


def exhibition_sheet(artworks):
    """
    PDF bytes: a label for each of artworks (public works of a for_labels()
    queryset), in the site's language, which the visitors read.
    """
    with translation.override(settings.LANGUAGE_CODE):
        heading = f"{gettext('Tongyun Garden City')} · {gettext('Exhibition labels')}"
        return render_sheet([artwork_label(work) for work in artworks], heading=heading)
