import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, DecimalField, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tongyun.lib.history import HistoricalRecords
from tongyun.lib.i18n import Localized
from tongyun.lib.models import CleanTextMixin, FieldConstraintsMixin
from tongyun.lib.queries import count_of, sum_of
from tongyun.lib.slugs import pinyin_slug, unique_slug
from tongyun.lib.tokens import new_token  # migrations name events.models.new_token

MAX_PUBLIC_HEADCOUNT = 5
HOURS = DecimalField(max_digits=8, decimal_places=1)


# How an event leads to its communities (gardens.access): through any of
# its gardens.
EVENT_PATH = "gardens__community"

# A sign-up whose people came: checked in at the event (SignupQuerySet.attended).
CHECKED_IN = Q(checked_in_at__isnull=False)

# What a calendar app that imported the event must be told again: its time,
# its place and whether it takes place (Event.sequence, RFC 5545 SEQUENCE).
CALENDAR_FIELDS = (
    "starts_at",
    "ends_at",
    "meeting_point",
    "meeting_point_en",
    "status",
)


def new_calendar_uid():
    """An event's calendar UID: the same in every file, unique everywhere."""
    return f"{uuid.uuid4()}@tongyun"


class Organisation(CleanTextMixin, models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("government office")
        COMMUNITY = "community", _("community")
        SCHOOL = "school", _("school")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER
    )

    name_i18n = Localized("name")

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


def _confirmed_headcount(event="pk"):
    """Correlated subquery: confirmed headcount of the outer event."""
    confirmed = Signup.objects.filter(
        event=OuterRef(event), status=Signup.Status.CONFIRMED
    )
    return sum_of(confirmed, "headcount")


def _waiting(event="pk"):
    """The waitlisted sign-ups of the outer event, for a subquery."""
    return Signup.objects.filter(event=OuterRef(event), status=Signup.Status.WAITLISTED)


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Event.Status.PUBLISHED)

    def visible(self):
        """What the public may open: published, or cancelled (to say so)."""
        return self.exclude(status=Event.Status.DRAFT)

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at")

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at")

    def with_seats(self):
        """Annotate seats_taken: the confirmed headcount (one subquery)."""
        return self.annotate(seats_taken=_confirmed_headcount())

    def with_queue(self):
        """
        with_seats(), and who waits: waiting_people (their headcount) and
        waiting_signups, two more subqueries, no further query. The public
        pages show them wherever they show the seats (events/seats.html,
        includes/event_card.html).
        """
        return self.with_seats().annotate(
            waiting_people=sum_of(_waiting(), "headcount"),
            waiting_signups=count_of(_waiting()),
        )

    def with_signup_figures(self):
        """
        with_seats(), and signup_count (active sign-ups), waiting_count and
        checked_in_count (people): one subquery and one join to sign-ups.
        """
        confirmed = Q(signups__status=Signup.Status.CONFIRMED)
        waiting = Q(signups__status=Signup.Status.WAITLISTED)
        checked_in = confirmed & Q(signups__checked_in_at__isnull=False)
        return self.with_seats().annotate(
            signup_count=Count("signups", filter=confirmed | waiting),
            waiting_count=Sum("signups__headcount", filter=waiting, default=0),
            checked_in_count=Sum("signups__headcount", filter=checked_in, default=0),
        )


