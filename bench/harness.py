"""
What the benchmarks of `make bench` share: databases of their own on
PostgreSQL, filled with the demo or with seed_bench; gunicorn started the
way production starts it (gunicorn.conf.py, DEBUG off, collected static
files); wrk and its report; the headers a resident's phone sends.

Knobs (environment), read by every script that uses this module:
  BENCH_POSTGRES   server for the databases (postgres://postgres@127.0.0.1:5432)
  BENCH_DB_PREFIX  prefix of their names (tongyun_bench_): <prefix>demo,
                   <prefix>n100 for seed_bench --scale 100
  BENCH_REDIS_URL  the cache of the measured site (redis://127.0.0.1:6379/7),
                   emptied before each gunicorn starts
  BENCH_PORT       port of the benchmark's gunicorn (8765)
  BENCH_REUSE      1: keep a database filled by an earlier run instead of
                   making it afresh (quicker while trying the scripts)
"""

import contextlib
import datetime as dt
import http.client
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

# What a resident's phone sends: Chinese first, compressed answers welcome.
PHONE_HEADERS = {"Accept-Language": "zh-CN", "Accept-Encoding": "gzip"}


def knob(name, default):
    """A positive whole number from the environment; exit 2 on anything else."""
    text = os.environ.get(name, str(default))
    if not re.fullmatch(r"[1-9][0-9]*", text):
        sys.exit(f"bench: {name} must be a positive whole number, not {text!r}.")
    return int(text)


POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "tongyun_bench_")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
PORT = knob("BENCH_PORT", 8765)
REUSE = os.environ.get("BENCH_REUSE", "") in ("1", "true", "yes")
BASE_URL = f"http://127.0.0.1:{PORT}"


def dataset_name(scale):
    """The data set's name: demo, or n100 for seed_bench --scale 100."""
    return "demo" if scale is None else f"n{scale}"


def site_env(dataset, **extra):
    """
    The environment of manage.py and gunicorn for one data set: its own
    database, media folders and the bench's cache, as production runs
    (DEBUG off). LOCAL_MODE only because the bench speaks plain http on
    127.0.0.1: without it the site redirects to https and its cookies are
    sent over https only.
    """
    if not re.fullmatch(r"[a-z0-9_]+", DB_PREFIX + dataset):
        sys.exit(f"bench: {DB_PREFIX + dataset!r} is not a database name to use.")
    return {
        **os.environ,
        "DATABASE_URL": f"{POSTGRES}/{DB_PREFIX}{dataset}",
        "CACHE_URL": REDIS_URL,
        "DEBUG": "false",
        "LOCAL_MODE": "true",
        "STATIC_ROOT": str(OUT / "static"),
        "MEDIA_ROOT": str(OUT / f"media-{dataset}"),
        "PRIVATE_MEDIA_ROOT": str(OUT / f"private-media-{dataset}"),
        **extra,
    }


def manage(env, *args, capture=False):
    """Run manage.py with env; its output when capture, else on the console."""
    done = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE if capture else sys.stderr,
        text=True,
    )
    return done.stdout


