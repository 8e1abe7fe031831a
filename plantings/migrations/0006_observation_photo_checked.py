import gardens.models
import tongyun.lib.images
from django.db import migrations


def recheck_photos(apps, schema_editor):
    """Photos stored before kept the uploaded file's name and metadata (GPS)."""
    model = apps.get_model("plantings", "Observation")
    for path in tongyun.lib.images.recheck_stored_photos(model):
        print(f"\n  Observation photo {path} is not a picture the site takes: unlinked")


class Migration(migrations.Migration):

    dependencies = [
        ("plantings", "0005_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="observation",
            name="photo",
            field=tongyun.lib.images.PhotoField(
                blank=True, upload_to=gardens.models.photo_path, verbose_name="photo"
            ),
        ),
        migrations.RunPython(recheck_photos, migrations.RunPython.noop, elidable=True),
    ]