class Event(CleanTextMixin, FieldConstraintsMixin, models.Model):
    class Kind(models.TextChoices):
        PLANTING_DAY = "planting_day", _("planting day")
        CARE_DAY = "care_day", _("garden care day")
        WORKSHOP = "workshop", _("workshop")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("event status", "draft")
        PUBLISHED = "published", pgettext_lazy("event status", "published")
        CANCELLED = "cancelled", pgettext_lazy("event status", "cancelled")

    class SignupState(models.TextChoices):
        """
        Where sign-up stands (signup_state()). The pages word each state
        themselves (events/seats.html), hence no translated labels.
        """

        DRAFT = "draft"
        CANCELLED = "cancelled"
        OVER = "over"
        NOT_YET = "not_yet"
        CLOSED = "closed"
        WAITLIST = "waitlist"  # open, but full: a sign-up is waitlisted
        OPEN = "open"

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(
        _("slug"),
        unique=True,
        blank=True,
        help_text=_(
            "The event's web address. Leave it empty to have it made from the "
            "date and the title, e.g. 2025-04-06-zhishuri (the Chinese title in "
            "pinyin); change it before the event is announced."
        ),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.PLANTING_DAY
    )
    gardens = models.ManyToManyField(
        "gardens.Garden", related_name="events", verbose_name=_("gardens")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    meeting_point = models.CharField(_("meeting point"), max_length=200)
    meeting_point_en = models.CharField(
        _("meeting point (English)"), max_length=200, blank=True
    )
    capacity = models.PositiveIntegerField(
        _("capacity (people)"),
        help_text=_("Confirmed sign-ups, counted in people, never exceed this."),
    )
    signup_opens_at = models.DateTimeField(_("sign-up opens at"))
    signup_closes_at = models.DateTimeField(_("sign-up closes at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    seedling_goal = models.PositiveIntegerField(
        _("seedling goal"), null=True, blank=True
    )
    organiser_phone = models.CharField(
        _("organiser's phone"),
        max_length=30,
        blank=True,
        help_text=_(
            "Shown on the event page, for groups bigger than a public sign-up "
            "takes and for questions. An office number, never a volunteer's."
        ),
    )
    # A calendar app matches a downloaded file to the copy it imported
    # before by this UID, and replaces that copy only when the SEQUENCE is
    # higher (save() raises it; events/views.py event_ics writes both).
    calendar_uid = models.CharField(
        _("calendar UID"),
        max_length=100,
        unique=True,
        default=new_calendar_uid,
        editable=False,
    )
    sequence = models.PositiveIntegerField(
        _("calendar revision"), default=0, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("event history record"),
        verbose_name_plural=_("event history"),
        m2m_fields=["gardens"],
    )

    # An office phone, as dialled from the event page (tongyun.lib.text).
    compatibility_fields = ("organiser_phone",)
    # The field each date-order constraint's refusal is shown beside.
    constraint_fields = {
        "ends_early": "ends_at",
        "closes_early": "signup_closes_at",
        "closes_late": "signup_closes_at",
    }

    title_i18n = Localized("title")
    meeting_point_i18n = Localized("meeting_point")
    description_i18n = Localized("description")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        # The date-order constraints are also the admin form's checks
        # (ModelForm validates constraints), each refusal shown beside the
        # field in constraint_fields.
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="events_event_ends_after_start",
                violation_error_code="ends_early",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0), name="events_event_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(signup_closes_at__gt=F("signup_opens_at")),
                name="events_event_signup_closes_after_opening",
                violation_error_code="closes_early",
                violation_error_message=_("Sign-up must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(signup_closes_at__lte=F("ends_at")),
                name="events_event_signup_closes_by_the_end",
                violation_error_code="closes_late",
                violation_error_message=_(
                    "Sign-up must close by the time the event ends."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        update_fields = kwargs.get("update_fields")
        extra = set()
        if not self.slug:
            self.slug = self.new_slug()
            extra.add("slug")
        if self.pk is not None and not self._state.adding:
            extra |= self.revise_calendar(update_fields)
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *extra, "updated_at"}
        super().save(**kwargs)

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.slug])

    def revise_calendar(self, update_fields=None):
        """
        Raise sequence past the stored one when the time, the place or the
        status changes, so that calendar apps replace the copy they hold.
        Returns the fields to save with it. One query (the stored row, read
        afresh: under services.save_event's lock, two edits at once each
        raise it).
        """
        fields = [
            name
            for name in CALENDAR_FIELDS
            if update_fields is None or name in update_fields
        ]
        stored = Event.objects.filter(pk=self.pk).values(*fields, "sequence").first()
        if stored is None:
            return set()
        if any(stored[name] != getattr(self, name) for name in fields):
            self.sequence = stored["sequence"] + 1
        else:
            self.sequence = stored["sequence"]
        return {"sequence"}

    def new_slug(self):
        """
        A free web address from the local start date and the English title,
        or the Chinese title in pinyin: "2025-04-06-zhishuri". One query per
        address tried. Two events saved at the same moment under the same
        address would make the second save fail on the unique constraint,
        as with a typed address.
        """
        words = pinyin_slug(self.title_en or self.title) or "event"
        base = f"{timezone.localdate(self.starts_at):%Y-%m-%d}-{words}"
        others = Event.objects.exclude(pk=self.pk)
        return unique_slug(base, taken=lambda s: others.filter(slug=s).exists())

    @property
    def hours(self):
        """The event's length in hours: a volunteer's default hours."""
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 1)

    @property
    def seats_left(self):
        """Needs with_seats()."""
        return max(self.capacity - self.seats_taken, 0)

    @property
    def theme(self):
        """
        The accent of the event's first garden, or leaf green. No query once
        gardens are prefetched (prefetch_related("gardens")).
        """
        gardens = self.gardens.all()
        return gardens[0].theme if gardens else "leaf"

    @property
    def organiser_phone_dial(self):
        """organiser_phone as a tel: link dials it: digits and a leading +."""
        phone = self.organiser_phone.strip()
        digits = "".join(c for c in phone if c.isdigit())
        return f"+{digits}" if phone.startswith("+") else digits

    def takes_place_on(self, day):
        """Whether the event runs on day, a date in the gardens' time zone."""
        first = timezone.localdate(self.starts_at)
        last = timezone.localdate(self.ends_at)
        return first <= day <= last

    def is_over(self, now=None):
        return self.ends_at < (now or timezone.now())

    def has_started(self, now=None):
        return self.starts_at <= (now or timezone.now())

    def bigger_group_advice(self):
        """
        Where a group of more than MAX_PUBLIC_HEADCOUNT turns: the
        organiser's phone, or else the community office at the meeting
        point. No query.
        """
        if self.organiser_phone:
            text = gettext(
                "For a group of more than {most}, call the organiser: {phone}."
            )
        else:
            text = gettext(
                "For a group of more than {most}, ask the organiser at the "
                "community office of the meeting point: {place}."
            )
        return text.format(
            most=MAX_PUBLIC_HEADCOUNT,
            phone=self.organiser_phone,
            place=self.meeting_point_i18n,
        )

    def headcount_refusal(self):
        """The refusal of a public sign-up of too many people, with the way."""
        limit = gettext("Sign up 1 to {most} people at a time.").format(
            most=MAX_PUBLIC_HEADCOUNT
        )
        return f"{limit} {self.bigger_group_advice()}"

    def signup_state(self, now=None):
        """
        Where sign-up stands at now (default: this moment), a SignupState.

        In this order: DRAFT or CANCELLED by status; OVER once the event
        has ended; NOT_YET before the window opens, CLOSED after it closes
        (both ends belong to the window); within it, WAITLIST when no seat
        is left, else OPEN. Only the last two need seats_taken
        (EventQuerySet.with_seats(), or set by services.sign_up under the
        event's lock). No query.
        """
        now = now or timezone.now()
        if self.status == self.Status.DRAFT:
            return self.SignupState.DRAFT
        if self.status == self.Status.CANCELLED:
            return self.SignupState.CANCELLED
        if self.is_over(now):
            return self.SignupState.OVER
        if now < self.signup_opens_at:
            return self.SignupState.NOT_YET
        if now > self.signup_closes_at:
            return self.SignupState.CLOSED
        if self.seats_left <= 0:
            return self.SignupState.WAITLIST
        return self.SignupState.OPEN

    def figures_summary(self):
        """The event's seats in one line, in people; needs with_signup_figures()."""
        return gettext(
            "Seats taken: {taken} of {capacity} · Waiting: {waiting} · "
            "Checked in: {checked_in} of {taken}"
        ).format(
            taken=self.seats_taken,
            capacity=self.capacity,
            waiting=self.waiting_count,
            checked_in=self.checked_in_count,
        )

    def attendance(self):
        """
        Who came: participants (people checked in) and their volunteer
        hours, a dict.

        Hours are headcount × the sign-up's hours, or the event's length
        where none were recorded (as Signup.volunteer_hours). One query.
        """
        length = Value(Decimal(str(self.hours)), output_field=HOURS)
        return self.signups.attended().aggregate(
            participants=Sum("headcount", default=0),
            hours=Sum(
                F("headcount") * Coalesce("hours", length),
                output_field=HOURS,
                default=Decimal(0),
            ),
        )


