"""
The root URLconf: each app's pages, and the site layer's pages that show
several apps at once, added to the namespace of the app whose object they
show (gardens:garden_detail is still the garden's address).
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

import events.urls
import feedback.urls
import gardens.urls
from tongyun.lib.storage import serve_media

from . import crawlers, suggestion_views, views

admin.site.site_header = _("Tongyun Garden City · staff")
admin.site.site_title = _("Tongyun Garden City")
admin.site.index_title = _("Garden programme administration")

# A database too busy to write answers "busy, try again" (503), not 500.
handler500 = views.server_error

gardens_pages = [
    path("", views.home, name="home"),
    *gardens.urls.urlpatterns,
    path("gardens/<slug:slug>/", views.garden_detail, name="garden_detail"),
    path(
        "gardens/<slug:slug>/zones/<slug:code>/",
        views.zone_detail,
        name="zone_detail",
    ),
    path("species/<slug:slug>/", views.species_detail, name="species_detail"),
]

events_pages = [
    # Before the ticket's signups/<token>/, which would take "find" for one.
    path("signups/find/", views.find_signups, name="find_signups"),
    *events.urls.urlpatterns,
    path("events/<slug:slug>/", views.event_detail, name="detail"),
]

feedback_pages = [
    path("suggestions/", suggestion_views.suggestion_board, name="board"),
    # Before the status page's suggestions/<token>/, which would take "new".
    *feedback.urls.urlpatterns,
    path(
        "suggestions/<str:token>/",
        suggestion_views.suggestion_status,
        name="status",
    ),
    path(
        "suggestions/<str:token>/rate/",
        suggestion_views.suggestion_rate,
        name="rate",
    ),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", crawlers.robots_txt, name="robots_txt"),
    path("sitemap.xml", crawlers.sitemap_xml, name="sitemap"),
    path("favicon.ico", crawlers.favicon, name="favicon"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include((gardens_pages, gardens.urls.app_name))),
    path("", include("plantings.urls")),
    path("", include((events_pages, events.urls.app_name))),
    path("", include("artworks.urls")),
    path("", include((feedback_pages, feedback.urls.app_name))),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve_media,
        ),
    ]
