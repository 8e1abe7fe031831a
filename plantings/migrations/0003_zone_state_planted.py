from django.db import migrations


def mark_zones_with_plantings_planted(apps, schema_editor):
    """A zone with plantings is planted: fix the zones recorded otherwise."""
    Zone = apps.get_model("gardens", "Zone")
    Planting = apps.get_model("plantings", "Planting")
    planted = Planting.objects.values("zone")
    Zone.objects.filter(pk__in=planted).exclude(state="planted").update(
        state="planted"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("gardens", "0002_species_latin_optional"),
        ("plantings", "0002_planting_event"),
    ]

    operations = [
        migrations.RunPython(
            mark_zones_with_plantings_planted, migrations.RunPython.noop
        ),
    ]
