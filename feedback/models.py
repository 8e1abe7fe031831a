"""
What residents need and feel: their suggestions (缺什么补什么) and their
answers to the satisfaction survey, whose rounds make the green happiness
index (绿色幸福指数) of the dashboard.

This app sits beside events and artworks (DESIGN §3): it knows gardens and
nothing above. What answered a suggestion (plantings, an event) is linked
in the site layer, which knows every app.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tongyun.lib.errors import refuse
from tongyun.lib.history import HistoricalRecords
from tongyun.lib.i18n import Localized
from tongyun.lib.models import CleanTextMixin, FieldConstraintsMixin
from tongyun.lib.storage import StorageAlias
from tongyun.lib.tokens import new_token

# How a suggestion leads to its community (gardens.access): through its
# garden. One about no garden in particular is the whole street office's,
# and only its staff reach it.
SUGGESTION_PATH = "garden__community"

# Where each status may move (Suggestion.check_move): only forward.
MOVES = {
    "new": {"accepted", "done", "declined"},
    "accepted": {"done", "declined"},
    "done": set(),
    "declined": set(),
}

# A suggestion's photo is anyone's to see once staff took it up.
PUBLIC_PHOTO_STATUSES = ("accepted", "done")

# Days within which the office promises a first answer: a suggestion
# answered (accepted, done or declined) within them counts toward the
# dashboard's response rate (响应率), as Beijing's 接诉即办 measures.
RESPONSE_DAYS = 7


def private_storage():
    """Where suggestions' photos live: served only by feedback's photo view."""
    return StorageAlias("suggestions")


def photo_path(instance, filename):
    """An unguessable name; the upload's own name is never used."""
    return f"suggestions/{uuid.uuid4().hex}.jpg"


class SuggestionQuerySet(models.QuerySet):
    def public(self):
        """Every suggestion, as the board shows it: newest first."""
        return self.order_by("-submitted_at", "-pk")

    def with_places(self):
        return self.select_related("garden", "zone", "zone__garden", "species")

    def on_board(self, *, garden_slug="", status=""):
        """
        The board's suggestions: newest first, with their places, filtered
        by a garden's slug and a status when given (unknown values match
        nothing). One query; no personal data is needed to show them.
        """
        rows = self.public().with_places()
        if garden_slug:
            rows = rows.filter(garden__slug=garden_slug)
        if status:
            rows = rows.filter(status=status)
        return rows

    def photo_public(self):
        """Those whose photo anyone may see: accepted or done."""
        return self.filter(status__in=PUBLIC_PHOTO_STATUSES)

    def closed(self):
        return self.filter(
            status__in=[Suggestion.Status.DONE, Suggestion.Status.DECLINED]
        )


