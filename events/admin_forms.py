"""
Forms of the events admin. They only validate: every change to who holds a
seat is made by events.services under the event's lock, called from the
admin's save_model(); a refusal found there comes back to the form through
ServiceAdminMixin and ServiceRefusalForm.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongyun.lib import phones

from . import services
from .models import Event, Signup

BUSY = _("Many people are signing up for this event right now; try again in a moment.")


def _at_least_one(field):
    field.validators.append(MinValueValidator(1))
    field.widget.attrs["min"] = 1


class ServiceRefused(Exception):
    """A service refused in save_model; error is the ValidationError to show."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


class ServiceAdminMixin:
    """
    A model admin whose save_model() saves through a service that decides
    under the event's lock, after the form was valid, and may refuse.

    save_model() raises ServiceRefused (with the refusal, or the busy
    message for services.Busy). It leaves the admin's transaction, which
    rolls back whatever this request wrote; the view then runs once more
    with the refusal given to the form (admin_forms.ServiceRefusalForm),
    which shows it beside its field with what was typed. Nothing is saved,
    and a lock is never held by a form.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            request.service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # A fresh class each call: the refusal stays with this request.
        form.refusal = getattr(request, "service_refusal", None)
        return form

    def call_service(self, service, **kwargs):
        """service(**kwargs), its refusals raised as ServiceRefused."""
        try:
            return service(**kwargs)
        except services.Busy:
            raise ServiceRefused(ValidationError(BUSY, code="busy")) from None
        except ValidationError as error:
            raise ServiceRefused(error) from None


class ServiceRefusalForm(forms.ModelForm):
    """
    An admin form whose object a service saves after the form was valid.

    When the service refuses, ServiceAdminMixin (above) rolls the
    admin's transaction back and validates the form again with the refusal
    set as `refusal` (a class attribute of the form get_form() builds);
    clean() adds it beside the field refusal_fields names for its code, or
    above the form, so that the form shows it with what was typed.
    """

    refusal = None
    refusal_fields = {}

    def clean(self):
        data = super().clean()
        refusal = self.refusal
        if refusal is not None:
            field = self.refusal_fields.get(refusal.code)
            # The form's own check may have found the same thing meanwhile.
            if not self.has_error(field or NON_FIELD_ERRORS, refusal.code):
                self.add_error(field, refusal)
        return data


class EventForm(ServiceRefusalForm):
    """
    An event as staff edit it; services.save_event saves it.

    The date order is the model's constraints' to check (ModelForm
    validates them; Event.constraint_fields keys each refusal by its
    field). A capacity below the confirmed headcount is refused here early
    and unlocked, beside the field; save_event checks it again under the
    event's lock, where it holds.
    """

    refusal_fields = {"below_confirmed": "capacity"}

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
            "organiser_phone",
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

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk and capacity is not None:
            services.check_capacity(event=self.instance, capacity=capacity)
        return capacity


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:
            # One of the site's languages, which messages are written in.
            stored = self.fields["language"]
            self.fields["language"] = forms.ChoiceField(
                choices=settings.LANGUAGES,
                label=stored.label,
                help_text=stored.help_text,
            )


class GroupBookingForm(PhoneFormMixin, ServiceRefusalForm):
    """
    A staff booking for an organisation. The form only validates;
    SignupAdmin.save_model books through services.sign_up(is_group=True),
    whose refusals come back beside their fields (refusal_fields).
    """

    refusal_fields = {
        "event_closed": "event",
        "phone_taken": "phone",
        "group_too_big": "headcount",
    }

    class Meta:
        model = Signup
        fields = ["event", "organisation", "name", "headcount", "phone"]
        labels = {"name": _("group leader"), "headcount": _("people in the group")}
        help_texts = {
            "phone": _("Optional: the leader's mainland mobile number; private."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.fields["event"]
        # Narrow what the admin offers (the user's communities' events), never
        # widen it: gardens.access.CommunityScopedAdmin set it already.
        event.queryset = event.queryset.published().upcoming()
        event.label_from_instance = lambda e: (
            f"{e.title} · {timezone.localtime(e.starts_at):%Y-%m-%d %H:%M}"
        )
        self.fields["organisation"].required = True
        _at_least_one(self.fields["headcount"])


class HoursForm(forms.ModelForm):
    """The check-in list's hours cell, showing the event's length when empty."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "hours" in self.fields:
            self.fields["hours"].widget.attrs["placeholder"] = self.instance.event.hours
