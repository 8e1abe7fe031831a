"""Calls for artworks in the admin, with their works counted by status."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from gardens.access import CommunityScopedAdmin
from tongyun.lib.history_admin import HistoryAdminMixin

from ..admin_forms import CallForm
from ..models import Artwork, Call

Status = Artwork.Status


@admin.register(Call)
class CallAdmin(HistoryAdminMixin, CommunityScopedAdmin):
    # A call without a community is the street office's own.
    community_path = "community"
    form = CallForm
    list_display = [
        "title",
        "organiser",
        "community",
        "window",
        "is_open_now",
        "works",
    ]
    list_filter = ["community"]
    list_select_related = ["community"]
    search_fields = ["title", "title_en", "slug", "organiser", "theme"]
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["species"]
    fieldsets = [
        (
            None,
            {"fields": ["community", "title", "slug", "organiser", "theme", "species"]},
        ),
        (None, {"fields": ["description"]}),
        (_("When"), {"fields": ["opens_at", "closes_at"]}),
        (_("Works"), {"fields": ["categories", "max_works_per_phone"]}),
        (
            _("English version"),
            {
                "classes": ["collapse"],
                "fields": ["title_en", "organiser_en", "theme_en", "description_en"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_work_counts()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "slug":
            field.help_text = _(
                "The call's web address, e.g. peony-art-2024: filled in from "
                "the English title (under “English version”)."
            )
        return field

    @admin.display(description=_("open for works"), ordering="opens_at")
    def window(self, call):
        opens = timezone.localtime(call.opens_at)
        closes = timezone.localtime(call.closes_at)
        return f"{opens:%Y-%m-%d} – {closes:%Y-%m-%d}"

    @admin.display(description=_("open now"), boolean=True)
    def is_open_now(self, call):
        return call.is_open()

    @admin.display(description=_("works"), ordering="pending_count")
    def works(self, call):
        """The call's works by status, one line each, linked to their list."""
        changelist = reverse("admin:artworks_artwork_changelist")
        counts = [
            (Status.PENDING, call.pending_count),
            (Status.APPROVED, call.approved_count),
            (Status.FEATURED, call.featured_count),
            (Status.REJECTED, call.rejected_count),
        ]
        return format_html_join(
            "",
            '<div><a href="{}?{}">{}: {}</a></div>',
            (
                (
                    changelist,
                    urlencode({"call__id__exact": call.pk, "status__exact": status}),
                    status.label,
                    count,
                )
                for status, count in counts
            ),
        )
