from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tongyun import two_factor


class Command(BaseCommand):
    help = (
        "Reset a staff member's two-step login, when their phone is lost: "
        "removes their authenticator apps and backup codes, so that their "
        "next login sets up a new app. Reports what it removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the staff account to reset")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"No account is named {username!r}.") from None

        removed = two_factor.reset_devices(user)

        self.stdout.write(
            f"{username}: removed {removed['authenticators']} authenticator "
            f"app(s) and {removed['backup_codes']} unused backup code(s)."
        )
        self.stdout.write(
            self.style.SUCCESS("They set up a new app at their next login.")
        )
