"""
Change history in the admin (tongyun.lib.history records it): each object's
own history page, and the read-only lists of every change of a model that
the street office searches by staff member, kind of change and date.

Both show, for each change, when, who (no one for a visitor or a command,
whose reason is shown instead), what kind, and each field changed, old →
new. Phones and e-mail addresses (PERSONAL_FIELDS) are masked unless the
user may see personal data.
"""

import datetime as dt

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.utils import (
    get_history_manager_for_model,
    get_m2m_reverse_field_name,
)

from tongyun.lib import phones
from tongyun.lib.admin import ReadOnlyAdminMixin
from tongyun.lib.history import VERBOSE_NAMES

# The fields shown masked to those who may not see personal data, where a
# model has them (Signup: both; Artwork: the phone).
PERSONAL_FIELDS = ("phone", "email")
EMPTY = "—"


# --- What changed ----------------------------------------------------------


def foreign_keys(model):
    """The names of the foreign keys a historical model copies."""
    return [
        field.name
        for field in model.tracked_fields
        if isinstance(field, models.ForeignKey)
    ]


def with_related(records, *more):
    """
    records with the objects their foreign keys name, and more, in the
    same query. (simple-history's own way calls select_related() with no
    argument for a model with no foreign key, which Django 6.1 deprecates.)
    """
    related = [*foreign_keys(records.model), *more]
    return records.select_related(*related) if related else records


def with_previous(records):
    """
    records (a queryset of historical records) annotated with previous_id:
    the history_id of the record just before each, of the same object, or
    None for its first. A subquery: no query more.
    """
    model = records.model
    pk = model.instance_type._meta.pk.attname
    earlier = (
        model._default_manager.filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("pk")),
            **{pk: OuterRef(pk)},
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return records.annotate(previous_id=Subquery(earlier))


def mask(field_name, value):
    """A personal value as those who may not see personal data see it."""
    if field_name == "phone":
        return phones.for_staff(value, full=False)
    local, at, domain = value.partition("@")
    return f"{local[:1]}***{at}{domain}"


def value_shower(*, full):
    """
    show(field, value): a field's value as the history shows it, for a
    user who may see personal data in full or not. Reads no relation that
    is not loaded already.
    """

    def show(field, value):
        if isinstance(value, list):  # many-to-many: the related objects
            return ", ".join(map(related, value)) or EMPTY
        if isinstance(value, models.Model | DeletedObject):
            return related(value)
        if value is None or value == "":
            return EMPTY
        if field.name in PERSONAL_FIELDS:
            if not full:
                return mask(field.name, value)
            if field.name == "phone":
                return phones.format_phone(value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, dt.datetime):
            return formats.localize(timezone.template_localtime(value))
        return Truncator(formats.localize(value)).chars(100)

    return show


def related(obj):
    """A related object by its label, or a deleted one by its number."""
    if isinstance(obj, DeletedObject):
        return gettext("deleted {thing} #{pk}").format(
            thing=obj.model._meta.verbose_name, pk=obj.pk
        )
    return str(obj)


def describe(records, *, full):
    """
    Set on each of records (with_previous()) history_changes, what changed
    since the record before, as [(field, old, new)] in words (empty for
    the first); and reason_shown, its reason in the active language.
    Returns records as a list.

    Queries: the records before, with their related objects; the rows of
    each many-to-many field of both. The records must come with their own
    related objects (select_related).
    """
    records = list(records)
    if not records:
        return records
    model = type(records[0])
    history = get_history_manager_for_model(model.instance_type)
    before = history.filter(
        history_id__in={r.previous_id for r in records if r.previous_id}
    )
    before = {record.history_id: record for record in with_related(before)}
    m2m = _many_to_many(model, [*records, *before.values()])
    show = value_shower(full=full)
    for record in records:
        previous = before.get(record.previous_id)
        record.history_changes = (
            [] if previous is None else _changes(previous, record, m2m, show)
        )
        reason = record.history_change_reason
        # Reasons are stored as msgids (tongyun.lib.history).
        record.reason_shown = gettext(reason) if reason else ""
    return records


def _many_to_many(model, records):
    """{(field name, history_id): sorted related objects} for records."""
    ids = [record.history_id for record in records]
    found = {}
    for field in model._history_m2m_fields:
        target = get_m2m_reverse_field_name(field)
        rows = getattr(model, field.name).model._default_manager.filter(history__in=ids)
        related_model = field.related_model
        for row in rows.select_related(target).order_by(f"{target}_id"):
            key = (field.name, row.history_id)
            pk = getattr(row, f"{target}_id")
            obj = getattr(row, target) or DeletedObject(related_model, pk)
            found.setdefault(key, []).append(obj)
    return found


def _changes(previous, record, m2m, show):
    names = [field.name for field in record._history_m2m_fields]
    delta = record.diff_against(
        previous, excluded_fields=names, foreign_keys_are_objs=True
    )
    opts = record.instance_type._meta
    changes = [(opts.get_field(c.field), c.old, c.new) for c in delta.changes]
    for name in names:
        old = m2m.get((name, previous.history_id), [])
        new = m2m.get((name, record.history_id), [])
        if old != new:
            changes.append((opts.get_field(name), old, new))
    return [
        (capfirst(field.verbose_name), show(field, old), show(field, new))
        for field, old, new in changes
    ]


