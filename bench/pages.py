"""
Every public page with wrk against gunicorn, at demo scale and at benchmark
scale, with the page cache and without (part of `make bench`).

For each data set (the demo; seed_bench --scale BENCH_SCALE) a fresh
PostgreSQL database is filled (bench/harness.py), the pages are chosen from
it (tongyun.public_pages: slugs and ids differ between the two), and
gunicorn runs twice: cached (the shared page cache on, Redis emptied
first) and uncached (PAGE_CACHE_SECONDS=0). In each run wrk measures
/healthz first, then each page; in the cached run, for a page that sent an
ETag, also the same page asked with If-None-Match (the 304 row; "n/a" when
no ETag came). Before wrk, two plain requests record what the page answered:
X-Page-Cache of the first and the second (miss → hit once the cache works),
its ETag, and the bytes sent (gzip when the site compresses). The first
comes as a new visitor; the second, wrk's and the 304's as one who has been
here, with the CSRF cookie the first got (a kept page's token and ETag are
the visitor's own).

This is a measurement: it exits 1 when a page does not answer 200, wrk saw
error answers, or a conditional request did not get 304, never because a
page is slow. Timing targets (N = 100 p50 at most 1.3 times the demo's)
are marked in the table and listed at the end.

Knobs (environment), besides those of bench/harness.py:
  BENCH_SECONDS      length of each wrk run (default 4: about 8 minutes)
  BENCH_CONNECTIONS  wrk's connections (default 32, as issue 13 measures)
  BENCH_SCALE        seed_bench's --scale (default 100)
  BENCH_TARGET       greatest N / demo ratio of a page's p50 (default 1.3)
Results: Markdown on stdout and in bench/out/pages.md; raw wrk reports and
the gunicorn logs in bench/out/.
"""

import json
import os
import sys

import harness

SECONDS = harness.knob("BENCH_SECONDS", 4)
CONNECTIONS = harness.knob("BENCH_CONNECTIONS", 32)
SCALE = harness.knob("BENCH_SCALE", 100)
TARGET = float(os.environ.get("BENCH_TARGET", "1.3"))
MODES = {"cached": {}, "uncached": {"PAGE_CACHE_SECONDS": "0"}}

LIST_PAGES = (
    "import json; from tongyun.public_pages import public_pages; "
    "print(json.dumps(public_pages()))"
)


class Run:
    """One gunicorn run: its rows, and what went wrong."""

    def __init__(self, dataset, mode, server):
        self.dataset = dataset
        self.mode = mode
        self.server = server
        self.rows = []  # dicts: name, path, kind ("page" or "304"), figures
        self.failed = []

    def label(self, path, kind="page"):
        safe = path.strip("/").replace("/", "_") or "home"
        return f"{self.dataset}-{self.mode}-{safe}" + ("-304" if kind == "304" else "")

    def measure(self, name, path, headers=None, kind="page"):
        found = harness.wrk(
            path,
            seconds=SECONDS,
            connections=CONNECTIONS,
            headers=headers,
            raw_name=self.label(path, kind),
        )
        self.server.settle()
        if found["bad"]:
            self.failed.append(f"{path} had {found['bad']} error answers")
        if found["socket_errors"]:
            print(f"bench: warning: {path} had socket errors", file=sys.stderr)
        if not found.get("requests"):
            # Not one answer within the run: wrk's 0 would read as fast.
            found["p50"] = found["p99"] = None
        return {"name": name, "path": path, "kind": kind, **found}

    def page(self, name, path):
        """Probe the page twice, then measure it (and its 304 when it can)."""
        status, first, body = harness.fetch(path)
        # Then as a phone that has been here: with the CSRF cookie the first
        # answer set (each form's token, and so each ETag, is the visitor's).
        cookie = first.get("set-cookie", "").partition(";")[0]
        returning = {"Cookie": cookie} if cookie.startswith("csrftoken=") else {}
        status_again, second, _ = harness.fetch(path, returning)
        if status != 200 or status_again != 200:
            self.failed.append(
                f"{path} answered {status}, then {status_again}, not 200"
            )
            return
        etag = second.get("etag")
        print(f"bench: {self.dataset} {self.mode} {path} ...", file=sys.stderr)
        row = self.measure(name, path, returning)
        cache = [answer.get("x-page-cache", "—") for answer in (first, second)]
        row.update(
            cache=" → ".join(cache),
            etag="yes" if etag else "no",
            kb=len(body) / 1024,
            encoding=first.get("content-encoding", "none"),
        )
        self.rows.append(row)
        if self.mode != "cached":
            return
        if not etag:
            self.rows.append({"name": name, "path": path, "kind": "304", "rps": None})
            return
        conditional = {**returning, "If-None-Match": etag}
        status, _, _ = harness.fetch(path, conditional)
        if status != 304:
            self.failed.append(f"{path} with If-None-Match answered {status}, not 304")
            return
        self.rows.append(self.measure(name, path, conditional, kind="304"))

    def healthz(self):
        return next(r["rps"] for r in self.rows if r["path"] == "/healthz")

    def table(self):
        base = self.healthz()
        lines = []
        for r in self.rows:
            path = f"`{r['path']}`" + (" 304" if r["kind"] == "304" else "")
            if r["rps"] is None:
                lines.append([r["name"], path, *["n/a"] * 5, "", "", ""])
                continue
            lines.append(
                [
                    r["name"],
                    path,
                    r["requests"],
                    f"{r['rps']:.0f}",
                    ms(r["p50"]),
                    ms(r["p99"]),
                    f"{r['rps'] / base:.2f}" if base else "n/a",
                    r.get("cache", ""),
                    r.get("etag", ""),
                    f"{r['kb']:.1f} {r['encoding']}" if "kb" in r else "",
                ]
            )
        header = [
            "page",
            "path",
            "requests",
            "req/s",
            "p50 ms",
            "p99 ms",
            "ratio to /healthz",
            "X-Page-Cache",
            "ETag",
            "KB sent",
        ]
        return harness.markdown_table(header, lines)


