"""
200 people sign up for one event at the same moment, through gunicorn on
PostgreSQL (part of `make bench`).

An event of its own, with BENCH_CAPACITY seats, is added to the demo
database (bench/harness.py; made when missing). Each of BENCH_SIGNUPS
threads first opens the event page for its CSRF cookie and token; a
barrier then releases them all at once, and each, on a connection of its
own, sends the sign-up form (DESIGN §4 field names) with a phone number of its
own and one person. The rate limits are off (RATELIMIT_ENABLE=false):
every request comes from 127.0.0.1, where the limits would refuse most.

Reported: p50 and p99 of the POSTs, how many answered each status, and
what the database holds afterwards. Exits 1 when the capacity was not kept
exactly (confirmed headcount == capacity, the rest waitlisted, one row for
each 303), when any answer was 5xx or not a 303, or when a thread did not
finish; a p99 over BENCH_P99_MS (1000) is reported, not failed (the
machine's cores are shared).

Knobs (environment), besides those of bench/harness.py:
  BENCH_SIGNUPS     people signing up at once (200)
  BENCH_CAPACITY    the event's seats (100)
  BENCH_P99_MS      the target for the POSTs' p99, in ms (1000)
  WEB_CONCURRENCY, GUNICORN_CMD_ARGS   gunicorn's workers and any other
                    option (e.g. "--threads 4"), to compare set-ups
Results: Markdown on stdout and in bench/out/signups.md.
"""

import collections
import gzip
import http.client
import http.cookies
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse

import harness

PEOPLE = harness.knob("BENCH_SIGNUPS", 200)
CAPACITY = harness.knob("BENCH_CAPACITY", 100)
P99_TARGET_MS = harness.knob("BENCH_P99_MS", 1000)

# One event per run, with a slug of its own, so that runs never meet; a
# year away, after the demo's next planting day, which the page benchmarks
# measure (tongyun.public_pages takes the next event). Deleted afterwards.
MAKE_EVENT = """
import datetime as dt, json
from django.utils import timezone
from events.models import Event
from gardens.models import Garden
now = timezone.now()
event = Event.objects.create(
    title="并发报名压力测试", slug="bench-signups-{stamp}",
    kind=Event.Kind.PLANTING_DAY, meeting_point="牡丹园",
    starts_at=now + dt.timedelta(days=400),
    ends_at=now + dt.timedelta(days=400, hours=2),
    signup_opens_at=now - dt.timedelta(days=1),
    signup_closes_at=now + dt.timedelta(days=399),
    capacity={capacity}, status=Event.Status.PUBLISHED,
)
event.gardens.set(Garden.objects.all()[:1])
print(json.dumps({{"slug": event.slug, "path": event.get_absolute_url()}}))
"""

COUNT_SIGNUPS = """
import json
from django.db.models import Count, Sum
from events.models import Signup
from events.models import Event
rows = Signup.objects.filter(event__slug="{slug}").values("status").annotate(
    signups=Count("pk"), people=Sum("headcount"))
print(json.dumps({{r["status"]: [r["signups"], r["people"]] for r in rows}}))
Signup.objects.filter(event__slug="{slug}").delete()
Event.objects.filter(slug="{slug}").delete()
"""


def json_line(output):
    """The JSON line of a manage.py shell's output (django-axes prints a
    banner of its own)."""
    return json.loads(next(ln for ln in output.splitlines() if ln.startswith("{")))


class Person(threading.Thread):
    """One phone: opens the event page, waits for the others, signs up."""

    def __init__(self, number, path, barrier):
        super().__init__(daemon=True)
        self.number = number
        self.path = path
        self.barrier = barrier
        self.status = None
        self.ms = None
        self.error = None

    def run(self):
        try:
            self.sign_up()
        except Exception as e:  # noqa: BLE001 (reported per person, not raised)
            self.error = f"{type(e).__name__}: {e}"
            self.barrier.abort()

    def sign_up(self):
        status, headers, body = harness.fetch(self.path)
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        cookies = http.cookies.SimpleCookie(headers.get("set-cookie", ""))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or "csrftoken" not in cookies or not token:
            raise RuntimeError(
                f"event page answered {status} without a CSRF cookie and token"
            )
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token[1].decode(),
                "name": f"志愿者{self.number}",
                "phone": f"139{self.number:08d}",
                "headcount": "1",
                "organisation": "",
                "email": "",
                "consent": "on",
                "website": "",
            }
        )
        # Connected only after the barrier: a sync worker that took a
        # connection whose request had not come yet would wait on it until
        # gunicorn's timeout killed it, while the others still fetch pages.
        self.barrier.wait()
        conn = http.client.HTTPConnection("127.0.0.1", harness.PORT, timeout=120)
        try:
            started = time.perf_counter()
            conn.request(
                "POST",
                self.path + "signup/",
                body=form,
                headers={
                    **harness.PHONE_HEADERS,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookies['csrftoken'].value}",
                },
            )
            response = conn.getresponse()
            response.read()
            self.ms = (time.perf_counter() - started) * 1000
            self.status = response.status
        finally:
            conn.close()


