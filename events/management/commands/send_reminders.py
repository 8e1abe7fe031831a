import datetime as dt
import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from events import notify
from events.models import Event, Signup

logger = logging.getLogger("tongyun.reminders")


class Command(BaseCommand):
    help = (
        "Remind each confirmed volunteer of a published event that starts "
        "tomorrow (the date in settings.TIME_ZONE), once, in their language. "
        "Run it every hour: later runs reach volunteers confirmed since, and "
        "never remind anyone twice, even when two runs overlap."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
        starts = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
        due = list(
            Signup.objects.filter(
                status=Signup.Status.CONFIRMED,
                reminder_sent_at__isnull=True,
                event__status=Event.Status.PUBLISHED,
                event__starts_at__gte=starts,
                event__starts_at__lt=starts + dt.timedelta(days=1),
            )
            .select_related("event")
            .order_by("event__starts_at", "pk")
        )
        sent = taken = failed = 0
        for signup in due:
            try:
                with transaction.atomic():
                    # Claim the sign-up first: a run that overlaps this one
                    # waits for the claim, then finds it taken. A failed send
                    # rolls the claim back, so the next run tries again.
                    claimed = Signup.objects.filter(
                        pk=signup.pk,
                        status=Signup.Status.CONFIRMED,
                        reminder_sent_at__isnull=True,
                    ).update(reminder_sent_at=now)
                    if claimed == 1:
                        notify.reminder(signup)
            except Exception as error:
                failed += 1
                logger.exception("Reminder for sign-up %s not sent", signup.pk)
                self.stderr.write(
                    f"Sign-up {signup.pk} ({signup.event.title}): "
                    f"reminder not sent: {error!r}"
                )
                continue
            if claimed == 1:
                sent += 1
            else:
                taken += 1

        events = len({signup.event_id for signup in due})
        self.stdout.write(
            f"Events on {tomorrow:%Y-%m-%d}: {sent} reminders sent for {events} "
            f"events; {taken} already sent by another run; {failed} failed."
        )
        if failed:
            raise CommandError(
                f"{failed} reminder(s) not sent; the next run tries them again."
            )