def _psql(sql):
    subprocess.run(
        ["psql", POSTGRES + "/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _filled(env):
    """Whether the data set's database answers and holds gardens."""
    code = "from gardens.models import Garden; print(Garden.objects.exists())"
    try:
        return "True" in manage(env, "shell", "-v0", "-c", code, capture=True).split()
    except subprocess.CalledProcessError:
        return False


def prepare(scale=None, *, reuse=REUSE):
    """
    A fresh database for the data set (the demo, or seed_bench --scale N),
    migrated and filled, with static files collected; its environment.
    With reuse (BENCH_REUSE) an earlier one that holds data is kept as it
    is.
    """
    dataset = dataset_name(scale)
    env = site_env(dataset)
    OUT.mkdir(parents=True, exist_ok=True)
    manage(env, "collectstatic", "--no-input", "-v0")
    if reuse and _filled(env):
        print(f"bench: reusing {DB_PREFIX}{dataset}", file=sys.stderr)
        return env
    print(f"bench: filling {DB_PREFIX}{dataset} afresh ...", file=sys.stderr)
    _psql(f"DROP DATABASE IF EXISTS {DB_PREFIX}{dataset} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DB_PREFIX}{dataset}")
    for media in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
        shutil.rmtree(env[media], ignore_errors=True)
    manage(env, "migrate", "--no-input", "-v0")
    if scale is None:
        manage(env, "load_demo", "-v0")
    else:
        manage(env, "seed_bench", "--scale", str(scale))
    return env


def flush_cache():
    """Empty the bench's Redis database, so that a run starts cold."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def fetch(path, headers=None, *, method="GET", body=None, timeout=300):
    """(status, headers with lower-case names, body as sent) of one request."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    try:
        conn.request(
            method, path, body=body, headers={**PHONE_HEADERS, **(headers or {})}
        )
        response = conn.getresponse()
        sent = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, sent
    finally:
        conn.close()


class Gunicorn:
    """
    gunicorn as production starts it (gunicorn.conf.py: WEB_CONCURRENCY
    workers, default 2), on BENCH_PORT, for the length of a with block. Its
    log is bench/out/gunicorn-<label>.log. Refuses to start when something
    else answers on the port: that would be measured instead.
    """

    # How long the queue wrk leaves behind may take to clear before the
    # server is started afresh instead (settle()).
    SETTLE_SECONDS = 10

    def __init__(self, env, label):
        self.env = env
        self.log_path = OUT / f"gunicorn-{label}.log"
        self.log_path.write_text("")
        self.process = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        with contextlib.suppress(OSError):
            fetch("/healthz", timeout=5)
            sys.exit(f"bench: something already listens on 127.0.0.1:{PORT}.")
        with open(self.log_path, "a") as log:
            # No control socket: its default path is per user, so ours would
            # replace (and on exit delete) the one of a `make run` server.
            self.process = subprocess.Popen(
                [GUNICORN, "-c", "gunicorn.conf.py", "--no-control-socket"]
                + ["--bind", f"127.0.0.1:{PORT}"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"bench: gunicorn exited during startup; see {self.log_path}")
            with contextlib.suppress(OSError):
                if fetch("/healthz", timeout=5)[0] == 200:
                    return
            time.sleep(0.5)
        sys.exit(f"bench: /healthz did not answer 200 in 30 s; see {self.log_path}")

    def stop(self, *, quick=False):
        """Stop gunicorn: gracefully, or at once (SIGINT) when quick."""
        self.process.send_signal(signal.SIGINT if quick else signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def settle(self):
        """
        Wait until gunicorn has answered what wrk left queued: a slow page's
        backlog, still served after wrk hung up, would slow the next page
        measured. Each sync worker takes the next connection in turn, so
        once a request sent now is answered, all sent before it have been
        taken. A backlog that takes longer than SETTLE_SECONDS is dropped
        by starting gunicorn afresh.
        """
        try:
            for _ in range(2):
                fetch("/healthz", timeout=self.SETTLE_SECONDS)
        except TimeoutError:
            print("bench: restarting gunicorn to drop a backlog", file=sys.stderr)
            self.stop(quick=True)
            self.start()


def _ms(value):
    """wrk's latency ("812.00us", "1.20ms", "2.01s", "1.00m") in ms."""
    number, unit = re.fullmatch(r"([0-9.]+)([a-z]*)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(report):
    """Requests answered, req/s, p50 and p99 (ms), non-2xx/3xx answers and
    socket errors."""
    found = {"rps": 0.0, "p50": 0.0, "p99": 0.0, "bad": 0, "socket_errors": 0}
    for line in report.splitlines():
        if m := re.match(r"\s+(\d+) requests in", line):
            found["requests"] = int(m[1])
        elif line.startswith("Requests/sec:"):
            found["rps"] = float(line.split()[1])
        elif m := re.match(r"\s+(50|99)%\s+(\S+)", line):
            found["p" + m[1]] = _ms(m[2])
        elif "Non-2xx or 3xx responses:" in line:
            found["bad"] = int(line.split()[-1])
        elif line.strip().startswith("Socket errors:"):
            found["socket_errors"] = sum(int(n) for n in re.findall(r"\d+", line))
    return found


def wrk(path, *, seconds, connections, headers=None, raw_name):
    """
    wrk on path for seconds with connections (2 threads), phone headers
    plus headers; its report parsed, the raw one kept in bench/out/.
    """
    # A page slower than wrk's own 2 s would count as a socket timeout, not
    # as its latency.
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s"]
    args.append("--latency")
    for name, value in {**PHONE_HEADERS, **(headers or {})}.items():
        args += ["-H", f"{name}: {value}"]
    report = subprocess.run(
        [*args, BASE_URL + path], check=True, capture_output=True, text=True
    ).stdout
    (OUT / f"wrk-{raw_name}.txt").write_text(report)
    return parse_wrk(report)


def commit():
    """The commit measured; "+dirty" with uncommitted changes."""
    git = ["git", "-C", str(ROOT)]
    found = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    if not found:
        return "unknown"
    clean = subprocess.run([*git, "diff", "--quiet", "HEAD", "--"]).returncode == 0
    return found if clean else found + "+dirty"


def stamp():
    """When, what and where: the first line above each table."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{now} · commit {commit()} · nproc {os.cpu_count()} · "
        f"Python {platform.python_version()} · PostgreSQL"
    )


def finish(part, report, *, missed=(), failed=(), missed_fails=False):
    """
    Print a part's report and what it missed; write bench/out/<part>.md
    unless it failed (a wrong answer makes figures not worth keeping). The
    exit status: 1 when failed, or when missed and missed_fails (a budget
    that does not depend on the machine's load), else 0.
    """
    print(report)
    if missed:
        word = "FAILED" if missed_fails else "targets missed"
        print(f"bench: {word}: " + "; ".join(missed), file=sys.stderr)
    if failed:
        print("bench: FAILED: " + "; ".join(failed), file=sys.stderr)
        return 1
    (OUT / f"{part}.md").write_text(report)
    return 1 if missed and missed_fails else 0


def markdown_table(header, rows):
    """A Markdown table; columns after the first two align right."""
    align = ["---", "---"] + ["---:"] * (len(header) - 2)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
