import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tongyun.lib.history import HistoricalRecords
from tongyun.lib.i18n import Localized
from tongyun.lib.models import CleanTextMixin, FieldConstraintsMixin
from tongyun.lib.storage import StorageAlias
from tongyun.lib.tokens import new_token  # migrations name artworks.models.new_token


def private_storage():
    """Where artwork images live: never served directly (see views.image)."""
    return StorageAlias("artworks")


def image_path(instance, filename):
    """An unguessable name; the upload's own name is never used."""
    return f"artworks/{uuid.uuid4().hex}.jpg"


def original_path(instance, filename):
    """
    Where a picture waits, as it was sent, for its renditions: an
    unguessable name without the sender's or an extension, in private
    storage that nothing serves. It may hold EXIF with GPS; it is deleted
    once the renditions exist (services.make_renditions).
    """
    return f"artworks/originals/{uuid.uuid4().hex}"


# How a work leads to its community (gardens.access): through its call. A
# call of the whole street office has none, and only its staff reach it.
ARTWORK_PATH = "call__community"


class Category(models.TextChoices):
    PAINTING = "painting", pgettext_lazy("art", "painting")
    CALLIGRAPHY = "calligraphy", pgettext_lazy("art", "calligraphy")
    PHOTOGRAPHY = "photography", pgettext_lazy("art", "photography")


class CallQuerySet(models.QuerySet):
    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gte=now)

    def with_work_counts(self):
        """
        Calls with pending_count, approved_count, featured_count and
        rejected_count: their works by status, in one join (the admin's list
        of calls).
        """

        def count(status):
            return models.Count("artworks", filter=Q(artworks__status=status))

        return self.annotate(
            pending_count=count(Artwork.Status.PENDING),
            approved_count=count(Artwork.Status.APPROVED),
            featured_count=count(Artwork.Status.FEATURED),
            rejected_count=count(Artwork.Status.REJECTED),
        )


