"""
Spreadsheet import and export of donations and plantings, for the admin.

Column names are English identifiers so that files keep working whatever the
site's language. A row with an id changes the row it names (so that an
export, edited and imported again, updates instead of adding every row a
second time), an unchanged row is not written at all, and a row without an
id is added. An import is all or nothing: rows are written one by one,
through the ledger's services and under their locks, inside one
transaction, so each row sees the rows above it (a file cannot overdraw an
allocation a row at a time), and any bad row rolls the whole file back.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from gardens.access import ZONE_PATH, reaches, scoped
from gardens.models import Garden, Species, Zone
from tongyun.lib.dates import parse_day
from tongyun.lib.spreadsheets import FileEncodingMixin

from . import services
from .models import Allocation, Donation, DonationItem, Donor, Planting

# Between species in a donation's species cell: "牡丹:600、芍药".
SPECIES_SEPARATORS = re.compile(r"[、,;，；]")


def _text(value):
    """A cell as stripped text; spreadsheets turn codes like 1 into numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _count(value):
    """A whole number above 0; "1.5", "0" and "十" are errors, not guesses."""
    text = _text(value)
    if not re.fullmatch(r"[0-9]+", text) or int(text) == 0:
        raise ValueError(
            gettext("Enter a whole number above 0, not “{value}”.").format(value=text)
        )
    return int(text)


def _donor_kind(value):
    """A Donor.Kind from its value or its label in the active language."""
    text = _text(value)
    labels = {str(label): kind for kind, label in Donor.Kind.choices}
    return labels.get(text, text) or Donor.Kind.TOWN


class CountWidget(widgets.IntegerWidget):
    def __init__(self):
        # Export numbers as numbers, never in a locale's format.
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        return _count(value) if _text(value) else None


class TextWidget(widgets.CharWidget):
    """Text as written; an empty workbook cell (None) is empty text."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value)


class DayWidget(widgets.DateWidget):
    """
    A date as staff or Excel write it (tongyun.lib.dates.parse_day); exported
    as a date, which the file's format writes as a date cell or YYYY-MM-DD.
    """

    def __init__(self):
        super().__init__(format="%Y-%m-%d", coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        try:
            return parse_day(value)
        except ValueError:
            raise ValueError(
                gettext(
                    "Enter the date as 2025-04-06, 2025/4/6 or 2025年4月6日, "
                    "not “{value}”."
                ).format(value=_text(value))
            ) from None


class YesNoWidget(widgets.BooleanWidget):
    """1/0, true/false, yes/no, 是/否; 余 (as in "1000余株") means yes."""

    YES = {"1", "true", "yes", "是", "余"}
    NO = {"", "0", "false", "no", "否"}

    def clean(self, value, row=None, **kwargs):
        text = _text(value).lower()
        if text in self.YES | self.NO:
            return text in self.YES
        raise ValueError(
            gettext("Enter 1 or 0 (yes or no), not “{value}”.").format(value=text)
        )

    def render(self, value, obj=None, **kwargs):
        # A number, not the text "1", which Excel flags as a number stored
        # as text.
        return int(bool(value))


class SlugOrNameWidget(widgets.ForeignKeyWidget):
    """
    A garden or species by its slug or its Chinese name.

    Exports the name, which staff read, unless another garden or species
    shares it: then the slug, so that the file re-imports to the same row.
    """

    def __init__(self, model, unknown):
        super().__init__(model, field="slug")
        self.unknown = unknown

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        found = list(self.model.objects.filter(slug=text))
        found = found or list(self.model.objects.filter(name=text)[:2])
        if not found:
            raise ValueError(self.unknown.format(name=text))
        if len(found) > 1:
            raise ValueError(
                gettext("More than one is named “{name}”; write its slug.").format(
                    name=text
                )
            )
        return found[0]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value.slug if value.name in self.shared_names else value.name

    @cached_property
    def shared_names(self):
        """Names of two or more rows; one query per resource instance."""
        names = self.model.objects.order_by().values("name")
        return {
            row["name"] for row in names.annotate(rows=Count("pk")).filter(rows__gt=1)
        }


class SpeciesSharesWidget(widgets.Widget):
    """
    A donation's species, each with its share where one was recorded:
    "牡丹:600、芍药" ⇄ {peony: 600, herbaceous peony: None}.
    """

    def __init__(self):
        super().__init__()
        self.species = SlugOrNameWidget(Species, _("Unknown species: {name}"))

    def clean(self, value, row=None, **kwargs):
        shares = {}
        for part in SPECIES_SEPARATORS.split(_text(value)):
            name, colon, share = part.replace("：", ":").partition(":")
            if not name.strip():
                continue
            species = self.species.clean(name)
            if species in shares:
                raise ValueError(
                    gettext("{name} is listed twice.").format(name=name.strip())
                )
            shares[species] = _count(share) if colon else None
        if not shares:
            raise ValueError(gettext("Name at least one species."))
        return shares

    def render(self, value, obj=None, **kwargs):
        return "、".join(
            f"{self.species.render(species)}:{share}"
            if share
            else self.species.render(species)
            for species, share in (value or {}).items()
        )


class ZoneWidget(widgets.ForeignKeyWidget):
    """A zone by its code within the garden of the row's garden column."""

    def __init__(self):
        super().__init__(Zone, field="code")
        self.gardens = SlugOrNameWidget(Garden, _("Unknown garden: {name}"))

    def clean(self, value, row=None, **kwargs):
        code = _text(value)
        garden = self.gardens.clean(row.get("garden"))
        if not code:
            return None
        if garden is None:
            raise ValueError(gettext("Name the zone's garden in the garden column."))
        try:
            return garden.zones.get(code=code)
        except Zone.DoesNotExist:
            raise ValueError(
                gettext("{garden} has no zone “{code}”.").format(
                    garden=garden.name, code=code
                )
            ) from None


class DonorWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Donor, field="name")

    def clean(self, value, row=None, **kwargs):
        name = _text(value)
        if not name:
            return None
        try:
            return Donor.objects.get(name=name)
        except Donor.DoesNotExist:
            raise ValueError(
                gettext("Unknown donor: {name}").format(name=name)
            ) from None


class LedgerResource(FileEncodingMixin, resources.ModelResource):
    """
    What both resources share: a row's id names the row it changes, within
    what the importing user may change (changeable); unchanged rows are
    skipped; every row is checked, and the file is all or nothing.
    """

    # The columns whose values make up a row, compared to skip unchanged rows.
    compared = ()

    class Meta:
        use_transactions = True
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = True
        # Run full_clean() too: it reports blanks and overlong text per row.
        clean_model_instances = True

    def import_data(self, dataset, **kwargs):
        # import-export keeps a file's good rows beside its bad ones unless
        # asked not to, and the admin's confirm step does not ask.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        # The admin passes the importing user; get_instance scopes by it.
        self.user = kwargs.get("user")

    def changeable(self):
        """The rows a file may change: all of them, unless narrowed."""
        return self._meta.model.objects.all()

    def get_instance(self, instance_loader, row):
        """
        The row the id column names, None for a row without id. An id that
        names no row the user may change is an error, never a new row: it
        would add a second copy of a row deleted since, or of another
        community's.
        """
        text = _text(row.get("id"))
        if not text:
            return None
        model = self._meta.model
        user = getattr(self, "user", None)
        may_change = user is None or user.has_perm(
            f"{model._meta.app_label}.change_{model._meta.model_name}"
        )
        found = (
            self.changeable().filter(pk=int(text)).first() if text.isdigit() else None
        )
        if not may_change or found is None:
            message = gettext("There is no {model} with id {id} that you may change.")
            problem = ValidationError(
                message.format(model=model._meta.verbose_name, id=text),
                code="unknown_id",
            )
            raise ValidationError({"id": problem})
        return found

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Whether row changes nothing in the row it names (compared)."""
        if import_validation_errors or original is None or original.pk is None:
            return False
        return all(
            getattr(instance, name) == getattr(original, name) for name in self.compared
        )


class DonationResource(LedgerResource):
    # What a row sets, for the services; species go as instance.shares.
    written = ("donor", "received_on", "quantity", "is_floor", "note")
    compared = ("donor_id", "received_on", "quantity", "is_floor", "note")
    id = fields.Field(
        attribute="id",
        column_name="id",
        readonly=True,
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )
    donor = fields.Field(attribute="donor", column_name="donor", widget=DonorWidget())
    # Imported by before_import_row, which creates new donors with it.
    donor_kind = fields.Field(
        attribute="donor__kind", column_name="donor_kind", readonly=True
    )
    received_on = fields.Field(
        attribute="received_on", column_name="received_on", widget=DayWidget()
    )
    quantity = fields.Field(
        attribute="quantity", column_name="quantity", widget=CountWidget()
    )
    is_floor = fields.Field(
        attribute="is_floor", column_name="is_floor", widget=YesNoWidget()
    )
    # Parsed by import_instance into instance.shares: Donation.species is the
    # many-to-many through DonationItem, written by do_instance_save.
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget())
    species = fields.Field(
        attribute="shares",
        column_name="species",
        widget=SpeciesSharesWidget(),
        readonly=True,
    )

    class Meta:
        model = Donation
        fields = [
            "id",
            "donor",
            "donor_kind",
            "received_on",
            "quantity",
            "is_floor",
            "species",
            "note",
        ]

    def filter_export(self, queryset, **kwargs):
        # Load donors and species with the page: one query each, not per row.
        items = DonationItem.objects.select_related("species")
        return queryset.select_related("donor").prefetch_related(
            Prefetch("items", queryset=items)
        )

    def dehydrate_species(self, donation):
        shares = {item.species: item.quantity for item in donation.items.all()}
        return self.fields["species"].widget.render(shares)

    def before_import_row(self, row, **kwargs):
        """
        Create the donor a row names for the first time, of kind donor_kind
        (town when blank); an existing donor keeps its kind.
        """
        kind = _donor_kind(row.get("donor_kind"))
        if kind not in Donor.Kind.values:
            message = gettext(
                "Unknown donor kind: {kind}; use town, organisation or person."
            )
            problem = ValidationError(message.format(kind=kind), code="invalid")
            raise ValidationError({"donor_kind": problem})
        name = _text(row.get("donor"))
        if not name or Donor.objects.filter(name=name).exists():
            return
        donor = Donor(name=name, kind=kind)
        try:
            donor.full_clean()
        except ValidationError as error:
            raise ValidationError({"donor": error.messages}) from None
        donor.save()

    def import_instance(self, instance, row, **kwargs):
        """Fill the donation's fields and instance.shares, reporting all errors."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance.shares = self.fields["species"].widget.clean(row.get("species"))
        except ValueError as error:
            errors["species"] = [ValidationError(str(error), code="invalid")]
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        same = super().skip_row(instance, original, row, import_validation_errors)
        return same and instance.shares == {
            item.species: item.quantity
            for item in original.items.select_related("species")
        }

    def do_instance_save(self, instance, is_create):
        """Record or change the donation and its species through the service."""
        values = {name: getattr(instance, name) for name in self.written}
        values["items"] = instance.shares
        if not is_create:
            services.change_donation(donation=instance, **values)
            return
        donation = services.record_donation(**values)
        # The admin logs the new row by the instance's primary key.
        instance.pk = donation.pk


