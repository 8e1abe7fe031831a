from django.core.management.base import BaseCommand

from events import services


class Command(BaseCommand):
    help = (
        "Erase volunteers' phone numbers and e-mail addresses (and shorten "
        f"names) for events that ended more than {services.RETENTION_DAYS} days "
        "ago, as the sign-up consent promises, from the sign-ups and from their "
        "change history. Run it daily; running it again changes nothing."
    )

    def handle(self, *args, **options):
        purge = services.purge_personal_data()
        self.stdout.write(
            f"Erased personal data of {purge.signups} sign-ups and of "
            f"{purge.history} records in their history."
        )