class Suggestion(CleanTextMixin, FieldConstraintsMixin, models.Model):
    class Category(models.TextChoices):
        PLANTS = "plants", pgettext_lazy("suggestion category", "missing plants")
        FACILITIES = "facilities", pgettext_lazy("suggestion category", "facilities")
        CARE = "care", pgettext_lazy("suggestion category", "care and upkeep")
        OTHER = "other", pgettext_lazy("suggestion category", "other")

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("suggestion status", "received")
        ACCEPTED = "accepted", pgettext_lazy("suggestion status", "accepted")
        DONE = "done", pgettext_lazy("suggestion status", "done")
        DECLINED = "declined", pgettext_lazy("suggestion status", "declined")

    class Rating(models.TextChoices):
        """How the submitter rates the answer to a closed suggestion."""

        SATISFIED = "satisfied", pgettext_lazy("rating", "satisfied")
        BASICALLY = "basically", pgettext_lazy("rating", "basically satisfied")
        DISSATISFIED = "dissatisfied", pgettext_lazy("rating", "not satisfied")

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    garden = models.ForeignKey(
        "gardens.Garden",
        on_delete=models.PROTECT,
        related_name="suggestions",
        null=True,
        blank=True,
        verbose_name=_("garden"),
    )
    zone = models.ForeignKey(
        "gardens.Zone",
        on_delete=models.PROTECT,
        related_name="suggestions",
        null=True,
        blank=True,
        verbose_name=_("zone"),
    )
    # A suggestion sent from a species' page is about that species (e.g.
    # "plant more of it"): kept apart from the text, shown beside it.
    species = models.ForeignKey(
        "gardens.Species",
        on_delete=models.PROTECT,
        related_name="suggestions",
        null=True,
        blank=True,
        verbose_name=_("about the species"),
    )
    text = models.TextField(_("suggestion"))
    photo = models.ImageField(
        _("photo"),
        storage=private_storage,
        upload_to=photo_path,
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
    )
    photo_width = models.PositiveIntegerField(null=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, editable=False)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, help_text=_("Private.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    reply = models.TextField(
        _("public reply"),
        blank=True,
        help_text=_(
            "Shown on the board and to the submitter. A declined suggestion "
            "needs one: say why."
        ),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    answered_at = models.DateTimeField(
        _("first answered at"),
        null=True,
        blank=True,
        help_text=_("When it first left “received”."),
    )
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True, help_text=_("Done or declined.")
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="handled_suggestions",
        null=True,
        blank=True,
        verbose_name=_("handled by"),
    )
    rating = models.CharField(
        _("submitter's rating"), max_length=20, choices=Rating.choices, blank=True
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    token = models.CharField(
        _("status token"), max_length=64, unique=True, default=new_token, editable=False
    )

    objects = SuggestionQuerySet.as_manager()
    compatibility_fields = ("phone",)
    # The status page's token is a secret link: never copied into the history.
    history = HistoricalRecords(
        verbose_name=_("suggestion history record"),
        verbose_name_plural=_("suggestion history"),
        excluded_fields=["token"],
    )

    constraint_fields = {"declined_without_reason": "reply"}

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        permissions = [
            (
                "view_personal_data",
                _("Can see full phone numbers of residents who made suggestions"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reply=""),
                name="feedback_declined_has_reason",
                violation_error_code="declined_without_reason",
                violation_error_message=_(
                    "Say in the public reply why the suggestion is declined."
                ),
            ),
            models.CheckConstraint(
                condition=Q(rating="") | Q(status__in=["done", "declined"]),
                name="feedback_rated_only_when_closed",
            ),
        ]
        indexes = [
            # The board filters by garden and status, newest first.
            models.Index(
                fields=["garden", "status", "-submitted_at"],
                name="feedback_board",
            ),
            # The whole board, newest first (SuggestionQuerySet.public).
            models.Index(fields=["-submitted_at", "-id"], name="feedback_board_newest"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.text[:30]}"

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        obj = super().from_db(db, field_names, values, **kwargs)
        # The status as stored: clean() refuses a move back from it.
        obj._stored_status = obj.__dict__.get("status")
        return obj

    def clean(self):
        super().clean()
        stored = getattr(self, "_stored_status", None)
        if stored is not None and stored != self.status:
            try:
                self.check_move(stored, self.status)
            except ValidationError as refusal:
                raise ValidationError({"status": refusal}) from None

    def get_status_url(self):
        return reverse("feedback:status", args=[self.token])

    def get_photo_url(self):
        """The photo's address for anyone who may see it (photo_is_public)."""
        return reverse("feedback:photo", args=[self.pk])

    def get_private_photo_url(self):
        """The photo's address for the submitter, whose link opens it."""
        return f"{self.get_photo_url()}?token={self.token}"

    @property
    def is_closed(self):
        return self.status in (self.Status.DONE, self.Status.DECLINED)

    @property
    def photo_is_public(self):
        return self.status in PUBLIC_PHOTO_STATUSES

    @property
    def may_be_rated(self):
        """Closed and not rated yet: the status page offers the rating."""
        return self.is_closed and not self.rating

    @classmethod
    def check_move(cls, old, new):
        """
        Refuse (ValidationError, code "status_back") a move of status from
        old to new that MOVES does not allow: new → accepted → done or
        declined, new → done or declined too; never back. Staying is no move.
        """
        if old == new or new in MOVES.get(old, ()):
            return
        refuse(
            gettext(
                "A suggestion that is “{old}” cannot become “{new}”: its "
                "status only moves forward."
            ),
            "status_back",
            old=cls.Status(old).label,
            new=cls.Status(new).label,
        )

    def move_to(self, status, *, by=None, now=None):
        """
        Give the suggestion status (check_move refuses a move back), in
        memory: answered_at is set when it first leaves "received",
        closed_at when it becomes done or declined, handled_by to by (a
        staff member) when given. Returns the names of the fields changed;
        the caller saves them (services.change_status).
        """
        self.check_move(self.status, status)
        if status == self.status:
            return []
        now = now or timezone.now()
        changed = ["status"]
        self.status = status
        if self.answered_at is None:
            self.answered_at = now
            changed.append("answered_at")
        if self.is_closed and self.closed_at is None:
            self.closed_at = now
            changed.append("closed_at")
        if by is not None:
            self.handled_by = by
            changed.append("handled_by")
        return changed

    def days_to_close(self):
        """Whole days from sending to done or declined; None while open."""
        if self.closed_at is None:
            return None
        return (self.closed_at - self.submitted_at) / dt.timedelta(days=1)


class SurveyRoundQuerySet(models.QuerySet):
    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gte=now)


class SurveyRound(CleanTextMixin, FieldConstraintsMixin, models.Model):
    """
    One round of the satisfaction survey (e.g. a season). Its questions are
    the same every round (SurveyAnswer's scores), so that rounds compare.
    """

    title = models.CharField(_("title"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=100, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    min_answers = models.PositiveSmallIntegerField(
        _("fewest answers for an index"),
        default=10,
        validators=[MinValueValidator(2)],
        help_text=_("With fewer answers the dashboard shows no index for the round."),
    )
    is_demo = models.BooleanField(
        _("demo figures"),
        default=False,
        help_text=_("Made up by the demo data; the dashboard says so."),
    )

    objects = SurveyRoundQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("survey round history record"),
        verbose_name_plural=_("survey round history"),
    )

    constraint_fields = {"closes_early": "closes_at"}
    title_i18n = Localized("title")

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="feedback_round_closes_after_opening",
                violation_error_code="closes_early",
                violation_error_message=_("The round must close after it opens."),
            ),
        ]

    def __str__(self):
        return self.title

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at


