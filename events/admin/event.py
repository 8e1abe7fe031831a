"""Events and organisations in the admin (events.admin says how seats change)."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from gardens.access import CommunityScopedAdmin, communities_of
from tongyun.lib.history_admin import HistoryAdminMixin

from .. import services
from ..admin_forms import EventForm, ServiceAdminMixin
from ..models import EVENT_PATH, Event, Organisation

EVENT_FILTER = "event__id__exact"


def checkin_url(event):
    return reverse("admin:events_signup_changelist") + f"?{EVENT_FILTER}={event.pk}"


def promoted_message(count):
    return ngettext(
        "{count} sign-up moved up from the waiting list and will be told.",
        "{count} sign-ups moved up from the waiting list and will be told.",
        count,
    ).format(count=count)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en"]


# --- Events ---------------------------------------------------------------


def whole_event_reached(user, event):
    """
    Whether all of the event's gardens are in user's communities. An event
    shared with another community is read-only to each community's staff:
    its form could not keep the other community's gardens they may not see.
    """
    communities = communities_of(user)
    if communities is None:
        return True
    return not event.gardens.exclude(community__in=communities).exists()


@admin.register(Event)
class EventAdmin(HistoryAdminMixin, ServiceAdminMixin, CommunityScopedAdmin):
    # Community staff see the events at any of their gardens (reaches), and
    # change only those held at their gardens alone (whole_event_reached).
    community_path = EVENT_PATH
    form = EventForm
    list_display = [
        "title",
        "date",
        "status",
        "seats",
        "signup_count",
        "checked_in",
        "checkin_link",
    ]
    list_filter = ["status", "kind", "gardens"]
    search_fields = ["title", "title_en", "slug", "meeting_point"]
    # Explicit: the figures' aggregation drops the model's ordering, and the
    # pickers that choose an event (what answered a suggestion) page by it.
    ordering = ["-starts_at", "pk"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["gardens"]
    readonly_fields = ["signup_figures"]
    SIGNUP_FIELDS = [
        "capacity",
        "signup_opens_at",
        "signup_closes_at",
        "signup_figures",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "gardens"]}),
        (
            _("When and where"),
            {"fields": ["starts_at", "ends_at", "meeting_point", "organiser_phone"]},
        ),
        (_("Sign-up"), {"fields": SIGNUP_FIELDS}),
        (None, {"fields": ["description", "seedling_goal"]}),
        (
            _("English version"),
            {
                "classes": ["collapse"],
                "fields": ["title_en", "meeting_point_en", "description_en"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_signup_figures()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or whole_event_reached(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or whole_event_reached(request.user, obj)
        )

    def save_model(self, request, obj, form, change):
        promoted = self.call_service(services.save_event, event=obj)
        if promoted:
            self.message_user(
                request, promoted_message(len(promoted)), messages.SUCCESS
            )

    @admin.display(description=_("starts at"), ordering="starts_at")
    def date(self, event):
        return f"{timezone.localtime(event.starts_at):%Y-%m-%d %H:%M}"

    @admin.display(description=_("seats taken / capacity"), ordering="seats_taken")
    def seats(self, event):
        return f"{event.seats_taken} / {event.capacity}"

    @admin.display(description=_("sign-ups"), ordering="signup_count")
    def signup_count(self, event):
        return event.signup_count

    @admin.display(description=_("checked in"), ordering="checked_in_count")
    def checked_in(self, event):
        return event.checked_in_count

    @admin.display(description=_("check-in"))
    def checkin_link(self, event):
        return format_html(
            '<a href="{}">{}</a>', checkin_url(event), gettext("Check-in list")
        )

    @admin.display(description=_("sign-ups"))
    def signup_figures(self, event):
        if not event.pk:
            return "—"
        return format_html(
            '{} · <a href="{}">{}</a>',
            event.figures_summary(),
            checkin_url(event),
            gettext("Check-in list"),
        )