class Call(CleanTextMixin, FieldConstraintsMixin, models.Model):
    """A call for artworks (征集) with its theme, window and categories."""

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    organiser = models.CharField(_("organiser"), max_length=200)
    organiser_en = models.CharField(
        _("organiser (English)"), max_length=200, blank=True
    )
    theme = models.CharField(_("theme"), max_length=200)
    theme_en = models.CharField(_("theme (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    community = models.ForeignKey(
        "gardens.Community",
        on_delete=models.PROTECT,
        related_name="calls",
        null=True,
        blank=True,
        verbose_name=_("community"),
        help_text=_(
            "The community whose staff run this call. Leave empty for a call "
            "of the whole street office, which only its staff manage."
        ),
    )
    species = models.ForeignKey(
        "gardens.Species",
        on_delete=models.PROTECT,
        related_name="calls",
        null=True,
        blank=True,
        verbose_name=_("flower of the theme"),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    categories = models.CharField(
        _("categories offered"),
        max_length=100,
        default="painting,calligraphy,photography",
        help_text=_("Comma-separated: painting, calligraphy, photography."),
    )
    max_works_per_phone = models.PositiveSmallIntegerField(
        _("works per phone number"), default=3
    )

    objects = CallQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("call history record"),
        verbose_name_plural=_("call history"),
    )

    # The field the date-order constraint's refusal is shown beside.
    constraint_fields = {"closes_early": "closes_at"}

    title_i18n = Localized("title")
    organiser_i18n = Localized("organiser")
    theme_i18n = Localized("theme")
    description_i18n = Localized("description")

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call for artworks")
        verbose_name_plural = _("calls for artworks")
        constraints = [
            # The admin's call form shows its error (admin_forms.CallForm).
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="artworks_call_closes_after_opening",
                violation_error_code="closes_early",
                violation_error_message=_("The call must close after it opens."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def category_values(self):
        return [c for c in self.categories.split(",") if c in Category.values]

    def category_choices(self):
        """The offered categories as form choices, in the site's order."""
        offered = set(self.category_values)
        return [(value, label) for value, label in Category.choices if value in offered]

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at


class ArtworkQuerySet(models.QuerySet):
    def public(self):
        """What anyone may see: approved and featured works, featured first."""
        return self.filter(
            status__in=[Artwork.Status.APPROVED, Artwork.Status.FEATURED]
        ).order_by(
            models.Case(models.When(status=Artwork.Status.FEATURED, then=0), default=1),
            "-reviewed_at",
            "-pk",
        )

    def for_labels(self):
        """Everything a work's printed label shows: its call and the call's flower."""
        return self.select_related("call__species")

    def of_phone(self, phone):
        """
        The works sent with phone (+86…), newest first, with their calls
        (one query); none for an empty phone. "Find my sign-up" lists their
        status pages.
        """
        if not phone:
            return self.none()
        return (
            self.filter(phone=phone)
            .select_related("call")
            .order_by("-submitted_at", "-pk")
        )


# Two-character surnames, so that a child's given name is shown without them.
COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
    "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "申屠",
}  # fmt: skip


def _without_brackets(name):
    """name without anything in brackets (an age written after it)."""
    return re.sub(r"[（(][^）)]*[）)]", "", name).strip()


def given_name(name):
    """
    The given name in a full name, for showing a child in public: 刘小雨 →
    小雨, 欧阳晓晨 → 晓晨, "Amy Liu" → Amy. Anything in brackets (an age
    written after the name) is dropped; a one-character name stays.
    """
    name = _without_brackets(name)
    if not name:
        return ""
    if " " in name:
        return name.split()[0]
    surname = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[surname:] or name


def surname_erased(name):
    """
    A young author's name as the purge keeps it: the given name the gallery
    shows, with "*" where the rest was: 刘小雨 → *小雨, "Amy Liu" → "Amy *".
    given_name() of the result is the same given name, so the credit stays
    as it was; erasing again changes nothing.
    """
    given = given_name(name)
    if not given:
        return ""
    return f"{given} *" if " " in _without_brackets(name) else f"*{given}"


class Artwork(CleanTextMixin, models.Model):
    class AgeGroup(models.TextChoices):
        """A young author's age group: shown in public instead of the age."""

        UNDER_7 = "under_7", _("under 7")
        FROM_7_TO_10 = "7_10", _("7 to 10")
        FROM_11_TO_13 = "11_13", _("11 to 13")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("artwork status", "waiting for review")
        APPROVED = "approved", pgettext_lazy("artwork status", "approved")
        REJECTED = "rejected", pgettext_lazy("artwork status", "not accepted")
        FEATURED = "featured", pgettext_lazy("artwork status", "featured")

    class Picture(models.TextChoices):
        """Where a work's display image and thumbnail are: a worker draws
        them from the picture as sent (services.make_renditions)."""

        PREPARING = "preparing", pgettext_lazy("artwork picture", "being prepared")
        READY = "ready", pgettext_lazy("artwork picture", "ready")
        UNREADABLE = "unreadable", pgettext_lazy("artwork picture", "unreadable")

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="artworks", verbose_name=_("call")
    )
    title = models.CharField(_("title of the work"), max_length=100)
    artist_name = models.CharField(_("artist"), max_length=50)
    community = models.CharField(_("community"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("about the work"), blank=True)
    class_name = models.CharField(
        _("class or group"),
        max_length=100,
        blank=True,
        help_text=_("For a teacher submitting for a class, e.g. the painting class."),
    )
    is_minor = models.BooleanField(_("the author is under 14"), default=False)
    guardian_consent = models.BooleanField(_("a guardian agreed"), default=False)
    age_group = models.CharField(
        _("age group"),
        max_length=10,
        choices=AgeGroup.choices,
        blank=True,
        help_text=_("For an author under 14: shown instead of the full name."),
    )
    phone = models.CharField(_("phone"), max_length=20, help_text=_("Private."))
    original = models.FileField(
        _("picture as sent"),
        storage=private_storage,
        upload_to=original_path,
        blank=True,
        editable=False,
    )
    picture_state = models.CharField(
        _("picture"),
        max_length=20,
        choices=Picture.choices,
        # Works written with their renditions (the benchmark's, imports)
        # are ready; services.submit leaves the drawing to a worker.
        default=Picture.READY,
    )
    image = models.ImageField(
        _("image"),
        blank=True,
        storage=private_storage,
        upload_to=image_path,
        width_field="image_width",
        height_field="image_height",
    )
    image_width = models.PositiveIntegerField(null=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, editable=False)
    thumbnail = models.ImageField(
        _("thumbnail"),
        blank=True,
        storage=private_storage,
        upload_to=image_path,
        width_field="thumbnail_width",
        height_field="thumbnail_height",
    )
    thumbnail_width = models.PositiveIntegerField(null=True, editable=False)
    thumbnail_height = models.PositiveIntegerField(null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    moderation_note = models.TextField(
        _("note to the submitter"),
        blank=True,
        help_text=_("Shown on the submitter's private status page."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="reviewed_artworks",
        null=True,
        blank=True,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    token = models.CharField(
        _("status token"), max_length=64, unique=True, default=new_token, editable=False
    )

    objects = ArtworkQuerySet.as_manager()
    # Full-width digits typed in Chinese are the digits (tongyun.lib.text).
    compatibility_fields = ("phone",)
    # The status page's token is a secret link: never copied into the history.
    history = HistoricalRecords(
        verbose_name=_("artwork history record"),
        verbose_name_plural=_("artwork history"),
        excluded_fields=["token", "original"],
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("artwork")
        verbose_name_plural = _("artworks")
        permissions = [
            # Unveils submitters' phones in the admin (ArtworkAdmin).
            (
                "view_personal_data",
                _("Can see full phone numbers of artwork submitters"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_minor=False) | Q(guardian_consent=True),
                name="artworks_minor_has_guardian_consent",
            ),
            # An age group says how young an author under 14 is; nobody else
            # has one.
            models.CheckConstraint(
                condition=Q(is_minor=True) | Q(age_group=""),
                name="artworks_age_group_only_for_minors",
            ),
            # The gallery shows only works whose pictures are drawn: refused
            # politely first by services.moderate and the admin's form.
            models.CheckConstraint(
                condition=Q(status__in=["pending", "rejected"])
                | Q(picture_state="ready"),
                name="artworks_public_work_has_picture",
            ),
            # A ready picture is one whose two renditions are stored.
            models.CheckConstraint(
                condition=~Q(picture_state="ready") | (~Q(image="") & ~Q(thumbnail="")),
                name="artworks_ready_picture_has_renditions",
            ),
        ]
        indexes = [
            # The per-phone limit of services.submit counts these.
            models.Index(fields=["call", "phone"], name="artworks_call_phone"),
        ]

    def __str__(self):
        return f"{self.title} · {self.artist_name}"

    def get_absolute_url(self):
        return reverse("artworks:detail", args=[self.pk])

    def get_status_url(self):
        return reverse("artworks:status", args=[self.token])

    @property
    def credit(self):
        """
        Who made the work, as the public pages say it: a young author by
        given name and age group (小雨 · 7 to 10), never the full name or age;
        others by the name given. Staff and the submitter see the full name.
        """
        if not self.is_minor:
            return self.artist_name
        name = given_name(self.artist_name)
        if not self.age_group:
            return name
        return gettext("{name}, aged {age_group}").format(
            name=name, age_group=self.get_age_group_display()
        )

    @property
    def is_public(self):
        return self.status in (self.Status.APPROVED, self.Status.FEATURED)

    @property
    def has_picture(self):
        """Whether the display image and thumbnail exist (may be shown)."""
        return self.picture_state == self.Picture.READY

    def image_url(self, size="display"):
        """Served through views.image, which checks who may see it."""
        return reverse("artworks:image", args=[self.pk, size])
