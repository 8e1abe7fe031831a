from django.core.management.base import BaseCommand

from events import services


class Command(BaseCommand):
    help = (
        "Erase volunteers' phone numbers and e-mail addresses (and shorten "
        f"names) for events that ended more than {services.RETENTION_DAYS} days "
        "ago, as the sign-up consent promises. Run it daily; running it again "
        "changes nothing."
    )

    def handle(self, *args, **options):
        count = services.purge_personal_data()
        self.stdout.write(f"Erased personal data of {count} sign-ups.")
