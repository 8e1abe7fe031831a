import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Func, Q, Subquery, Sum
from django.urls import reverse
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tongyun.lib.i18n import Localized
from tongyun.lib.images import PhotoField
from tongyun.lib.models import CleanTextMixin
from tongyun.lib.queries import count_of, keys_of

MONTHS = range(1, 13)


def photo_path(instance, filename):
    """
    An unguessable name under the model's folder. The upload's name is
    dropped, its extension too: a PhotoField stores only JPEGs it drew
    itself, so a file sent as "plan.pdf" is still served as the JPEG it is.
    """
    return f"{instance._meta.model_name}/{uuid.uuid4().hex}.jpg"


class Theme(models.TextChoices):
    """A garden's accent colour and flower mark, drawn in static/img/marks.svg."""

    PEONY = "peony", _("Peony rose-red")
    REDBUD = "redbud", _("Redbud purple-pink")
    ROSE = "rose", _("Chinese-rose pink")
    LILAC = "lilac", _("Lilac purple")
    LEAF = "leaf", _("Leaf green")


class Community(CleanTextMixin, models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    name_i18n = Localized("name")
    description_i18n = Localized("description")

    class Meta:
        ordering = ["name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        permissions = [
            # Street-office staff: without it, staff reach only the
            # communities of their StaffMembership rows (gardens.access).
            ("access_all_communities", _("Can reach every community's data")),
        ]

    def __str__(self):
        return self.name


class StaffMembership(models.Model):
    """A staff account that works for one community (DESIGN §2)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_memberships",
        verbose_name=_("staff member"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="staff_memberships",
        verbose_name=_("community"),
    )

    class Meta:
        verbose_name = _("community of a staff member")
        verbose_name_plural = _("communities of staff members")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community"], name="gardens_one_membership_each"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.community}"


# A sum of zones' areas, as Zone.area_m2 holds one.
AREA = models.DecimalField(max_digits=10, decimal_places=1)


class GardenQuerySet(models.QuerySet):
    def with_figures(self):
        """
        Annotate zone_count and area_m2, as subqueries: no join fan-out and
        no GROUP BY, so that with_totals() can add them up.
        """
        zones = Zone.objects.filter(garden=models.OuterRef("pk"))
        area = zones.order_by().annotate(total=Func(F("area_m2"), function="SUM"))
        return self.annotate(
            zone_count=count_of(zones),
            area_m2=Subquery(area.values("total"), output_field=AREA),
        )

    def with_totals(self):
        """
        Annotate on every garden the totals of all the gardens the query
        finds, before any slice (window sums, needs with_figures()):
        garden_total, zone_total and area_m2_total. A page that shows a few
        gardens states the figures of all. No query of its own.
        """
        return self.annotate(
            garden_total=models.Window(Count("pk")),
            zone_total=models.Window(Sum("zone_count")),
            area_m2_total=models.Window(Sum("area_m2")),
        )

    def with_flower_keys(self):
        """
        Annotate flower_keys: the primary keys of the signature species
        (tongyun.lib.queries.keys_of), for a page that has the species.
        """
        through = Garden.signature_species.through.objects
        return self.annotate(flower_keys=keys_of(through, "garden", "species"))

    def for_cards(self):
        """Everything a garden card shows: community, figures, main flowers."""
        return (
            self.select_related("community")
            .with_figures()
            .prefetch_related("signature_species")
        )


class Garden(CleanTextMixin, models.Model):
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="gardens",
        verbose_name=_("community"),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    address = models.CharField(_("where to find it"), max_length=200, blank=True)
    address_en = models.CharField(
        _("where to find it (English)"), max_length=200, blank=True
    )
    theme = models.CharField(
        _("colour and flower mark"),
        max_length=20,
        choices=Theme.choices,
        default=Theme.LEAF,
    )
    signature_species = models.ManyToManyField(
        "gardens.Species",
        blank=True,
        related_name="signature_gardens",
        verbose_name=_("main flowers"),
        help_text=_("The flowers the garden is known for (one garden, one scene)."),
    )
    photo = PhotoField(_("photo"), upload_to=photo_path, blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers are listed first.")
    )

    objects = GardenQuerySet.as_manager()

    name_i18n = Localized("name")
    tagline_i18n = Localized("tagline")
    description_i18n = Localized("description")
    address_i18n = Localized("address")

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("garden")
        verbose_name_plural = _("gardens")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("gardens:garden_detail", args=[self.slug])

    def species_list(self):
        """
        Every species planned in the garden's zones, in bloom order.

        Iterates ``zones.all()`` and each zone's ``species.all()``: no query
        when both are prefetched.
        """
        found = {s.pk: s for zone in self.zones.all() for s in zone.species.all()}
        return sorted(found.values(), key=lambda s: (s.bloom_start_month, s.name))


class ZoneQuerySet(models.QuerySet):
    def with_species_keys(self):
        """
        Annotate species_keys: the primary keys of the planned species
        (tongyun.lib.queries.keys_of), for a page that has the species.
        """
        through = Zone.species.through.objects
        return self.annotate(species_keys=keys_of(through, "zone", "species"))

    def for_labels(self):
        """Everything a zone's printed label shows: garden, planned species."""
        return self.select_related("garden").prefetch_related("species")


class Zone(CleanTextMixin, models.Model):
    class State(models.TextChoices):
        IDLE = "idle", pgettext_lazy("zone state", "idle or bare")
        DESIGNED = "designed", pgettext_lazy("zone state", "designed")
        PLANTED = "planted", pgettext_lazy("zone state", "planted")

    garden = models.ForeignKey(
        Garden,
        on_delete=models.PROTECT,
        related_name="zones",
        verbose_name=_("garden"),
    )
    code = models.SlugField(
        _("code"),
        max_length=20,
        help_text=_("Short label on the plan and the QR sign, e.g. A1."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=8,
        decimal_places=1,
        validators=[MinValueValidator(0.1)],
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.IDLE
    )
    designer = models.CharField(_("designer"), max_length=100, blank=True)
    design_notes = models.TextField(_("design notes"), blank=True)
    design_notes_en = models.TextField(_("design notes (English)"), blank=True)
    species = models.ManyToManyField(
        "gardens.Species",
        blank=True,
        related_name="zones",
        verbose_name=_("planned species"),
    )
    photo = PhotoField(_("photo"), upload_to=photo_path, blank=True)

    objects = ZoneQuerySet.as_manager()

    name_i18n = Localized("name")
    design_notes_i18n = Localized("design_notes")

    class Meta:
        ordering = ["garden", "code"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            # The zone URL and its printed QR sign are /gardens/<slug>/zones/<code>/.
            models.UniqueConstraint(
                fields=["garden", "code"], name="gardens_zone_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(area_m2__gt=0), name="gardens_zone_area_positive"
            ),
        ]

    def __str__(self):
        return f"{self.garden.name} {self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("gardens:zone_detail", args=[self.garden.slug, self.code])


def bloom_window_covers(month):
    """Q: the default bloom window covers month; windows may wrap the year."""
    within = Q(bloom_start_month__lte=F("bloom_end_month")) & Q(
        bloom_start_month__lte=month, bloom_end_month__gte=month
    )
    wrapping = Q(bloom_start_month__gt=F("bloom_end_month")) & (
        Q(bloom_start_month__lte=month) | Q(bloom_end_month__gte=month)
    )
    return within | wrapping


class SpeciesQuerySet(models.QuerySet):
    def blooming_in(self, month):
        """Species whose default bloom window covers month."""
        return self.filter(bloom_window_covers(month))

    def next_to_bloom(self, after):
        """
        The first month after `after` in which any species blooms, and those
        species; (None, []) when none has a bloom window. One query.
        """
        species = list(self)
        for step in range(1, 13):
            month = (after - 1 + step) % 12 + 1
            found = [s for s in species if s.blooms_in(month)]
            if found:
                return month, found
        return None, []

    def for_labels(self):
        """
        Everything a species' printed label shows: the gardens of the zones
        it is planned in (one more query).
        """
        zones = Zone.objects.select_related("garden")
        return self.prefetch_related(models.Prefetch("zones", queryset=zones))


def _month_field(verbose_name):
    return models.PositiveSmallIntegerField(
        verbose_name,
        choices=[(m, m) for m in MONTHS],
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )


class Species(CleanTextMixin, models.Model):
    name = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    latin_name = models.CharField(_("Latin name"), max_length=150, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    bloom_start_month = _month_field(_("bloom starts (month)"))
    bloom_end_month = _month_field(_("bloom ends (month)"))
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    care_notes = models.TextField(_("care notes"), blank=True)
    care_notes_en = models.TextField(_("care notes (English)"), blank=True)
    theme = models.CharField(
        _("colour and flower mark"),
        max_length=20,
        choices=Theme.choices,
        default=Theme.LEAF,
    )
    photo = PhotoField(_("photo"), upload_to=photo_path, blank=True)

    objects = SpeciesQuerySet.as_manager()

    name_i18n = Localized("name")
    description_i18n = Localized("description")
    care_notes_i18n = Localized("care_notes")

    class Meta:
        ordering = ["bloom_start_month", "name"]
        verbose_name = _("species")
        verbose_name_plural = _("species")
        constraints = [
            models.CheckConstraint(
                condition=Q(bloom_start_month__gte=1, bloom_start_month__lte=12)
                & Q(bloom_end_month__gte=1, bloom_end_month__lte=12),
                name="gardens_species_bloom_months_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.latin_name})" if self.latin_name else self.name

    def get_absolute_url(self):
        return reverse("gardens:species_detail", args=[self.slug])

    def blooms_in(self, month):
        """Whether month (1–12) lies in the bloom window, which may wrap the year."""
        start, end = self.bloom_start_month, self.bloom_end_month
        if start <= end:
            return start <= month <= end
        return month >= start or month <= end

    def is_in_bloom(self, month):
        """
        In bloom this month: this year's bloom observations decide where
        there are any, the default window otherwise. No query.

        The observations arrive as the attributes last_open_on and
        last_end_on, which the app that records them annotates
        (plantings.queries.with_bloom_signals); without them the window
        decides.
        """
        opened = getattr(self, "last_open_on", None)
        ended = getattr(self, "last_end_on", None)
        if opened or ended:
            return bool(opened) and (ended is None or opened > ended)
        return self.blooms_in(month)

    @property
    def bloom_months(self):
        """The twelve months, each with whether the species blooms then."""
        return [(month, self.blooms_in(month)) for month in MONTHS]

    def bloom_window_display(self):
        """'Blooms April to May' in the active language."""
        start, end = (
            MONTH_NAMES[self.bloom_start_month],
            MONTH_NAMES[self.bloom_end_month],
        )
        if start == end:
            return gettext("Blooms in {month}").format(month=start)
        return gettext("Blooms {start} to {end}").format(start=start, end=end)

    def garden_list(self):
        """
        The gardens whose zones the species is planned in, in the gardens'
        order. Iterates ``zones.all()``: no query when the zones and their
        gardens are prefetched (SpeciesQuerySet.for_labels).
        """
        found = {zone.garden_id: zone.garden for zone in self.zones.all()}
        return sorted(found.values(), key=lambda g: (g.position, g.name))
