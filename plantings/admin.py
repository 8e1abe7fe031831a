"""
Staff keep the donation ledger here: donors, gifts and their species,
allocations to zones, plantings and observations. Every change is checked
by the ledger's rules (services.check_*, in admin_forms) while the change
view holds the ledger's locks (LedgerLockAdmin); imports and exports go
through resources.py under the same rules.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from gardens.access import ZONE_PATH, CommunityScopedAdmin
from gardens.admin import photo_preview
from tongyun.lib.admin import (
    FilesAgainAdminMixin,
    SplitSearchMixin,
    SpreadsheetAdminMixin,
)
from tongyun.lib.history_admin import HistoryAdminMixin, HistoryListAdmin

from . import services
from .admin_forms import (
    AllocationForm,
    AllocationFormSet,
    AllocationRowForm,
    LedgerFormSet,
    ObservationForm,
    PlantingForm,
)
from .models import Allocation, Donation, DonationItem, Donor, Observation, Planting
from .resources import DonationResource, PlantingResource


def posted_id(request, field):
    """The primary key a change form posted for field, or None if not one."""
    value = request.POST.get(field, "")
    return int(value) if value.isdigit() else None


class LedgerLockAdmin(admin.ModelAdmin):
    """
    A change view that holds the ledger's locks while its forms check the
    rules and the admin saves.

    Django's admin runs each change view in one transaction. A POST first
    locks the rows that guard the figures the change may alter (ledger_rows,
    through services.lock_ledger); only then are the forms built and
    checked (services.check_*), and the object and its inlines saved. A
    concurrent writer waits, then sees the saved figures. The forms only
    validate: they neither lock nor write.
    """

    def ledger_rows(self, request, obj):
        """{"donations": ids, "plantings": ids} to lock for this POST."""
        raise NotImplementedError

    def _changeform_view(self, request, object_id, form_url, extra_context):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            services.lock_ledger(**self.ledger_rows(request, obj))
        return super()._changeform_view(request, object_id, form_url, extra_context)


def gift_defaults(donation):
    """A new allocation's initial date and species, from its gift."""
    species = donation.species_list()
    initial = {"allocated_on": donation.received_on}
    if len(species) == 1:
        initial["species"] = species[0].pk
    return initial


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "contact"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en"]


def rows_to_fill(obj, *, on_add, on_change):
    """How many empty rows an inline offers: a new gift is entered at once."""
    return on_add if obj is None else on_change


def without_related_buttons(db_field, field):
    """
    An inline's picker without the buttons to add, edit, delete or view the
    zone or species: a row of a gift is no place for them, and the table
    then fits a 1280 px screen.
    """
    if db_field.name in ("zone", "species"):
        for button in ("add", "change", "delete", "view"):
            setattr(field.widget, f"can_{button}_related", False)
    return field


