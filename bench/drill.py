"""
The fault drill (`make drill`, issue 15): the site's parts cut off one at a
time under a small load, and what residents and volunteers met meanwhile.

Set-up: a fresh PostgreSQL database (DRILL_DB, dropped at the end) with the
demo and one event per fault (DRILL_CAPACITY seats each), Redis database
DRILL_REDIS flushed, and TCP proxies (tests/faults.py) in front of both, so
that the drill can refuse or hang them without stopping the machine's own
servers. Through the proxies run two app hosts (gunicorn with
gunicorn.conf.py, as deploy/two-hosts.sh starts them) and one task worker
(`manage.py db_worker`), on the production settings in local mode (plain
http), page cache on. Rate limits are on, with the sign-up and refused-form
limits raised to 100000/h: every request of the drill comes from 127.0.0.1,
which the real limits would refuse after ten seats, but the limiter's
calls to the cache still happen on every sign-up, as they do for residents.
Messages go to LogSender (the worker's log), where each names its sign-up.

For each fault, DRILL_CLIENTS threads send page views (home, event,
gallery, garden) and sign-ups (the event page for its CSRF token, then the
form with a phone of its own), alternating between the hosts, at most
DRILL_MAX_REQUESTS per fault. After 2 s the part is cut for
DRILL_CUT_SECONDS, then restored; a probe then measures the time to
recover: from the restore until every host answered its home page 200 and
a sign-up was accepted (303). Faults:

  redis-refused     Redis refuses connections (open ones reset)
  redis-hung        Redis accepts connections and answers nothing
  postgres-refused  PostgreSQL refuses connections, as during a restart
  worker-stopped    the task worker stopped (SIGTERM), then started again

Storage is not cut: sign-ups and page views do not write to it, so the
drill's load would not meet the fault (issue 15's storage tests do).

After each fault the drill waits (up to DRILL_DRAIN_SECONDS) for the
worker to send the event's messages, then reads the database and the
worker's log. It prints one Markdown row per fault (also written to
bench/out/drill/drill.md) and exits 1, with FAILED lines, when any answer was a
500, an event holds more confirmed people than seats (or waitlists people
while seats are free), or a message was sent twice.

Knobs (environment):
  DRILL_FAULTS        faults to run, in order (all four above)
  DRILL_POSTGRES      the PostgreSQL server (postgres://postgres@127.0.0.1:5432)
  DRILL_DB            the drill's database, made afresh (tongyun_drill)
  DRILL_REDIS         the Redis database, flushed (redis://127.0.0.1:6379/14)
  DRILL_CLIENTS       threads sending requests (8)
  DRILL_MAX_REQUESTS  requests per fault at most (500)
  DRILL_CUT_SECONDS   how long each part is cut (5)
  DRILL_CAPACITY      seats of each fault's event (20)
  DRILL_TIMEOUT       seconds a request may take before it counts as a
                      timeout (10)
  DRILL_RECOVER_SECONDS  longest wait for recovery (30)
  DRILL_DRAIN_SECONDS    longest wait for the messages (20)
  DRILL_OUT           the folder of the report (drill.md) and of the hosts'
                      and the worker's logs, emptied first (bench/out/drill)
"""

import collections
import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
from pathlib import Path

import harness

sys.path.insert(0, str(harness.ROOT))
from tests.faults import TcpProxy  # noqa: E402 (the project root, just added)