def history_label(record):
    """
    The object's label (its __str__) as it was at record, read from the
    record and the related objects selected with it: no query when they
    are. An object whose related row is gone is named by its number.
    """
    obj = record.history_object
    for field in record.tracked_fields:
        own = record._meta.get_field(field.name)
        if isinstance(field, models.ForeignKey) and own.is_cached(record):
            field.set_cached_value(obj, own.get_cached_value(record))
    try:
        return str(obj)
    except (AttributeError, ObjectDoesNotExist):
        return f"{capfirst(obj._meta.verbose_name)} #{obj.pk}"


# --- An object's own history ----------------------------------------------


class HistoryAdminMixin(SimpleHistoryAdmin):
    """
    A model admin whose objects show their history: the change page's
    History button lists each change (tongyun.lib.history_admin).

    The page shows what the change page would: an object this user's
    get_queryset() leaves out is a 404, and has_view_permission(request,
    obj) (or change) must allow it, so that however an admin narrows
    either, its history follows. Nothing is reverted or edited from the
    history: the services must make every change.

    Phones and e-mails (PERSONAL_FIELDS) are masked unless
    shows_personal_data(request) (as PhoneAdminMixin has it) says the user
    may see them in full.
    """

    object_history_list_template = "admin/history/object_history_list.html"

    def history_view(self, request, object_id, extra_context=None):
        pk = unquote(object_id)
        try:
            self.model._meta.pk.to_python(pk)
        except ValidationError:
            raise Http404 from None
        # simple-history shows an object the queryset leaves out from its
        # last record: right for a deleted object, not for a live one that
        # this user may not reach.
        if (
            self.get_object(request, pk) is None
            and self.model._default_manager.filter(pk=pk).exists()
        ):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A past version's form would show personal data unmasked, and its
        # POST saves the object past the services (whatever
        # SIMPLE_HISTORY_REVERT_DISABLED hides).
        raise Http404

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        records = history_manager.filter(**{pk_name: object_id})
        return with_previous(with_related(records, "history_user"))

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        describe(historical_records.object_list, full=self._full(request))

    def _full(self, request):
        shows = getattr(self, "shows_personal_data", None)
        return bool(shows and shows(request))


# --- Every change of a model ----------------------------------------------


class HistoryListAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """
    The list of every change of one model (an admin of its historical
    model): when, which object, who, what kind, why and what changed;
    filtered by staff member, kind and date, searched by the object's
    label (search_fields). Read-only: nobody adds, changes or deletes a
    record, and no record opens on a page of its own.

    Only users holding the historical model's view permission (e.g.
    events.view_historicalsignup, given to street-office staff) see it.
    Personal fields are masked unless the user holds
    personal_data_permission.
    """

    list_display = [
        "changed_at",
        "object_label",
        "staff_member",
        "change",
        "reason",
        "what_changed",
    ]
    list_display_links = None
    # Only the staff members who changed something; "-": a visitor or a
    # command.
    list_filter = [
        ("history_user", admin.RelatedOnlyFieldListFilter),
        "history_type",
    ]
    date_hierarchy = "history_date"
    actions = None
    # Counting a long history twice per page is one count too many.
    show_full_result_count = False
    # Relations the object's label reads beyond the model's own foreign keys.
    label_related = []
    # "app_label.codename" unveiling the personal fields; None: never.
    personal_data_permission = None

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view(self.changelist_view)
        return [path("", view, name="{}_{}_changelist".format(*info))]

    def has_view_permission(self, request, obj=None):
        codename = get_permission_codename("view", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def shows_personal_data(self, request):
        permission = self.personal_data_permission
        return bool(permission and request.user.has_perm(permission))

    def get_queryset(self, request):
        records = with_related(
            super().get_queryset(request), "history_user", *self.label_related
        )
        return with_previous(records)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.result_list = describe(
            changelist.result_list, full=self.shows_personal_data(request)
        )
        return changelist

    @admin.display(description=VERBOSE_NAMES["history_date"], ordering="history_date")
    def changed_at(self, record):
        return record.history_date

    @admin.display(description=_("changed object"))
    def object_label(self, record):
        return history_label(record)

    @admin.display(description=VERBOSE_NAMES["history_user"], ordering="history_user")
    def staff_member(self, record):
        user = record.history_user
        return user.get_username() if user else EMPTY

    @admin.display(description=VERBOSE_NAMES["history_type"], ordering="history_type")
    def change(self, record):
        return record.get_history_type_display()

    @admin.display(description=VERBOSE_NAMES["history_change_reason"])
    def reason(self, record):
        return record.reason_shown or EMPTY

    @admin.display(description=_("what changed"))
    def what_changed(self, record):
        if not record.history_changes:
            return EMPTY
        items = format_html_join(
            "",
            "<li><strong>{}:</strong> {} → {}</li>",
            record.history_changes,
        )
        return format_html('<ul class="history-changes">{}</ul>', items)