SCORE = [MinValueValidator(1), MaxValueValidator(5)]
# The survey's questions: SurveyAnswer's score fields, in the form's order.
QUESTIONS = ("beauty", "upkeep", "taking_part", "happiness")


class SurveyAnswer(CleanTextMixin, models.Model):
    """
    One browser's answer to a round: four scores from 1 (poor) to 5 (very
    good) and an optional comment. No name or phone: the browser is known
    only by a keyed hash of the random id in its cookie, which keeps it to
    one answer a round.
    """

    round = models.ForeignKey(
        SurveyRound,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("round"),
    )
    beauty = models.PositiveSmallIntegerField(
        _("How beautiful are the gardens?"), validators=SCORE
    )
    upkeep = models.PositiveSmallIntegerField(
        _("How well are they looked after?"), validators=SCORE
    )
    taking_part = models.PositiveSmallIntegerField(
        _("How easy is it to take part?"), validators=SCORE
    )
    happiness = models.PositiveSmallIntegerField(
        _("Overall, how much do the gardens add to your green happiness?"),
        validators=SCORE,
    )
    comment = models.TextField(_("comment"), blank=True)
    browser_digest = models.CharField(_("browser (hashed)"), max_length=64)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        ordering = ["-answered_at"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            # One answer a round per browser, however two tabs race.
            models.UniqueConstraint(
                fields=["round", "browser_digest"], name="feedback_one_answer_a_round"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{q}__gte": 1, f"{q}__lte": 5}),
                    name=f"feedback_{q}_from_1_to_5",
                )
                for q in QUESTIONS
            ),
        ]

    def __str__(self):
        return f"{self.round} #{self.pk}"

    def index_score(self):
        """This answer on the index's scale: the mean score, 1 → 0, 5 → 100."""
        scores = [getattr(self, q) for q in QUESTIONS]
        return (sum(scores) / len(scores) - 1) * 25