FAULTS = ("redis-refused", "redis-hung", "postgres-refused", "worker-stopped")
POSTGRES = urllib.parse.urlsplit(
    os.environ.get("DRILL_POSTGRES", "postgres://postgres@127.0.0.1:5432")
)
DB = os.environ.get("DRILL_DB", "tongyun_drill")
REDIS = urllib.parse.urlsplit(
    os.environ.get("DRILL_REDIS", "redis://127.0.0.1:6379/14")
)
CLIENTS = harness.knob("DRILL_CLIENTS", 8)
MAX_REQUESTS = harness.knob("DRILL_MAX_REQUESTS", 500)
CUT_SECONDS = harness.knob("DRILL_CUT_SECONDS", 5)
CAPACITY = harness.knob("DRILL_CAPACITY", 20)
TIMEOUT = harness.knob("DRILL_TIMEOUT", 10)
RECOVER_SECONDS = harness.knob("DRILL_RECOVER_SECONDS", 30)
DRAIN_SECONDS = harness.knob("DRILL_DRAIN_SECONDS", 20)
# Load before the cut, and after recovery, so that each fault is met by
# requests already under way and followed by ordinary ones.
LEAD_SECONDS = 2
# A service manager's patience with a stopping process (systemd waits
# 90 s; the drill has less time).
STOP_SECONDS = 10
TAIL_SECONDS = 2
OUT = Path(os.environ.get("DRILL_OUT") or harness.OUT / "drill")
PY = harness.PY

# One event per fault, far enough ahead to stay open, and the pages the
# load views; printed as one line of "name path" pairs.
MAKE_EVENTS = """
import datetime as dt
from django.utils import timezone
from events.models import Event
from gardens.models import Garden
now = timezone.now()
garden = Garden.objects.order_by("pk").first()
print("garden", garden.get_absolute_url())
for fault in {faults!r}:
    event = Event.objects.create(
        title="故障演练 " + fault, slug="drill-" + fault,
        kind=Event.Kind.PLANTING_DAY, meeting_point="牡丹园",
        starts_at=now + dt.timedelta(days=400),
        ends_at=now + dt.timedelta(days=400, hours=2),
        signup_opens_at=now - dt.timedelta(days=1),
        signup_closes_at=now + dt.timedelta(days=399),
        capacity={capacity}, status=Event.Status.PUBLISHED,
    )
    event.gardens.set([garden])
    print(fault, event.pk, event.get_absolute_url())
"""

SENT = re.compile(r"signed_up to \S+ \(sign-up (\d+)\)")


BEGAN = time.monotonic()


def say(text):
    print(
        f"drill: {time.monotonic() - BEGAN:5.1f} s {text}", file=sys.stderr, flush=True
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(port=None, name=DB):
    """The drill database's URL, through the proxy on port if given."""
    userinfo = POSTGRES.netloc.rpartition("@")[0]
    host = f"127.0.0.1:{port}" if port else POSTGRES.netloc.rpartition("@")[2]
    return f"{POSTGRES.scheme}://{userinfo}@{host}/{name}"


def psql(sql, name="postgres"):
    """Run sql on the real server (never through the proxy); its rows."""
    done = subprocess.run(
        ["psql", database_url(name=name), "-qAtX", "-v", "ON_ERROR_STOP=1"]
        + ["-F", " ", "-c", sql],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"psql: {done.stderr.strip()}")
    return [line.split(" ") for line in done.stdout.splitlines() if line]


def site_env(db_port, redis_port):
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "tongyun.settings",
        "ENV_FILE": "",
        "LOCAL_MODE": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(db_port),
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}{REDIS.path}",
        "STATIC_ROOT": str(OUT / "static"),
        "MEDIA_ROOT": str(OUT / "media"),
        "PRIVATE_MEDIA_ROOT": str(OUT / "private-media"),
        "RATELIMIT_ENABLE": "true",
        "RATE_LIMIT_SIGNUP_SEATS": "100000/h",
        "RATE_LIMIT_REFUSED": "100000/h",
        "NOTIFY_SENDER": "tongyun.lib.senders.LogSender",
        "MAIL_BACKEND": "none",
        "ADMIN_REQUIRE_2FA": "false",
        "PYTHONUNBUFFERED": "1",
    }


