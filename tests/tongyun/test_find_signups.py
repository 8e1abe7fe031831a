"""Find my sign-up: phone, code by text message, that phone's list."""

import datetime as dt
import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Signup
from tests.factories import ArtworkFactory, EventFactory, SignupFactory
from tests.senders import codes_sent
from tongyun import services
from tongyun.lib.senders import SendFailed
from tongyun.models import PhoneCode

pytestmark = pytest.mark.django_db

PHONE = "+8613800138000"
TYPED = "138 0013 8000"
URL = "/signups/find/"


def ask_code(client, phone=TYPED, website="", **environ):
    return client.post(URL, {"phone": phone, "website": website}, **environ)


def enter_code(client, code, website="", **environ):
    return client.post(URL, {"code": code, "website": website}, **environ)


def prove(client, phone=TYPED, to=PHONE):
    ask_code(client, phone)
    return enter_code(client, codes_sent(to)[-1])


def without_csrf(response):
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def error_codes(response, field="code"):
    return [e.code for e in response.context["form"].errors.as_data().get(field, [])]


def later(monkeypatch, **delta):
    """Move the clock forward by delta from now."""
    instant = timezone.now() + dt.timedelta(**delta)
    monkeypatch.setattr("django.utils.timezone.now", lambda: instant)


@pytest.fixture
def mine():
    """PHONE's sign-ups (confirmed, waitlisted, cancelled) and works, oldest
    first, and another phone's of each, which must never show."""
    now = timezone.now()
    confirmed = SignupFactory(phone=PHONE, created_at=now - dt.timedelta(days=3))
    waitlisted = SignupFactory(
        phone=PHONE, status="waitlisted", created_at=now - dt.timedelta(days=2)
    )
    cancelled = SignupFactory(
        phone=PHONE, status="cancelled", created_at=now - dt.timedelta(days=1)
    )
    pending = ArtworkFactory(
        phone=PHONE, status="pending", submitted_at=now - dt.timedelta(days=5)
    )
    rejected = ArtworkFactory(
        phone=PHONE, status="rejected", submitted_at=now - dt.timedelta(days=4)
    )
    others = [SignupFactory(phone="+8613900139000"), ArtworkFactory()]
    return {
        "active": [confirmed, waitlisted],
        "cancelled": cancelled,
        "works": [pending, rejected],
        "others": others,
    }


def test_find_lists_exactly_the_phones_active_signups_and_works(client, sent, mine):
    asked = ask_code(client)
    [message] = sent
    proven = enter_code(client, message.params["code"])
    page = client.get(URL)

    assert (asked.status_code, asked["Location"]) == (303, URL)
    assert message.phone == PHONE
    assert message.kind == "verification_code"
    assert (proven.status_code, proven["Location"]) == (303, URL)
    assert page.context["step"] == "list"
    newest_first = list(reversed(mine["active"]))
    assert list(page.context["signups"]) == newest_first
    assert list(page.context["artworks"]) == list(reversed(mine["works"]))
    html = page.content.decode()
    for signup in mine["active"]:
        assert signup.get_absolute_url() in html
    for work in mine["works"]:
        assert work.get_status_url() in html
    assert mine["cancelled"].get_absolute_url() not in html
    other_signup, other_work = mine["others"]
    assert other_signup.get_absolute_url() not in html
    assert other_work.get_status_url() not in html
    assert PHONE[3:] not in html  # the phone only masked


def test_find_code_is_used_once(client, sent, mine):
    prove(client)
    [code] = codes_sent(PHONE)

    with pytest.raises(ValidationError) as again:
        services.check_code(phone=PHONE, code=code)

    assert PhoneCode.objects.get().used_at is not None
    assert again.value.code == "no_code"


def test_find_step_one_does_not_tell_whether_the_phone_has_signups(client, sent):
    SignupFactory(phone=PHONE)

    known = ask_code(client)
    known_page = client.get(URL)
    other = Client()
    unknown = ask_code(other, phone="139 0013 9000")
    unknown_page = other.get(URL)

    assert (known.status_code, unknown.status_code) == (303, 303)
    assert known_page.context["step"] == unknown_page.context["step"] == "code"
    assert without_csrf(known_page).replace("138****8000", "") == without_csrf(
        unknown_page
    ).replace("139****9000", "")
    assert [m.phone for m in sent] == [PHONE]  # only a phone with sign-ups
    assert PhoneCode.objects.count() == 2  # yet both can try a code alike


def test_find_stores_neither_the_code_nor_the_phone(client, sent, mine):
    ask_code(client)
    [code] = codes_sent(PHONE)

    row = PhoneCode.objects.values().get()
    stored = " ".join(str(v) for v in row.values())
    assert code not in stored
    assert PHONE[3:] not in stored


