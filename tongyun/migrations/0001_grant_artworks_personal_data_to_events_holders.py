"""
Staff who saw submitters' whole phones through the events app's permission
keep seeing them through the artworks app's own, so nobody loses access on
upgrade. Later grants of either permission are independent.

A migration of the site layer: it knows both apps, which do not know each
other (DESIGN §3).
"""

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_view_personal_data_to_events_holders(apps, schema_editor):
    """
    Give artworks.view_personal_data to every user and group that holds
    events.view_personal_data.

    Creates the artworks app's permission rows first: they are otherwise
    created only after all migrations ran. A new database has no holder of
    the events permission yet and needs nothing more.
    """
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("artworks")
    # Historical app configs have no models module, which create_permissions
    # takes for an app without models.
    stub = getattr(app_config, "models_module", None) is None
    if stub:
        app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        if stub:
            app_config.models_module = None

    Permission = apps.get_model("auth", "Permission")
    held = Permission.objects.using(using).filter(
        content_type__app_label="events", codename="view_personal_data"
    ).first()
    if held is None:
        return
    granted = Permission.objects.using(using).get(
        content_type__app_label="artworks", codename="view_personal_data"
    )
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Group = apps.get_model("auth", "Group")
    for m2m in (
        User._meta.get_field("user_permissions"),
        Group._meta.get_field("permissions"),
    ):
        through = m2m.remote_field.through
        holder = m2m.m2m_column_name()
        holders = through.objects.using(using).filter(permission=held)
        through.objects.using(using).bulk_create(
            [
                through(**{holder: pk, "permission": granted})
                for pk in holders.values_list(holder, flat=True)
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("artworks", "0002_artwork_view_personal_data_permission"),
        # The migration that declared events.view_personal_data.
        ("events", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            grant_view_personal_data_to_events_holders,
            # Taking the grants back could remove ones given since.
            migrations.RunPython.noop,
        ),
    ]
