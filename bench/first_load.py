"""
What the first load of every public page transfers, images apart, through
gunicorn as production runs it (part of `make bench`).

Playwright drives Debian's Chromium (tests/browser/chromium.py) at 360 px
wide, in Chinese, with a fresh context (an empty cache) for each page, and
adds up what each response took on the wire, headers included, as the
browser counts it (request.sizes()): HTML as the site sends it, static
files as WhiteNoise sends them (compressed when collectstatic made a
compressed copy), images counted apart. The pages are those of
tongyun.public_pages, at demo scale and at BENCH_SCALE (the databases of
bench/harness.py, filled when missing), the page cache on.

Exits 1 when a page loads more than 30 KB (30,720 bytes) without images or
does not answer 200: sizes do not depend on the machine's load. The
first-load test (tests/browser/test_first_load.py) keeps the demo's pages
within the same budget.

Knobs: BENCH_SCALE (100) and those of bench/harness.py.
Results: Markdown on stdout and in bench/out/first_load.md.
"""

import json
import sys

import harness

sys.path.insert(0, str(harness.ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402 (after the path)

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.transfer import (  # noqa: E402
    FIRST_LOAD_BUDGET,
    bytes_without_images,
    first_load,
)

SCALE = harness.knob("BENCH_SCALE", 100)
LIST_PAGES = (
    "import json; from tongyun.public_pages import public_pages; "
    "print(json.dumps(public_pages()))"
)
KINDS = ("document", "stylesheet", "script")


def kb(size):
    return f"{size / 1024:.1f}"


def row(name, path, downloads):
    """One line of the table, and whether the page is within the budget."""
    total = bytes_without_images(downloads)
    by_kind = {kind: sum(d.sent for d in downloads if d.kind == kind) for kind in KINDS}
    images = [d for d in downloads if d.is_image]
    other = total - sum(by_kind.values())
    within = total <= FIRST_LOAD_BUDGET
    return [
        name,
        f"`{path}`",
        len(downloads),
        *(kb(by_kind[kind]) for kind in KINDS),
        kb(other),
        f"**{kb(total)}**",
        f"{len(images)} ({kb(sum(d.sent for d in images))})",
        "yes" if within else "**NO**",
    ], within


def main():
    tables, over, failed = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        for scale in (None, SCALE):
            dataset = harness.dataset_name(scale)
            env = harness.prepare(scale, reuse=True)
            listed = harness.manage(env, "shell", "-v0", "-c", LIST_PAGES, capture=True)
            pages = json.loads(
                next(ln for ln in listed.splitlines() if ln.startswith("["))
            )
            lines = []
            harness.flush_cache()
            with harness.Gunicorn(env, f"first-load-{dataset}"):
                for name, path in pages:
                    print(f"bench: first load of {dataset} {path} ...", file=sys.stderr)
                    status = harness.fetch(path)[0]
                    if status != 200:
                        failed.append(f"{dataset} {path} answered {status}, not 200")
                        continue
                    downloads = first_load(browser, harness.BASE_URL + path)
                    line, within = row(name, path, downloads)
                    lines.append(line)
                    if not within:
                        over.append(
                            f"{dataset} {path} {kb(bytes_without_images(downloads))} KB"
                        )
            header = [
                "page",
                "path",
                "responses",
                "HTML KB",
                "CSS KB",
                "JS KB",
                "other KB",
                "total KB (no images)",
                "images (KB)",
                "≤ 30 KB",
            ]
            what = "demo data" if scale is None else f"seed_bench --scale {scale}"
            tables.append(f"## {what}\n\n" + harness.markdown_table(header, lines))
        browser.close()

    report = (
        f"# First load of each public page (issue 13)\n\n{harness.stamp()} · "
        f"Chromium at 360 px, empty cache, page cache on · KB = 1024 bytes, "
        f"headers included\n\n" + "\n\n".join(tables) + "\n"
    )
    missed = [f"over {FIRST_LOAD_BUDGET} bytes: {page}" for page in over]
    return harness.finish(
        "first_load", report, missed=missed, failed=failed, missed_fails=True
    )


if __name__ == "__main__":
    sys.exit(main())
