from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

import artworks.demo
import events.demo
import gardens.demo
import plantings.demo

# Layer by layer (DESIGN §3): each app's story builds on the ones below it,
# e.g. plantings records what was planted at the events' planting day.
DEMOS = [
    ("gardens", gardens.demo),
    ("events", events.demo),
    ("artworks", artworks.demo),
    ("plantings", plantings.demo),
]


class Command(BaseCommand):
    help = (
        "Load the demo story of DESIGN §1: gardens, zones, species, donations, "
        "plantings and more, each app adding its part (its demo.py). Safe to "
        "run again: it updates rows instead of adding more."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for label, demo in DEMOS:
            summary = demo.load()
            name = apps.get_app_config(label).verbose_name
            self.stdout.write(f"{name}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
