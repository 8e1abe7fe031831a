"""
The roles take the feedback app's permissions (tongyun.roles): street staff
all of them, community staff their suggestions to answer and the survey to
read, viewers every view_* but the residents' phones.
"""

from django.db import migrations

from tongyun.roles import sync_roles


def update_roles(apps, schema_editor):
    sync_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("tongyun", "0005_suggestion_outcome"),
        ("feedback", "0002_suggestion_species"),
    ]

    operations = [
        migrations.RunPython(update_roles, migrations.RunPython.noop),
    ]
