"""
The client's address (tongyun.lib.clients), as the rate limits and the staff
lock-out count it: never a header the client wrote, never a 500.
"""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from events.models import Signup
from tests.factories import EventFactory
from tongyun.lib.clients import client_address, client_network

pytestmark = pytest.mark.django_db

NGINX = "10.0.0.5"


def request(remote="192.0.2.10", forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def sign_up(client, event, n, **headers):
    data = {
        "name": "王秀英",
        "phone": f"1390013{n:04d}",
        "headcount": "1",
        "consent": "on",
        "website": "",
    }
    return client.post(reverse("events:signup", args=[event.slug]), data, **headers)


# --- No proxy in front (TRUSTED_PROXY_COUNT=0) ---------------------------


def test_without_a_proxy_the_address_is_the_connections(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(request(forwarded="203.0.113.9")) == "192.0.2.10"


def test_without_a_proxy_a_made_up_forwarded_for_dodges_no_limit(client, settings):
    """Seen: with the client's X-Forwarded-For as the key, each made-up
    header was a new client, and one client took 50 of 120 seats."""
    settings.TRUSTED_PROXY_COUNT = 0
    ceiling = settings.RATE_LIMITS["signup_seats"][0]
    event = EventFactory(capacity=120)
    answers = [
        sign_up(client, event, n, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(ceiling + 3)
    ]

    assert answers == [303] * ceiling + [429] * 3
    assert Signup.objects.filter(event=event).count() == ceiling


# --- One nginx in front (TRUSTED_PROXY_COUNT=1) --------------------------


def test_behind_one_proxy_the_address_is_the_one_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    address = client_address(request(NGINX, "1.2.3.4, 5.6.7.8"))

    assert address == "5.6.7.8"


def test_behind_two_proxies_the_address_is_the_one_the_outer_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    address = client_address(request(NGINX, "1.2.3.4, 5.6.7.8, 10.0.0.1"))

    assert address == "5.6.7.8"


@pytest.mark.parametrize(
    "forwarded",
    [None, "", "garbage", "unknown, ", " , ,", "999.1.1.1", "1.2.3.4:99999", "\x00"],
)
def test_behind_a_proxy_a_header_without_an_address_means_the_proxy(
    settings, forwarded
):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_address(request(NGINX, forwarded)) == NGINX


def test_behind_a_proxy_garbage_left_of_the_proxys_entry_changes_nothing(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    address = client_address(request(NGINX, "garbage, [::1, 5.6.7.8"))

    assert address == "5.6.7.8"


def test_behind_fewer_proxies_than_configured_the_address_is_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_address(request(NGINX, "5.6.7.8")) == NGINX


def test_behind_a_proxy_what_the_client_writes_dodges_no_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    ceiling = settings.RATE_LIMITS["signup_seats"][0]
    event = EventFactory(capacity=120)
    # nginx appends the client's own address to whatever the client sent.
    answers = [
        sign_up(
            client,
            event,
            n,
            REMOTE_ADDR=NGINX,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        ).status_code
        for n in range(ceiling + 1)
    ]
    other = sign_up(
        Client(),
        event,
        ceiling + 1,
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.8",
    )

    assert answers == [303] * ceiling + [429]
    assert other.status_code == 303


@pytest.mark.parametrize(
    "forwarded", [None, "garbage", "1.2.3.4, 5.6.7.8", "for=unknown", "1.2.3.4,,"]
)
def test_behind_a_proxy_any_header_gets_a_normal_answer(client, settings, forwarded):
    """Seen: a header with two addresses (what nginx sends), or none,
    answered 500."""
    settings.TRUSTED_PROXY_COUNT = 1
    event = EventFactory(capacity=120)
    headers = {"REMOTE_ADDR": NGINX}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded

    page = client.get(event.get_absolute_url(), **headers)
    response = sign_up(client, event, 1, **headers)

    assert page.context["event"] == event
    assert response.status_code == 303
    assert Signup.objects.get().event == event


# --- What the limits count one client by ---------------------------------


def test_an_ipv6_client_is_counted_by_its_64(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    one = client_network(request("2001:db8:1:2::1"))
    same_home = client_network(request("2001:db8:1:2:ffff::9"))
    next_door = client_network(request("2001:db8:1:3::1"))

    assert one == same_home == "2001:db8:1:2::/64"
    assert next_door != one


def test_an_ipv4_mapped_address_is_the_ipv4_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_address(request(NGINX, "::ffff:198.51.100.7")) == "198.51.100.7"
    assert client_network(request("::ffff:192.0.2.10")) == "192.0.2.10"


def test_a_request_without_any_address_is_one_unknown_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(request(remote="")) is None
    assert client_network(request(remote="")) == "unknown"
