"""
Forms of the ledger's admin. They only check the ledger's rules
(services.check_*); the change view has taken the locks that make the check
hold until the admin saves (admin.LedgerLockAdmin).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Allocation, DonationItem, Observation, Planting


class LedgerFormSet(BaseInlineFormSet):
    """The inline formsets of one donation, each able to see the others."""

    def __init__(self, *args, siblings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.siblings = {} if siblings is None else siblings
        self.siblings[self.model] = self

    def kept_forms(self):
        """Forms of rows that will exist after saving (filled, not deleted)."""
        return [
            form
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


SPECIES_UNKNOWN = _(
    "Choose the species: the gift has several, and this zone is planned for "
    "none or several of them."
)
LEFT_TO_THE_GIFT = {
    "species": _(
        "Left empty: the gift's only species, or the one of its species this "
        "zone is planned for."
    ),
    "allocated_on": _("Left empty: the day the gift was received."),
}


class FromTheGiftForm(forms.ModelForm):
    """
    An allocation whose species and date may be left to its gift
    (fill_from_gift): the gift's received date, and its only species or the
    one the zone is planned for (services.default_species).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, help_text in LEFT_TO_THE_GIFT.items():
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = help_text

    def fill_from_gift(self, *, received_on, donated):
        """Fill species and date where left empty; an error if species can't."""
        data = self.cleaned_data
        if not data.get("allocated_on") and received_on is not None:
            data["allocated_on"] = self.instance.allocated_on = received_on
        if not data.get("species") and data.get("zone"):
            species = services.default_species(donated=donated, zone=data["zone"])
            if species is None:
                self.add_error(
                    "species", ValidationError(SPECIES_UNKNOWN, code="species_unknown")
                )
            else:
                data["species"] = self.instance.species = species


class AllocationRowForm(FromTheGiftForm):
    class Meta:
        model = Allocation
        fields = ["zone", "species", "quantity", "allocated_on", "note"]


class AllocationFormSet(LedgerFormSet):
    def clean(self):
        super().clean()
        items = self.siblings.get(DonationItem)
        donation = self.instance
        if any(self.errors) or items is None or not items.is_valid():
            return
        donated = [form.cleaned_data["species"] for form in items.kept_forms()]
        for form in self.kept_forms():
            form.fill_from_gift(received_on=donation.received_on, donated=donated)
        if any(self.errors):
            return
        if not donated and not self.kept_forms():
            raise ValidationError(
                _("Name the gift's species, or allocate it."), code="no_species"
            )
        if donation.quantity is None:
            return  # the donation form shows its own error
        if donated:
            shares = {
                form.cleaned_data["species"]: form.cleaned_data.get("quantity")
                for form in items.kept_forms()
            }
        else:
            # A gift listed by its allocations alone: their species, no split
            # (services.record_allocated_species records them).
            shares = {form.cleaned_data["species"]: None for form in self.kept_forms()}
        planted = dict(
            Allocation.objects.filter(donation=donation.pk)
            .annotate(planted=Sum("plantings__quantity", default=0))
            .values_list("pk", "planted")
        )
        # Deleting a planted allocation is refused by the admin itself (its
        # plantings protect it), before this runs.
        try:
            services.check_donation(
                quantity=donation.quantity,
                is_floor=donation.is_floor,
                items=shares,
                allocations=[
                    (
                        form.cleaned_data["species"],
                        form.cleaned_data["quantity"],
                        planted.get(form.instance.pk, 0),
                    )
                    for form in self.kept_forms()
                ],
            )
        except ValidationError as e:
            raise ValidationError(e.messages) from None


class AllocationForm(FromTheGiftForm):
    class Meta:
        model = Allocation
        fields = ["donation", "zone", "species", "quantity", "allocated_on", "note"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        donation = data["donation"]
        self.fill_from_gift(
            received_on=donation.received_on, donated=donation.species_list()
        )
        if self.errors:
            return data
        items, allocations = services.ledger_of(
            donation, exclude_allocation=self.instance.pk
        )
        planted = 0
        if self.instance.pk:
            planted = self.instance.plantings.aggregate(
                total=Sum("quantity", default=0)
            )["total"]
        services.check_donation(
            quantity=donation.quantity,
            is_floor=donation.is_floor,
            items=items,
            allocations=[*allocations, (data["species"], data["quantity"], planted)],
        )
        return data


class ZoneAndSpeciesFromSource(forms.ModelForm):
    """
    A form whose zone and species may follow from another row it names
    (source_field: a planting's allocation, an observation's planting).
    """

    source_field = None
    missing_message = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A view-only page's form has no editable fields at all.
        for name in ("zone", "species"):
            if name in self.fields:
                self.fields[name].required = False

    def fill_zone_and_species(self, data):
        """Take zone and species from the source where left empty."""
        source = data.get(self.source_field)
        if source is not None:
            data["zone"] = data.get("zone") or source.zone
            data["species"] = data.get("species") or source.species
        for field in ("zone", "species"):
            if not data.get(field) and field not in self.errors:
                self.add_error(field, self.missing_message)
        self.instance.zone = data.get("zone")
        self.instance.species = data.get("species")


class PlantingForm(ZoneAndSpeciesFromSource):
    source_field = "allocation"
    missing_message = _("Choose this, or the allocation it came from.")

    class Meta:
        model = Planting
        fields = [
            "allocation",
            "zone",
            "species",
            "quantity",
            "is_floor",
            "planted_on",
            "source",
            "event",
            "note",
        ]

    def clean(self):
        data = super().clean()
        self.fill_zone_and_species(data)
        if self.errors:
            return data
        services.check_planting(
            zone=data["zone"],
            species=data["species"],
            quantity=data["quantity"],
            allocation=data.get("allocation"),
            planting=self.instance,
        )
        return data


class ObservationForm(ZoneAndSpeciesFromSource):
    source_field = "planting"
    missing_message = _("Choose this, or the planting it is about.")

    class Meta:
        model = Observation
        fields = [
            "zone",
            "species",
            "observed_on",
            "kind",
            "planting",
            "count",
            "note",
            "note_en",
            "photo",
        ]

    def clean(self):
        data = super().clean()
        self.fill_zone_and_species(data)
        if self.errors:
            return data
        services.check_observation(
            zone=data["zone"],
            species=data["species"],
            kind=data["kind"],
            count=data.get("count"),
            planting=data.get("planting"),
            observation=self.instance,
        )
        return data
