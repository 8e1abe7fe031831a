from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tongyun import lockout


class Command(BaseCommand):
    help = (
        "Lift an admin login lock-out before its time is up: after too many "
        "wrong passwords for an account (USERNAME) or from a client address "
        "(--address, as the lock-out page shows it). Reports the failures "
        "that counted and the records removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="the staff account to unlock")
        parser.add_argument(
            "--address", help="the client address to unlock, e.g. 192.0.2.10"
        )

    def handle(self, *args, username=None, address=None, **options):
        if not username and not address:
            raise CommandError("Give a USERNAME, an --address, or both.")
        # A name that is no account could still be locked (guesses at it
        # count too), but a typo should not look like success.
        User = get_user_model()
        accounts = User._default_manager.filter(**{User.USERNAME_FIELD: username})
        if username and not accounts.exists():
            raise CommandError(f"No account is named {username!r}.")

        counts = lockout.failure_counts(username=username, address=address)
        removed = lockout.unlock(username=username, address=address)

        if username:
            self.stdout.write(
                f"{username}: {counts['username']} failed logins counted."
            )
        if address:
            self.stdout.write(f"{address}: {counts['address']} failed logins counted.")
        self.stdout.write(
            self.style.SUCCESS(f"Unlocked: removed {removed} failure record(s).")
        )