class PlantingResource(LedgerResource):
    # What a row sets, for the services.
    written = (
        "zone",
        "species",
        "quantity",
        "is_floor",
        "planted_on",
        "allocation",
        "source",
        "note",
    )
    compared = (
        "zone_id",
        "species_id",
        "quantity",
        "is_floor",
        "planted_on",
        "allocation_id",
        "source",
        "note",
    )
    id = fields.Field(
        attribute="id",
        column_name="id",
        readonly=True,
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )
    # Only exported: the zone column's widget reads the garden it names.
    garden = fields.Field(
        attribute="zone__garden",
        column_name="garden",
        widget=SlugOrNameWidget(Garden, _("Unknown garden: {name}")),
        readonly=True,
    )
    zone = fields.Field(attribute="zone", column_name="zone", widget=ZoneWidget())
    species = fields.Field(
        attribute="species",
        column_name="species",
        widget=SlugOrNameWidget(Species, _("Unknown species: {name}")),
    )
    quantity = fields.Field(
        attribute="quantity", column_name="quantity", widget=CountWidget()
    )
    is_floor = fields.Field(
        attribute="is_floor", column_name="is_floor", widget=YesNoWidget()
    )
    planted_on = fields.Field(
        attribute="planted_on", column_name="planted_on", widget=DayWidget()
    )
    # Imported by import_instance, which turns it into an allocation.
    donor = fields.Field(
        attribute="donor", column_name="donor", widget=DonorWidget(), readonly=True
    )
    source = fields.Field(attribute="source", column_name="source", widget=TextWidget())
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget())

    class Meta:
        model = Planting
        fields = [
            "id",
            "garden",
            "zone",
            "species",
            "quantity",
            "is_floor",
            "planted_on",
            "donor",
            "source",
            "note",
        ]

    def filter_export(self, queryset, **kwargs):
        # Load zone, garden, species and donor with the page, not per row.
        return queryset.with_sources()

    def changeable(self):
        # Community staff change only their own communities' plantings.
        plantings = Planting.objects.all()
        user = getattr(self, "user", None)
        return (
            plantings if user is None else scoped(plantings, user, f"zone__{ZONE_PATH}")
        )

    def import_instance(self, instance, row, **kwargs):
        """
        Fill the planting's fields, then the allocation its donor names (a
        blank donor: none; a planting being changed keeps its allocation if
        that still fits). A zone outside the importing staff member's
        communities is refused (kwargs["user"], which the admin passes).
        """
        super().import_instance(instance, row, **kwargs)
        user = kwargs.get("user")
        zone = instance.zone if instance.zone_id else None
        if zone is not None and user is not None and not reaches(user, zone, ZONE_PATH):
            problem = ValidationError(
                gettext("{garden} is not a garden of your community.").format(
                    garden=zone.garden.name
                ),
                code="other_community",
            )
            raise ValidationError({"zone": problem})
        try:
            donor = self.fields["donor"].widget.clean(row.get("donor"))
        except ValueError as error:
            problem = ValidationError(str(error), code="invalid")
            raise ValidationError({"donor": problem}) from None
        # Without zone, species or quantity there is nothing to match, and
        # full_clean() reports what is missing.
        needed = (instance.zone_id, instance.species_id, instance.quantity)
        if donor is None and "donor" in row:
            instance.allocation = None
        elif donor is not None and None not in needed:
            instance.allocation = allocation_for(instance, donor)

    def do_instance_save(self, instance, is_create):
        # Write through the services, which lock the donations and check the
        # allocation again; keep the pk so the admin can log the new row.
        values = {name: getattr(instance, name) for name in self.written}
        if not is_create:
            services.change_planting(planting=instance, **values)
            return
        planting = services.plant(**values)
        instance.pk = planting.pk


