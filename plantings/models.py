from django.db import models
from django.db.models import F, OuterRef, Q
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gardens.models import Zone, photo_path
from tongyun.lib.figures import plant_count
from tongyun.lib.history import HistoricalRecords
from tongyun.lib.i18n import Localized
from tongyun.lib.images import PhotoField
from tongyun.lib.models import CleanTextMixin
from tongyun.lib.pagecache import changed
from tongyun.lib.queries import picked, sum_of


class Donor(CleanTextMixin, models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", pgettext_lazy("donor kind", "town")
        ORGANISATION = "organisation", pgettext_lazy("donor kind", "organisation")
        PERSON = "person", pgettext_lazy("donor kind", "person")

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.TOWN
    )
    contact = models.CharField(
        _("contact (private)"),
        max_length=200,
        blank=True,
        help_text=_("Person and phone to thank or ask; never shown in public."),
    )
    note = models.TextField(_("note"), blank=True)

    name_i18n = Localized("name")

    class Meta:
        ordering = ["name"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    def __str__(self):
        return self.name


class DonationQuerySet(models.QuerySet):
    def with_figures(self):
        """
        Annotate allocated, planted, lost and surviving counts, each from one
        correlated subquery so that the joins never multiply rows.
        """
        donation = OuterRef("pk")
        return self.annotate(
            allocated=sum_of(Allocation.objects.filter(donation=donation), "quantity"),
            planted=sum_of(
                Planting.objects.filter(allocation__donation=donation), "quantity"
            ),
            lost=sum_of(
                Observation.objects.filter(
                    kind=Observation.Kind.LOSS,
                    planting__allocation__donation=donation,
                ),
                field="count",
            ),
        ).annotate(surviving=Greatest(F("planted") - F("lost"), 0))

    def for_thanks_wall(self):
        """Donations with donor, figures, species and where they went."""
        return (
            self.select_related("donor")
            .with_figures()
            .prefetch_related(
                models.Prefetch(
                    "items", queryset=DonationItem.objects.select_related("species")
                ),
                models.Prefetch(
                    "allocations",
                    queryset=Allocation.objects.select_related(
                        "zone__garden", "species"
                    ).order_by("zone__garden__position", "zone__code"),
                ),
            )
            .order_by("received_on", "donor__name", "pk")
        )


class Donation(CleanTextMixin, models.Model):
    donor = models.ForeignKey(
        Donor,
        on_delete=models.PROTECT,
        related_name="donations",
        verbose_name=_("donor"),
    )
    received_on = models.DateField(_("received on"))
    quantity = models.PositiveIntegerField(
        _("quantity (plants)"),
        help_text=_("For “1000余株” enter 1000 and tick “more than”."),
    )
    is_floor = models.BooleanField(
        _("more than (余)"),
        default=False,
        help_text=_("The donor gave at least this many; the exact count is unknown."),
    )
    species = models.ManyToManyField(
        "gardens.Species",
        through="DonationItem",
        related_name="donations",
        verbose_name=_("species"),
    )
    note = models.TextField(_("note"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    objects = DonationQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("donation history record"),
        verbose_name_plural=_("donation history"),
    )

    note_i18n = Localized("note")

    class Meta:
        ordering = ["-received_on", "donor__name"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="plantings_donation_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.donor.name} · {self.quantity_display}"

    def get_absolute_url(self):
        return reverse("plantings:donation_list") + f"#donation-{self.pk}"

    @property
    def quantity_display(self):
        return plant_count(self.quantity, self.is_floor)

    def species_list(self):
        """
        The donated species: those pick_species() took, when it ran;
        otherwise items.all() (no query when prefetched).
        """
        taken = getattr(self, "_picked_species", None)
        if taken is not None:
            return taken
        return [item.species for item in self.items.all()]

    def pick_species(self, species):
        """
        Take the donated species from species, rows a page has already
        fetched, by the keys plantings.queries.with_species_keys()
        annotates. No query.
        """
        self._picked_species = picked(self.species_keys, species)


class DonationItem(models.Model):
    """One species of a donation, with its share where the donor recorded one."""

    donation = models.ForeignKey(
        Donation,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("donation"),
    )
    species = models.ForeignKey(
        "gardens.Species",
        on_delete=models.PROTECT,
        related_name="donation_items",
        verbose_name=_("species"),
    )
    quantity = models.PositiveIntegerField(
        _("quantity of this species"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the gift was not split by species."),
    )

    history = HistoricalRecords(
        verbose_name=_("donated species history record"),
        verbose_name_plural=_("donated species history"),
    )

    class Meta:
        ordering = ["species__bloom_start_month", "species__name"]
        verbose_name = _("donated species")
        verbose_name_plural = _("donated species")
        constraints = [
            models.UniqueConstraint(
                fields=["donation", "species"], name="plantings_item_unique_species"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=0),
                name="plantings_item_quantity_positive",
            ),
        ]

    def __str__(self):
        return f"{self.species.name} {self.quantity or ''}".strip()


class Allocation(CleanTextMixin, models.Model):
    """Part of a donation sent to one zone, for one species."""

    donation = models.ForeignKey(
        Donation,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("donation"),
    )
    zone = models.ForeignKey(
        "gardens.Zone",
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("zone"),
    )
    species = models.ForeignKey(
        "gardens.Species",
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("species"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    allocated_on = models.DateField(_("allocated on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords(
        verbose_name=_("allocation history record"),
        verbose_name_plural=_("allocation history"),
    )

    class Meta:
        ordering = ["allocated_on", "pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="plantings_allocation_quantity_positive",
            ),
        ]

    def __str__(self):
        return gettext("{donor} → {zone}: {species} {count} ({date})").format(
            donor=self.donation.donor.name,
            zone=f"{self.zone.garden.name} {self.zone.code}",
            species=self.species.name,
            count=self.quantity,
            date=f"{self.allocated_on:%Y-%m-%d}",
        )


class PlantingQuerySet(models.QuerySet):
    def with_sources(self):
        """Planting with zone, garden, species and the donor it came from."""
        return self.select_related(
            "zone__garden", "species", "allocation__donation__donor"
        )


class Planting(CleanTextMixin, models.Model):
    """Plants that went into the ground: how many, where, when, from where."""

    zone = models.ForeignKey(
        "gardens.Zone",
        on_delete=models.PROTECT,
        related_name="plantings",
        verbose_name=_("zone"),
    )
    species = models.ForeignKey(
        "gardens.Species",
        on_delete=models.PROTECT,
        related_name="plantings",
        verbose_name=_("species"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    is_floor = models.BooleanField(
        _("more than (余)"),
        default=False,
        help_text=_(
            "The count is a floor, as when it comes from a record of “14000余株”; "
            "every total it is part of then reads “余”."
        ),
    )
    planted_on = models.DateField(_("planted on"))
    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        related_name="plantings",
        null=True,
        blank=True,
        verbose_name=_("from allocation"),
        help_text=_("The donation share these plants came from, if any."),
    )
    source = models.CharField(
        _("other source"),
        max_length=200,
        blank=True,
        help_text=_("Where plants from no donation came from."),
    )
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.PROTECT,
        related_name="plantings",
        null=True,
        blank=True,
        verbose_name=_("planted at event"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = PlantingQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("planting history record"),
        verbose_name_plural=_("planting history"),
    )

    class Meta:
        ordering = ["-planted_on", "pk"]
        verbose_name = _("planting")
        verbose_name_plural = _("plantings")
        indexes = [
            # Whether a garden's or zone's count is a floor (余): the home
            # page, the garden page and the dashboard ask per garden
            # (plantings.queries with_planted_totals, by_garden).
            models.Index(
                fields=["zone"],
                condition=Q(is_floor=True),
                name="plantings_floor_by_zone",
            ),
            # What was planted from no donation, per garden (by_garden).
            models.Index(
                fields=["zone"],
                condition=Q(allocation__isnull=True),
                name="plantings_unallocated_by_zone",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="plantings_planting_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.planted_on} {self.zone.code} {self.species.name} {self.quantity}"

    def save(self, **kwargs):
        """
        Save, and mark the zone planted: a zone with plantings is planted,
        never idle or designed. Every entry point saves here (services.plant
        for imports and the demo, the admin's form), so none can forget it.
        One more query. A zone a planting leaves keeps its state: it was
        planted once, and staff may correct it.
        """
        super().save(**kwargs)
        marked = (
            Zone.objects.filter(pk=self.zone_id)
            .exclude(state=Zone.State.PLANTED)
            .update(state=Zone.State.PLANTED)
        )
        if marked:
            changed(Zone)  # the gardens' pages show the zone's state

    @property
    def donor(self):
        """The donor, through the allocation; no query when with_sources()."""
        return self.allocation.donation.donor if self.allocation_id else None


class ObservationQuerySet(models.QuerySet):
    def latest_first(self):
        return self.select_related("zone__garden", "species").order_by(
            "-observed_on", "-pk"
        )


class Observation(CleanTextMixin, models.Model):
    class Kind(models.TextChoices):
        # gardens.models.BLOOM_OPEN_KINDS / BLOOM_END_KINDS name these values.
        BLOOM_START = "bloom_start", pgettext_lazy("observation", "bloom starts")
        FULL_BLOOM = "full_bloom", pgettext_lazy("observation", "full bloom")
        BLOOM_END = "bloom_end", pgettext_lazy("observation", "bloom ends")
        HEALTH = "health", pgettext_lazy("observation", "health")
        LOSS = "loss", pgettext_lazy("observation", "loss")
        CARE = "care", pgettext_lazy("observation", "care")

    zone = models.ForeignKey(
        "gardens.Zone",
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("zone"),
    )
    species = models.ForeignKey(
        "gardens.Species",
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("species"),
    )
    planting = models.ForeignKey(
        Planting,
        on_delete=models.PROTECT,
        related_name="observations",
        null=True,
        blank=True,
        verbose_name=_("planting"),
        help_text=_("Required for a loss: the planting the plants died from."),
    )
    observed_on = models.DateField(_("observed on"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    count = models.PositiveIntegerField(
        _("plants lost"), null=True, blank=True, help_text=_("For a loss only.")
    )
    note = models.TextField(_("note"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    photo = PhotoField(_("photo"), upload_to=photo_path, blank=True)

    objects = ObservationQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("observation history record"),
        verbose_name_plural=_("observation history"),
    )

    note_i18n = Localized("note")

    class Meta:
        ordering = ["-observed_on", "-pk"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            # A loss names its planting and a positive count; nothing else
            # carries a count.
            models.CheckConstraint(
                condition=(
                    Q(kind="loss", count__gt=0, planting__isnull=False)
                    | (~Q(kind="loss") & Q(count__isnull=True))
                ),
                name="plantings_observation_loss_has_count",
            ),
        ]

    def __str__(self):
        return f"{self.observed_on} {self.species.name} {self.get_kind_display()}"