class Process:
    """A process of the site in a session of its own, its output appended to
    log; stop() ends the whole session, however it was left."""

    def __init__(self, command, env, log):
        self.command, self.env, self.log = command, env, log
        self.process = None

    def start(self):
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=harness.ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def exited(self):
        return self.process is not None and self.process.poll() is not None

    def stop(self):
        """SIGTERM, as a service manager stops it; SIGKILL after STOP_SECONDS.
        Whether it had to be killed."""
        if self.process is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        killed = False
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            killed = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None
        return killed


def category(status):
    if status in (200, 303, 304, 500, 503):
        return str(status)
    return "4xx" if 400 <= status < 500 else "other"


class Load:
    """The requests of one fault: who sends what where, and what came back."""

    def __init__(self, hosts, pages, event_path):
        self.hosts, self.pages, self.event_path = hosts, pages, event_path
        self.answers = collections.Counter()
        self.seconds = []  # of each answered request
        self.failures = collections.Counter()  # "500 GET /path" and the like
        self.sent = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    # --- One request ----------------------------------------------------------

    def request(self, port, method, path, body=None, headers=None):
        """(status, headers, body) or (None, …) on a timeout or no connection;
        counted either way."""
        with self.lock:
            self.sent += 1
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        started = time.monotonic()
        try:
            conn.request(
                method, path, body, {"Accept-Language": "zh-CN"} | (headers or {})
            )
            response = conn.getresponse()
            result = response.status, response.headers, response.read()
            kind = category(result[0])
            with self.lock:
                self.seconds.append(time.monotonic() - started)
        except TimeoutError:
            result, kind = (None, None, b""), "timeout"
        except OSError:
            result, kind = (None, None, b""), "no connection"
        finally:
            conn.close()
        with self.lock:
            self.answers[kind] += 1
            if kind == "503" and not result[1].get("Retry-After"):
                self.failures[f"503 without Retry-After, {method} {path}"] += 1
            if kind in ("500", "other"):
                self.failures[f"{result[0]} {method} {path}"] += 1
        return result

    def sign_up(self, port, phone):
        """The event page for the CSRF cookie and token, then the form; whether
        it was accepted (303)."""
        status, headers, body = self.request(port, "GET", self.event_path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        cookie = re.search(r"csrftoken=([^;]+)", (headers or {}).get("Set-Cookie", ""))
        if status != 200 or not token or not cookie:
            return False
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token[1].decode(),
                "name": "演练志愿者",
                "phone": phone,
                "headcount": "1",
                "organisation": "",
                "email": "",
                "consent": "on",
                "website": "",
            }
        )
        status, _, _ = self.request(
            port,
            "POST",
            self.event_path + "signup/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie[1]}",
            },
        )
        return status == 303

    # --- Clients --------------------------------------------------------------

    def client(self, number, phones):
        # Each host in turn, and on each, every page then a sign-up in turn;
        # spread over the fault's length, so that requests are still sent
        # during the cut and after it when the machine is quick.
        pace = CLIENTS * (LEAD_SECONDS + CUT_SECONDS + TAIL_SECONDS + 1) / MAX_REQUESTS
        turn = number
        while not self.stopping.wait(pace) and self.sent < MAX_REQUESTS:
            port = self.hosts[turn % len(self.hosts)]
            action = turn // len(self.hosts) % (len(self.pages) + 1)
            if action == len(self.pages):
                self.sign_up(port, next(phones))
            else:
                self.request(port, "GET", self.pages[action])
            turn += 1

    def start(self, phones):
        self.threads = [
            threading.Thread(target=self.client, args=(n, phones), daemon=True)
            for n in range(CLIENTS)
        ]
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=TIMEOUT * 3)

    def recover(self, restored_at, phones):
        """Seconds from restored_at until every host answered its home page
        200 and a sign-up was accepted; None when not within RECOVER_SECONDS."""
        waiting = {f"host {port}" for port in self.hosts} | {"sign-up"}
        done_at = restored_at
        turn = 0
        while waiting and time.monotonic() - restored_at < RECOVER_SECONDS:
            for port in self.hosts:
                name = f"host {port}"
                if name in waiting and self.request(port, "GET", "/")[0] == 200:
                    waiting.discard(name)
                    done_at = time.monotonic()
            if "sign-up" in waiting:
                turn += 1
                if self.sign_up(self.hosts[turn % len(self.hosts)], next(phones)):
                    waiting.discard("sign-up")
                    done_at = time.monotonic()
            if waiting:
                time.sleep(0.25)
        return None if waiting else done_at - restored_at


