"""
Street staff read the background tasks' results (django_tasks_db) in the
admin: which message went out, which failed and why (tongyun.roles).
"""

from django.db import migrations

from tongyun.roles import sync_roles


def update_roles(apps, schema_editor):
    sync_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("tongyun", "0006_feedback_roles"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(update_roles, migrations.RunPython.noop),
    ]
