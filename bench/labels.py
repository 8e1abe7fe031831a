"""
Time a sheet of printed QR labels (`make bench-labels`).

This is a measurement, not a test: it never fails for being slow. It draws
COUNT (default 200) zone-like labels, each with its own address, a badge,
a kicker, two lines and a bloom strip, through tongyun.lib.labels, the code
the admin's "Print QR labels (PDF)" runs after its two queries, and prints
the best of three runs in seconds and labels per second.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tongyun.lib.labels import PER_PAGE, Label, render_sheet  # noqa: E402 (path first)

GARDENS = [("牡丹园", "#b0124a"), ("紫荆园", "#8e2f7a"), ("月季园", "#b02a63")]


def labels(count):
    return [
        Label(
            kicker=GARDENS[n % 3][0],
            badge=f"{'ABC'[n % 3]}{n}",
            title=["入口花境", "牡丹台地", "芍药花带", "紫荆花廊"][n % 4],
            lines=("牡丹、紫丁香",),
            bloom=tuple(month in (4, 5) for month in range(1, 13)),
            bloom_caption="花期：四月至五月",
            url=f"https://garden.example.org/gardens/garden-{n % 3}/zones/Z{n}/",
            accent=GARDENS[n % 3][1],
            scan_caption="扫码了解更多",
        )
        for n in range(count)
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--count", type=int, default=200)
    count = parser.parse_args().count
    values = labels(count)
    runs = []
    for _run in range(3):
        start = time.perf_counter()
        data = render_sheet(values, heading="通运花园城 · 分区标牌")
        runs.append(time.perf_counter() - start)
    best = min(runs)
    pages = -(-count // PER_PAGE)
    print(
        f"{count} labels, {pages} pages, {len(data) / 1024:.0f} KiB: "
        f"{best:.2f} s, {count / best:.0f} labels/s"
    )


if __name__ == "__main__":
    main()
