"""
Measure the dashboard (/dashboard/) with the demo data and with ten times
as much (`make bench-dashboard`).

This is a measurement, not a test: it fails only when the page does not
answer 200 or its number of queries grows with the data (DESIGN §5), never
because it is slow. The page is asked in this process, through Django's
test client (no network, no gunicorn): the time is what building the page
takes, its queries included.

The database is a fresh SQLite file, bench/out/dashboard.sqlite3 (or
DATABASE_URL): migrated, loaded with the demo (load_demo) and survey rounds
and suggestions of its own, measured, then every row the dashboard counts
copied nine more times (gardens and zones, donors and their gifts,
allocations, plantings and losses, held events with their sign-ups,
works, survey rounds with their answers, suggestions) and measured again.
Results: a Markdown table on stdout and in bench/out/dashboard.md.
"""

import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DATABASE = OUT / "dashboard.sqlite3"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))
COPIES = 9  # added to the one there is: ten times the data


def setup():
    OUT.mkdir(parents=True, exist_ok=True)
    if "DATABASE_URL" not in os.environ:
        DATABASE.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ["DEBUG"] = "false"
    # The manifest storage renders pages only with collected files.
    os.environ.setdefault("STATIC_ROOT", str(OUT / "static"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongyun.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())


def add_feedback():
    """Survey rounds and suggestions, which the feedback demo will bring."""
    from django.utils import timezone

    from feedback.models import Suggestion, SurveyAnswer, SurveyRound
    from gardens.models import Garden

    rng = random.Random(12)
    now = timezone.now()
    gardens = list(Garden.objects.all())
    for n, days_ago in enumerate([400, 220, 40]):
        held = SurveyRound.objects.create(
            title=f"第{n + 1}轮满意度调查",
            opens_at=now - dt.timedelta(days=days_ago),
            closes_at=now - dt.timedelta(days=days_ago - 30),
            is_demo=True,
        )
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(
                round=held,
                browser_digest=f"bench-{held.pk}-{i}",
                **{
                    q: rng.randint(2, 5)
                    for q in ("beauty", "upkeep", "taking_part", "happiness")
                },
            )
            for i in range(50)
        )
    for i in range(30):
        sent = now - dt.timedelta(days=rng.randint(1, 120))
        status = rng.choice(["new", "accepted", "done", "declined"])
        answered = sent + dt.timedelta(days=rng.randint(0, 10))
        closed = answered + dt.timedelta(days=rng.randint(0, 20))
        Suggestion.objects.create(
            category="plants",
            garden=rng.choice(gardens),
            text=f"建议{i}",
            status=status,
            reply="" if status == "new" else "谢谢",
            submitted_at=sent,
            answered_at=None if status == "new" else answered,
            closed_at=closed if status in ("done", "declined") else None,
            rating=rng.choice(["", "satisfied", "basically"])
            if status in ("done", "declined")
            else "",
        )


def copies(model, times, change):
    """copies_of() every row of model."""
    return copies_of(model, model.objects.all(), times, change)


