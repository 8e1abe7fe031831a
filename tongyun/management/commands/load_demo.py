import secrets

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import artworks.demo
import events.demo
import feedback.demo
import gardens.demo
import plantings.demo
from feedback.models import Suggestion
from gardens.models import Community
from plantings.models import Planting
from tongyun.models import SuggestionOutcome
from tongyun.roles import GROUPS, make_staff

# Layer by layer (DESIGN §3): each app's story builds on the ones below it,
# e.g. plantings records what was planted at the events' planting day.
DEMOS = [
    ("gardens", gardens.demo),
    ("events", events.demo),
    ("artworks", artworks.demo),
    ("feedback", feedback.demo),
    ("plantings", plantings.demo),
]

# One demo account per role; two community staff, to try what each of two
# communities sees of the other's (nothing).
DEMO_STAFF = [
    ("demo-street", "street", None),
    ("demo-mudanyuan", "community", "mudanyuan"),
    ("demo-zijing", "community", "zijingyayuan"),
    ("demo-viewer", "viewer", None),
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class Command(BaseCommand):
    help = (
        "Load the demo story of DESIGN §1: gardens, zones, species, donations, "
        "plantings and more, each app adding its part (its demo.py). Safe to "
        "run again: it updates rows instead of adding more."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--staff",
            action="store_true",
            help="Also (re)create a demo staff account per role, with new "
            "passwords printed here. Only on a machine that serves "
            "127.0.0.1 or localhost alone: make run's local mode.",
        )

    @transaction.atomic
    def handle(self, *args, staff=False, **options):
        if staff and not set(settings.ALLOWED_HOSTS) <= LOOPBACK:
            raise CommandError(
                "--staff makes accounts with printed passwords: only for a "
                "site that serves 127.0.0.1 or localhost alone."
            )
        for label, demo in DEMOS:
            summary = demo.load()
            name = apps.get_app_config(label).verbose_name
            self.stdout.write(f"{name}: {summary}")
        self.stdout.write(f"What answered suggestions: {link_outcomes()}")
        if staff:
            self.load_staff()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def load_staff(self):
        """Each demo account, made if missing, with a new password printed once."""
        self.stdout.write("Demo staff (log in at /admin/; passwords are new each run):")
        for username, role, slug in DEMO_STAFF:
            password = secrets.token_urlsafe(12)
            community = Community.objects.get(slug=slug) if slug else None
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                make_staff(
                    username=username,
                    role=role,
                    password=password,
                    community=community,
                )
            else:
                # Kept, with what it did (history, exports): a new password.
                user.set_password(password)
                user.save(update_fields=["password"])
            where = f" · {community.name}" if community else ""
            self.stdout.write(f"  {username:16} {password}  {GROUPS[role]}{where}")
        if settings.ADMIN_REQUIRE_2FA:
            self.stdout.write(
                "After the password the admin asks for a second step: scan its QR "
                "code with an authenticator app (one per account), or set "
                "ADMIN_REQUIRE_2FA=false in .env to try the admin without it."
            )


def link_outcomes():
    """
    Link each done demo suggestion to what answered it, in the site layer
    that knows both: a plants suggestion to a planting in its garden, any
    other to an event there. Leaves linked suggestions alone. Returns a
    line saying how many are linked.
    """
    texts = [demo.text for demo in feedback.demo.SUGGESTIONS]
    done = Suggestion.objects.filter(
        text__in=texts, status=Suggestion.Status.DONE, outcomes__isnull=True
    )
    for suggestion in done.select_related("garden"):
        if suggestion.category == Suggestion.Category.PLANTS:
            planting = (
                Planting.objects.filter(zone__garden=suggestion.garden)
                .order_by("planted_on", "pk")
                .first()
            )
            if planting is not None:
                SuggestionOutcome.objects.create(
                    suggestion=suggestion, planting=planting
                )
            continue
        event = (
            suggestion.garden.events.order_by("starts_at", "pk").first()
            if suggestion.garden
            else None
        )
        if event is not None:
            SuggestionOutcome.objects.create(suggestion=suggestion, event=event)
    linked = SuggestionOutcome.objects.filter(suggestion__text__in=texts).count()
    return f"{linked} demo suggestions linked to a planting or an event."
