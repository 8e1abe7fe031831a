"""
The staff roles as groups: street staff, community staff and viewers, with
the permissions tongyun.roles gives each. A migration of the site layer: it
knows every app's permissions.
"""

from django.db import migrations

from tongyun.roles import sync_roles


def create_roles(apps, schema_editor):
    sync_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tongyun", "0003_export_record"),
        ("gardens", "0003_staff_membership"),
        ("plantings", "0005_history"),
        ("events", "0008_history"),
        ("artworks", "0006_history"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
