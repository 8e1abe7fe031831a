"""
Messages leave the request (events/tasks.py): the sign-up answers at once,
whatever the sender does, and a worker sends the message later, retrying a
failure a bounded number of times with growing delays.
"""

import datetime as dt
import subprocess
import sys
import threading

import pytest
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from events import services, tasks
from events.models import Signup
from tests.factories import CommunityFactory, EventFactory, SignupFactory
from tests.senders import CapturingSender
from tests.servers import BASE_DIR, manage
from tests.tasks import run
from tests.threads import wait_until
from tongyun.lib.senders import SendFailed
from tongyun.roles import make_staff

pytestmark = pytest.mark.django_db


class BlockingSender:
    """Waits until released, as a provider that does not answer would."""

    release = threading.Event()
    called = []

    def send(self, message):
        BlockingSender.called.append(message)
        if not BlockingSender.release.wait(timeout=10):
            raise SendFailed("timed out")


class FailingSender:
    def send(self, message):
        raise SendFailed("provider down")


def post_signup(client, event, phone="138 0013 8000"):
    data = {"name": "李华", "phone": phone, "headcount": "1", "consent": "on"}
    return client.post(reverse("events:signup", args=[event.slug]), data)


@pytest.mark.parametrize(
    "sender",
    ["tests.events.test_tasks.BlockingSender", "tests.events.test_tasks.FailingSender"],
)
def test_signup_answers_at_once_and_leaves_the_message_to_the_worker(
    client, settings, queue, sender, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SENDER = sender
    BlockingSender.called = []
    event = EventFactory(capacity=10)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_signup(client, event)

    signup = Signup.objects.get()
    assert response.status_code == 303
    assert response["Location"] == signup.get_absolute_url()
    assert BlockingSender.called == []
    [queued] = queue
    assert queued.task.name == tasks.send_signup_message.name
    assert queued.args == [signup.pk, "signed_up"]


def test_worker_sends_the_queued_signup_message(
    client, settings, queue, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SENDER = "tests.senders.CapturingSender"
    CapturingSender.sent = []
    event = EventFactory(capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        post_signup(client, event)

    run(queue[0])

    [message] = CapturingSender.sent
    assert (message.kind, message.phone) == ("signed_up", "+8613800138000")
    assert message.ref == f"sign-up {Signup.objects.get().pk}"


def test_failed_message_is_retried_later_with_growing_delays(settings, queue):
    settings.NOTIFY_SENDER = "tests.events.test_tasks.FailingSender"
    settings.NOTIFY_ATTEMPTS, settings.NOTIFY_RETRY_DELAY = 3, 60
    signup = SignupFactory(phone="+8613800138000")
    before = timezone.now()

    with pytest.raises(SendFailed):
        tasks.send_signup_message.call(signup.pk, "signed_up")
    with pytest.raises(SendFailed):
        run(queue[0])
    with pytest.raises(SendFailed):
        run(queue[1])

    assert len(queue) == 2  # the third attempt was the last
    assert [r.kwargs["attempt"] for r in queue] == [2, 3]
    first, second = (r.task.run_after - before for r in queue)
    assert dt.timedelta(seconds=60) <= first < dt.timedelta(seconds=70)
    assert dt.timedelta(seconds=240) <= second < dt.timedelta(seconds=250)


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("promoted", Signup.Status.CANCELLED),
        ("seats_free", Signup.Status.CONFIRMED),
    ],
)
def test_message_no_longer_due_is_not_sent(settings, kind, status):
    settings.NOTIFY_SENDER = "tests.senders.CapturingSender"
    CapturingSender.sent = []
    signup = SignupFactory(phone="+8613800138000", status=status)

    tasks.send_signup_message.call(signup.pk, kind, seats=1)

    assert CapturingSender.sent == []


def test_message_to_a_purged_signup_is_not_sent(settings):
    settings.NOTIFY_SENDER = "tests.senders.CapturingSender"
    CapturingSender.sent = []
    signup = SignupFactory(phone="+8613800138000")
    signup_id = signup.pk
    signup.delete()

    tasks.send_signup_message.call(signup_id, "signed_up")

    assert CapturingSender.sent == []


def test_promotion_is_queued_for_the_worker(queue, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=2)
    first = SignupFactory(event=event, headcount=2)
    waiting = SignupFactory(event=event, headcount=1, status=Signup.Status.WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(first)

    assert [(r.args, r.kwargs) for r in queue] == [
        ([waiting.pk, "promoted"], {"seats": 0})
    ]


SIGN_UP = """
from events import services
from tests.factories import EventFactory
event = EventFactory(capacity=10)
signup = services.sign_up(event=event, name="李华", phone="+8613800138000", headcount=1)
print(signup.pk)
"""

RESULTS = """
from django_tasks_db.models import DBTaskResult
for result in DBTaskResult.objects.all():
    print(result.task_path, result.status)
"""


def test_real_worker_delivers_the_message_queued_by_a_signup(site, tmp_path):
    messages = tmp_path / "messages.txt"
    env = site | {
        "NOTIFY_SENDER": "tests.senders.FileSender",
        "MESSAGES_FILE": str(messages),
    }
    signup_id = manage(env, code=SIGN_UP).strip()
    queued = manage(env, code=RESULTS)

    manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")

    assert queued.split() == ["events.tasks.send_signup_message", "READY"]
    assert messages.read_text().splitlines() == [
        f"signed_up +8613800138000 sign-up {signup_id}"
    ]
    assert manage(env, code=RESULTS).split() == [
        "events.tasks.send_signup_message",
        "SUCCESSFUL",
    ]


@pytest.mark.parametrize(("role", "shown"), [("street", True), ("community", False)])
def test_failed_task_is_shown_to_street_staff_only(client, settings, role, shown):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NOTIFY_SENDER = "tests.events.test_tasks.FailingSender"
    result = tasks.send_signup_message.enqueue(SignupFactory().pk, "signed_up")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.FAILED, traceback="SendFailed: provider down"
    )
    user = make_staff(
        username="alice",
        role=role,
        password="a long enough password 42",
        community=None if role == "street" else CommunityFactory(),
    )
    client.force_login(user)
    url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.id])

    page = client.get(url)

    assert (page.status_code == 200) == shown
    assert ("SendFailed: provider down" in page.content.decode()) == shown


