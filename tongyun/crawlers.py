"""
What crawlers and browsers ask of every site: /robots.txt, /sitemap.xml
and /favicon.ico.

The sitemap lists the public pages only, from each app's own query of
what the public may see; private pages (tickets, status pages) are never
in it, and keep themselves out of search engines (tongyun.lib.robots).
Its addresses are on settings.SITE_URL, never the request's Host: a
crawler must be sent to the site's one public address.
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from artworks.models import Artwork
from events.models import Event
from gardens.models import Garden, Species, Zone

from .lib.pagecache import cached_page

ICONS = Path(settings.BASE_DIR) / "static" / "img"
# The icon changes rarely and has no versioned name: a month is long enough
# to spare requests, short enough for a new icon to arrive.
ICON_SECONDS = 30 * 24 * 3600
ROBOTS_SECONDS = 24 * 3600

# Private addresses that a path prefix can name. Tokens (a suggestion's
# status page) cannot be listed: those pages say noindex themselves.
DISALLOWED = [
    "/admin/",
    "/signups/",
    "/check-in/",
    "/artworks/status/",
    "/i18n/",
]


@require_safe
@cache_control(public=True, max_age=ROBOTS_SECONDS)
def robots_txt(request):
    """Public pages allowed, private ones not, and where the sitemap is."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {prefix}" for prefix in DISALLOWED]
    lines += ["Allow: /", "", f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}"]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )


@require_safe
@cache_control(public=True, max_age=ICON_SECONDS)
def favicon(request):
    """static/img/favicon.ico (16, 32, 48 px; drawn by tools/make_icons.py)."""
    icon = (ICONS / "favicon.ico").read_bytes()
    return HttpResponse(icon, content_type="image/vnd.microsoft.icon")


@dataclass(frozen=True)
class _Site:
    """What Sitemap.get_urls() reads of a django.contrib.sites Site."""

    domain: str
    name: str = ""


def _public_site():
    """(protocol, site) of settings.SITE_URL, path prefix included."""
    parts = urlsplit(settings.SITE_URL)
    return parts.scheme, _Site(domain=parts.netloc + parts.path)


# Each items() is a list: a queryset would cost the paginator a count query.


class PageSitemap(Sitemap):
    """The pages that show no one object: lists, calendar, forms, dashboard."""

    names = [
        "gardens:home",
        "gardens:garden_list",
        "gardens:bloom_calendar",
        "plantings:donation_list",
        "events:list",
        "artworks:list",
        "artworks:submit",
        "feedback:board",
        "feedback:new",
        "feedback:survey",
        "dashboard",
    ]

    def items(self):
        return self.names

    def location(self, item):
        return reverse(item)


class GardenSitemap(Sitemap):
    def items(self):
        return list(Garden.objects.order_by("slug").only("slug"))


class ZoneSitemap(Sitemap):
    def items(self):
        zones = Zone.objects.select_related("garden").order_by("garden__slug", "code")
        return list(zones.only("code", "garden__slug"))


class SpeciesSitemap(Sitemap):
    def items(self):
        return list(Species.objects.order_by("slug").only("slug"))


class EventSitemap(Sitemap):
    """
    Published events, coming and past, as of their last change: drafts and
    cancelled ones are not.
    """

    def items(self):
        events = Event.objects.published().order_by("-starts_at")
        return list(events.only("slug", "updated_at"))

    def lastmod(self, event):
        return event.updated_at


class ArtworkSitemap(Sitemap):
    """Works the public may see (approved or featured), as of their review."""

    def items(self):
        return list(Artwork.objects.public().only("pk", "reviewed_at"))

    def lastmod(self, artwork):
        return artwork.reviewed_at


SITEMAPS = [
    PageSitemap,
    GardenSitemap,
    ZoneSitemap,
    SpeciesSitemap,
    EventSitemap,
    ArtworkSitemap,
]


@require_safe
@cached_page("gardens", "events", "artworks")
def sitemap_xml(request):
    """
    Every public page, on SITE_URL's scheme and host. One query per kind
    of object (gardens, zones, species, events, works), whatever their
    number; fewer than the sitemap protocol's 50,000 addresses a file.
    """
    protocol, site = _public_site()
    urls = []
    for sitemap in SITEMAPS:
        urls += sitemap().get_urls(site=site, protocol=protocol)
    return render(
        request, "sitemap.xml", {"urlset": urls}, content_type="application/xml"
    )
