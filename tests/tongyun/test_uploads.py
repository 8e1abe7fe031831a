"""A request body larger than the site takes is refused before it is read."""

import pytest
from django.test import Client
from django.urls import reverse

from artworks.models import Artwork
from gardens.models import Garden
from tests.factories import CallFactory
from tongyun.lib import images, uploads

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class CountingBody:
    """A request body that counts what is read of it: one field's value of
    64 kB, as far as anyone reads."""

    def __init__(self):
        self.read_bytes = 0
        self._content = (
            b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\n'
            + b"x" * 65536
        )

    def read(self, size=-1):
        start = self.read_bytes
        end = len(self._content) if size is None or size < 0 else start + size
        chunk = self._content[start:end]
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size=-1):
        return self.read(size)


def post_declaring(client, url, length, body):
    return client.generic(
        "POST",
        url,
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
    )


def checked_for_csrf(client):
    """client, its posts checked for CSRF as a browser's are, with the
    cookie a browser would have: the check is the first to read a body."""
    client.handler.enforce_csrf_checks = True
    client.cookies["csrftoken"] = "a" * 32
    return client


@pytest.fixture
def csrf_client():
    return checked_for_csrf(Client())


def test_150_mb_upload_is_refused_before_a_byte_is_read(csrf_client):
    CallFactory()
    body = CountingBody()

    response = post_declaring(csrf_client, reverse("artworks:submit"), 150 * MB, body)

    assert response.status_code == 413
    assert [t.name for t in response.templates][0] == "413.html"
    assert response.context["limit"] == 20
    assert 'data-refused="too-large"' in response.content.decode()
    assert body.read_bytes == 0
    assert not Artwork.objects.exists()


def test_oversized_photo_in_the_admin_is_refused_unread(admin_client):
    client = checked_for_csrf(admin_client)
    body = CountingBody()

    response = post_declaring(
        client, reverse("admin:gardens_garden_add"), 30 * MB, body
    )

    assert response.status_code == 413
    assert body.read_bytes == 0
    assert not Garden.objects.exists()


def test_refusal_carries_the_headers_of_every_page(csrf_client):
    response = post_declaring(
        csrf_client, reverse("artworks:submit"), 150 * MB, CountingBody()
    )

    assert response.status_code == 413
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_refusal_speaks_the_visitors_language(csrf_client):
    csrf_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = post_declaring(
        csrf_client, reverse("artworks:submit"), 150 * MB, CountingBody()
    )

    assert response.status_code == 413
    assert response.context["LANGUAGE_CODE"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_largest_body_taken_is_one_picture_and_a_megabyte_of_fields(settings):
    assert uploads.max_request_bytes() == images.MAX_BYTES + MB
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * MB

    assert uploads.max_request_bytes() == images.MAX_BYTES + 2 * MB


def test_body_within_the_limit_is_read(csrf_client):
    CallFactory()
    body = CountingBody()

    response = post_declaring(
        csrf_client, reverse("artworks:submit"), uploads.max_request_bytes(), body
    )

    assert response.status_code == 403  # read: no CSRF token in it
    assert body.read_bytes > 0


@pytest.mark.parametrize(("length", "status"), [("", 422), ("abc", 422), ("-5", 400)])
def test_missing_or_malformed_length_is_no_error(client, length, status):
    # Django reads no body without a length, and refuses a negative one.
    CallFactory()

    response = client.generic(
        "POST",
        reverse("artworks:submit"),
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=length,
    )

    assert response.status_code == status
