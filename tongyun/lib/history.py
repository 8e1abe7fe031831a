"""
Change history: who changed what, as the Personal Information Protection
Law asks the office to record (django-simple-history).

A model's `history = HistoricalRecords(...)` records each save() and
delete(), with the staff member of the request (HistoryRequestMiddleware).
Writes that skip save() (QuerySet.update(), bulk_update(), bulk_create())
go through record_changes(), bulk_update() or bulk_create() here instead,
so that the next recorded change is never blamed for theirs, and so that
the pages showing them leave the page cache (tongyun.lib.pagecache).

A change made on a public page or by a command records no staff member but
a reason: by_visitor(reason) and because(reason) wrap it. Reasons are
English msgids (gettext_noop) stored as they are and translated where the
history is shown.
"""

import contextlib
import contextvars

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Value, When
from django.db.models.functions import Concat, Left
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history import models as simple_history
from simple_history import signals as simple_history_signals
from simple_history import utils

from . import pagecache

# The reason given to changes recorded inside because() or by_visitor().
_reason = contextvars.ContextVar("history_reason", default=None)

# The names of the fields each historical record has.
VERBOSE_NAMES = {
    "history_date": _("changed at"),
    "history_user": _("staff member"),
    "history_type": _("change"),
    "history_change_reason": _("reason"),
}


@contextlib.contextmanager
def because(reason):
    """Record the changes made inside with reason (unless they give theirs)."""
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


@contextlib.contextmanager
def by_visitor(reason):
    """
    Record the changes made inside as a visitor's on a public page: with
    reason and no staff member, even when one is logged in and uses the
    public page like anyone else.
    """
    context = simple_history.HistoricalRecords.context
    request = getattr(context, "request", None)
    if request is not None:
        del context.request
    try:
        with because(reason):
            yield
    finally:
        if request is not None:
            context.request = request


@receiver(simple_history_signals.pre_create_historical_record)
def _give_the_reason(sender, history_instance, **kwargs):
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = _reason.get()


def bulk_update(objs, model, fields, *, reason=None, user=None):
    """
    model.objects.bulk_update(objs, fields), each row's change recorded
    (one insert more) as made by user (default: the request's staff
    member). objs must be whole rows: their history is written from them.
    Returns how many rows were updated.
    """
    updated = utils.bulk_update_with_history(
        objs,
        model,
        fields,
        default_user=user,
        default_change_reason=reason or _reason.get(),
    )
    pagecache.changed(model)
    return updated


def bulk_create(objs, model):
    """model.objects.bulk_create(objs), each new row recorded. Returns them."""
    created = utils.bulk_create_with_history(
        list(objs), model, default_change_reason=_reason.get()
    )
    pagecache.changed(model)
    return created


def record_changes(model, rows, *, reason=None):
    """
    Record rows (whole rows of model, as they are now in the database) as
    changed, after a QuerySet.update() wrote them: one insert.
    """
    rows = list(rows)
    if rows:
        utils.get_history_manager_for_model(model).bulk_history_create(
            rows, update=True, default_change_reason=reason or _reason.get()
        )
        pagecache.changed(model)


# erase_history(): keep the first character of a name, as "张*".
SHORTEN = object()


def erase_history(records, fields):
    """
    Erase personal data from historical records (a queryset of a model's
    history): each field named in fields gets the value given, or for
    SHORTEN its first character and "*", as the sign-ups' purge shortens
    names: ``erase_history(records, {"name": SHORTEN, "phone": ""})``. The
    records themselves stay: who changed what and when is the trail the
    office must keep; whose data it was goes. One update; returns how many
    records were erased.
    """
    changes = {}
    for field, value in fields.items():
        if value is SHORTEN:
            value = Case(
                When(**{field: ""}, then=Value("")),
                default=Concat(Left(field, 1), Value("*")),
            )
        changes[field] = value
    return records.update(**changes)


class HistoricalRecords(simple_history.HistoricalRecords):
    """
    simple-history's HistoricalRecords, whose own fields are named for the
    clerk (the admin's filters and date hierarchy show their names), and
    whose many-to-many fields (m2m_fields) are recorded as one change with
    the save they follow.

    The admin saves an event, then its gardens: simple-history would record
    the save, then each removal and each addition apart. Here a change of
    the relation within the transaction of a save of the same object is
    written into that save's record instead. A change from the other side
    (garden.events.add(event)), on which simple-history fails, is recorded
    for each event it touches.
    """

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        for name, verbose_name in VERBOSE_NAMES.items():
            # As if given to the field: _verbose_name is what its
            # deconstruct() and so the migrations read. (Rebuilding the field
            # from deconstruct() would need the app registry, not ready yet
            # for the user foreign key.)
            extra[name].verbose_name = extra[name]._verbose_name = verbose_name
        return extra

    def create_historical_record(self, instance, history_type, using=None):
        super().create_historical_record(instance, history_type, using)
        if self.m2m_fields:
            # The record just written (by post_create_historical_record
            # below) takes the relation changes of this transaction.
            transaction.on_commit(
                lambda: instance.__dict__.pop("_history_pending", None),
                using=using,
            )

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        if reverse:
            changed = self._reverse_changes(instance, action, attr, pk_set)
        elif action in ("post_add", "post_remove", "post_clear"):
            changed = [instance]
        else:
            changed = []
        for obj in changed:
            if hasattr(obj, "skip_history_when_saving"):
                continue
            record = self._pending_record(obj)
            if record is None:
                self.create_historical_record(obj, "~")
                continue
            for field in record._history_m2m_fields:
                self.m2m_models[field].objects.filter(history=record).delete()
            self.create_historical_record_m2ms(record, obj)

    def _pending_record(self, obj):
        """
        The record of obj's save in this transaction, or None. A record of
        a transaction rolled back stays on obj (on_commit never ran): it
        is not in the database, and not pending.
        """
        record = obj.__dict__.pop("_history_pending", None)
        if record is None or not transaction.get_connection().in_atomic_block:
            return None
        if not type(record)._default_manager.filter(pk=record.pk).exists():
            return None
        obj._history_pending = record
        return record

    def _reverse_changes(self, instance, action, attr, pk_set):
        """The objects of this model that a change from the other side touched."""
        if action == "pre_clear":
            # Who was related is known only before the clear.
            instance._history_clearing = list(
                self.cls.objects.filter(**{attr: instance})
            )
            return []
        if action == "post_clear":
            return instance.__dict__.pop("_history_clearing", [])
        if action in ("post_add", "post_remove"):
            return list(self.cls.objects.filter(pk__in=pk_set))
        return []


@receiver(simple_history_signals.post_create_historical_record)
def _remember_the_record(sender, instance, history_instance, **kwargs):
    if history_instance._history_m2m_fields:
        instance._history_pending = history_instance
