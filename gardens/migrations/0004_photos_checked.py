import gardens.models
import tongyun.lib.images
from django.db import migrations


def recheck_photos(apps, schema_editor):
    """Photos stored before kept the uploaded file's name and metadata (GPS)."""
    for name in ("Garden", "Zone", "Species"):
        model = apps.get_model("gardens", name)
        for path in tongyun.lib.images.recheck_stored_photos(model):
            print(f"\n  {name} photo {path} is not a picture the site takes: unlinked")


class Migration(migrations.Migration):

    dependencies = [
        ("gardens", "0003_staff_membership"),
    ]

    operations = [
        migrations.AlterField(
            model_name="garden",
            name="photo",
            field=tongyun.lib.images.PhotoField(
                blank=True, upload_to=gardens.models.photo_path, verbose_name="photo"
            ),
        ),
        migrations.AlterField(
            model_name="species",
            name="photo",
            field=tongyun.lib.images.PhotoField(
                blank=True, upload_to=gardens.models.photo_path, verbose_name="photo"
            ),
        ),
        migrations.AlterField(
            model_name="zone",
            name="photo",
            field=tongyun.lib.images.PhotoField(
                blank=True, upload_to=gardens.models.photo_path, verbose_name="photo"
            ),
        ),
        migrations.RunPython(recheck_photos, migrations.RunPython.noop, elidable=True),
    ]
