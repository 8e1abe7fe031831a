import django.utils.timezone
from django.db import migrations, models

import events.models


def keep_calendar_uids(apps, schema_editor):
    """
    Give every existing event, and its history, the UID its calendar files
    had so far, so that a calendar app that imported one replaces it instead
    of adding a second copy.
    """
    Event = apps.get_model("events", "Event")
    events = list(Event.objects.only("pk"))
    for event in events:
        event.calendar_uid = f"event-{event.pk}@tongyun"
    Event.objects.bulk_update(events, ["calendar_uid"], batch_size=500)
    History = apps.get_model("events", "HistoricalEvent")
    records = list(History.objects.only("history_id", "id"))
    for record in records:
        record.calendar_uid = f"event-{record.id}@tongyun"
    History.objects.bulk_update(records, ["calendar_uid"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0011_signup_checkin_code_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="calendar_uid",
            field=models.CharField(
                default="",
                editable=False,
                max_length=100,
                verbose_name="calendar UID",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="event",
            name="sequence",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="calendar revision"
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True,
                default=django.utils.timezone.now,
                verbose_name="updated at",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="calendar_uid",
            field=models.CharField(
                db_index=True,
                default=events.models.new_calendar_uid,
                editable=False,
                max_length=100,
                verbose_name="calendar UID",
            ),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="sequence",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="calendar revision"
            ),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="updated_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="updated at",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(keep_calendar_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="calendar_uid",
            field=models.CharField(
                default=events.models.new_calendar_uid,
                editable=False,
                max_length=100,
                unique=True,
                verbose_name="calendar UID",
            ),
        ),
    ]
