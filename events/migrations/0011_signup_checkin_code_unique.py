import events.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_fill_signup_checkin_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="signup",
            name="checkin_code",
            field=models.CharField(
                default=events.models.new_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="check-in code",
            ),
        ),
    ]
