"""
Staff run planting days here: events, check-in lists, group bookings, exports.

Every change to who holds a seat goes through events.services under the
event's lock: raising capacity promotes the waiting list, a group booking is
services.sign_up(is_group=True), cancelling is services.cancel. Django's
admin runs each change form in one transaction, so a lock a form takes in
clean() is held until the object is saved.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.forms import ExportForm

from tongyun.lib import phones
from tongyun.lib.admin import PhoneAdminMixin
from tongyun.lib.spreadsheets import CSV, XLSX

from . import notify, services
from .models import Event, Organisation, Signup
from .resources import SignupResource

EVENT_FILTER = "event__id__exact"
# Actions offered on the check-in list and on one sign-up's page.
BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]
BUSY = _("Many people are signing up for this event right now; try again in a moment.")


def _at_least_one(field):
    field.validators.append(MinValueValidator(1))
    field.widget.attrs["min"] = 1


def _lock(event_id):
    """services.lock_event, with Busy as a form error."""
    try:
        # A savepoint: on PostgreSQL a lock timeout would otherwise abort the
        # admin's transaction, and the form with the error could not render.
        with transaction.atomic():
            return services.lock_event(event_id)
    except services.Busy:
        raise ValidationError(BUSY, code="busy") from None


def checkin_url(event):
    return reverse("admin:events_signup_changelist") + f"?{EVENT_FILTER}={event.pk}"


def with_figures(events):
    """
    Events with seats_taken, signup_count (active sign-ups), waiting_count
    and checked_in_count (people): one subquery and one join to sign-ups.
    """
    confirmed = Q(signups__status=Signup.Status.CONFIRMED)
    waiting = Q(signups__status=Signup.Status.WAITLISTED)
    checked_in = confirmed & Q(signups__checked_in_at__isnull=False)
    return events.with_seats().annotate(
        signup_count=Count("signups", filter=confirmed | waiting),
        waiting_count=Sum("signups__headcount", filter=waiting, default=0),
        checked_in_count=Sum("signups__headcount", filter=checked_in, default=0),
    )


def figures(event):
    """An event's seats in one line, in people; needs with_figures()."""
    return gettext(
        "Seats taken: {taken} of {capacity} · Waiting: {waiting} · "
        "Checked in: {checked_in} of {taken}"
    ).format(
        taken=event.seats_taken,
        capacity=event.capacity,
        waiting=event.waiting_count,
        checked_in=event.checked_in_count,
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en"]


# --- Events ---------------------------------------------------------------


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title",
            "title_en",
            "slug",
            "kind",
            "status",
            "gardens",
            "starts_at",
            "ends_at",
            "meeting_point",
            "meeting_point_en",
            "capacity",
            "signup_opens_at",
            "signup_closes_at",
            "description",
            "description_en",
            "seedling_goal",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "capacity" in self.fields:
            _at_least_one(self.fields["capacity"])

    def clean(self):
        data = super().clean()
        # Say plainly what the database constraints would refuse.
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error(
                "ends_at",
                ValidationError(
                    _("The event must end after it starts."), code="ends_early"
                ),
            )
        opens, closes = data.get("signup_opens_at"), data.get("signup_closes_at")
        if opens and closes and closes <= opens:
            self.add_error(
                "signup_closes_at",
                ValidationError(
                    _("Sign-up must close after it opens."), code="closes_early"
                ),
            )
        elif closes and ends and closes > ends:
            self.add_error(
                "signup_closes_at",
                ValidationError(
                    _("Sign-up must close by the time the event ends."),
                    code="closes_late",
                ),
            )
        capacity = data.get("capacity")
        if self.instance.pk and capacity is not None:
            # Hold the event until it is saved: no sign-up may be confirmed
            # between this count and the new capacity.
            event = _lock(self.instance.pk)
            taken = services.seats_taken(event)
            if capacity < taken:
                message = gettext(
                    "{taken} people are confirmed already, so the capacity cannot "
                    "be lower than {taken}. Cancel sign-ups first if fewer can come."
                ).format(taken=taken)
                self.add_error(
                    "capacity", ValidationError(message, code="below_confirmed")
                )
        return data


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
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
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["gardens"]
    readonly_fields = ["signup_figures"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "gardens"]}),
        (_("When and where"), {"fields": ["starts_at", "ends_at", "meeting_point"]}),
        (
            _("Sign-up"),
            {
                "fields": [
                    "capacity",
                    "signup_opens_at",
                    "signup_closes_at",
                    "signup_figures",
                ]
            },
        ),
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
        return with_figures(super().get_queryset(request))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "slug":
            field.help_text = _(
                "The event's web address, e.g. planting-day-2025: filled in from "
                "the English title (under “English version”)."
            )
        return field

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # EventForm.clean() locked the event; this keeps the lock explicit
        # should the form ever change.
        services.lock_event(obj.pk)
        super().save_model(request, obj, form, change)
        if obj.status != Event.Status.PUBLISHED:
            return None
        # More seats: confirm who now fits from the waiting list.
        promoted = services.promote(obj)
        for signup in promoted:
            # robust: one failed message neither stops the others nor turns
            # the saved change into an error page.
            transaction.on_commit(
                lambda signup=signup: notify.promoted(signup), robust=True
            )
        if promoted:
            count = len(promoted)
            self.message_user(
                request,
                ngettext(
                    "{count} sign-up moved up from the waiting list and will be told.",
                    "{count} sign-ups moved up from the waiting list and will be told.",
                    count,
                ).format(count=count),
                messages.SUCCESS,
            )
        return None

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
            figures(event),
            checkin_url(event),
            gettext("Check-in list"),
        )


