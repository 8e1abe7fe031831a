"""
The staff roles, as groups of permissions (DESIGN §2).

- street: the street office's staff, everything in the programme, in every
  community, personal data included.
- community: a community's staff run their gardens, planting days and calls
  (gardens.access keeps them to their own community); they see the street
  office's gifts only as the allocations to their zones.
- viewer: reads everything, changes nothing, sees no personal data.

Only street staff read the background tasks' results (TASK_RESULTS).

Accounts themselves (users, groups) stay with the administrator, a
superuser. sync_roles() sets each group's permissions to exactly these; a
data migration calls it, and so must a new one whenever this file changes.
"""

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from gardens.models import StaffMembership

# The apps whose data the roles cover.
APPS = [
    "gardens",
    "plantings",
    "events",
    "artworks",
    "feedback",
    "tongyun",
    "django_tasks_database",  # django_tasks_db's label
]

# Group names are what the administrator sees on a user's page.
GROUPS = {
    "street": "街道工作人员",
    "community": "社区工作人员",
    "viewer": "只读查看人员",
}

ALL_COMMUNITIES = ("gardens", "access_all_communities")

COMMUNITY = {
    ("gardens", "view_community"),
    ("gardens", "view_garden"),
    ("gardens", "change_garden"),
    ("gardens", "view_zone"),
    ("gardens", "add_zone"),
    ("gardens", "change_zone"),
    ("gardens", "delete_zone"),
    ("gardens", "view_species"),
    ("plantings", "view_allocation"),
    ("plantings", "view_planting"),
    ("plantings", "add_planting"),
    ("plantings", "change_planting"),
    ("plantings", "delete_planting"),
    ("plantings", "view_observation"),
    ("plantings", "add_observation"),
    ("plantings", "change_observation"),
    ("plantings", "delete_observation"),
    ("events", "view_organisation"),
    ("events", "add_organisation"),
    ("events", "view_event"),
    ("events", "add_event"),
    ("events", "change_event"),
    ("events", "delete_event"),
    ("events", "view_signup"),
    ("events", "add_signup"),
    ("events", "change_signup"),
    ("events", "view_personal_data"),
    ("artworks", "view_call"),
    ("artworks", "add_call"),
    ("artworks", "change_call"),
    ("artworks", "view_artwork"),
    ("artworks", "change_artwork"),
    ("artworks", "delete_artwork"),
    ("artworks", "view_personal_data"),
    # Their community's suggestions: answer them, and say what answered
    # them; the survey's rounds and answers, to read.
    ("feedback", "view_suggestion"),
    ("feedback", "change_suggestion"),
    ("feedback", "view_surveyround"),
    ("feedback", "view_surveyanswer"),
    ("tongyun", "view_suggestionoutcome"),
    ("tongyun", "add_suggestionoutcome"),
    ("tongyun", "change_suggestionoutcome"),
    ("tongyun", "delete_suggestionoutcome"),
}

# Accounts and the site's own machinery stay with the administrator.
INTERNAL = {"phonecode", "staffmembership"}

# Records of what happened: read, never written by hand.
RECORDS = {"exportrecord"}

# The background tasks' results (django_tasks_db): which message was sent,
# which failed and why. Street staff read them; they span communities and
# show no personal data worth a community's or a viewer's look.
TASK_RESULTS = "dbtaskresult"


def grants(role, app_label, codename, model):
    """Whether role holds the permission codename of model in app_label."""
    if model in INTERNAL:
        return False
    is_record = model in RECORDS or model.startswith("historical")
    if model == TASK_RESULTS:
        return role == "street" and codename.startswith("view_")
    if role == "street":
        return not is_record or codename.startswith("view_")
    if role == "community":
        return (app_label, codename) in COMMUNITY
    if role == "viewer":
        if (app_label, codename) == ALL_COMMUNITIES:
            return True
        personal = codename == "view_personal_data" or model == "signup"
        return codename.startswith("view_") and not personal and not is_record
    raise ValueError(role)


def sync_roles(apps, using="default"):
    """
    Create the role groups if missing and give each exactly its permissions.

    Creates the apps' permission rows first: on a new database they would
    otherwise come only after all migrations ran.
    """
    for app_config in apps.get_app_configs():
        stub = getattr(app_config, "models_module", None) is None
        if stub:
            app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0, using=using)
        finally:
            if stub:
                app_config.models_module = None
    # The migration's models, not today's: they match its database.
    Group = apps.get_model("auth", "Group")  # noqa: N806
    Permission = apps.get_model("auth", "Permission")  # noqa: N806
    permissions = list(
        Permission.objects.using(using)
        .filter(content_type__app_label__in=APPS)
        .select_related("content_type")
    )
    for role, name in GROUPS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(
            [
                permission
                for permission in permissions
                if grants(
                    role,
                    permission.content_type.app_label,
                    permission.codename,
                    permission.content_type.model,
                )
            ]
        )


class RoleError(ValueError):
    """A role or community that make_staff cannot give; says which."""


def make_staff(*, username, role, password, community=None, email=""):
    """
    Create a staff account with role ("street", "community", "viewer") and,
    for community staff, the community (a gardens.Community) it works for.

    Side effects: a user with a usable password (validated by
    AUTH_PASSWORD_VALIDATORS), is_staff, in the role's group; a
    StaffMembership for community staff. All or nothing. Raises RoleError
    for a role without its community or a community without its role, and
    ValidationError for a weak password or a taken username.
    """
    if role not in GROUPS:
        raise RoleError(
            gettext("Unknown role “{role}”: choose one of {roles}.").format(
                role=role, roles=", ".join(GROUPS)
            )
        )
    if role == "community" and community is None:
        raise RoleError(gettext("Community staff need --community: its slug."))
    if role != "community" and community is not None:
        raise RoleError(
            gettext(
                "--community is for community staff only: {role} staff reach "
                "every community."
            ).format(role=role)
        )
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            gettext("A user named “{username}” exists already.").format(
                username=username
            )
        )
    user = User(username=username, email=email, is_staff=True)
    password_validation.validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=GROUPS[role]))
        if community is not None:
            StaffMembership.objects.create(user=user, community=community)
    return user
