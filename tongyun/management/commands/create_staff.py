import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from gardens.models import Community
from tongyun.roles import GROUPS, RoleError, make_staff

PASSWORD_VARIABLE = "STAFF_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a staff account with a role: street (the street office, every "
        "community), community (one community's staff: give --community) or "
        "viewer (reads everything, changes nothing, no personal data). The "
        f"password is asked for, or read from ${PASSWORD_VARIABLE} in scripts."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=list(GROUPS))
        parser.add_argument(
            "--community", metavar="SLUG", help="the community of community staff"
        )
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, community, email, **options):
        if community is not None:
            community = self.community(community)
        password = os.environ.get(PASSWORD_VARIABLE) or self.ask_password()
        try:
            user = make_staff(
                username=username,
                role=role,
                password=password,
                community=community,
                email=email,
            )
        except (RoleError, ValidationError) as error:
            messages = getattr(error, "messages", [str(error)])
            raise CommandError(" ".join(messages)) from None
        if community is None:
            done = gettext("Created staff {username} ({role}).")
        else:
            done = gettext("Created community staff {username} for {community}.")
        self.stdout.write(
            self.style.SUCCESS(
                done.format(
                    role=GROUPS[role], username=user.username, community=community
                )
            )
        )

    def community(self, slug):
        try:
            return Community.objects.get(slug=slug)
        except Community.DoesNotExist:
            known = ", ".join(Community.objects.values_list("slug", flat=True))
            raise CommandError(
                gettext("No community has the slug “{slug}”. Known: {known}.").format(
                    slug=slug, known=known or "—"
                )
            ) from None

    def ask_password(self):
        if not self.stdin_is_a_terminal():
            raise CommandError(
                gettext(
                    "Set ${variable} when no terminal can ask for a password."
                ).format(variable=PASSWORD_VARIABLE)
            )
        first = getpass.getpass(gettext("Password: "))
        if first != getpass.getpass(gettext("Password (again): ")):
            raise CommandError(
                gettext("The two passwords differ; nothing was created.")
            )
        return first

    def stdin_is_a_terminal(self):
        import sys

        return sys.stdin.isatty()