class LockedIterator:
    """An iterator several threads may take from."""

    def __init__(self, iterator):
        self.iterator, self.lock = iterator, threading.Lock()

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            return next(self.iterator)


def phone_numbers():
    """Distinct mobile numbers, for every sign-up of the drill."""
    return LockedIterator(f"139{n:08d}" for n in range(10**8))


class Site:
    """The proxies, the two hosts and the worker, and the database."""

    def __init__(self):
        self.db_proxy = TcpProxy(
            POSTGRES.port or 5432, target_host=POSTGRES.hostname or "127.0.0.1"
        )
        self.redis_proxy = TcpProxy(
            REDIS.port or 6379, target_host=REDIS.hostname or "127.0.0.1"
        )
        self.hosts = []
        self.worker = None
        self.made_database = False
        self.notes = []  # what went wrong besides the answers

    def start(self):
        if not re.fullmatch(r"[a-z0-9_]+", DB):
            sys.exit(f"drill: {DB!r} is not a database name to use.")
        shutil.rmtree(OUT, ignore_errors=True)
        OUT.mkdir(parents=True)
        self.db_proxy.start()
        self.redis_proxy.start()
        env = site_env(self.db_proxy.port, self.redis_proxy.port)
        import redis

        redis.Redis.from_url(REDIS.geturl()).flushdb()
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        psql(f"CREATE DATABASE {DB}")
        self.made_database = True
        say("migrating a fresh database")
        harness.manage(env, "migrate", "--no-input", "-v0")
        harness.manage(env, "collectstatic", "--no-input", "-v0")
        say("loading the demo")
        harness.manage(env, "load_demo", "-v0")
        made = harness.manage(
            env,
            "shell",
            "-v0",
            "-c",
            MAKE_EVENTS.format(faults=FAULT_LIST, capacity=CAPACITY),
            capture=True,
        )
        lines = [line.split() for line in made.splitlines() if line.strip()]
        self.garden_path = next(line[1] for line in lines if line[0] == "garden")
        self.events = {
            line[0]: (int(line[1]), line[2]) for line in lines if line[0] in FAULTS
        }
        say("starting two hosts and a worker")
        for number in (1, 2):
            port = free_port()
            command = [PY, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
            command += ["--bind", f"127.0.0.1:{port}"]
            host = Process(command, env, OUT / f"host-{number}.log")
            host.port = port
            host.start()
            self.hosts.append(host)
        self.worker = Process(
            [PY, "manage.py", "db_worker", "--no-reload", "--interval", "1"],
            env,
            OUT / "worker.log",
        )
        self.worker.start()
        for host in self.hosts:
            if not self.healthy(host, 60):
                sys.exit(
                    f"drill: the host on port {host.port} did not start; see {host.log}"
                )

    def healthy(self, host, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not host.exited():
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", host.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return True
            time.sleep(0.3)
        return False

    def stop(self):
        # All at once: each may take STOP_SECONDS to stop.
        stopping = [
            threading.Thread(target=process.stop)
            for process in [*self.hosts, self.worker]
            if process is not None
        ]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()
        self.db_proxy.stop()
        self.redis_proxy.stop()
        if self.made_database:
            psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        with contextlib.suppress(Exception):
            import redis

            redis.Redis.from_url(REDIS.geturl(), socket_timeout=5).flushdb()
        for folder in ("static", "media", "private-media"):
            shutil.rmtree(OUT / folder, ignore_errors=True)

    def cut_and_restore(self, fault):
        """The functions that cut the part off and bring it back."""
        return {
            "redis-refused": (self.redis_proxy.refuse, self.redis_proxy.restore),
            "redis-hung": (self.redis_proxy.hang, self.redis_proxy.restore),
            "postgres-refused": (self.db_proxy.refuse, self.db_proxy.restore),
            "worker-stopped": (self.stop_worker, self.worker.start),
        }[fault]

    def stop_worker(self):
        if self.worker.stop():
            self.notes.append(
                f"worker-stopped: the worker did not stop within {STOP_SECONDS} s "
                "of SIGTERM; killed"
            )

    def wait_for_messages(self, ids):
        """How many times each sign-up's confirmation was sent, once every
        one of ids was, or after DRAIN_SECONDS."""
        deadline = time.monotonic() + DRAIN_SECONDS
        while not ids <= set(self.messages_sent()) and time.monotonic() < deadline:
            time.sleep(0.5)
        return self.messages_sent()

    def messages_sent(self):
        """How many times each sign-up's confirmation was sent, by its id."""
        return collections.Counter(
            int(found) for found in SENT.findall(self.worker.log.read_text())
        )


def run_fault(site, fault, phones, notes):
    event_id, event_path = site.events[fault]
    pages = ["/", event_path, "/artworks/", site.garden_path]
    load = Load([host.port for host in site.hosts], pages, event_path)
    cut, restore = site.cut_and_restore(fault)
    load.start(phones)
    time.sleep(LEAD_SECONDS)
    cut_at = time.monotonic()
    cut()
    time.sleep(CUT_SECONDS)
    restore()
    restored_at = time.monotonic()
    recovered = load.recover(restored_at, phones)
    time.sleep(TAIL_SECONDS)
    load.stop()
    say(f"{fault}: load done")

    for host in site.hosts:
        if host.exited():
            notes.append(f"{fault}: the host on port {host.port} exited; restarted")
            host.start()
            site.healthy(host, 60)
    if site.worker.exited():
        notes.append(f"{fault}: the worker exited ({site.worker.log.name}); restarted")
        site.worker.start()

    rows = psql(
        f"SELECT id, status, headcount FROM events_signup WHERE event_id = {event_id}",
        name=DB,
    )
    ids = {int(row[0]) for row in rows}
    sent = site.wait_for_messages(ids)
    say(f"{fault}: messages counted")
    missing = sorted(ids - set(sent))
    if missing:
        notes.append(
            f"{fault}: no message for sign-ups {missing}; " + tasks_of(missing)
        )
    confirmed = sum(int(r[2]) for r in rows if r[1] == "confirmed")
    waitlisted = sum(int(r[2]) for r in rows if r[1] == "waitlisted")
    return {
        "load": load,
        # Stopping the worker may take longer than the cut itself.
        "cut": restored_at - cut_at,
        "recovered": recovered,
        "ids": ids,
        "rows": len(rows),
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "sent": sum(1 for i in ids if sent[i]),
        "sent_end": None,
        "twice": sorted(i for i in ids if sent[i] > 1),
    }


def recount(site, results, notes):
    """The messages once the drill is over: a message held up by one fault
    may be sent later, or sent twice."""
    sent = site.wait_for_messages(set().union(*(r["ids"] for r in results.values())))
    for fault, r in results.items():
        r["sent_end"] = sum(1 for i in r["ids"] if sent[i])
        r["twice"] = sorted(i for i in r["ids"] if sent[i] > 1)
        missing = sorted(i for i in r["ids"] if not sent[i])
        if missing:
            notes.append(
                f"{fault}: at the end, still no message for sign-ups {missing}; "
                + tasks_of(missing)
            )


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0


def tasks_of(signup_ids):
    """What became of the message tasks of signup_ids: how many have none,
    and how many are in each state."""
    rows = psql(
        "SELECT args_kwargs->'args'->>0, status "
        "FROM django_tasks_database_dbtaskresult "
        "WHERE task_path = 'events.tasks.send_signup_message'",
        name=DB,
    )
    states = collections.Counter(
        status for signup, status in rows if int(signup) in signup_ids
    )
    queued = {int(signup) for signup, _ in rows}
    states["no task"] = sum(1 for i in signup_ids if i not in queued)
    return ", ".join(f"{state} × {n}" for state, n in sorted(states.items()) if n)


def report(results, notes):
    header = ["fault", "cut s", "requests", "answered", "200", "303", "304", "4xx"]
    header += ["503", "500", "other", "timeouts", "no connection", "p50 ms"]
    header += ["max ms", "sign-up rows"]
    header += ["confirmed / seats", "waitlisted", "messages sent / expected"]
    header += ["sent by the end"]
    header += ["recovered in s"]
    rows, failed = [], []
    for fault, r in results.items():
        answers = r["load"].answers
        answered = sum(
            n for k, n in answers.items() if k not in ("timeout", "no connection")
        )
        rows.append(
            [
                fault,
                f"{r['cut']:.1f}",
                r["load"].sent,
                answered,
                *(
                    answers[k]
                    for k in ("200", "303", "304", "4xx", "503", "500", "other")
                ),
                answers["timeout"],
                answers["no connection"],
                f"{median(r['load'].seconds) * 1000:.0f}",
                f"{max(r['load'].seconds, default=0) * 1000:.0f}",
                r["rows"],
                f"{r['confirmed']} / {CAPACITY}",
                r["waitlisted"],
                f"{r['sent']} / {r['rows']}",
                "—" if r["sent_end"] is None else r["sent_end"],
                "—" if r["recovered"] is None else f"{r['recovered']:.1f}",
            ]
        )
        if answers["500"]:
            failed.append(f"{fault}: {answers['500']} answers of 500")
        if r["confirmed"] > CAPACITY:
            failed.append(
                f"{fault}: {r['confirmed']} people confirmed for {CAPACITY} seats"
            )
        if r["waitlisted"] and r["confirmed"] < CAPACITY:
            failed.append(
                f"{fault}: {r['waitlisted']} waitlisted while "
                f"{CAPACITY - r['confirmed']} seats are free"
            )
        if r["twice"]:
            failed.append(f"{fault}: messages sent twice for sign-ups {r['twice']}")
    lines = [
        f"# Fault drill (issue 15)\n\n{harness.stamp()} · two hosts × "
        f"{os.environ.get('WEB_CONCURRENCY', '2')} workers · {CLIENTS} clients · "
        f"at most {MAX_REQUESTS} requests per fault · timeout {TIMEOUT} s\n",
        harness.markdown_table(header, rows),
        "",
    ]
    for fault, r in results.items():
        lines += [
            f"- {fault}: {what} × {n}" for what, n in r["load"].failures.most_common(5)
        ]
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n", failed


FAULT_LIST = os.environ.get("DRILL_FAULTS", " ".join(FAULTS)).split()


def main():
    unknown = set(FAULT_LIST) - set(FAULTS)
    if unknown or not FAULT_LIST:
        sys.exit(f"drill: faults are {', '.join(FAULTS)}; not {', '.join(unknown)}.")
    # A kill of the drill still runs the finally below, which stops
    # everything it started.
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(143))
    site = Site()
    results, broken = {}, []
    notes = site.notes
    try:
        site.start()
        phones = phone_numbers()
        for fault in FAULT_LIST:
            say(f"{fault} ...")
            for host in site.hosts:
                site.healthy(host, 30)
            results[fault] = run_fault(site, fault, phones, notes)
        recount(site, results, notes)
    except Exception as error:  # noqa: BLE001 (what was measured still prints)
        traceback.print_exc()
        broken.append(f"the drill broke off: {type(error).__name__}: {error}")
    finally:
        say("stopping")
        site.stop()
        say("stopped")
    text, failed = report(results, notes)
    failed += broken
    print(text)
    (OUT / "drill.md").write_text(text)
    for line in failed:
        print(f"drill: FAILED: {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
