"""
The sign-ups admin: each event's check-in list, group bookings, exports,
and the actions of the day (mark attended, cancel).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.forms import ExportForm

from gardens.access import CommunityScopedAdmin, scoped
from tongyun.lib.admin import PhoneAdminMixin, SpreadsheetExportMixin
from tongyun.lib.history_admin import HistoryAdminMixin
from tongyun.lib.signals import personal_data_exported

from .. import services
from ..admin_forms import GroupBookingForm, HoursForm, ServiceAdminMixin, SignupForm
from ..models import EVENT_PATH, Event, Signup
from ..resources import SignupResource
from .event import EVENT_FILTER, checkin_url, promoted_message

# Actions offered on the check-in list and on one sign-up's page.
BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


class CheckedInFilter(admin.SimpleListFilter):
    title = _("checked in")
    parameter_name = "checked_in"

    def lookups(self, request, model_admin):
        return [
            ("yes", pgettext_lazy("checked in", "Yes")),
            ("no", pgettext_lazy("checked in", "No")),
        ]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(checked_in_at__isnull=self.value() == "no")
        return queryset


@admin.register(Signup)
class SignupAdmin(
    HistoryAdminMixin,
    ServiceAdminMixin,
    PhoneAdminMixin,
    SpreadsheetExportMixin,
    ExportMixin,
    CommunityScopedAdmin,
):
    community_path = f"event__{EVENT_PATH}"
    form = SignupForm
    personal_data_permission = "events.view_personal_data"
    change_list_template = "admin/events/signup/change_list.html"
    list_display = [
        "name",
        "masked_phone",
        "headcount",
        "organisation",
        "status",
        "checked_in_at",
        "hours",
        "event",
    ]
    list_display_links = ["name"]
    list_editable = ["hours"]
    list_filter = ["event", "status", CheckedInFilter, "is_group"]
    list_select_related = ["event", "organisation"]
    search_fields = ["name", "organisation__name"]
    search_help_text = _("A name, an organisation, or the last four digits of a phone.")
    autocomplete_fields = ["organisation"]
    actions = ["mark_attended", "cancel_signups"]
    # The site's page of a sign-up is the volunteer's secret ticket.
    view_on_site = False

    class Media:
        css = {"all": ["events/admin.css"]}

    # Export only: sign-ups are made through services.sign_up. The Export
    # button takes the list's filters (an event's check-in list exports that
    # event). ExportActionMixin is left out: its get_actions() lacks Django
    # 6.1's action_location argument, a deprecation warning on every list.
    resource_classes = [SignupResource]
    export_form_class = ExportForm
    export_template_name = "admin/events/signup/export.html"

    # The change form's fieldsets; who holds a seat is read-only there.
    SEAT_FIELDS = ["event", "name", "organisation", "is_group", "headcount", "status"]
    RECORD_FIELDS = ["created_at", "cancelled_at", "reminder_sent_at"]
    READONLY_ON_CHANGE = [
        *[name for name in SEAT_FIELDS if name not in ("name", "organisation")],
        *RECORD_FIELDS,
        "masked_phone",
        "masked_email",
    ]

    # --- Who sees what

    def get_list_display(self, request):
        phone = "full_phone" if self.shows_personal_data(request) else "masked_phone"
        # An event's check-in list needs no event column.
        event = None if request.GET.get(EVENT_FILTER) else "event"
        return [
            phone if name == "masked_phone" else name
            for name in self.list_display
            if name != "event" or event
        ]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=HoursForm, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "hours":
            # Narrow enough for the check-in list, where it is editable.
            field.widget.attrs.update({"class": "vIntegerField", "step": "0.5"})
        if db_field.name in ("event", "organisation"):
            # A booking form is no place to delete an event or organisation
            # (nor to add or edit an event); a new organisation may be added.
            field.widget.can_delete_related = False
            if db_field.name == "event":
                field.widget.can_add_related = False
                field.widget.can_change_related = False
        return field

    @admin.display(description=_("e-mail"))
    def masked_email(self, signup):
        if not signup.email:
            return "—"
        local, _at, domain = signup.email.partition("@")
        return f"{local[:1]}***@{domain}"

    def get_export_resource_kwargs(self, request, **kwargs):
        kwargs = super().get_export_resource_kwargs(request, **kwargs)
        return {**kwargs, "full_phone": self.shows_personal_data(request)}

    # --- Forms: group booking on add, seats read-only on change

    def get_form(self, request, obj=None, **kwargs):
        form = GroupBookingForm if obj is None else self.form
        return super().get_form(request, obj, form=form, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": GroupBookingForm.Meta.fields})]
        if self.shows_personal_data(request):
            contact = ["phone", "email", "language"]
        else:
            contact = ["masked_phone", "masked_email", "language"]
        return [
            (None, {"fields": self.SEAT_FIELDS}),
            (_("Contact"), {"fields": contact}),
            (_("Check-in"), {"fields": ["checked_in_at", "hours"]}),
            (_("Record"), {"fields": self.RECORD_FIELDS}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.READONLY_ON_CHANGE

    def get_changeform_initial_data(self, request):
        """The event of the check-in list the "add" button was pressed on."""
        initial = super().get_changeform_initial_data(request)
        filters = QueryDict(request.GET.get("_changelist_filters", ""))
        if "event" not in initial and filters.get(EVENT_FILTER):
            initial["event"] = filters[EVENT_FILTER]
        return initial

    def add_view(self, request, form_url="", extra_context=None):
        title = gettext("Add a group booking")
        extra_context = {"title": title, **(extra_context or {})}
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        signup = self.call_service(
            services.sign_up,
            event=obj.event,
            name=obj.name,
            phone=obj.phone,
            headcount=obj.headcount,
            organisation=obj.organisation,
            is_group=True,
        )
        # The admin logs, announces and links the row the service wrote.
        obj.pk = signup.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        # Deleting would skip the waiting list; cancel instead.
        return False

    # --- The check-in list

    def filtered_event(self, request):
        """The event whose check-in list this is, with its figures; or None."""
        pk = request.GET.get(EVENT_FILTER, "")
        if not pk.isdigit():
            return None
        # Another community's event is no check-in list of theirs.
        events = scoped(Event.objects.filter(pk=pk), request.user, EVENT_PATH)
        return events.with_signup_figures().first()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        event = self.filtered_event(request)
        if event is not None:
            extra_context["title"] = gettext("Check-in list: {event}").format(
                event=event.title
            )
            extra_context["checkin_event"] = event
            extra_context["checkin_figures"] = event.figures_summary()
        return super().changelist_view(request, extra_context)

    def init_request_context_data(self, request, form):
        """The export page says which event's sign-ups it exports."""
        context = super().init_request_context_data(request, form)
        event = self.filtered_event(request)
        if event is None:
            context["title"] = gettext("Export sign-ups")
            return context
        context["title"] = gettext("Export sign-ups: {event}").format(event=event.title)
        context["checkin_event"] = event
        context["checkin_url"] = checkin_url(event)
        return context

    def has_export_permission(self, request):
        # A list of volunteers' names is personal data, phones or not.
        return super().has_export_permission(request) and self.shows_personal_data(
            request
        )

    def get_export_data(self, file_format, request, queryset, **kwargs):
        event = self.filtered_event(request)
        personal_data_exported.send(
            sender=Signup,
            user=request.user,
            kind=Signup._meta.verbose_name_plural,
            subject=event.title if event else "",
            rows=queryset.count(),
            file_format=file_format.get_extension(),
            filters=request.GET.urlencode(),
        )
        return super().get_export_data(file_format, request, queryset, **kwargs)

    def export_file_stem(self, request):
        event = self.filtered_event(request)
        return f"signups-{event.slug}" if event else "signups"

    # --- Actions

    @admin.action(
        description=_("Mark attended"),
        permissions=["change"],
        location=BOTH,
    )
    def mark_attended(self, request, queryset):
        """
        Check in the selected sign-ups; when some belong to an event on
        another day than today, a page asks first (its POST carries what
        was posted, with confirm_day=yes).
        """
        today = timezone.localdate()
        events = Event.objects.filter(pk__in=queryset.values("event"))
        elsewhere = [event for event in events if not event.takes_place_on(today)]
        if elsewhere and request.POST.get("confirm_day") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Mark attended on another day?"),
                "opts": self.opts,
                "events": elsewhere,
                "today": today,
                "count": queryset.count(),
                "posted": [
                    (name, value)
                    for name, values in request.POST.lists()
                    if name != "csrfmiddlewaretoken"
                    for value in values
                ],
                "back_url": request.get_full_path(),
            }
            return TemplateResponse(
                request,
                "admin/events/signup/mark_attended_confirmation.html",
                context,
            )
        selected = queryset.count()
        marked = services.mark_attended(queryset)
        self.message_user(
            request,
            ngettext(
                "{count} sign-up marked as attended.",
                "{count} sign-ups marked as attended.",
                marked,
            ).format(count=marked),
            messages.SUCCESS,
        )
        if skipped := selected - marked:
            self.message_user(
                request,
                ngettext(
                    "{count} sign-up left as it was: checked in already, "
                    "on the waiting list or cancelled.",
                    "{count} sign-ups left as they were: checked in already, "
                    "on the waiting list or cancelled.",
                    skipped,
                ).format(count=skipped),
                messages.WARNING,
            )

    @admin.action(
        description=_("Cancel this sign-up (the waiting list moves up)"),
        description_plural=_(
            "Cancel the selected sign-ups (the waiting list moves up)"
        ),
        permissions=["change"],
        location=BOTH,
    )
    def cancel_signups(self, request, queryset):
        """
        Cancel each selected active sign-up through services.cancel, which
        refuses those checked in or whose event has started; say how many
        were cancelled, and how many were left as they were and why.
        """
        cancelled = promoted = busy = 0
        refused = {"checked_in": 0, "event_started": 0}
        for signup in queryset.active().select_related("event"):
            try:
                promoted += len(services.cancel(signup))
            except services.Busy:
                busy += 1
                continue
            except ValidationError as refusal:
                refused[refusal.code] += 1
                continue
            cancelled += 1
        # "0 cancelled" only when nothing below says why.
        if cancelled or not (busy or any(refused.values())):
            self.message_user(
                request,
                ngettext(
                    "{count} sign-up cancelled.",
                    "{count} sign-ups cancelled.",
                    cancelled,
                ).format(count=cancelled),
                messages.SUCCESS,
            )
        if promoted:
            self.message_user(request, promoted_message(promoted), messages.SUCCESS)
        if count := refused["checked_in"]:
            self.message_user(
                request,
                ngettext(
                    "{count} sign-up left as it was: checked in already.",
                    "{count} sign-ups left as they were: checked in already.",
                    count,
                ).format(count=count),
                messages.WARNING,
            )
        if count := refused["event_started"]:
            self.message_user(
                request,
                ngettext(
                    "{count} sign-up left as it was: its event has started.",
                    "{count} sign-ups left as they were: their event has started.",
                    count,
                ).format(count=count),
                messages.WARNING,
            )
        if busy:
            self.message_user(
                request,
                ngettext(
                    "{count} sign-up was not cancelled: its event was busy. Try again.",
                    "{count} sign-ups were not cancelled: their event was busy. "
                    "Try again.",
                    busy,
                ).format(count=busy),
                messages.ERROR,
            )
