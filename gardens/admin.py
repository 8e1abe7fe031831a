from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tongyun.lib.admin import FilesAgainAdminMixin, SplitSearchMixin
from tongyun.lib.labels import print_labels_action

from . import labels
from .access import GARDEN_PATH, ZONE_PATH, CommunityScopedAdmin
from .models import Community, Garden, Species, Zone


@admin.display(description=_("photo"))
def photo_preview(obj):
    if not obj.photo:
        return "—"
    return format_html(
        '<img src="{}" alt="" width="120" class="photo-preview">', obj.photo.url
    )


class HasPhotoFilter(admin.SimpleListFilter):
    """Find what still needs a photo: the pages show a drawn mark instead."""

    title = _("photo")
    parameter_name = "has_photo"

    def lookups(self, request, model_admin):
        return [("no", _("Without a photo")), ("yes", _("With a photo"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(photo="")
        if self.value() == "yes":
            return queryset.exclude(photo="")
        return queryset


@admin.register(Community)
class CommunityAdmin(CommunityScopedAdmin):
    community_path = "pk"
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}


class ZoneInline(admin.TabularInline):
    """A garden's zones at a glance; design and photo on each zone's page."""

    model = Zone
    fields = ["code", "name", "area_m2", "state"]
    extra = 0
    show_change_link = True

    class Media:
        # Narrow inputs keep the table within a 1280 px screen beside the menu.
        css = {"all": ["gardens/admin.css"]}


@admin.register(Garden)
class GardenAdmin(FilesAgainAdminMixin, CommunityScopedAdmin):
    community_path = GARDEN_PATH
    list_display = [
        "name",
        "community",
        "theme",
        "zone_count",
        "position",
        photo_preview,
    ]
    list_filter = ["community", "theme", HasPhotoFilter]
    list_editable = ["position"]
    # Stated, not left to Meta: the figures' GROUP BY drops Meta.ordering,
    # and the events' garden picker pages through this queryset.
    ordering = ["position", "name"]
    list_select_related = ["community"]
    search_fields = ["name", "name_en", "community__name"]
    autocomplete_fields = ["signature_species"]
    prepopulated_fields = {"slug": ["name_en"]}
    readonly_fields = [photo_preview]
    inlines = [ZoneInline]
    fieldsets = [
        (None, {"fields": ["community", "name", "slug", "tagline", "address"]}),
        (None, {"fields": ["description", "signature_species", "theme", "position"]}),
        (_("Photo"), {"fields": ["photo", photo_preview]}),
        (
            _("English version"),
            {
                "classes": ["collapse"],
                "fields": ["name_en", "tagline_en", "address_en", "description_en"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_figures()

    @admin.display(description=_("zones"), ordering="zone_count")
    def zone_count(self, garden):
        return garden.zone_count


@admin.register(Zone)
class ZoneAdmin(SplitSearchMixin, FilesAgainAdminMixin, CommunityScopedAdmin):
    community_path = ZONE_PATH
    list_display = [
        "code",
        "name",
        "garden",
        "state",
        "area_m2",
        "designer",
        photo_preview,
    ]
    list_display_links = ["code", "name"]
    list_filter = ["state", "garden__community", "garden", HasPhotoFilter]
    list_select_related = ["garden"]
    search_fields = ["code", "name", "name_en", "garden__name", "designer"]
    autocomplete_fields = ["garden", "species"]
    readonly_fields = [photo_preview]
    fieldsets = [
        (None, {"fields": ["garden", "code", "name", "area_m2", "state"]}),
        (_("Design"), {"fields": ["designer", "design_notes", "species"]}),
        (_("Photo"), {"fields": ["photo", photo_preview]}),
        (
            _("English version"),
            {"classes": ["collapse"], "fields": ["name_en", "design_notes_en"]},
        ),
    ]
    actions = ["print_labels"]

    print_labels = print_labels_action(labels.zone_sheet, "zone-labels.pdf")


@admin.register(Species)
class SpeciesAdmin(FilesAgainAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "latin_name",
        "bloom_start_month",
        "bloom_end_month",
        "theme",
        photo_preview,
    ]
    list_filter = ["bloom_start_month", "theme", HasPhotoFilter]
    search_fields = ["name", "name_en", "latin_name"]
    prepopulated_fields = {"slug": ["name_en"]}
    readonly_fields = [photo_preview]
    fieldsets = [
        (None, {"fields": ["name", "latin_name", "slug", "theme"]}),
        (_("Bloom"), {"fields": ["bloom_start_month", "bloom_end_month"]}),
        (None, {"fields": ["description", "care_notes"]}),
        (_("Photo"), {"fields": ["photo", photo_preview]}),
        (
            _("English version"),
            {
                "classes": ["collapse"],
                "fields": ["name_en", "description_en", "care_notes_en"],
            },
        ),
    ]
    actions = ["print_labels"]

    print_labels = print_labels_action(labels.species_sheet, "species-labels.pdf")
