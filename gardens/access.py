"""
Which communities a staff member reaches (DESIGN §2, §5).

Street-office staff hold gardens.access_all_communities and reach every
community; community staff reach the communities of their StaffMembership
rows, and nothing else. Each app's admin says how its model leads to a
community (CommunityScopedAdmin.community_path); every path to a row — list,
change view by URL, action, autocomplete, filter choices, import, export,
and the public views staff use — goes through reaches() or scoped().
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from tongyun.lib.two_step import passed_second_step

from .models import StaffMembership

ALL_COMMUNITIES = "gardens.access_all_communities"

# How a garden and a zone lead to their community.
GARDEN_PATH = "community"
ZONE_PATH = "garden__community"


def communities_of(user):
    """
    None when user reaches every community, else the frozenset of the ids
    of their communities (empty for a stranger, and for a session that has
    not passed the login's second step). One query the first time for
    community staff; the answer is kept on the user for the request.
    """
    if not user.is_active or not passed_second_step(user):
        return frozenset()
    if user.is_superuser or user.has_perm(ALL_COMMUNITIES):
        return None
    if not hasattr(user, "_community_ids"):
        rows = StaffMembership.objects.filter(user=user).values_list("community_id")
        user._community_ids = frozenset(pk for (pk,) in rows)
    return user._community_ids


def scoped(queryset, user, path):
    """
    The rows of queryset that lead through path ("garden__community") to one
    of user's communities. A path of None marks data every community shares.

    A subquery on the primary key, not a join: a path through a many-to-many
    relation (an event's gardens) would repeat rows and swell the figures
    that the queryset annotates.
    """
    communities = communities_of(user)
    if path is None or communities is None:
        return queryset
    if not communities:
        return queryset.none()
    model = queryset.model
    within = model._base_manager.filter(**{f"{path}__in": communities})
    return queryset.filter(pk__in=within.values("pk"))


def reaches(user, obj, path):
    """Whether user's communities include obj's (through path)."""
    if path is None or communities_of(user) is None:
        return True
    if obj.pk is None:
        return False
    rows = obj.__class__._base_manager.filter(pk=obj.pk)
    return scoped(rows, user, path).exists()


class CommunityScopedAdmin(admin.ModelAdmin):
    """
    A model admin that shows community staff their own communities' rows
    only, on the server: the list, each object's pages (view, change,
    delete, history), actions on posted ids, the autocomplete this admin
    answers, exports of the list, and the choices of its forms and filters.
    """

    # The lookup from this model to gardens.Community; None for data that
    # every community shares (species, organisations).
    community_path = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return scoped(queryset, request.user, self.community_path)

    def get_object(self, request, object_id, from_field=None):
        """
        The object, or None if there is none; PermissionDenied (403) if it
        belongs to another community, rather than the admin's "perhaps it
        was deleted" redirect, which would invite a second try.
        """
        obj = super().get_object(request, object_id, from_field)
        if obj is None and communities_of(request.user) is not None:
            field = self.opts.get_field(from_field) if from_field else self.opts.pk
            try:
                value = field.to_python(object_id)
            except ValidationError:
                return None
            if self.model._base_manager.filter(**{field.attname: value}).exists():
                raise PermissionDenied
        return obj

    def reaches(self, request, obj):
        return obj is None or reaches(request.user, obj, self.community_path)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.reaches(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.reaches(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.reaches(
            request, obj
        )

    # --- Choices: a form offers, and accepts, only rows the user reaches.

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._narrow(db_field, field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._narrow(db_field, field, request)

    def _narrow(self, db_field, field, request):
        if field is None or communities_of(request.user) is None:
            return field
        path = related_path(self.admin_site, db_field.related_model)
        field.queryset = scoped(field.queryset, request.user, path)
        # The step toward the community must be filled in, or the new row
        # would belong to no community of theirs and vanish from their lists.
        if (self.community_path or "").split("__")[0] == db_field.name:
            field.required = True
        return field

    def get_list_filter(self, request):
        """
        Relational filters offer, to community staff, only the choices found
        in their own rows (the names of other communities' gardens stay out).
        """
        filters = super().get_list_filter(request)
        if communities_of(request.user) is None:
            return filters
        return [
            (item, admin.RelatedOnlyFieldListFilter)
            if isinstance(item, str) and is_relation(self.model, item)
            else item
            for item in filters
        ]


def related_path(site, model):
    """The community path of model's admin on site; None if it has none."""
    model_admin = site._registry.get(model)
    return getattr(model_admin, "community_path", None)


def is_relation(model, lookup):
    """Whether lookup ("zone__garden") ends on a relation of model."""
    field = None
    for name in lookup.split("__"):
        field = model._meta.get_field(name)
        if not field.is_relation:
            return False
        model = field.related_model
    return field is not None
