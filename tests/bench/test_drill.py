"""
`make drill` (bench/drill.py) in small: one fault, two clients, a few dozen
requests, run as the Makefile runs it, on a database of its own on the test
run's PostgreSQL server and Redis database 14.

Only with DRILL_TEST=1: the drill migrates and fills a database and starts
three processes, 35 s on a quiet machine of two cores but over 80 s on a
busy one, too long for every run of the suite.
"""

import os
import re
import subprocess
import sys
import urllib.parse

import pytest
from django.db import connection

from tests.hosts import redis_or_skip
from tests.servers import BASE_DIR

DATABASE = "tongyun_drill_test"


def drill_env(out):
    db = connection.settings_dict
    server = "postgres://{}:{}@{}:{}".format(
        urllib.parse.quote(db["USER"] or "", safe=""),
        urllib.parse.quote(db["PASSWORD"] or "", safe=""),
        db["HOST"] or "127.0.0.1",
        db["PORT"] or 5432,
    )
    return {
        # psql, and what the site's processes need of the machine.
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "DRILL_POSTGRES": server,
        "DRILL_DB": DATABASE,
        "DRILL_REDIS": "redis://127.0.0.1:6379/14",
        "DRILL_FAULTS": "redis-refused",
        "DRILL_CLIENTS": "2",
        "DRILL_MAX_REQUESTS": "40",
        "DRILL_CUT_SECONDS": "1",
        "DRILL_CAPACITY": "3",
        "DRILL_OUT": str(out),
    }


def row_of(report, fault):
    """The drill table's row of fault, as {column: text}."""
    lines = [line for line in report.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] == fault:
            return dict(zip(header, cells, strict=True))
    pytest.fail(f"no row for {fault} in:\n{report}")


@pytest.mark.skipif(
    os.environ.get("DRILL_TEST") != "1", reason="a minute or more; DRILL_TEST=1 runs it"
)
@pytest.mark.django_db
def test_drill_cuts_redis_and_counts_what_the_site_answered(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the drill makes its database on PostgreSQL; runs in that pass")
    redis_or_skip("redis://127.0.0.1:6379/14").close()

    done = subprocess.run(
        [sys.executable, "bench/drill.py"],
        cwd=BASE_DIR,
        env=drill_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )

    # Redis refused is survived on the landed code: no 500, so exit 0.
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    row = row_of(done.stdout, "redis-refused")
    assert (tmp_path / "drill.md").read_text() in done.stdout
    requests, answered = int(row["requests"]), int(row["answered"])
    assert 10 <= requests <= 60
    statuses = ("200", "303", "304", "4xx", "503", "500", "other")
    assert answered == sum(int(row[s]) for s in statuses)
    assert answered + int(row["timeouts"]) + int(row["no connection"]) == requests
    # Sign-ups reached the database, the event kept its three seats, and
    # the worker sent one message for each row.
    signups = int(row["sign-up rows"])
    assert signups == int(row["303"]) > 3
    assert row["confirmed / seats"] == "3 / 3"
    assert int(row["waitlisted"]) == signups - 3
    assert row["messages sent / expected"] == f"{signups} / {signups}"
    assert row["sent by the end"] == str(signups)
    assert float(row["cut s"]) >= 1
    assert re.fullmatch(r"[0-9.]+", row["recovered in s"])
    # The worker's log holds the messages the table counted.
    log = (tmp_path / "worker.log").read_text()
    assert len(re.findall(r"signed_up to .*\(sign-up \d+\)", log)) == signups
    # Nothing is left behind: the database is dropped.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", [DATABASE]
        )
        assert cursor.fetchone() == (0,)
