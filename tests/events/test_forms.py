"""
The sign-up form refuses what it must, keeps what was typed, writes nothing.

Errors are checked through their codes and the fields they sit next to,
not their wording; the pages are in Chinese unless a test asks for English.
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import services
from events.forms import SignupForm
from events.models import Event, Signup
from tests.factories import EventFactory, SignupFactory
from tongyun.lib import limits

pytestmark = pytest.mark.django_db

TYPED_NAME = "欧阳娜娜"


@pytest.fixture
def event():
    return EventFactory(capacity=10)


def sign_up(client, event, headers=None, **fields):
    data = {
        "name": TYPED_NAME,
        "phone": "138 0013 8000",
        "headcount": "2",
        "organisation": "牡丹园社区绘画班",
        "consent": "on",
        "website": "",
    }
    data |= fields
    url = reverse("events:signup", args=[event.slug])
    return client.post(url, data, **(headers or {}))


def form_of(response):
    return response.context["form"]


def error_codes(response, field=None):
    errors = form_of(response).errors.as_data().get(field or "__all__", [])
    return [error.code for error in errors]


def assert_nothing_written_and_form_kept(response, count=0):
    page = response.content.decode()
    assert Signup.objects.count() == count
    assert f'value="{TYPED_NAME}"' in page
    assert 'value="牡丹园社区绘画班"' in page


# --- The form on its own --------------------------------------------------


def test_form_normalises_the_phone_and_keeps_organisation_text():
    form = SignupForm(
        {
            "name": "  张  三 ",
            "phone": "+86 138-0013-8000",
            "headcount": "1",
            "organisation": " 不认识的单位 ",
            "consent": "on",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "张 三"
    assert form.cleaned_data["phone"] == "+8613800138000"
    assert form.cleaned_data["organisation"] == "不认识的单位"
    assert form.matched_organisation() is None


def test_form_starts_with_one_person():
    form = SignupForm()

    assert form["headcount"].value() == 1
    assert 'value="1" required id="id_headcount_0" checked' in str(form["headcount"])


# --- Through the sign-up view ---------------------------------------------


@pytest.mark.parametrize("phone", ["12345", "010 6512 3456", "+1 415 555 0100", ""])
def test_signup_refuses_a_phone_that_is_not_a_mainland_mobile(client, event, phone):
    response = sign_up(client, event, phone=phone)

    assert response.status_code == 422
    assert error_codes(response, "phone") in (["invalid_phone"], ["required"])
    assert 'aria-invalid="true"' in response.content.decode()
    assert_nothing_written_and_form_kept(response)


def test_signup_refuses_without_consent(client, event):
    response = sign_up(client, event, consent="")

    assert response.status_code == 422
    assert error_codes(response, "consent") == ["required"]
    assert 'id="id_consent_error"' in response.content.decode()
    assert_nothing_written_and_form_kept(response)


def test_signup_with_the_honeypot_filled_saves_nothing(client, event):
    response = sign_up(client, event, website="http://spam.example")

    assert response.status_code == 422
    assert error_codes(response) == ["honeypot"]
    assert 'class="form-errors"' in response.content.decode()
    assert_nothing_written_and_form_kept(response)


@pytest.mark.parametrize("headcount", ["0", "6", "many"])
def test_signup_refuses_a_headcount_outside_one_to_five(client, event, headcount):
    response = sign_up(client, event, headcount=headcount)

    assert response.status_code == 422
    assert error_codes(response, "headcount") == ["invalid_choice"]
    assert_nothing_written_and_form_kept(response)


def test_signup_refuses_outside_the_signup_window(english, event):
    Event.objects.filter(pk=event.pk).update(
        signup_opens_at=timezone.now() + dt.timedelta(days=1)
    )

    response = sign_up(english, event)

    assert response.status_code == 422
    assert error_codes(response) == ["outside_window"]
    assert "Sign-up for this event is open from" in response.content.decode()
    assert_nothing_written_and_form_kept(response)


def test_signup_refuses_for_an_event_that_has_ended(client, event):
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
        signup_closes_at=timezone.now() - dt.timedelta(hours=4),
    )

    response = sign_up(client, event)

    assert response.status_code == 422
    assert error_codes(response) == ["outside_window"]
    assert response.context["results"] is None
    assert_nothing_written_and_form_kept(response)


def test_signup_refuses_for_a_cancelled_event(client, event):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)

    response = sign_up(client, event)

    assert response.status_code == 422
    assert error_codes(response) == ["event_closed"]
    assert_nothing_written_and_form_kept(response)


def test_signup_repeat_phone_is_told_plainly_without_the_first_ticket(client, event):
    first = SignupFactory(event=event, phone="+8613800138000")

    response = sign_up(client, event, phone="138-0013-8000")

    page = response.content.decode()
    assert response.status_code == 422
    assert error_codes(response, "phone") == ["phone_taken"]
    assert first.token not in page
    assert first.get_absolute_url() not in page
    assert first.name not in page
    assert_nothing_written_and_form_kept(response, count=1)


# --- Rate limits (tongyun.lib.limits) ----------------------------------


def seat_ceiling(settings):
    return settings.RATE_LIMITS["signup_seats"][0]


def headcount_of(event):
    """Seats taken by active sign-ups, confirmed or waiting."""
    return sum(event.signups.active().values_list("headcount", flat=True))


def test_signup_one_network_takes_at_most_the_seat_ceiling(client, settings):
    event = EventFactory(capacity=120)
    ceiling = seat_ceiling(settings)
    for n in range(ceiling // 2):
        sign_up(client, event, phone=f"1390013{n:04d}", headcount="2")

    response = sign_up(client, event, phone="13700137000", headcount="2")

    assert response.status_code == 429
    assert error_codes(response) == ["rate_limited"]
    assert headcount_of(event) == ceiling
    assert_nothing_written_and_form_kept(response, count=ceiling // 2)


def test_signup_seat_ceiling_counts_headcount_not_sign_ups(client, settings):
    event = EventFactory(capacity=120)
    ceiling = seat_ceiling(settings)
    for n in range(ceiling - 1):
        sign_up(client, event, phone=f"1390013{n:04d}", headcount="1")

    too_many = sign_up(client, event, phone="13700137000", headcount="2")
    one_more = sign_up(client, event, phone="13700137001", headcount="1")

    assert too_many.status_code == 429
    assert one_more.status_code == 303
    assert headcount_of(event) == ceiling


def test_signup_seat_ceiling_leaves_other_networks_and_events_alone(client, settings):
    event, other_event = EventFactory(capacity=120), EventFactory(capacity=120)
    for n in range(seat_ceiling(settings)):
        sign_up(client, event, phone=f"1390013{n:04d}", headcount="1")

    elsewhere = sign_up(
        Client(), event, headers={"REMOTE_ADDR": "10.0.0.2"}, phone="13700137000"
    )
    other = sign_up(client, other_event, phone="13700137001")

    assert elsewhere.status_code == 303
    assert other.status_code == 303
    assert (
        Signup.objects.filter(phone__in=["+8613700137000", "+8613700137001"]).count()
        == 2
    )


def test_signup_seat_ceiling_ends_with_its_window(client, settings, monkeypatch):
    event = EventFactory(capacity=120)
    for n in range(seat_ceiling(settings)):
        sign_up(client, event, phone=f"1390013{n:04d}", headcount="1")
    refused = sign_up(client, event, phone="13700137000", headcount="1")
    an_hour_later = limits.clock() + 61 * 60
    monkeypatch.setattr(limits, "clock", lambda: an_hour_later)

    response = sign_up(client, event, phone="13700137000", headcount="1")

    assert refused.status_code == 429
    assert response.status_code == 303


def test_signup_refused_by_the_service_takes_no_seat(client, settings):
    event = EventFactory(capacity=120)
    ceiling = seat_ceiling(settings)
    sign_up(client, event, phone="13900130000", headcount="1")
    for _ in range(ceiling):
        taken = sign_up(client, event, phone="13900130000", headcount="1")
        assert error_codes(taken, "phone") == ["phone_taken"]

    for n in range(1, ceiling):
        response = sign_up(client, event, phone=f"1390013{n:04d}", headcount="1")
        assert response.status_code == 303
    assert headcount_of(event) == ceiling


def test_signup_busy_takes_no_seat(client, settings, monkeypatch):
    event = EventFactory(capacity=120)
    real_lock = services.lock_event

    def busy(event_id):
        raise services.Busy

    monkeypatch.setattr(services, "lock_event", busy)
    for _ in range(seat_ceiling(settings)):
        sign_up(client, event, headcount="1")
    monkeypatch.setattr(services, "lock_event", real_lock)

    response = sign_up(client, event, headcount="1")

    assert response.status_code == 303
    assert headcount_of(event) == 1


def test_signup_mistakes_do_not_lock_the_network_out(client, event):
    """Seen: nine sign-ups refused for a mistyped phone locked everyone on
    that address out for an hour."""
    colleague = sign_up(client, event, phone="13900139000", headcount="1")
    for _ in range(9):
        mistyped = sign_up(client, event, phone="138 0013 800")
        assert error_codes(mistyped, "phone") == ["invalid_phone"]

    response = sign_up(client, event)

    assert colleague.status_code == 303
    assert response.status_code == 303
    assert sorted(Signup.objects.values_list("phone", flat=True)) == [
        "+8613800138000",
        "+8613900139000",
    ]


def test_signup_refusals_past_their_own_limit_are_refused(client, event, settings):
    refusals = settings.RATE_LIMITS["refused"][0]
    for _ in range(refusals):
        sign_up(client, event, phone="138 0013 800")

    response = sign_up(client, event)
    elsewhere = sign_up(
        Client(), event, headers={"REMOTE_ADDR": "10.0.0.2"}, phone="13700137000"
    )

    assert response.status_code == 429
    assert error_codes(response) == ["rate_limited"]
    assert elsewhere.status_code == 303
    assert list(Signup.objects.values_list("phone", flat=True)) == ["+8613700137000"]
    assert f'value="{TYPED_NAME}"' in response.content.decode()


def test_signup_limit_says_from_this_network_and_when(english, settings):
    event = EventFactory(capacity=120)
    for n in range(seat_ceiling(settings)):
        sign_up(english, event, phone=f"1390013{n:04d}", headcount="1")

    response = sign_up(english, event, phone="13700137000", headcount="1")

    message = form_of(response).non_field_errors()[0]
    assert "This network has taken" in message
    assert "device" not in message
    assert "Please try again in" in message


def test_signup_refusals_limit_says_from_this_network(english, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "refused": (2, 3600)}
    event = EventFactory(capacity=120)
    for _ in range(2):
        sign_up(english, event, phone="138 0013 800")

    response = sign_up(english, event)

    message = form_of(response).non_field_errors()[0]
    assert response.status_code == 429
    assert "from this network" in message
    assert "device" not in message


def test_signup_with_rate_limits_off_is_never_limited(client, settings):
    settings.RATELIMIT_ENABLE = False
    event = EventFactory(capacity=120)
    for n in range(seat_ceiling(settings) + 1):
        response = sign_up(client, event, phone=f"1390013{n:04d}", headcount="1")

    assert response.status_code == 303


def test_signup_without_csrf_token_is_refused(event):
    client = Client(enforce_csrf_checks=True)

    response = sign_up(client, event)

    assert response.status_code == 403
    assert Signup.objects.count() == 0


def test_signup_when_the_event_stays_locked_says_busy(client, event, monkeypatch):
    def busy(event_id):
        raise services.Busy

    monkeypatch.setattr(services, "lock_event", busy)

    response = sign_up(client, event)

    assert response.status_code == 503
    assert "events/busy.html" in [t.name for t in response.templates]
    assert 'role="alert"' in response.content.decode()
    assert_nothing_written_and_form_kept(response)


def test_signup_busy_page_is_in_english_for_english_readers(english, monkeypatch):
    event = EventFactory()

    def busy(event_id):
        raise services.Busy

    monkeypatch.setattr(services, "lock_event", busy)

    response = sign_up(english, event)

    assert "Your sign-up was not saved yet" in response.content.decode()
    assert Signup.objects.count() == 0


def test_cancel_when_the_event_stays_locked_says_busy(client, monkeypatch):
    signup = SignupFactory()

    def busy(event_id):
        raise services.Busy

    monkeypatch.setattr(services, "lock_event", busy)

    response = client.post(
        reverse("events:cancel", args=[signup.token]), {"confirm": "yes"}
    )

    signup.refresh_from_db()
    assert response.status_code == 503
    assert signup.status == Signup.Status.CONFIRMED
    assert 'name="confirm" value="yes"' in response.content.decode()


def test_cancel_past_the_rate_limit_cancels_nothing(client):
    signups = SignupFactory.create_batch(11)
    for signup in signups[:10]:
        client.post(reverse("events:cancel", args=[signup.token]), {"confirm": "yes"})
    for signup in signups[:10]:
        client.post(reverse("events:cancel", args=[signup.token]))

    response = client.post(
        reverse("events:cancel", args=[signups[10].token]), {"confirm": "yes"}
    )

    signups[10].refresh_from_db()
    assert response.status_code == 429
    assert signups[10].status == Signup.Status.CONFIRMED
    assert 'role="alert"' in response.content.decode()
