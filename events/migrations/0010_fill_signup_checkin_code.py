from django.db import migrations

from tongyun.lib.tokens import new_token


def fill_checkin_codes(apps, schema_editor):
    """Give every existing sign-up a check-in code of its own."""
    Signup = apps.get_model("events", "Signup")
    signups = list(Signup.objects.filter(checkin_code__isnull=True).only("pk"))
    for signup in signups:
        signup.checkin_code = new_token()
    Signup.objects.bulk_update(signups, ["checkin_code"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_signup_checkin_code"),
    ]

    operations = [
        migrations.RunPython(fill_checkin_codes, migrations.RunPython.noop),
    ]
