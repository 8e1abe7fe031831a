"""
The site layer's own data: one-time codes that prove a phone is one's own,
the record of exports of personal data, and what answered a suggestion
(it links apps that may not know each other).

A row per code sent, never the code or the phone themselves: both are kept
as keyed hashes (HMAC with SECRET_KEY), so the table tells nobody which
numbers asked, nor lets anyone log in with what it holds. Rows live in the
database, not in a process's memory, so that any host can check a code
that another sent. tongyun.services writes and checks them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Wrong tries after which a code is dead (tongyun.services.check_code).
MAX_TRIES = 5


class PhoneCodeQuerySet(models.QuerySet):
    def for_phone(self, phone_digest):
        return self.filter(phone_digest=phone_digest)

    def usable(self, now):
        """Codes neither used, expired, nor tried too often."""
        return self.filter(
            used_at__isnull=True, expires_at__gt=now, failed_tries__lt=MAX_TRIES
        )


class PhoneCode(models.Model):
    phone_digest = models.CharField(_("phone (hashed)"), max_length=64)
    code_digest = models.CharField(_("code (hashed)"), max_length=64)
    salt = models.CharField(_("salt"), max_length=32)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    failed_tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    objects = PhoneCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            # services.send_code counts a phone's codes of the last hour;
            # services.check_code takes its newest.
            models.Index(
                fields=["phone_digest", "created_at"], name="tongyun_code_phone"
            ),
        ]

    def __str__(self):
        return f"code {self.pk}"


class ExportRecord(models.Model):
    """
    One export of residents' personal data from the admin: who, when, of
    what (an event's sign-ups, a call's works) and how many rows. Written by
    tongyun.services.record_export when an app announces an export
    (tongyun.lib.signals.personal_data_exported); never changed by hand.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="export_records",
        verbose_name=_("staff member"),
    )
    exported_at = models.DateTimeField(_("exported at"), auto_now_add=True)
    # What was exported, as its admin names it ("sign-ups", "artworks").
    kind = models.CharField(_("data exported"), max_length=100)
    # The event or call the rows belong to, or empty for a whole list.
    subject = models.CharField(_("of"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    file_format = models.CharField(_("file format"), max_length=10)
    filters = models.CharField(_("filters of the list"), max_length=500, blank=True)

    class Meta:
        ordering = ["-exported_at"]
        verbose_name = _("export of personal data")
        verbose_name_plural = _("exports of personal data")

    def __str__(self):
        return f"{self.user} · {self.kind} · {self.exported_at:%Y-%m-%d %H:%M}"


class SuggestionOutcome(models.Model):
    """
    What answered a resident's suggestion: a planting or an event. It lives
    in the site layer because feedback sits beside events and below
    plantings (DESIGN §3) and may know neither; the board and the status
    page, composed here, show it as a link.
    """

    suggestion = models.ForeignKey(
        "feedback.Suggestion",
        on_delete=models.CASCADE,
        related_name="outcomes",
        verbose_name=_("suggestion"),
    )
    planting = models.ForeignKey(
        "plantings.Planting",
        on_delete=models.PROTECT,
        related_name="suggestion_outcomes",
        null=True,
        blank=True,
        verbose_name=_("planting"),
    )
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.PROTECT,
        related_name="suggestion_outcomes",
        null=True,
        blank=True,
        verbose_name=_("event"),
    )

    class Meta:
        verbose_name = _("what answered it")
        verbose_name_plural = _("what answered it")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(planting__isnull=False, event__isnull=True)
                    | models.Q(planting__isnull=True, event__isnull=False)
                ),
                name="tongyun_outcome_is_a_planting_or_an_event",
                violation_error_message=_("Choose a planting or an event, not both."),
            ),
        ]

    def __str__(self):
        return str(self.planting or self.event)

    def get_absolute_url(self):
        """The public page of what answered: the event, or the zone planted."""
        if self.event_id:
            return self.event.get_absolute_url()
        return self.planting.zone.get_absolute_url()
