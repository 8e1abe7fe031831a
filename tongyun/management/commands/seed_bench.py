import random
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

import artworks.bench
import events.bench
import feedback.bench
import gardens.bench
import plantings.bench
from artworks.models import Artwork, Call
from events.models import Event, Organisation, Signup
from feedback.models import Suggestion, SurveyAnswer, SurveyRound
from gardens.models import Community, Garden, Species, Zone
from plantings.models import Allocation, Donation, Donor, Observation, Planting
from tongyun.lib.progress import Progress

PREFIX = "bench"


def prefix_of(run):
    """The slug prefix of the run-th data set: bench-, bench2-, bench3-…"""
    return f"{PREFIX}-" if run == 1 else f"{PREFIX}{run}-"


def runs_done():
    """How many benchmark data sets the database holds. One query a set, plus one."""
    run = 0
    while Community.objects.filter(slug__startswith=prefix_of(run + 1)).exists():
        run += 1
    return run


def expected_rows(scale):
    """The rows one run adds, per model, at scale N (the --help formulas)."""
    n = scale
    planted_zones = (
        n * gardens.bench.GARDENS_PER_COMMUNITY * (gardens.bench.ZONES_PER_GARDEN - 1)
    )
    per_zone = (
        plantings.bench.ALLOCATIONS_PER_ZONE * plantings.bench.PLANTINGS_PER_ALLOCATION
        + plantings.bench.OTHER_PLANTINGS_PER_ZONE
    )
    return {
        Community: n,
        Garden: 3 * n,
        Zone: 36 * n,
        Species: len(gardens.bench.SPECIES),
        Donor: 4 * n,
        Donation: 6 * n,
        Allocation: planted_zones * plantings.bench.ALLOCATIONS_PER_ZONE,
        Planting: planted_zones * per_zone,
        Observation: planted_zones * per_zone,
        Organisation: 2 * n,
        Event: 4 * n,
        Signup: 4 * n * events.bench.SIGNUPS_PER_EVENT,
        Call: n,
        Artwork: n * artworks.bench.WORKS_PER_CALL,
        Suggestion: n * feedback.bench.SUGGESTIONS_PER_SCALE,
        SurveyRound: feedback.bench.ROUNDS,
        SurveyAnswer: n * feedback.bench.ANSWERS_PER_SCALE,
    }


class Command(BaseCommand):
    help = (
        "Fill the database with a large, made-up but valid data set for "
        "benchmarks (never on production). Per --scale N: N communities, 3N "
        "gardens, 36N zones (33N planted), 24 species shared by all (made by "
        "the first set only); 4N donors, "
        "6N donations, 66N allocations, 1056N plantings and 1056N observations; "
        "2N organisations, 4N events with 128 sign-ups each (512N); N calls "
        "with 100 works each (100N, two image files each, written to the "
        "artworks' storage); 30N suggestions, 4 survey rounds, 50N answers. "
        "Rows are bulk-inserted in one transaction, with a progress bar on "
        "stderr. Slugs start with 'bench-'. On a database that holds such a "
        "set already the command refuses; --force adds one more set beside it "
        "(slugs 'bench2-', 'bench3-'…), leaving every existing row alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=1, help="N, the size (default 1; 100 is big)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add one more data set where one exists already",
        )
        parser.add_argument("--seed", type=int, default=13, help="random seed")

    def handle(self, *args, scale, force, seed, **options):
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        done = runs_done()
        if done and not force:
            raise CommandError(
                f"The database holds {done} benchmark data set(s) already "
                f"(slugs '{prefix_of(1)}…'); give --force to add another."
            )
        run = done + 1
        prefix = prefix_of(run)
        suffix = "" if run == 1 else f"（{run}）"
        rng = random.Random(seed + run)
        # The raw stream: OutputWrapper.write would end each redraw with a
        # newline, and the bar redraws one line.
        progress = Progress(self.stderr._out if options["verbosity"] else None)
        before = {model: model.objects.count() for model in expected_rows(scale)}
        started = time.monotonic()
        with transaction.atomic():
            staff = get_user_model()(
                username=f"{prefix}staff", is_staff=True, is_active=False
            )
            staff.set_unusable_password()
            staff.save()
            common = {"scale": scale, "rng": rng, "progress": progress}
            places = gardens.bench.seed(prefix=prefix, **common)
            held = events.bench.seed(
                prefix=prefix, places=places, suffix=suffix, **common
            )
            artworks.bench.seed(prefix=prefix, places=places, reviewer=staff, **common)
            feedback.bench.seed(prefix=prefix, places=places, handler=staff, **common)
            plantings.bench.seed(places=places, events=held, suffix=suffix, **common)
        # The planner's statistics, which autovacuum would gather only
        # later: without them the first pages measured plan blind.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        took = time.monotonic() - started
        for model, count in before.items():
            added = model.objects.count() - count
            self.stdout.write(f"{model._meta.label}: {added} added")
        self.stdout.write(
            f"Added benchmark data set {run} ('{prefix}') at scale {scale} "
            f"in {took:.1f} s."
        )