def run_pages(env, dataset, mode, pages):
    harness.flush_cache()
    with harness.Gunicorn({**env, **MODES[mode]}, f"{dataset}-{mode}") as server:
        run = Run(dataset, mode, server)
        run.rows.append(run.measure("health check", "/healthz"))
        for name, path in pages:
            run.page(name, path)
    return run


def ms(value):
    """A latency for the table; None when no request finished in the run."""
    return f"> {SECONDS * 1000}" if value is None else f"{value:.2f}"


def p50s(run):
    return {r["name"]: r for r in run.rows if r["kind"] == "page"}


def scale_table(runs, big):
    """Each page's p50 at scale as a ratio to its p50 with the demo."""
    lines, missed = [], []
    for name, demo_row in p50s(runs[("demo", "cached")]).items():
        if demo_row["path"] == "/healthz":
            continue
        line = [name, f"`{demo_row['path']}`"]
        for mode in MODES:
            small = p50s(runs[("demo", mode)]).get(name)
            large = p50s(runs[(big, mode)]).get(name)
            if not (small and large and small["p50"]):
                line += ["n/a", "n/a", "n/a"]
                continue
            # No answer within the run at scale: slower than the whole run.
            slower = large["p50"] is None
            ratio = (SECONDS * 1000 if slower else large["p50"]) / small["p50"]
            mark = "" if ratio <= TARGET else " ✗"
            if mark:
                missed.append(f"{name} ({mode}): p50 {ratio:.2f} × the demo's")
            shown = ("> " if slower else "") + f"{ratio:.2f}{mark}"
            line += [ms(small["p50"]), ms(large["p50"]), shown]
        lines.append(line)
    header = ["page", "demo path"]
    for mode in MODES:
        header += [f"{mode} p50 demo", f"{mode} p50 N={SCALE}", f"{mode} ratio"]
    return harness.markdown_table(header, lines), missed


def main():
    runs = {}
    paths = {}
    for scale in (None, SCALE):
        dataset = harness.dataset_name(scale)
        env = harness.prepare(scale)
        listed = harness.manage(env, "shell", "-v0", "-c", LIST_PAGES, capture=True)
        # django-axes prints a banner of its own on stdout: take the JSON line.
        pages = json.loads(next(ln for ln in listed.splitlines() if ln.startswith("[")))
        paths[dataset] = pages
        for mode in MODES:
            runs[(dataset, mode)] = run_pages(env, dataset, mode, pages)

    big = harness.dataset_name(SCALE)
    parts = [
        f"# Public pages (issue 13)\n\n{harness.stamp()} · gunicorn "
        f"{os.environ.get('WEB_CONCURRENCY', '2')} workers · wrk 2 threads, "
        f"{CONNECTIONS} connections, {SECONDS}s · headers "
        + ", ".join(f"{k}: {v}" for k, v in harness.PHONE_HEADERS.items())
    ]
    for (dataset, mode), run in runs.items():
        what = "demo data" if dataset == "demo" else f"seed_bench --scale {SCALE}"
        setting = "page cache on" if mode == "cached" else "PAGE_CACHE_SECONDS=0"
        parts.append(f"## {what}, {mode} ({setting})\n\n{run.table()}")
    table, missed = scale_table(runs, big)
    parts.append(
        f"## N={SCALE} against the demo: p50 ratio (target ≤ {TARGET})\n\n"
        f"Pages at N={SCALE}: "
        + ", ".join(f"`{path}`" for _, path in paths[big])
        + f"\n\n{table}"
    )
    failed = [f for run in runs.values() for f in run.failed]
    report = "\n\n".join(parts) + "\n"
    return harness.finish("pages", report, missed=missed, failed=failed)


if __name__ == "__main__":
    sys.exit(main())
