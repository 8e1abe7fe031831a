"""Messages to volunteers: through the configured sender, in their language."""

import datetime as dt
import logging

import pytest
from django.utils import translation

from events import notify
from events.models import Signup
from tests.factories import EventFactory, SignupFactory

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def email_sender(settings):
    settings.NOTIFY_SENDER = "events.notify.EmailSender"


@pytest.fixture
def signup():
    event = EventFactory(
        title="牡丹园植树日",
        title_en="Peony Garden planting day",
        starts_at=dt.datetime(2030, 4, 7, 9, 0, tzinfo=BEIJING),
        ends_at=dt.datetime(2030, 4, 7, 12, 0, tzinfo=BEIJING),
        signup_closes_at=dt.datetime(2030, 4, 6, 20, 0, tzinfo=BEIJING),
    )
    return SignupFactory(event=event, name="张三", email="zhang@example.com")


@pytest.mark.parametrize("kind", ["signed_up", "promoted", "reminder"])
def test_log_sender_logs_kind_and_sign_up_never_link_or_name(caplog, signup, kind):
    """A log outlives the purge of personal data and is read by more people
    than the ticket's holder: it says which message about which sign-up."""
    with caplog.at_level(logging.INFO, logger="tongyun.notify"):
        getattr(notify, kind)(signup)

    [record] = [r for r in caplog.records if r.name == "tongyun.notify"]
    assert record.getMessage().startswith(f"{kind} to 138****")
    assert f"(sign-up {signup.pk})" in record.getMessage()
    assert "牡丹园植树日" in record.getMessage()
    assert signup.token not in caplog.text
    assert "张三" not in caplog.text


def test_email_sender_mails_a_volunteer_who_gave_an_address(
    email_sender, mailoutbox, signup
):
    notify.signed_up(signup)

    [message] = mailoutbox
    assert message.to == ["zhang@example.com"]
    assert "牡丹园植树日" in message.subject
    assert signup.get_absolute_url() in message.body


def test_email_sender_logs_for_a_volunteer_without_an_address(
    email_sender, mailoutbox, caplog, signup
):
    signup.email = ""

    with caplog.at_level(logging.INFO, logger="tongyun.notify"):
        notify.signed_up(signup)

    assert mailoutbox == []
    assert any("牡丹园植树日" in r.getMessage() for r in caplog.records)


def test_message_is_in_english_for_an_english_volunteer(
    email_sender, mailoutbox, signup
):
    signup.language = "en"

    notify.reminder(signup)  # while the active language is Chinese

    [message] = mailoutbox
    assert message.subject == "Tomorrow: Peony Garden planting day"
    assert "A reminder that you are signed up for tomorrow." in message.body
    assert "7 April 2030" in message.body
    assert "09:00–12:00" in message.body
    assert translation.get_language() == "zh-hans"


def test_message_is_in_chinese_for_a_chinese_volunteer(
    email_sender, mailoutbox, signup
):
    signup.language = "zh-hans"

    with translation.override("en"):
        notify.reminder(signup)

    [message] = mailoutbox
    assert "牡丹园植树日" in message.subject
    assert "Peony Garden" not in message.subject
    assert "2030年4月7日" in message.body  # a date in Chinese style
    assert "09:00–12:00" in message.body


def test_message_dates_an_early_event_by_beijing_time(email_sender, mailoutbox, signup):
    event = signup.event
    event.starts_at = dt.datetime(2030, 4, 7, 7, 0, tzinfo=BEIJING)  # 23:00 UTC
    event.save()
    signup = Signup.objects.select_related("event").get(pk=signup.pk)

    notify.reminder(signup)

    [message] = mailoutbox
    assert "2030年4月7日" in message.body


def test_seats_free_tells_the_first_in_line_how_many_and_where_to_take_them(
    email_sender, mailoutbox, signup
):
    signup.headcount, signup.status, signup.language = 3, "waitlisted", "en"

    notify.seats_free(signup, seats=2)

    [message] = mailoutbox
    assert "Peony Garden planting day" in message.subject
    assert "with 3 people, and 2 seats are free now" in message.body
    assert signup.get_absolute_url() in message.body