# --- Sign-ups -------------------------------------------------------------


class CheckedInFilter(admin.SimpleListFilter):
    title = _("checked in")
    parameter_name = "checked_in"

    def lookups(self, request, model_admin):
        return [
            ("yes", pgettext_lazy("checked in", "Yes")),
            ("no", pgettext_lazy("checked in", "No")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(checked_in_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(checked_in_at__isnull=True)
        return queryset


class PhoneFormMixin:
    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return phones.normalise_mobile(phone) if phone else ""


class SignupForm(PhoneFormMixin, forms.ModelForm):
    """Changes that leave seats alone: status and headcount are read-only."""

    class Meta:
        model = Signup
        fields = [
            "name",
            "organisation",
            "phone",
            "email",
            "language",
            "checked_in_at",
            "hours",
        ]


class GroupBookingForm(PhoneFormMixin, forms.ModelForm):
    """
    A staff booking for an organisation, made by services.sign_up.

    clean() books the seats (under the event's lock, in the admin's
    transaction) and makes the new sign-up this form's instance, so that
    saving writes nothing more. A group that does not fit, or a busy event,
    is a form error and nothing is saved.
    """

    class Meta:
        model = Signup
        fields = ["event", "organisation", "name", "headcount", "phone"]
        labels = {"name": _("group leader"), "headcount": _("people in the group")}
        help_texts = {
            "phone": _("Optional: the leader's mainland mobile number; private."),
        }

    # The service's refusals, shown beside the field they are about.
    ERROR_FIELDS = {
        "event_closed": "event",
        "phone_taken": "phone",
        "group_too_big": "headcount",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.fields["event"]
        event.queryset = Event.objects.published().upcoming()
        event.label_from_instance = lambda e: (
            f"{e.title} · {timezone.localtime(e.starts_at):%Y-%m-%d %H:%M}"
        )
        self.fields["organisation"].required = True
        _at_least_one(self.fields["headcount"])

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            signup = services.sign_up(
                event=data["event"],
                name=data["name"],
                phone=data["phone"],
                headcount=data["headcount"],
                organisation=data["organisation"],
                is_group=True,
            )
        except services.Busy:
            raise ValidationError(BUSY, code="busy") from None
        except ValidationError as error:
            self.add_error(self.ERROR_FIELDS.get(error.code), error)
            return data
        self.instance = signup
        return data


class HoursForm(forms.ModelForm):
    """The check-in list's hours cell, showing the event's length when empty."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "hours" in self.fields:
            self.fields["hours"].widget.attrs["placeholder"] = self.instance.event.hours


@admin.register(Signup)
class SignupAdmin(PhoneAdminMixin, ExportMixin, admin.ModelAdmin):
    personal_data_permission = "events.view_personal_data"
    form = SignupForm
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

    # Export only: sign-ups are made through services.sign_up. The Export
    # button takes the list's filters (an event's check-in list exports that
    # event). ExportActionMixin is left out: its get_actions() lacks Django
    # 6.1's action_location argument, a deprecation warning on every list.
    resource_classes = [SignupResource]
    export_formats = [CSV, XLSX]
    export_form_class = ExportForm
    to_encoding = "utf-8-sig"  # with a BOM, so that Excel reads Chinese right

    READONLY_ON_CHANGE = [
        "event",
        "is_group",
        "headcount",
        "status",
        "created_at",
        "cancelled_at",
        "reminder_sent_at",
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
        if db_field.name == "language":
            return forms.ChoiceField(
                choices=settings.LANGUAGES,
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
            )
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
        if obj is None:
            kwargs["form"] = GroupBookingForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    None,
                    {"fields": ["event", "organisation", "name", "headcount", "phone"]},
                )
            ]
        if self.shows_personal_data(request):
            contact = ["phone", "email", "language"]
        else:
            contact = ["masked_phone", "masked_email", "language"]
        return [
            (
                None,
                {
                    "fields": [
                        "event",
                        "name",
                        "organisation",
                        "is_group",
                        "headcount",
                        "status",
                    ]
                },
            ),
            (_("Contact"), {"fields": contact}),
            (_("Check-in"), {"fields": ["checked_in_at", "hours"]}),
            (
                _("Record"),
                {"fields": ["created_at", "cancelled_at", "reminder_sent_at"]},
            ),
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
            super().save_model(request, obj, form, change)
        # A new sign-up was saved by services.sign_up in GroupBookingForm.

    def has_delete_permission(self, request, obj=None):
        # Deleting would skip the waiting list; cancel instead.
        return False

    # --- The check-in list

    def filtered_event(self, request):
        """The event whose check-in list this is, with its figures; or None."""
        pk = request.GET.get(EVENT_FILTER, "")
        if not pk.isdigit():
            return None
        return with_figures(Event.objects.filter(pk=pk)).first()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        event = self.filtered_event(request)
        if event is not None:
            extra_context["title"] = gettext("Check-in list: {event}").format(
                event=event.title
            )
            extra_context["checkin_event"] = event
            extra_context["checkin_figures"] = figures(event)
        return super().changelist_view(request, extra_context)

    def get_export_filename(self, request, queryset, file_format):
        event = self.filtered_event(request)
        name = f"signups-{event.slug}" if event else "signups"
        day = timezone.localdate()
        return f"{name}-{day:%Y-%m-%d}.{file_format.get_extension()}"

    # --- Actions

    @admin.action(
        description=_("Mark attended"),
        permissions=["change"],
        location=BOTH,
    )
    def mark_attended(self, request, queryset):
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
        cancelled = promoted = busy = 0
        for signup in queryset.active():
            try:
                promoted += len(services.cancel(signup))
            except services.Busy:
                busy += 1
                continue
            cancelled += 1
        self.message_user(
            request,
            ngettext(
                "{count} sign-up cancelled.", "{count} sign-ups cancelled.", cancelled
            ).format(count=cancelled),
            messages.SUCCESS,
        )
        if promoted:
            self.message_user(
                request,
                ngettext(
                    "{count} sign-up moved up from the waiting list and will be told.",
                    "{count} sign-ups moved up from the waiting list and will be told.",
                    promoted,
                ).format(count=promoted),
                messages.SUCCESS,
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