class SignupQuerySet(models.QuerySet):
    def attended(self):
        """
        Who came: confirmed sign-ups checked in, whose headcount are an
        event's participants (Event.attendance, events.queries).
        """
        return self.filter(status=Signup.Status.CONFIRMED).filter(CHECKED_IN)

    def active(self):
        return self.filter(
            status__in=[Signup.Status.CONFIRMED, Signup.Status.WAITLISTED]
        )

    def waiting_order(self):
        """Waitlisted sign-ups, first come first served."""
        return self.filter(status=Signup.Status.WAITLISTED).order_by("created_at", "pk")

    def of_phone(self, phone):
        """
        The sign-ups made with phone (+86…), newest first, with their events
        (one query); none for an empty phone. "Find my sign-up" lists them.
        """
        if not phone:
            return self.none()
        return (
            self.filter(phone=phone)
            .select_related("event")
            .order_by("-created_at", "-pk")
        )

    def with_queue(self):
        """
        Annotate where each sign-up stands in its event's queue:
        waiting_ahead (waitlisted sign-ups before it, in waiting_order()) and
        event_seats_taken (its event's confirmed headcount). Two subqueries,
        no further query; Signup.waitlist_position and seats_offered() read
        them.
        """
        ahead = _waiting("event").filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        return self.annotate(
            waiting_ahead=count_of(ahead),
            event_seats_taken=_confirmed_headcount("event"),
        )


