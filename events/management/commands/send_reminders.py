from django.core.management.base import BaseCommand, CommandError

from events import services


class Command(BaseCommand):
    help = (
        "Remind each confirmed volunteer of a published event that starts "
        "tomorrow (the date in settings.TIME_ZONE), once, in their language. "
        "Run it every hour: later runs reach volunteers confirmed since, and "
        "never remind anyone twice, even when two runs overlap."
    )

    def handle(self, *args, **options):
        run = services.send_reminders()
        for signup, error in run.failures:
            self.stderr.write(
                f"Sign-up {signup.pk} ({signup.event.title}): "
                f"reminder not sent: {error!r}"
            )
        self.stdout.write(
            f"Events on {run.day:%Y-%m-%d}: {run.sent} reminders sent for "
            f"{run.events} events; {run.taken} already sent by another run; "
            f"{run.failed} failed."
        )
        if run.failed:
            raise CommandError(
                f"{run.failed} reminder(s) not sent; the next run tries them again."
            )
