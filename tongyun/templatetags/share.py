"""
The tags WeChat and other apps read to show a link as a card: Open Graph
and the page's description. None of them queries the database: pages pass
what they have already fetched.
"""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext, pgettext

register = template.Library()

# WeChat and search engines show about this much of a description.
DESCRIPTION_LENGTH = 120
# The site card (manage.py draw_share_cards) and its size.
CARD = ("img/share-card.png", 1200, 630)


def absolute(url):
    """url with SITE_URL in front when it is a path (S3 urls are whole)."""
    return settings.SITE_URL + url if url.startswith("/") else url


def trimmed(text, length=DESCRIPTION_LENGTH):
    """text on one line, cut to length characters with … if longer."""
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _picture_url(image):
    """The url of a stored picture (a field file) or of a path; "" if none."""
    if not image:
        return ""
    return absolute(image if isinstance(image, str) else image.url)


@register.inclusion_tag("includes/share_meta.html", takes_context=True)
def share_meta(context, title="", *parts, image=None, kind="website"):
    """
    The share tags of a page: title, a description of the non-empty parts
    (joined by " · ", trimmed), image (the object's own picture: a stored
    file or a path) or else the site card, and the page's own address.

    Without a title, the site's tags, pointing at the home page: private
    pages (tickets, status pages) share nothing of their own.
    """
    request = context.get("request")
    site_name = gettext("Tongyun Garden City")
    description = " · ".join(
        trimmed(part) for part in parts if part and str(part).strip()
    )
    url = request.path if title and request is not None else "/"
    picture = _picture_url(image)
    tags = {
        "title": trimmed(title, 80) if title else site_name,
        "description": trimmed(description)
        or gettext(
            "Community flower gardens of Tongyun subdistrict: what is blooming, "
            "where the flowers came from, planting days."
        ),
        "url": absolute(url),
        "kind": kind if title else "website",
        "site_name": site_name,
        "image": picture or absolute(static(CARD[0])),
        "image_size": None if picture else CARD[1:],
    }
    return {"share": tags}


@register.filter
def first_photo(objects):
    """The photo of the first of objects that has one (no query once fetched)."""
    return next((obj.photo for obj in objects if obj.photo), None)


@register.filter
def names(objects):
    """The localised names of objects, as a list in a sentence."""
    return pgettext("list of names", ", ").join(str(obj.name_i18n) for obj in objects)
