"""
Spreadsheet export of sign-ups, for staff (export only: sign-ups are made
through services.sign_up, never imported).

Column names are the fields' names in the active language: the file is for
people to read. Phones are written in full only for staff who may see
personal data, masked otherwise.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from tongyun.lib import phones

from .models import Signup


def _label(name):
    return Signup._meta.get_field(name).verbose_name


def _local(value):
    """A local time without its zone (spreadsheets have none), or ""."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(tzinfo=None)


class SignupResource(resources.ModelResource):
    event = fields.Field(column_name=_("event"))
    name = fields.Field(attribute="name", column_name=_label("name"))
    phone = fields.Field(column_name=_label("phone"))
    headcount = fields.Field(column_name=_label("headcount"))
    organisation = fields.Field(column_name=_label("organisation"))
    status = fields.Field(column_name=_label("status"))
    created_at = fields.Field(column_name=_label("created_at"))
    checked_in_at = fields.Field(column_name=_label("checked_in_at"))
    hours = fields.Field(column_name=_label("hours"))

    class Meta:
        model = Signup
        fields = [
            "event",
            "name",
            "phone",
            "headcount",
            "organisation",
            "status",
            "created_at",
            "checked_in_at",
            "hours",
        ]

    def __init__(self, *, full_phone=False, **kwargs):
        """full_phone: the user holds events.view_personal_data."""
        super().__init__(**kwargs)
        self.full_phone = full_phone

    def filter_export(self, queryset, **kwargs):
        # Event and organisation come with the sign-ups: one query in all.
        return queryset.select_related("event", "organisation")

    def dehydrate_event(self, signup):
        return signup.event.title

    def dehydrate_phone(self, signup):
        return phones.for_staff(signup.phone, full=self.full_phone)

    def dehydrate_headcount(self, signup):
        return signup.headcount

    def dehydrate_organisation(self, signup):
        return signup.organisation.name if signup.organisation else ""

    def dehydrate_status(self, signup):
        return str(signup.get_status_display())

    def dehydrate_created_at(self, signup):
        return _local(signup.created_at)

    def dehydrate_checked_in_at(self, signup):
        return _local(signup.checked_in_at)

    def dehydrate_hours(self, signup):
        """Hours as recorded; else the event's length once checked in."""
        if signup.hours is None and signup.checked_in_at is None:
            return ""
        return signup.volunteer_hours