def allocation_for(planting, donor):
    """
    The earliest of the donor's allocations to the planting's zone and species
    with enough left for it; for a planting being changed, the one it draws
    from first, and its own plants do not count as planted. Plantings
    imported above in the same file count as planted. Raises ValidationError
    (column donor) when there is none.
    """
    others = ~Q(plantings__pk=planting.pk) if planting.pk else None
    allocations = sorted(
        Allocation.objects.filter(
            donation__donor=donor, zone=planting.zone, species=planting.species
        )
        .annotate(planted=Sum("plantings__quantity", filter=others, default=0))
        .order_by("allocated_on", "pk"),
        key=lambda allocation: allocation.pk != planting.allocation_id,
    )
    left = [allocation.quantity - allocation.planted for allocation in allocations]
    for allocation, count in zip(allocations, left, strict=True):
        if count >= planting.quantity:
            return allocation
    where = {
        "donor": donor.name,
        "species": planting.species.name,
        "zone": f"{planting.zone.garden.name} {planting.zone.code}",
    }
    if not left:
        message = gettext("{donor} has no allocation of {species} to {zone}.")
        code = "no_allocation"
    else:
        message = gettext(
            "No allocation of {species} from {donor} to {zone} has {count} plants "
            "left; the most left in one is {left}."
        )
        code = "allocation_used_up"
        where.update(count=planting.quantity, left=max(left))
    raise ValidationError(
        {"donor": ValidationError(message.format(**where), code=code)}
    )
