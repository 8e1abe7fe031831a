"""A progress bar on stderr for long commands (seed_bench), and batched inserts."""

import sys
import time

from . import pagecache

BATCH = 2000


class Progress:
    """
    One line on stream (default: stderr) redrawn as work is done:
    "plantings  [#####.....]  52000/105600  3.1 s". Writes nothing when
    stream is None, so tests stay quiet.
    """

    WIDTH = 30

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.label, self.total, self.done, self.started = "", 0, 0, 0.0
        self.drawn = 0.0

    def start(self, label, total):
        self.label, self.total, self.done = label, max(total, 0), 0
        self.started = self.drawn = time.monotonic()
        self._draw(force=True)

    def advance(self, count):
        self.done += count
        self._draw()

    def finish(self):
        self._draw(end="\n", force=True)

    def _draw(self, end="", force=False):
        if self.stream is None:
            return
        now = time.monotonic()
        # Redraw at most ten times a second: a terminal is slower than a loop.
        if not force and now - self.drawn < 0.1:
            return
        self.drawn = now
        share = self.done / self.total if self.total else 1
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        took = now - self.started
        self.stream.write(
            f"\r{self.label:<14} [{bar}] {self.done:>8}/{self.total:<8} {took:6.1f} s"
            + end
        )
        self.stream.flush()


def bulk_insert(model, rows, *, progress, label, total=None):
    """
    Insert rows (an iterable of unsaved model instances) with bulk_create in
    batches of BATCH, advancing progress; returns the created rows, with
    primary keys on the databases that return them (PostgreSQL, SQLite).
    """
    rows = list(rows)
    progress.start(label, len(rows) if total is None else total)
    for first in range(0, len(rows), BATCH):
        batch = rows[first : first + BATCH]
        model.objects.bulk_create(batch)
        progress.advance(len(batch))
    progress.finish()
    pagecache.changed(model)  # bulk_create() sends no signal
    return rows