class DonationItemInline(admin.TabularInline):
    model = DonationItem
    formset = LedgerFormSet
    autocomplete_fields = ["species"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return without_related_buttons(db_field, field)

    # No minimum: a gift may be listed by its allocations alone
    # (AllocationFormSet, services.record_allocated_species).

    def get_extra(self, request, obj=None, **kwargs):
        return rows_to_fill(obj, on_add=2, on_change=0)


class AllocationInline(admin.TabularInline):
    model = Allocation
    form = AllocationRowForm
    formset = AllocationFormSet
    fields = ["zone", "species", "quantity", "planted", "allocated_on", "note"]
    readonly_fields = ["planted"]
    autocomplete_fields = ["zone", "species"]

    class Media:
        # Narrower pickers keep the table within a 1280 px screen.
        css = {"all": ["plantings/admin.css"]}

    def get_extra(self, request, obj=None, **kwargs):
        return rows_to_fill(obj, on_add=2, on_change=1)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return without_related_buttons(db_field, field)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("zone__garden")
        return queryset.annotate(planted_count=Sum("plantings__quantity", default=0))

    @admin.display(description=_("planted"))
    def planted(self, allocation):
        return getattr(allocation, "planted_count", 0)


@admin.register(Donation)
class DonationAdmin(
    HistoryAdminMixin, SpreadsheetAdminMixin, LedgerLockAdmin, ImportExportModelAdmin
):
    resource_classes = [DonationResource]
    list_display = [
        "donor",
        "received_on",
        "quantity_display",
        "allocated",
        "remaining",
        "planted",
        "surviving",
    ]
    list_filter = ["donor__kind", "donor", "species", "received_on"]
    list_select_related = ["donor"]
    search_fields = ["donor__name", "note"]
    date_hierarchy = "received_on"
    autocomplete_fields = ["donor"]
    readonly_fields = ["figures"]
    inlines = [DonationItemInline, AllocationInline]
    fieldsets = [
        (None, {"fields": ["donor", "received_on", ("quantity", "is_floor"), "note"]}),
        (_("Figures"), {"fields": ["figures"]}),
        (_("English version"), {"classes": ["collapse"], "fields": ["note_en"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_figures()

    def ledger_rows(self, request, donation):
        # A new donation is nobody else's to allocate from yet.
        return {"donations": [donation.pk] if donation else []}

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # One registry per request lets the allocations see the species shares.
        kwargs["siblings"] = request.__dict__.setdefault("_ledger_formsets", {})
        if isinstance(inline, AllocationInline) and obj is not None and obj.pk:
            # New rows start with the gift's date, and its species if one.
            kwargs["initial"] = [gift_defaults(obj)] * inline.get_extra(request, obj)
        return kwargs

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.record_allocated_species(form.instance)

    @admin.display(description=_("given"), ordering="quantity")
    def quantity_display(self, donation):
        return donation.quantity_display

    @admin.display(description=_("allocated"), ordering="allocated")
    def allocated(self, donation):
        return donation.allocated

    @admin.display(description=_("left to allocate"))
    def remaining(self, donation):
        return max(donation.quantity - donation.allocated, 0)

    @admin.display(description=_("planted"), ordering="planted")
    def planted(self, donation):
        return donation.planted

    @admin.display(description=_("surviving"), ordering="surviving")
    def surviving(self, donation):
        return donation.surviving

    @admin.display(description=_("figures"))
    def figures(self, donation):
        if not donation.pk:
            return "—"
        return gettext(
            "given {given} · allocated {allocated} · left to allocate {left} · "
            "planted {planted} · lost {lost} · surviving {surviving}"
        ).format(
            given=donation.quantity_display,
            allocated=donation.allocated,
            left=max(donation.quantity - donation.allocated, 0),
            planted=donation.planted,
            lost=donation.lost,
            surviving=donation.surviving,
        )


@admin.register(Allocation)
class AllocationAdmin(
    HistoryAdminMixin, SplitSearchMixin, CommunityScopedAdmin, LedgerLockAdmin
):
    # Community staff see the gifts' allocations to their zones, read-only.
    community_path = f"zone__{ZONE_PATH}"
    form = AllocationForm
    list_display = ["donation", "zone", "species", "quantity", "allocated_on"]
    list_filter = ["zone__garden", "species", "donation__donor"]
    list_select_related = ["donation__donor", "zone__garden", "species"]
    # The words of its label, "张家湾镇 → 紫荆园 A1: 紫荆 120 (2024-04-07)".
    search_fields = [
        "donation__donor__name",
        "zone__garden__name",
        "zone__code",
        "zone__name",
        "species__name",
    ]
    autocomplete_fields = ["donation", "zone", "species"]

    def get_search_results(self, request, queryset, search_term):
        # The picker's labels name the donor, garden, zone and species.
        queryset = queryset.select_related("donation__donor", "zone__garden", "species")
        return super().get_search_results(request, queryset, search_term)

    def get_changeform_initial_data(self, request):
        """The gift's date and only species, for a gift named in the URL."""
        initial = super().get_changeform_initial_data(request)
        pk = str(initial.get("donation", ""))
        donation = Donation.objects.filter(pk=pk).first() if pk.isdigit() else None
        if donation is not None:
            initial = {**gift_defaults(donation), **initial}
        return initial

    def ledger_rows(self, request, allocation):
        # The gift it draws from, and the one it leaves if moved.
        current = allocation.donation_id if allocation else None
        return {"donations": [posted_id(request, "donation"), current]}


@admin.register(Planting)
class PlantingAdmin(
    HistoryAdminMixin,
    SpreadsheetAdminMixin,
    CommunityScopedAdmin,
    LedgerLockAdmin,
    ImportExportModelAdmin,
):
    community_path = f"zone__{ZONE_PATH}"
    resource_classes = [PlantingResource]
    form = PlantingForm
    list_display = ["planted_on", "zone", "species", "quantity", "donor", "source"]
    list_filter = [
        "zone__garden",
        "zone",
        "species",
        "allocation__donation__donor",
        "planted_on",
    ]
    list_select_related = [
        "zone__garden",
        "species",
        "allocation__donation__donor",
    ]
    search_fields = ["zone__code", "zone__name", "species__name", "source", "note"]
    date_hierarchy = "planted_on"
    autocomplete_fields = ["allocation", "zone", "species"]

    @admin.display(description=_("donor"), ordering="allocation__donation__donor")
    def donor(self, planting):
        return planting.donor or "—"

    def ledger_rows(self, request, planting):
        # The gifts of the allocation it draws from and of the one it leaves;
        # the planting itself, whose losses must stay within it.
        allocations = [posted_id(request, "allocation")]
        if planting:
            allocations.append(planting.allocation_id)
        donations = Allocation.objects.filter(pk__in=allocations).values_list(
            "donation", flat=True
        )
        return {
            "donations": list(donations),
            "plantings": [planting.pk] if planting else [],
        }


@admin.register(Observation)
class ObservationAdmin(
    HistoryAdminMixin, FilesAgainAdminMixin, CommunityScopedAdmin, LedgerLockAdmin
):
    community_path = f"zone__{ZONE_PATH}"
    form = ObservationForm
    list_display = ["observed_on", "zone", "species", "kind", "count", photo_preview]
    list_filter = [
        "kind",
        "zone__garden",
        "zone",
        "species",
        "planting__allocation__donation__donor",
        "observed_on",
    ]
    list_select_related = ["zone__garden", "species"]
    search_fields = ["zone__code", "zone__name", "species__name", "note"]
    date_hierarchy = "observed_on"
    autocomplete_fields = ["zone", "species", "planting"]
    readonly_fields = [photo_preview]

    def ledger_rows(self, request, observation):
        # The planting a loss comes from, and the one it leaves if moved.
        current = observation.planting_id if observation else None
        return {"plantings": [posted_id(request, "planting"), current]}


# --- Every change, for the street office (tongyun.lib.history_admin) -------


@admin.register(Donation.history.model)
class DonationHistoryAdmin(HistoryListAdmin):
    search_fields = ["donor__name"]


@admin.register(DonationItem.history.model)
class DonationItemHistoryAdmin(HistoryListAdmin):
    search_fields = ["species__name", "donation__donor__name"]


@admin.register(Allocation.history.model)
class AllocationHistoryAdmin(HistoryListAdmin):
    label_related = ["donation__donor", "zone__garden"]
    # The words of its label, "张家湾镇 → 紫荆园 A1: 紫荆 120 (2024-04-07)".
    search_fields = [
        "donation__donor__name",
        "zone__garden__name",
        "zone__code",
        "species__name",
    ]


@admin.register(Planting.history.model)
class PlantingHistoryAdmin(HistoryListAdmin):
    search_fields = ["zone__code", "zone__garden__name", "species__name", "source"]


@admin.register(Observation.history.model)
class ObservationHistoryAdmin(HistoryListAdmin):
    search_fields = ["zone__code", "zone__garden__name", "species__name"]
