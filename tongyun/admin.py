"""
The admin index's work queue, composed in the site layer from each app's
own queries (the site is tongyun.sites.StaffSite), and the record of
exports of personal data.
"""

import datetime as dt

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from artworks.models import ARTWORK_PATH, Artwork
from events.admin.event import checkin_url
from events.models import EVENT_PATH, Event, Signup
from feedback.admin import SuggestionAdmin
from feedback.models import RESPONSE_DAYS, SUGGESTION_PATH, Suggestion
from gardens.access import communities_of, related_path, scoped

from .lib.admin import ReadOnlyAdminMixin
from .models import ExportRecord, SuggestionOutcome


def work_queue(*, user, today=None):
    """
    What waits for staff: works to review, suggestions not yet answered
    (and how many of them are past the promised RESPONSE_DAYS), events with
    people on their waiting lists, and today's events, of user's
    communities. Four queries, whatever the data (and, for community staff,
    one for their communities).
    """
    today = today or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    end = start + dt.timedelta(days=1)
    pending = Artwork.Status.PENDING
    works = scoped(Artwork.objects.filter(status=pending), user, ARTWORK_PATH)
    works = works.count()
    new = Suggestion.Status.NEW
    due = timezone.now() - dt.timedelta(days=RESPONSE_DAYS)
    suggestions = scoped(
        Suggestion.objects.filter(status=new), user, SUGGESTION_PATH
    ).aggregate(
        waiting=Count("pk"), overdue=Count("pk", filter=Q(submitted_at__lt=due))
    )
    events = scoped(Event.objects.all(), user, EVENT_PATH)
    waiting = (
        events.upcoming()
        .with_signup_figures()
        .filter(waiting_count__gt=0)
        .order_by("starts_at")
    )
    todays = (
        events.filter(starts_at__lt=end, ends_at__gte=start)
        .exclude(status=Event.Status.DRAFT)
        .with_signup_figures()
        .order_by("starts_at")
    )
    waitlisted = {"status__exact": Signup.Status.WAITLISTED}
    return {
        "works_waiting": works,
        "works_url": reverse("admin:artworks_artwork_changelist")
        + "?"
        + urlencode({"status__exact": pending}),
        "suggestions_waiting": suggestions["waiting"],
        "suggestions_overdue": suggestions["overdue"],
        "suggestions_url": reverse("admin:feedback_suggestion_changelist")
        + "?"
        + urlencode({"status__exact": new}),
        "waiting_lists": [
            (event, f"{checkin_url(event)}&{urlencode(waitlisted)}")
            for event in waiting
        ],
        "todays_events": [(event, checkin_url(event)) for event in todays],
    }


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who took residents' personal data out, and when: read only."""

    list_display = ["exported_at", "user", "kind", "subject", "rows", "file_format"]
    list_filter = ["user", "kind", "exported_at"]
    list_select_related = ["user"]
    date_hierarchy = "exported_at"
    search_fields = ["subject", "user__username"]


class SuggestionOutcomeInline(admin.TabularInline):
    """
    What answered a suggestion: a planting or an event, picked from those
    the staff member's communities reach (the pickers, and the choices the
    form accepts, are scoped as their own admins are).
    """

    model = SuggestionOutcome
    extra = 0
    autocomplete_fields = ["planting", "event"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and communities_of(request.user) is not None:
            path = related_path(self.admin_site, db_field.related_model)
            field.queryset = scoped(field.queryset, request.user, path)
        return field


@admin.register(Suggestion)
class SiteSuggestionAdmin(SuggestionAdmin):
    """feedback's suggestion admin, with what answered each suggestion."""

    inlines = [SuggestionOutcomeInline]
