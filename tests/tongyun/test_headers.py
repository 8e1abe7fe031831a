"""
Every answer carries the security headers: pages, redirects, errors the
middlewares raise (a bad Host, CSRF), errors of views (404, 429, 500, 503),
and static files, which WhiteNoise answers before any view runs.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

HSTS = "max-age=31536000; includeSubDomains"


def assert_protected(response, *, hsts=True):
    """The headers a browser needs to keep the answer from being framed,
    sniffed into another type, leaking its URL, or loading other hosts."""
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    assert response.headers.get("Strict-Transport-Security") == (HSTS if hsts else None)


class HttpsClient(Client):
    """A test client whose every request came over HTTPS."""

    def generic(self, *args, **kwargs):
        return super().generic(*args, **{**kwargs, "secure": True})


@pytest.fixture
def https(settings):
    """A client over HTTPS, as nginx forwards it, with production's HSTS;
    a view's error comes back as the 500 page, not raised."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    return HttpsClient(raise_request_exception=False)


def test_a_page_carries_the_headers(https):
    response = https.get(reverse("gardens:home"))

    assert response.status_code == 200
    assert_protected(response)


def test_a_bad_host_header_gets_a_400_with_the_headers(https):
    response = https.get(reverse("gardens:home"), HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert_protected(response)


def test_plain_http_is_redirected_to_the_sites_own_host_whatever_the_host(
    https, settings
):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_SSL_HOST = "garden.example.org"
    client = Client()

    good = client.get("/gardens/?x=1")
    bad = client.get("/gardens/", HTTP_HOST="attacker.example")

    assert (good.status_code, good["Location"]) == (
        301,
        "https://garden.example.org/gardens/?x=1",
    )
    assert bad["Location"] == "https://garden.example.org/gardens/"
    assert_protected(good, hsts=False)  # HSTS only means something over HTTPS
    assert_protected(bad, hsts=False)


def test_a_failed_csrf_check_gets_a_403_with_the_headers(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    client = HttpsClient(enforce_csrf_checks=True)

    response = client.post(reverse("set_language"), {"language": "en"})

    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]
    assert_protected(response)


def test_a_missing_page_gets_a_404_with_the_headers(https):
    response = https.get("/no-such-page/")

    assert response.status_code == 404
    assert_protected(response)


def test_a_rate_limited_post_gets_a_429_with_the_headers(https, settings):
    """Sign-ups from one address until the limit answers, whatever it is."""
    settings.RATELIMIT_ENABLE = True
    event = EventFactory(capacity=1000)
    url = reverse("events:signup", args=[event.slug])
    data = {"name": "王芳", "headcount": "1", "consent": "on", "website": ""}

    for n in range(100):
        response = https.post(url, {**data, "phone": f"139{n:08d}"})
        if response.status_code == 429:
            break

    assert response.status_code == 429
    assert_protected(response)


@pytest.mark.urls("tests.tongyun.urls_errors")
def test_a_server_error_gets_a_500_with_the_headers(https):
    response = https.get("/fail/")

    assert response.status_code == 500
    assert "500.html" in [t.name for t in response.templates]
    assert_protected(response)


@pytest.mark.urls("tests.tongyun.urls_errors")
def test_a_database_too_busy_to_write_gets_the_busy_page_not_a_500(https):
    response = https.get("/locked/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "503.html" in [t.name for t in response.templates]
    assert "no-cache" in response["Cache-Control"]
    assert_protected(response)


def test_a_static_file_carries_the_headers(https, settings):
    # WhiteNoise reads its files when the middleware is built: from the
    # finders here, as the tests collect no static files.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = HttpsClient()

    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content)
    assert_protected(response)