SIGN_UPS = """
from events import services
from tests.factories import EventFactory
event = EventFactory(capacity=50)
for n in range({count}):
    signup = services.sign_up(
        event=event, name="李华", phone=f"+86138001380{{n:02}}", headcount=1
    )
    print(signup.pk)
"""


def start_worker(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
        + ["--no-reload", "--interval", "0.1"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_messages_wait_for_a_stopped_worker_and_go_out_once_each(site, tmp_path):
    """Sign-ups made while no worker runs are sent when workers start again,
    two at once, each message exactly once; a later worker sends none again."""
    messages = tmp_path / "messages.txt"
    messages.touch()
    env = site | {
        "NOTIFY_SENDER": "tests.senders.FileSender",
        "MESSAGES_FILE": str(messages),
    }
    count = 12

    signup_ids = manage(env, code=SIGN_UPS.format(count=count)).split()
    waiting = manage(env, code=RESULTS).split()
    sent_while_stopped = messages.read_text().splitlines()
    workers = [start_worker(env), start_worker(env)]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors
    sent = messages.read_text().splitlines()
    manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")

    assert sent_while_stopped == []
    assert waiting.count("READY") == count
    assert sorted(line.split()[-1] for line in sent) == sorted(signup_ids)
    assert len(sent) == count
    assert messages.read_text().splitlines() == sent
    assert manage(env, code=RESULTS).split().count("SUCCESSFUL") == count


def test_worker_killed_while_sending_leaves_the_task_running_never_sent_twice(
    site, tmp_path
):
    """django-tasks-db claims a task (RUNNING, locked while claimed) before
    running it: a worker killed mid-send leaves it RUNNING, and the next
    worker does not run it again, so no message goes out twice."""
    messages = tmp_path / "messages.txt"
    messages.touch()
    env = site | {"MESSAGES_FILE": str(messages)}
    manage(env, code=SIGN_UPS.format(count=1))
    worker = start_worker(env | {"NOTIFY_SENDER": "tests.senders.SlowFileSender"})
    wait_until(
        lambda: messages.read_text().startswith("sending"), what="a send", timeout=60
    )

    worker.kill()
    worker.communicate(timeout=30)
    manage(
        env | {"NOTIFY_SENDER": "tests.senders.FileSender"},
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
    )

    assert [line.split()[0] for line in messages.read_text().splitlines()] == [
        "sending"
    ]
    assert manage(env, code=RESULTS).split() == [
        "events.tasks.send_signup_message",
        "RUNNING",
    ]
