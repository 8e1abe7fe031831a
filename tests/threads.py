"""
Several people at the same moment, each on their own database connection,
as several app servers would be: the concurrency tests' shared harness.
"""

import threading
import time

import pytest
from django.db import connection, connections

# Row locks and real races need PostgreSQL; CI's PostgreSQL pass runs these
# (and fails if it does not run on PostgreSQL, see tests/conftest.py).
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL; runs in CI's PostgreSQL pass",
)


def run_together(jobs, *, threads=None, timeout=60):
    """
    Run jobs on `threads` threads (one per job unless given) released at one
    moment by a barrier; thread n runs jobs n, n + threads, … in turn, each
    thread on its own connections, closed when it is done.

    Returns each job's result or the exception it raised, in the order of
    jobs. Fails the test if any thread is still running after `timeout`
    seconds, rather than checking outcomes that a stuck thread may yet change.
    """
    jobs = list(jobs)
    threads = threads or len(jobs)
    start = threading.Barrier(threads)
    outcomes = [None] * len(jobs)

    def worker(offset):
        try:
            start.wait(timeout=timeout)
            for i in range(offset, len(jobs), threads):
                try:
                    outcomes[i] = jobs[i]()
                except BaseException as e:  # noqa: BLE001 (outcomes are checked)
                    outcomes[i] = e
        finally:
            connections.close_all()

    pool = [
        threading.Thread(target=worker, args=(n,), name=f"run_together-{n}")
        for n in range(threads)
    ]
    for thread in pool:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in pool:
        thread.join(timeout=max(0, deadline - time.monotonic()))
    stuck = [thread.name for thread in pool if thread.is_alive()]
    if stuck:
        pytest.fail(
            f"{len(stuck)} of {threads} threads still running after {timeout} s "
            f"(a deadlock or a lock never released?): {', '.join(stuck)}"
        )
    return outcomes


def wait_until(condition, *, timeout=10, what="the condition"):
    """Wait until condition() is true, checking every few milliseconds; fail
    the test if it is still false after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what}")
        time.sleep(0.005)