def test_find_wrong_code_says_how_many_tries_are_left(client, sent, mine):
    ask_code(client)
    [code] = codes_sent(PHONE)
    wrong = "000000" if code != "000000" else "111111"

    response = enter_code(client, wrong)

    assert response.status_code == 422
    assert error_codes(response) == ["wrong_code"]
    assert "4" in response.context["form"].errors["code"][0]
    assert response.context["form"]["code"].value() == wrong  # kept as typed
    assert PhoneCode.objects.get().failed_tries == 1
    assert client.get(URL).context["step"] == "code"


def test_find_code_is_dead_after_five_wrong_tries(client, sent, mine):
    ask_code(client)
    [code] = codes_sent(PHONE)
    wrong = "000000" if code != "000000" else "111111"

    answers = [error_codes(enter_code(client, wrong)) for _ in range(5)]
    right = enter_code(client, code)

    assert answers == [["wrong_code"]] * 4 + [["code_dead"]]
    assert right.status_code == 422
    assert error_codes(right) == ["code_dead"]
    assert client.get(URL).context["step"] == "code"


def test_find_code_expires_after_ten_minutes(client, sent, mine, monkeypatch):
    ask_code(client)
    [code] = codes_sent(PHONE)
    later(monkeypatch, minutes=10, seconds=1)

    response = enter_code(client, code)

    assert response.status_code == 422
    assert error_codes(response) == ["code_expired"]
    assert PhoneCode.objects.get().used_at is None


def test_find_code_in_time_works_at_nine_minutes(client, sent, mine, monkeypatch):
    ask_code(client)
    [code] = codes_sent(PHONE)
    later(monkeypatch, minutes=9)

    assert enter_code(client, code).status_code == 303
    assert client.get(URL).context["step"] == "list"


def test_find_code_with_spaces_is_accepted_and_letters_are_not(client, sent, mine):
    ask_code(client)
    [code] = codes_sent(PHONE)

    letters = enter_code(client, "12ab56")
    spaced = enter_code(client, f"{code[:3]} {code[3:]}")

    assert error_codes(letters) == ["bad_code_format"]
    assert spaced.status_code == 303


def test_find_new_code_retires_the_older_one(client, sent, mine):
    ask_code(client)
    client.post(URL, {"resend": "yes", "website": ""})
    first, second = codes_sent(PHONE)

    response = enter_code(client, first)

    assert error_codes(response) in (["wrong_code"], [])  # equal codes: 1 in 10^6
    assert enter_code(client, second).status_code == 303


def test_find_rate_limit_per_phone(client, sent, mine):
    for n in range(services.CODES_PER_HOUR):
        ask_code(client, REMOTE_ADDR=f"10.0.0.{n}")

    response = ask_code(client, phone="+86 138-0013-8000")

    assert response.status_code == 429
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["phone"]] == ["too_many_codes"]
    assert response.context["form"]["phone"].value() == "+86 138-0013-8000"
    assert len(codes_sent(PHONE)) == services.CODES_PER_HOUR
    assert PhoneCode.objects.count() == services.CODES_PER_HOUR


def test_find_rate_limit_per_phone_ends_after_an_hour(client, sent, mine, monkeypatch):
    for _ in range(services.CODES_PER_HOUR):
        ask_code(client)
    later(monkeypatch, hours=1, seconds=1)

    response = ask_code(client)

    assert response.status_code == 303
    assert len(codes_sent(PHONE)) == services.CODES_PER_HOUR + 1


def test_find_rate_limit_per_client_address(client, sent):
    for n in range(20):
        ask_code(client, phone=f"1390013{n:04d}")

    response = ask_code(client, phone="137 0013 7000")
    elsewhere = ask_code(Client(), phone="137 0013 7001", REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 429
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "rate_limited"
    ]
    assert response.context["form"]["phone"].value() == "137 0013 7000"
    assert PhoneCode.objects.count() == 21
    assert elsewhere.status_code == 303


def test_find_rate_limit_per_client_counts_code_tries(client, sent, mine):
    ask_code(client)
    for _ in range(19):
        enter_code(client, "abcdef")

    response = enter_code(client, codes_sent(PHONE)[-1])

    assert response.status_code == 429
    assert response.context["step"] == "code"
    assert PhoneCode.objects.get().used_at is None


def test_find_honeypot_sends_nothing(client, sent, mine):
    response = ask_code(client, website="http://spam.example")

    assert response.status_code == 422
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "honeypot"
    ]
    assert sent == []
    assert PhoneCode.objects.count() == 0


def test_find_honeypot_on_the_code_step_checks_nothing(client, sent, mine):
    ask_code(client)

    response = enter_code(client, codes_sent(PHONE)[-1], website="x")

    assert response.status_code == 422
    assert PhoneCode.objects.get().used_at is None


