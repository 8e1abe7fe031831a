#!/usr/bin/env bash
# Everything `make bench` measures (issue 13: fast at any size), one part
# after the other, on PostgreSQL through gunicorn as production runs it:
#   pages       every public page with wrk, demo data and seed_bench data,
#               page cache on and off, 304 answers (bench/pages.py)
#   signups     200 people signing up for one event at once (bench/signups.py)
#   first_load  what each page's first load transfers, images apart
#               (bench/first_load.py)
#   uploads     the peak memory of the upload path (bench/upload_memory.py)
#
# Each part prints a Markdown table and writes it to bench/out/<part>.md.
# These are measurements: a part fails (and so does the whole, after the
# others ran) when the site answers wrongly, a capacity is not kept or a
# first load is over its budget, never because the machine is slow.
#
# Knobs (environment); docs/PERFORMANCE.md explains each:
#   BENCH_PARTS        parts to run, in order (default: all four above)
#   BENCH_SECONDS      length of each wrk run (default 4; 2 to try the script)
#   BENCH_CONNECTIONS  wrk's connections (default 32)
#   BENCH_SCALE        seed_bench's --scale (default 100)
#   BENCH_REUSE        1: keep the databases an earlier run filled
#   BENCH_POSTGRES, BENCH_DB_PREFIX, BENCH_REDIS_URL, BENCH_PORT: where
#   BENCH_SIGNUPS, BENCH_CAPACITY, BENCH_P99_MS: the sign-up rush
set -uo pipefail

cd "$(dirname "$0")/.."
PY=.venv/bin/python
PARTS=${BENCH_PARTS:-pages signups first_load uploads}

declare -A SCRIPTS=(
    [pages]=bench/pages.py
    [signups]=bench/signups.py
    [first_load]=bench/first_load.py
    [uploads]=bench/upload_memory.py
)

failed=()
for part in $PARTS; do
    script=${SCRIPTS[$part]:-}
    if [[ -z $script ]]; then
        echo "bench: no part named '$part' (parts: pages signups first_load uploads)." >&2
        exit 2
    fi
    echo "bench: $part ($script)" >&2
    if ! "$PY" "$script"; then
        failed+=("$part")
    fi
done

if ((${#failed[@]} > 0)); then
    echo "bench: FAILED: ${failed[*]}" >&2
    exit 1
fi
