"""
Count and time every public page's queries, uncached, and show their plans
(issue 13).

    DATABASE_URL=postgres://… python bench/queries.py [--explain] [--renders N]

The database must hold data already (load_demo, then seed_bench --scale N
for the large set): this script writes nothing but collected static files.
Each page is asked in this process through Django's test client, as an
anonymous visitor without cookies: no network, no gunicorn, no page cache,
so the time is what building the page takes, its queries included. The
objects a page shows (a garden, a zone, an event …) are the demo's where
the database has them, so that the same pages are compared at both sizes.

Prints a Markdown table: per page the queries, the median and p90 render
time in ms. With --explain (PostgreSQL only), each page's queries are run
again under EXPLAIN (ANALYZE, BUFFERS) and every sequential scan or sort
over more than --rows rows is printed, with the query that made it.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def setup():
    if "DATABASE_URL" not in os.environ:
        sys.exit("Give DATABASE_URL: a database with the demo or benchmark data.")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("STATIC_ROOT", str(OUT / "static"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongyun.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def _first(queryset, **demo):
    """The demo's object when there is one, otherwise the first."""
    return queryset.filter(**demo).first() or queryset.first()


def public_pages():
    """(name, path) of every public page that answers a GET."""
    from artworks.models import Artwork, Call
    from events.models import Event, Signup
    from feedback.models import Suggestion
    from gardens.models import Garden, Species, Zone

    garden = _first(Garden.objects.order_by("pk"), slug="mudanyuan")
    zone = _first(Zone.objects.filter(garden=garden).order_by("code"), code="A1")
    species = _first(Species.objects.order_by("pk"), slug="mudan")
    events = Event.objects.published().order_by("pk")
    past = _first(events.filter(starts_at__lt=_now()), slug="2024-planting-day")
    coming = events.filter(starts_at__gte=_now()).order_by("starts_at").first()
    signup = Signup.objects.filter(event=coming or past).order_by("pk").first()
    work = Artwork.objects.public().order_by("pk").first()
    suggestion = Suggestion.objects.order_by("pk").first()
    pages = [
        ("home", "/"),
        ("garden list", "/gardens/"),
        ("garden", garden.get_absolute_url()),
        ("zone", zone.get_absolute_url()),
        ("species", species.get_absolute_url()),
        ("bloom calendar", "/bloom/"),
        ("donations", "/donations/"),
        ("events", "/events/"),
        ("events, page 2", "/events/?page=2"),
        ("past event", past.get_absolute_url()),
        ("past event .ics", f"/events/{past.slug}.ics"),
        ("find my sign-ups", "/signups/find/"),
        ("gallery", "/artworks/"),
        ("gallery, page 2", "/artworks/?page=2"),
        ("artwork", work.get_absolute_url()),
        ("artwork image", f"/artworks/{work.pk}/thumb.jpg"),
        ("submit a work", "/artworks/submit/"),
        ("suggestions", "/suggestions/"),
        ("suggestions, page 2", "/suggestions/?page=2"),
        ("new suggestion", "/suggestions/new/"),
        ("survey", "/survey/"),
        ("dashboard", "/dashboard/"),
    ]
    if coming:
        pages.append(("coming event", coming.get_absolute_url()))
    if signup:
        pages.append(("ticket", f"/signups/{signup.token}/"))
    if suggestion:
        pages.append(("suggestion status", f"/suggestions/{suggestion.token}/"))
    call = Call.objects.order_by("pk").first()
    if call:
        status = Artwork.objects.filter(call=call).order_by("pk").first()
        if status:
            pages.append(("work status", status.get_status_url()))
    return pages


def _now():
    from django.utils import timezone

    return timezone.now()


def measure(client, path, renders):
    """(status, queries of the first render, times in ms of the next ones)."""
    from django.db import connection

    captured = []

    def capture(execute, sql, params, many, context):
        captured.append({"sql": sql, "params": params})
        return execute(sql, params, many, context)

    # A wrapper, not connection.queries: each request starts by emptying it.
    with connection.execute_wrapper(capture):
        response = client.get(path)
    times = []
    for _ in range(renders):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return response.status_code, captured, times


PLAN_LINE = re.compile(r"(Seq Scan on \S+|Sort\b|Parallel Seq Scan on \S+)")
ROWS = re.compile(r"actual time=[\d.]+\.\.([\d.]+) rows=(\d+)")


def explain(queries, min_rows):
    """Lines of each query's plan that scan or sort more than min_rows rows."""
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", query["params"])
            plan = [row[0] for row in cursor.fetchall()]
            for line in plan:
                rows = ROWS.search(line)
                if PLAN_LINE.search(line) and rows and int(rows[2]) > min_rows:
                    found.append((line.strip(), sql[:160]))
                    continue
                if "Rows Removed by Filter" in line:
                    removed = int(line.split(":")[1])
                    if removed > min_rows:
                        found.append((line.strip(), sql[:160]))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--only", help="measure only pages whose name has this")
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN", HTTP_HOST="127.0.0.1")
    failed = False
    print("| page | path | status | queries | median ms | p90 ms |")
    print("|---|---|---:|---:|---:|---:|")
    plans = {}
    for name, path in public_pages():
        if args.only and args.only not in name:
            continue
        status, queries, times = measure(client, path, args.renders)
        failed |= status >= 400
        p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
        print(
            f"| {name} | `{path}` | {status} | {len(queries)} "
            f"| {statistics.median(times):.1f} | {p90:.1f} |",
            flush=True,
        )
        if args.explain and connection.vendor == "postgresql":
            plans[name] = explain(queries, args.rows)
    for name, found in plans.items():
        for line, sql in found:
            print(f"\n{name}: {line}\n    {sql}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
