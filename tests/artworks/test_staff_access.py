"""
Staff see works that are not public only with the permission to view
works in the admin (artworks.view_artwork), not for being staff.
"""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from tests.factories import ArtworkFactory, reach_every_community

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content)


def staff_client(client, *codenames):
    user = User.objects.create_user("bob", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="artworks", codename__in=codenames
        )
    )
    reach_every_community(user)
    client.force_login(user)
    return client


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_staff_without_the_view_permission_do_not_see_a_hidden_work(client, status):
    # Every artworks permission but the one to view works.
    staff = staff_client(client, "change_artwork", "view_personal_data", "view_call")
    artwork = ArtworkFactory(title="待审的秘密作品", status=status)

    detail = staff.get(artwork.get_absolute_url())
    images = [staff.get(artwork.image_url(size)) for size in ("display", "thumb")]

    assert detail.status_code == 404
    assert "待审的秘密作品" not in detail.content.decode()
    assert [response.status_code for response in images] == [404, 404]
    assert not any(response.streaming for response in images)


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_staff_with_the_view_permission_preview_a_hidden_work(client, status):
    staff = staff_client(client, "view_artwork")
    artwork = ArtworkFactory(title="待审的作品", status=status)

    detail = staff.get(artwork.get_absolute_url())
    display = staff.get(artwork.image_url("display"))
    thumb = staff.get(artwork.image_url("thumb"))

    assert "待审的作品" in detail.content.decode()
    assert 'class="notice staff-preview"' in detail.content.decode()
    with artwork.image.open("rb") as stored:
        assert body(display) == stored.read()
    with artwork.thumbnail.open("rb") as stored:
        assert body(thumb) == stored.read()
    assert (display["Content-Type"], display["Cache-Control"]) == (
        "image/jpeg",
        "private, no-store",
    )


def test_admin_thumbnails_load_for_staff_who_moderate(client):
    staff = staff_client(client, "view_artwork", "change_artwork")
    artwork = ArtworkFactory(status="pending")

    page = staff.get(reverse("admin:artworks_artwork_changelist"))
    thumb = staff.get(artwork.image_url("thumb"))

    assert artwork.image_url("thumb") in page.content.decode()
    assert body(thumb).startswith(b"\xff\xd8")