def ten_times():
    """Copy every row the dashboard counts COPIES more times."""
    from artworks.models import Artwork
    from events.models import Event, Signup
    from feedback.models import Suggestion, SurveyAnswer, SurveyRound
    from gardens.models import Garden, Zone
    from plantings.models import Allocation, Donation, Donor, Observation, Planting
    from tongyun.lib.tokens import new_token

    def renamed(field):
        def change(row, n):
            setattr(row, field, f"{getattr(row, field)}-{n}")

        return change

    gardens = copies(Garden, COPIES, renamed("slug"))
    zones = copies(
        Zone, COPIES, lambda z, n: setattr(z, "garden_id", gardens[n][z.garden_id])
    )
    donors = copies(Donor, COPIES, renamed("name"))
    donations = copies(
        Donation, COPIES, lambda d, n: setattr(d, "donor_id", donors[n][d.donor_id])
    )

    def allocation(a, n):
        a.donation_id = donations[n][a.donation_id]
        a.zone_id = zones[n][a.zone_id]

    allocations = copies(Allocation, COPIES, allocation)
    held = Event.objects.filter(ends_at__lt=time_now())
    events = copies_of(Event, held, COPIES, renamed("slug"))

    def planting(p, n):
        p.zone_id = zones[n][p.zone_id]
        p.allocation_id = p.allocation_id and allocations[n][p.allocation_id]
        p.event_id = p.event_id and events[n].get(p.event_id, p.event_id)

    plantings = copies(Planting, COPIES, planting)

    def observation(o, n):
        o.zone_id = zones[n][o.zone_id]
        o.planting_id = o.planting_id and plantings[n][o.planting_id]

    copies(Observation, COPIES, observation)

    def signup(s, n):
        s.event_id = events[n].get(s.event_id, s.event_id)
        s.token, s.checkin_code = new_token(), new_token()
        s.phone = ""

    copies_of(Signup, Signup.objects.filter(event__in=held), COPIES, signup)
    copies(Artwork, COPIES, lambda a, n: setattr(a, "token", new_token()))
    rounds = copies(SurveyRound, COPIES, lambda r, n: None)
    copies(
        SurveyAnswer,
        COPIES,
        lambda a, n: setattr(a, "round_id", rounds[n][a.round_id]),
    )

    def suggestion(s, n):
        s.token = new_token()
        s.garden_id = s.garden_id and gardens[n][s.garden_id]

    copies(Suggestion, COPIES, suggestion)


def copies_of(model, queryset, times, change):
    """
    times copies of every row of queryset, changed by change(row, n)
    (unique fields, foreign keys), created in bulk; {n: {old pk: new pk}}.
    """
    rows = list(queryset)
    mapping = {}
    for n in range(1, times + 1):
        made = []
        for row in rows:
            copy = model(
                **{
                    f.attname: getattr(row, f.attname)
                    for f in model._meta.concrete_fields
                    if not f.primary_key
                }
            )
            change(copy, n)
            made.append(copy)
        model.objects.bulk_create(made)
        mapping[n] = {row.pk: copy.pk for row, copy in zip(rows, made, strict=True)}
    return mapping


def time_now():
    from django.utils import timezone

    return timezone.now()


def measure():
    """(median ms, p90 ms, queries) of REQUESTS requests after two warm-ups."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN", HTTP_HOST="127.0.0.1")
    for _ in range(2):
        response = client.get("/dashboard/")
        if response.status_code != 200:
            raise SystemExit(f"bench: /dashboard/ answered {response.status_code}")
    times = []
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # A wrapper, not CaptureQueriesContext: each request resets the log.
    with connection.execute_wrapper(count):
        client.get("/dashboard/")
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get("/dashboard/")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], len(queries)


def counts():
    from events.models import Signup
    from feedback.models import Suggestion, SurveyAnswer
    from plantings.models import Planting

    return (
        f"{Planting.objects.count()} plantings, {Signup.objects.count()} sign-ups, "
        f"{SurveyAnswer.objects.count()} survey answers, "
        f"{Suggestion.objects.count()} suggestions"
    )


def main():
    setup()
    add_feedback()
    from django.db import connection

    rows = [("demo", counts(), *measure())]
    ten_times()
    rows.append(("10× demo", counts(), *measure()))
    (_, _, base_ms, _, base_queries), (_, _, big_ms, _, big_queries) = rows
    lines = [
        f"/dashboard/ · {connection.vendor} · {REQUESTS} requests each, in process",
        "",
        "| data | rows | median ms | p90 ms | queries |",
        "|---|---|---:|---:|---:|",
        *(
            f"| {name} | {what} | {ms:.1f} | {p90:.1f} | {q} |"
            for name, what, ms, p90, q in rows
        ),
        "",
        f"Ratio 10× / demo: {big_ms / base_ms:.2f} (median time); "
        f"queries {base_queries} and {big_queries}.",
    ]
    report = "\n".join(lines)
    print(report)
    (OUT / "dashboard.md").write_text(report + "\n")
    if big_queries != base_queries:
        raise SystemExit("bench: the dashboard's queries grew with the data")


if __name__ == "__main__":
    main()
