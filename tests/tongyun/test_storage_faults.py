"""
Private storage full or unwritable while a resident sends a picture: the
artwork and suggestion forms answer 503 with Retry-After and the form as
typed, and leave no row and no file (not even the half written on a full
disk).
"""

import pytest
from django.urls import reverse

from artworks.models import Artwork
from feedback.models import Suggestion
from tests.artworks.test_forms import FILLED_IN, TYPED_TITLE
from tests.artworks.test_forms import submit as submit_artwork
from tests.factories import ArtworkFactory, CallFactory
from tests.feedback.conftest import jpeg
from tests.feedback.test_views import TYPED
from tests.feedback.test_views import send as send_suggestion
from tongyun.lib.storage import MISSING_PICTURE, serve_media

pytestmark = pytest.mark.django_db

FAULTY = ["tests.storages.FullDiskStorage", "tests.storages.ReadOnlyStorage"]


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def use_storage(settings, alias, backend):
    settings.STORAGES = settings.STORAGES | {alias: {"BACKEND": backend}}


def assert_refused_for_storage(response, model, private_media):
    """A 503 to send again later, the storage error on top, no row, no file."""
    errors = response.context["form"].errors.as_data()["__all__"]
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert [error.code for error in errors] == ["storage_unavailable"]
    assert model.objects.count() == 0
    assert files_under(private_media) == []


@pytest.mark.parametrize("backend", FAULTY)
def test_artwork_is_refused_with_503_and_nothing_kept_when_storage_fails(
    client, settings, backend
):
    CallFactory(max_works_per_phone=3)
    use_storage(settings, "artworks", backend)

    response = submit_artwork(client)

    page = response.content.decode()
    assert_refused_for_storage(response, Artwork, settings.PRIVATE_MEDIA_ROOT)
    assert f'value="{TYPED_TITLE}"' in page
    assert f'value="{FILLED_IN["artist_name"]}"' in page


@pytest.mark.parametrize("backend", FAULTY)
def test_suggestion_photo_is_refused_with_503_and_nothing_kept_when_storage_fails(
    client, settings, backend
):
    use_storage(settings, "suggestions", backend)

    response = send_suggestion(client, photo=jpeg())

    page = response.content.decode()
    assert_refused_for_storage(response, Suggestion, settings.PRIVATE_MEDIA_ROOT)
    assert f"{TYPED}</textarea>" in page


def test_approved_work_whose_files_are_gone_shows_placeholders_not_errors(
    client, admin_client
):
    work = ArtworkFactory()
    for stored in (work.image, work.thumbnail):
        stored.storage.delete(stored.name)
    pages = [
        reverse("artworks:list"),
        work.get_absolute_url(),
        reverse("gardens:home"),
        reverse("admin:artworks_artwork_change", args=[work.pk]),
    ]

    answers = [(admin_client if "admin" in url else client).get(url) for url in pages]
    pictures = [
        client.get(reverse("artworks:image", args=[work.pk, size]))
        for size in ("display", "thumb")
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert [p.status_code for p in pictures] == [404, 404]
    assert {p["Content-Type"] for p in pictures} == {"image/svg+xml"}
    assert {p.content for p in pictures} == {MISSING_PICTURE}
    assert {p["Cache-Control"] for p in pictures} == {"private, no-store"}


def test_work_picture_storage_cannot_read_answers_503_with_the_placeholder(
    client, settings
):
    work = ArtworkFactory()
    use_storage(settings, "artworks", "tests.storages.UnreadableStorage")

    response = client.get(reverse("artworks:image", args=[work.pk, "display"]))

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.content == MISSING_PICTURE


def test_staff_photo_that_is_gone_is_served_as_the_placeholder_without_nginx(
    settings, rf
):
    kept = settings.MEDIA_ROOT / "gardens/kept.jpg"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"\xff\xd8\xff kept")

    found = serve_media(rf.get("/media/gardens/kept.jpg"), "gardens/kept.jpg")
    gone = serve_media(rf.get("/media/gardens/gone.jpg"), "gardens/gone.jpg")

    body = b"".join(found.streaming_content)
    found.close()
    assert (found.status_code, body) == (200, b"\xff\xd8\xff kept")
    assert (gone.status_code, gone["Content-Type"]) == (404, "image/svg+xml")
    assert gone.content == MISSING_PICTURE
