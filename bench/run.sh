#!/usr/bin/env bash
# Benchmark the public pages with wrk against gunicorn (`make bench`).
#
# This is a measurement, not a test: it only fails when the site does not
# answer 200, never because it is slow. Knobs (environment):
#   BENCH_SECONDS      length of each wrk run (default 8)
#   BENCH_CONNECTIONS  concurrent connections (default 8)
#   BENCH_PORT         port gunicorn listens on (default 8765)
#   DATABASE_URL       database to measure; default bench/out/bench.sqlite3,
#                      so a benchmark never touches the development database.
# Results: a Markdown table on stdout and in bench/out/latest.md; the raw wrk
# output and the gunicorn log stay in bench/out/ for a closer look.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"

PORT=${BENCH_PORT:-8765}
DURATION=${BENCH_SECONDS:-8}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
THREADS=2
WORKERS=2
PY=.venv/bin/python
BASE=http://127.0.0.1:$PORT
# The site's audience reads Chinese; measure the catalogue lookups it causes.
LANG_HEADER='Accept-Language: zh-CN'
PAGES=(
    /healthz
    /
    /gardens/
    /gardens/mudanyuan/
    /gardens/mudanyuan/zones/A1/
    /species/mudan/
    /bloom/
    /donations/
    /events/
    /events/2024-planting-day/
    /artworks/
    /artworks/1/
)

for knob in "BENCH_PORT=$PORT" "BENCH_SECONDS=$DURATION" "BENCH_CONNECTIONS=$CONNECTIONS"; do
    if ! [[ ${knob#*=} =~ ^[1-9][0-9]*$ ]]; then
        echo "bench: ${knob%%=*} must be a positive whole number, not '${knob#*=}'." >&2
        exit 2
    fi
done

# Variables in the environment win over .env, so exporting here is enough to
# keep the bench off db.sqlite3 and to measure what production runs (no DEBUG).
export DATABASE_URL="${DATABASE_URL:-sqlite:///$PWD/$OUT/bench.sqlite3}"
export DEBUG=false

$PY manage.py migrate --no-input
# The rate limits' counts, when CACHE_URL names a database cache (the default).
$PY manage.py createcachetable
# The manifest storage refuses to render pages without collected files.
$PY manage.py collectstatic --no-input -v0
$PY manage.py load_demo

# Ask Django rather than parse the URL: it names the engine actually used.
ENGINE=$($PY manage.py shell -v0 -c 'from django.db import connection; print(connection.vendor)')
# Numbers are only comparable for known code; "+dirty": uncommitted changes.
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $COMMIT != unknown ]] && ! git diff --quiet HEAD --; then
    COMMIT+="+dirty"
fi

# Another server already on the port would answer /healthz and be measured
# instead of ours, while gunicorn quietly failed to bind.
if curl -s -o /dev/null --max-time 2 "$BASE/"; then
    echo "bench: something already listens on 127.0.0.1:$PORT; set BENCH_PORT." >&2
    exit 1
fi

GUNICORN_PID=
cleanup() {
    if [[ -n $GUNICORN_PID ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
        kill -TERM "$GUNICORN_PID"
        wait "$GUNICORN_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
# Turn signals into a normal exit so the EXIT trap still stops gunicorn.
trap 'exit 130' INT
trap 'exit 143' TERM

# No control socket: its default path is per user, not per server, so ours
# would replace (and on exit delete) the one of a `make run` server.
.venv/bin/gunicorn tongyun.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --no-control-socket >"$OUT/gunicorn.log" 2>&1 &
GUNICORN_PID=$!

ready=
for _ in $(seq 60); do  # 60 x 0.5 s: give up after about 30 s
    if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
        echo "bench: gunicorn exited during startup; $OUT/gunicorn.log:" >&2
        tail -n 20 "$OUT/gunicorn.log" >&2
        exit 1
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/healthz" || true)
    if [[ $code == 200 ]]; then
        ready=yes
        break
    fi
    sleep 0.5
done
if [[ -z $ready ]]; then
    echo "bench: /healthz did not answer 200 within 30 s; $OUT/gunicorn.log:" >&2
    tail -n 20 "$OUT/gunicorn.log" >&2
    exit 1
fi

# Prints "req/s p50_ms p99_ms non2xx socket_errors" from one wrk report.
# wrk picks the unit per number (us, ms, s, m), so normalise to milliseconds.
parse_wrk() {
    awk '
        function ms(v,   n, unit) {
            n = v + 0; unit = v; sub(/^[0-9.]+/, "", unit)
            if (unit == "us") return n / 1000
            if (unit == "s")  return n * 1000
            if (unit == "m")  return n * 60000
            return n
        }
        /^Requests\/sec:/              { rps = $2 }
        /^[ \t]+50%/                   { p50 = ms($2) }
        /^[ \t]+99%/                   { p99 = ms($2) }
        /Non-2xx or 3xx responses:/    { bad = $NF }
        /Socket errors:/ {
            gsub(/,/, ""); sockerr = $4 + $6 + $8 + $10
        }
        END { printf "%s %.2f %.2f %d %d\n", rps + 0, p50, p99, bad + 0, sockerr + 0 }
    ' "$1"
}

STARTED=$(date '+%Y-%m-%d %H:%M %Z')

ROWS=()
FAILED=()
for page in "${PAGES[@]}"; do
    # wrk only flags 4xx/5xx (despite its wording), so a redirect or a
    # missing demo row would be measured as if it were the page: check first.
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "$LANG_HEADER" "$BASE$page" || true)
    if [[ $code != 200 ]]; then
        FAILED+=("$page answered $code, not 200")
    fi

    raw="$OUT/wrk$(echo "$page" | tr '/' '_').txt"
    echo "bench: $page for ${DURATION}s ..." >&2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
        -H "$LANG_HEADER" "$BASE$page" >"$raw"

    read -r rps p50 p99 bad sockerr < <(parse_wrk "$raw")
    if ((bad > 0)); then
        FAILED+=("$page had $bad non-2xx responses")
    fi
    if ((sockerr > 0)); then
        # Timeouts and resets distort latency but are not an HTTP failure.
        echo "bench: warning: $page had $sockerr socket errors (see $raw)" >&2
    fi
    ROWS+=("$page $rps $p50 $p99")
done

# Absolute numbers depend on the machine (wrk shares its cores with
# gunicorn); the ratio to /healthz, which does one SELECT 1, is comparable.
report() {
    printf '%s · commit %s · nproc %s · database %s · gunicorn %s workers · wrk %s threads, %s connections, %ss\n\n' \
        "$STARTED" "$COMMIT" "$(nproc)" "$ENGINE" "$WORKERS" \
        "$THREADS" "$CONNECTIONS" "$DURATION"
    printf '%s\n' "${ROWS[@]}" | awk '
        BEGIN {
            print "| page | req/s | p50 ms | p99 ms | ratio to /healthz |"
            print "|---|---:|---:|---:|---:|"
        }
        NR == 1 { base = $2 }
        {
            ratio = base > 0 ? sprintf("%.2f", $2 / base) : "n/a"
            printf "| `%s` | %.0f | %.2f | %.2f | %s |\n", $1, $2, $3, $4, ratio
        }
    '
}

report
if ((${#FAILED[@]} > 0)); then
    # Keep latest.md for numbers worth comparing with; a broken page is not.
    printf 'bench: FAILED: %s\n' "${FAILED[@]}" >&2
    exit 1
fi
report >"$OUT/latest.md"
