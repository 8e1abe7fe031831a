from django.db import migrations, models


class Migration(migrations.Migration):
    """
    The check-in code, added empty and not yet unique: existing sign-ups get
    theirs in 0010; 0011 makes it required and unique.
    """

    dependencies = [
        ("events", "0008_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="signup",
            name="checkin_code",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="check-in code"
            ),
        ),
    ]
