from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the demo story of DESIGN §1: gardens, zones, species, donations, "
        "plantings and more, each app adding its part (its demo.py). Safe to "
        "run again: it updates rows instead of adding more."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        # Apps load in INSTALLED_APPS order, so gardens comes before the apps
        # that build on it.
        for config in apps.get_app_configs():
            module = f"{config.name}.demo"
            if not find_spec(module):
                continue
            summary = import_module(module).load()
            self.stdout.write(f"{config.verbose_name}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