class Signup(CleanTextMixin, models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", pgettext_lazy("signup status", "confirmed")
        WAITLISTED = "waitlisted", pgettext_lazy("signup status", "on the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("signup status", "cancelled")

    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        related_name="signups",
        verbose_name=_("event"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        help_text=_("Mainland mobile number, stored as +86…; private."),
    )
    email = models.EmailField(
        _("e-mail"),
        blank=True,
        help_text=_("Optional: where to send the ticket and the reminder; private."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        default="zh-hans",
        help_text=_("Messages to the volunteer are written in this language."),
    )
    headcount = models.PositiveSmallIntegerField(_("people"), default=1)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="signups",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    is_group = models.BooleanField(
        _("group booking"),
        default=False,
        help_text=_("Entered by staff for an organisation; name is its leader."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED
    )
    token = models.CharField(
        _("ticket token"), max_length=64, unique=True, default=new_token, editable=False
    )
    # What the ticket's QR code carries, for staff to check the volunteer
    # in: a secret of its own, so that a photographed or forwarded QR code
    # opens no ticket and cancels nothing (the token does both).
    checkin_code = models.CharField(
        _("check-in code"),
        max_length=64,
        unique=True,
        default=new_token,
        editable=False,
    )
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    hours = models.DecimalField(
        _("volunteer hours"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Per person; empty means the event's length."),
    )
    reminder_sent_at = models.DateTimeField(
        _("reminder sent at"), null=True, blank=True
    )

    objects = SignupQuerySet.as_manager()
    # Full-width digits typed in Chinese are the digits (tongyun.lib.text).
    compatibility_fields = ("phone",)
    # The ticket's token and the check-in code are secret links: never
    # copied into the history.
    history = HistoricalRecords(
        verbose_name=_("sign-up history record"),
        verbose_name_plural=_("sign-up history"),
        excluded_fields=["token", "checkin_code"],
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        permissions = [
            # Volunteers' phones and e-mails in SignupAdmin (its
            # personal_data_permission); artworks has a permission of its own.
            (
                "view_personal_data",
                _("Can see full phone numbers of volunteers"),
            ),
        ]
        constraints = [
            # One active sign-up per phone per event; services.sign_up turns
            # the clash into a plain "already signed up" message.
            models.UniqueConstraint(
                fields=["event", "phone"],
                condition=Q(status__in=["confirmed", "waitlisted"]) & ~Q(phone=""),
                name="events_signup_one_active_per_phone",
            ),
            models.CheckConstraint(
                condition=Q(headcount__gt=0), name="events_signup_headcount_positive"
            ),
        ]
        indexes = [
            # services.promote reads the waiting list in this order.
            models.Index(
                fields=["event", "status", "created_at"], name="events_signup_queue"
            ),
        ]

    def __str__(self):
        return f"{self.name} ×{self.headcount} · {self.event.title}"

    def get_absolute_url(self):
        return reverse("events:ticket", args=[self.token])

    def get_checkin_url(self):
        """The staff's check-in page, which the ticket's QR code opens."""
        return reverse("events:check_in", args=[self.checkin_code])

    @property
    def is_active(self):
        return self.status != self.Status.CANCELLED

    @property
    def holds_seats(self):
        """Whether this is a valid ticket: confirmed (check-in, calendar)."""
        return self.status == self.Status.CONFIRMED

    @property
    def waitlist_position(self):
        """1 for the first in line; None unless waitlisted. Needs with_queue()."""
        if self.status != self.Status.WAITLISTED:
            return None
        return self.waiting_ahead + 1

    def cancel_refusal(self, now=None):
        """
        Why this sign-up may no longer be cancelled at now (default: this
        moment), a ValidationError to raise or show; None while it may be.

        Once checked in, the seat was used; once the event has started,
        freeing a seat would move the waiting list during the event and
        change its attendance. services.cancel refuses with it, by every
        path (ticket, admin); the ticket shows no cancel button then. Needs
        the event; no query.
        """
        if self.checked_in_at is not None:
            return ValidationError(
                gettext(
                    "This sign-up was checked in at the event, so it can no "
                    "longer be cancelled."
                ),
                code="checked_in",
            )
        if self.event.has_started(now):
            return ValidationError(
                gettext(
                    "The event has started, so sign-ups can no longer be cancelled."
                ),
                code="event_started",
            )
        return None

    def seats_offered(self, now=None):
        """
        How many seats this sign-up may take now by lowering its headcount
        (services.take_free_seats), else 0.

        Only the first waiting sign-up of a published event that has not
        started is offered the free seats, and only while they are fewer
        than its headcount (a sign-up that fits is promoted whole instead).
        Needs with_queue() and the event; no query.
        """
        if self.waitlist_position != 1:
            return 0
        event = self.event
        if event.status != Event.Status.PUBLISHED or event.has_started(now):
            return 0
        free = event.capacity - self.event_seats_taken
        return free if 0 < free < self.headcount else 0

    @property
    def volunteer_hours(self):
        """Hours per person: as recorded, else the event's length."""
        return self.hours if self.hours is not None else self.event.hours