def percentile(values, share):
    """The value below which share of values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main():
    env = harness.prepare(None, reuse=True)
    made = harness.manage(
        env,
        "shell",
        "-v0",
        "-c",
        MAKE_EVENT.format(stamp=time.strftime("%Y%m%d%H%M%S"), capacity=CAPACITY),
        capture=True,
    )
    event = json_line(made)
    server_env = {**env, "RATELIMIT_ENABLE": "false"}
    harness.flush_cache()
    with harness.Gunicorn(server_env, "signups"):
        barrier = threading.Barrier(PEOPLE, timeout=300)
        people = [Person(n, event["path"], barrier) for n in range(PEOPLE)]
        for person in people:
            person.start()
        for person in people:
            person.join(timeout=600)
    stored = json_line(
        harness.manage(
            env,
            "shell",
            "-v0",
            "-c",
            COUNT_SIGNUPS.format(slug=event["slug"]),
            capture=True,
        )
    )

    failed = []
    stuck = [p.number for p in people if p.is_alive()]
    errors = collections.Counter(p.error for p in people if p.error)
    if stuck:
        failed.append(f"{len(stuck)} threads never finished")
    failed += [f"{n} × {error}" for error, n in errors.items()]
    times = [p.ms for p in people if p.ms is not None]
    statuses = collections.Counter(p.status for p in people if p.status)
    confirmed = stored.get("confirmed", [0, 0])
    waitlisted = stored.get("waitlisted", [0, 0])
    if confirmed[1] != CAPACITY:
        failed.append(f"{confirmed[1]} people confirmed for {CAPACITY} seats")
    unexpected = set(stored) - {"confirmed", "waitlisted"}
    if confirmed[0] + waitlisted[0] != statuses[303] or unexpected:
        failed.append(f"{statuses[303]} answered 303 but the database holds {stored}")
    if set(statuses) != {303}:
        failed.append(
            "answers other than 303: "
            + ", ".join(
                f"{n} × {code}" for code, n in sorted(statuses.items()) if code != 303
            )
        )

    p50 = statistics.median(times) if times else 0
    p99 = percentile(times, 0.99) if times else 0
    setup = (
        f"gunicorn {os.environ.get('WEB_CONCURRENCY', '2')} workers "
        f"{os.environ.get('GUNICORN_CMD_ARGS', '')}"
    ).strip()
    rows = [
        [
            PEOPLE,
            CAPACITY,
            len(times),
            f"{p50:.0f}",
            f"{p99:.0f}",
            f"{max(times, default=0):.0f}",
            ", ".join(f"{n} × {code}" for code, n in sorted(statuses.items())),
            f"{confirmed[0]} ({confirmed[1]} people)",
            waitlisted[0],
            "yes" if p99 <= P99_TARGET_MS else "no",
        ]
    ]
    header = [
        "people",
        "seats",
        "POSTs timed",
        "p50 ms",
        "p99 ms",
        "max ms",
        "answers",
        "confirmed",
        "waitlisted",
        f"p99 ≤ {P99_TARGET_MS} ms",
    ]
    report = (
        f"# {PEOPLE} sign-ups at once (issue 13)\n\n{harness.stamp()} · {setup} · "
        f"event `{event['path']}`\n\n" + harness.markdown_table(header, rows) + "\n"
    )
    missed = [f"p99 {p99:.0f} ms > {P99_TARGET_MS} ms"] if p99 > P99_TARGET_MS else []
    return harness.finish("signups", report, missed=missed, failed=failed)


if __name__ == "__main__":
    sys.exit(main())