def test_find_without_csrf_token_is_refused(sent, mine):
    client = Client(enforce_csrf_checks=True)

    response = ask_code(client)

    assert response.status_code == 403
    assert sent == []
    assert PhoneCode.objects.count() == 0


def test_find_invalid_phone_is_refused_as_typed(client, sent):
    response = ask_code(client, phone="12345")

    assert response.status_code == 422
    assert error_codes(response, "phone") == ["invalid_phone"]
    assert response.context["form"]["phone"].value() == "12345"
    assert PhoneCode.objects.count() == 0


def test_find_list_lasts_thirty_minutes(client, sent, mine, monkeypatch):
    prove(client)
    later(monkeypatch, minutes=29)
    still = client.get(URL)
    later(monkeypatch, minutes=31)

    gone = client.get(URL)

    assert still.context["step"] == "list"
    assert gone.context["step"] == "phone"
    assert gone.context["expired"] is True
    assert mine["active"][0].get_absolute_url() not in gone.content.decode()


def test_find_list_is_not_shared_by_its_address(client, sent, mine):
    prove(client)

    stranger = Client().get(URL)

    assert stranger.context["step"] == "phone"
    assert mine["active"][0].get_absolute_url() not in stranger.content.decode()


def test_find_list_survives_a_reload(client, sent, mine):
    prove(client)

    first, reload = client.get(URL), client.get(URL)

    assert [r.context["step"] for r in (first, reload)] == ["list", "list"]


def test_find_restart_forgets_the_phone(client, sent, mine):
    prove(client)

    client.post(URL, {"restart": "yes"})

    assert client.get(URL).context["step"] == "phone"


def test_find_proof_gives_a_new_session_key(client, sent, mine):
    ask_code(client)
    before = client.session.session_key

    enter_code(client, codes_sent(PHONE)[-1])

    assert client.session.session_key != before


def test_find_failed_send_is_logged_not_an_error_page(
    client, settings, mine, caplog, monkeypatch
):
    def refuse(self, message):
        raise SendFailed("isv.BUSINESS_LIMIT_CONTROL")

    settings.NOTIFY_SENDER = "tests.senders.CapturingSender"
    monkeypatch.setattr("tests.senders.CapturingSender.send", refuse)

    with caplog.at_level(logging.ERROR, logger="tongyun.notify"):
        response = ask_code(client)

    assert response.status_code == 303
    assert client.get(URL).context["step"] == "code"
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "BUSINESS_LIMIT_CONTROL" in str(logged.exc_info[1])


def test_find_code_message_is_in_the_page_language(english, sent, mine):
    ask_code(english)

    [message] = sent
    assert message.subject == "Tongyun Garden City: your code"
    assert message.params["code"] in message.body


def test_find_page_has_its_url_name():
    assert reverse("events:find_signups") == URL


@pytest.mark.parametrize("item_count", [1, 3])
def test_find_list_query_count_is_constant(
    client, sent, item_count, django_assert_num_queries
):
    for _ in range(item_count):
        SignupFactory(phone=PHONE)
        ArtworkFactory(phone=PHONE)
    prove(client)

    # 4 queries: the session, the sign-ups with their events, the events'
    # gardens, the works with their calls.
    with django_assert_num_queries(4):
        response = client.get(URL)

    html = response.content.decode()
    assert html.count('class="card event-card found-signup') == item_count
    assert html.count('class="card found-artwork') == item_count


def test_event_page_links_to_find_when_the_phone_is_taken(client):
    event = EventFactory()
    SignupFactory(event=event, phone=PHONE)
    data = {"name": "李华", "phone": TYPED, "headcount": 1, "consent": "on"}

    response = client.post(reverse("events:signup", args=[event.slug]), data)

    assert response.status_code == 422
    assert response.context["form"].phone_is_taken
    assert f'href="{URL}"' in response.content.decode()
    assert Signup.objects.count() == 1


def test_ticket_asks_for_a_screenshot_beside_its_qr_code(client):
    signup = SignupFactory()

    html = client.get(signup.get_absolute_url()).content.decode()

    assert html.index('class="qr"') < html.index('class="qr-note"')


def test_footer_links_to_find(client):
    html = client.get(reverse("events:list")).content.decode()

    assert f'href="{URL}"' in html


def test_find_resend_past_the_phone_limit_says_so_on_the_code_step(client, sent, mine):
    ask_code(client)
    for _ in range(services.CODES_PER_HOUR - 1):
        client.post(URL, {"resend": "yes", "website": ""})

    response = client.post(URL, {"resend": "yes", "website": ""})

    assert response.status_code == 429
    assert response.context["step"] == "code"
    assert response.context["resend_error"]
    assert len(codes_sent(PHONE)) == services.CODES_PER_HOUR
