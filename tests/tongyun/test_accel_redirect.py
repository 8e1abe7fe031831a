"""
Private pictures handed to nginx (PRIVATE_MEDIA_ACCEL_REDIRECT): the views
check who asks exactly as before, then answer with an empty body and
X-Accel-Redirect naming the file, which nginx sends from its internal
location (tests/tongyun/test_nginx.py runs the real one).
"""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from feedback.models import Suggestion
from tests.factories import ArtworkFactory, CommunityFactory, GardenFactory
from tests.feedback.conftest import jpeg
from tests.feedback.test_views import send, staff
from tests.test_project import run_django
from tests.tongyun.test_deploy import production, settings_in

pytestmark = pytest.mark.django_db

PREFIX = "/_private/"


@pytest.fixture
def accel(settings):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = PREFIX
    return PREFIX


def image_url(artwork, size="display"):
    return f"/artworks/{artwork.pk}/{size}.jpg"


def assert_handed_to_nginx(response, stored, *, cache):
    """An empty 200 naming the stored file for nginx, with the headers
    nginx keeps when it sends the file."""
    assert response.status_code == 200
    assert not response.streaming
    assert response.content == b""
    assert response["X-Accel-Redirect"] == PREFIX + stored.name
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith('inline; filename="')
    assert response["Cache-Control"] == cache


def assert_refused(response):
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
    assert b"\xff\xd8\xff" not in response.content  # no JPEG in the answer


def test_public_work_image_is_handed_to_nginx_cacheably(client, accel):
    artwork = ArtworkFactory(status="featured")

    display = client.get(image_url(artwork))
    thumb = client.get(image_url(artwork, "thumb"))

    assert_handed_to_nginx(display, artwork.image, cache="public, max-age=86400")
    assert_handed_to_nginx(thumb, artwork.thumbnail, cache="public, max-age=86400")
    assert display["Content-Disposition"] == (
        f'inline; filename="artwork-{artwork.pk}-display.jpg"'
    )
    assert re.fullmatch(
        r"/_private/artworks/[0-9a-f]{32}\.jpg", display["X-Accel-Redirect"]
    )


def test_pending_work_image_is_handed_to_nginx_for_its_token_only(client, accel):
    artwork = ArtworkFactory(status="pending")
    other = ArtworkFactory(status="pending")

    holder = client.get(image_url(artwork), {"token": artwork.token})
    nobody = client.get(image_url(artwork))
    wrong = client.get(image_url(artwork), {"token": other.token})

    assert_handed_to_nginx(holder, artwork.image, cache="private, no-store")
    assert_refused(nobody)
    assert_refused(wrong)


def test_pending_work_image_is_refused_to_a_signed_in_non_staff_user(accel):
    artwork = ArtworkFactory(status="pending")
    charlie = Client()
    charlie.force_login(User.objects.create_user("charlie"))

    response = charlie.get(image_url(artwork))

    assert_refused(response)


def test_rejected_work_image_is_refused_even_with_a_size_that_exists(client, accel):
    artwork = ArtworkFactory(status="rejected")

    responses = [client.get(image_url(artwork, size)) for size in ("display", "thumb")]
    unknown = client.get(image_url(ArtworkFactory(), "original"))

    for response in [*responses, unknown]:
        assert_refused(response)


def test_suggestion_photo_goes_to_nginx_for_submitter_and_staff_who_reach_it(
    client, accel
):
    garden = GardenFactory()
    send(client, garden=garden.pk, photo=jpeg())
    suggestion = Suggestion.objects.get()
    alice = staff("alice", garden.community)
    bob = staff("bob", CommunityFactory())

    submitter = client.get(suggestion.get_private_photo_url())
    seen = alice.get(suggestion.get_photo_url())
    refused = bob.get(suggestion.get_photo_url())
    public = Client().get(suggestion.get_photo_url())

    assert_handed_to_nginx(submitter, suggestion.photo, cache="private, no-store")
    assert_handed_to_nginx(seen, suggestion.photo, cache="private, no-store")
    assert_refused(refused)
    assert_refused(public)


def test_photo_of_a_suggestion_taken_up_goes_to_nginx_for_anyone(client, accel):
    send(client, photo=jpeg())
    suggestion = Suggestion.objects.get()
    Suggestion.objects.filter(pk=suggestion.pk).update(status="accepted")

    response = Client().get(suggestion.get_photo_url())

    assert_handed_to_nginx(response, suggestion.photo, cache="public, max-age=86400")


def test_without_the_setting_the_app_sends_the_picture_itself(client):
    artwork = ArtworkFactory(status="featured")

    response = client.get(image_url(artwork))

    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_accel_redirect_prefix_comes_from_the_environment():
    shown = settings_in(
        production(PRIVATE_MEDIA_ACCEL_REDIRECT="/_private/"),
        "PRIVATE_MEDIA_ACCEL_REDIRECT",
    )
    default = settings_in(production(), "PRIVATE_MEDIA_ACCEL_REDIRECT")

    assert shown["PRIVATE_MEDIA_ACCEL_REDIRECT"] == "/_private/"
    assert default["PRIVATE_MEDIA_ACCEL_REDIRECT"] == ""


@pytest.mark.parametrize("prefix", ["_private/", "/_private", "/", "//", "/a b/"])
def test_a_malformed_accel_redirect_prefix_stops_startup(prefix):
    result = run_django(production(PRIVATE_MEDIA_ACCEL_REDIRECT=prefix))

    assert result.returncode != 0
    [refusal] = re.findall(r"ImproperlyConfigured: (.*)", result.stderr)
    assert "PRIVATE_MEDIA_ACCEL_REDIRECT" in refusal
