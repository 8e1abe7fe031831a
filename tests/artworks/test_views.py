"""
The gallery, one work, the status page and the images: who sees what.

Pending and rejected works are what could leak; each test that hides
something has such a work with a distinctive title or phone in the data.
"""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from artworks.models import Artwork
from tests.factories import (
    ArtworkFactory,
    CallFactory,
    SpeciesFactory,
    reach_every_community,
)

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def image_url(artwork, size="thumb"):
    return reverse("artworks:image", args=[artwork.pk, size])


def body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def staff(client):
    alice = User.objects.create_user("alice", is_staff=True)
    alice.user_permissions.add(Permission.objects.get(codename="view_artwork"))
    reach_every_community(alice)
    client.force_login(alice)
    return client


# --- Gallery --------------------------------------------------------------


def test_gallery_shows_featured_then_approved_and_hides_the_rest(client):
    call = CallFactory()
    approved = ArtworkFactory(call=call, title="晨光牡丹", status="approved")
    featured = ArtworkFactory(call=call, title="国色天香", status="featured")
    ArtworkFactory(call=call, title="待审的秘密作品", status="pending")
    ArtworkFactory(call=call, title="未采用的作品", status="rejected")

    response = client.get(reverse("artworks:list"))

    page = html(response)
    assert list(response.context["page"]) == [featured, approved]
    assert page.index("国色天香") < page.index("晨光牡丹")
    assert "待审的秘密作品" not in page
    assert "未采用的作品" not in page
    assert page.count('class="artwork-tile') == 2
    assert 'class="artwork-tile is-featured"' in page


def test_gallery_tiles_link_to_the_work_with_a_sized_lazy_thumbnail(client):
    artwork = ArtworkFactory(title="牡丹图", artist_name="李华")

    response = client.get(reverse("artworks:list"))

    page = html(response)
    assert f'href="{artwork.get_absolute_url()}"' in page
    assert f'<img src="{image_url(artwork, "thumb")}" width="48" height="36"' in page
    assert 'loading="lazy"' in page
    assert 'alt="牡丹图' in page
    assert "李华" in page.split('alt="', 1)[1].split('"', 1)[0]


def test_gallery_filters_by_category_and_marks_the_current_chip(client):
    painting = ArtworkFactory(title="水墨牡丹", category="painting")
    ArtworkFactory(title="牡丹赋", category="calligraphy")

    response = client.get(reverse("artworks:list"), {"category": "painting"})

    page = html(response)
    assert list(response.context["page"]) == [painting]
    assert "牡丹赋" not in page
    chips = page.split('class="category-filter"')[1].split("</nav>")[0]
    assert 'href="/artworks/?category=painting" aria-current="page"' in chips
    assert chips.count('aria-current="page"') == 1


def test_gallery_shows_everything_for_an_unknown_category(client):
    ArtworkFactory(title="水墨牡丹", category="painting")
    ArtworkFactory(title="牡丹赋", category="calligraphy")

    response = client.get(reverse("artworks:list"), {"category": "sculpture"})

    page = html(response)
    assert response.context["category"] == ""
    assert "水墨牡丹" in page
    assert "牡丹赋" in page
    assert 'href="/artworks/" aria-current="page"' in page


def test_gallery_second_page_holds_the_thirteenth_work_and_keeps_the_category(
    client,
):
    call = CallFactory()
    ArtworkFactory.create_batch(13, call=call, category="photography")
    oldest = Artwork.objects.public().last()

    first = client.get(reverse("artworks:list"), {"category": "photography"})
    second = client.get(
        reverse("artworks:list"), {"category": "photography", "page": "2"}
    )

    assert len(first.context["page"]) == 12
    assert list(second.context["page"]) == [oldest]
    assert 'href="/artworks/?category=photography&amp;page=2"' in html(first)
    assert 'rel="next"' in html(first)
    assert 'href="/artworks/?category=photography&amp;page=1" rel="prev"' in html(
        second
    )


def test_gallery_shows_the_open_call_with_a_submit_button(english):
    CallFactory(
        title="牡丹征集",
        title_en="Peony call",
        theme="牡丹",
        theme_en="Peony",
        organiser_en="Peony Garden service station",
    )

    response = english.get(reverse("artworks:list"))

    page = html(response)
    call_box = page.split('class="call-box"')[1].split("</section>")[0]
    assert "Peony call" in call_box
    assert "Peony Garden service station" in call_box
    assert f'class="button" href="{reverse("artworks:submit")}"' in call_box


def test_gallery_without_works_or_call_says_so(client):
    CallFactory(closes_at=timezone.now() - dt.timedelta(days=1))

    response = client.get(reverse("artworks:list"))

    page = html(response)
    assert response.context["page"].paginator.count == 0
    assert 'class="empty"' in page
    assert 'class="call-box"' not in page
    assert 'class="gallery"' not in page


@pytest.mark.parametrize("item_count", [1, 30])
def test_gallery_query_count_is_constant(client, item_count, django_assert_num_queries):
    call = CallFactory()
    ArtworkFactory.create_batch(item_count, call=call)

    # 3 queries: the open call, the count of public works (paginator),
    # the page of works with their calls (select_related)
    with django_assert_num_queries(3):
        response = client.get(reverse("artworks:list"))

    assert html(response).count('class="artwork-tile') == min(item_count, 12)


# --- One work -------------------------------------------------------------


def test_artwork_detail_shows_the_work_and_links_its_flower(client):
    peony = SpeciesFactory(name="牡丹", slug="mudan", theme="peony")
    call = CallFactory(title="牡丹元素书画与摄影作品征集", species=peony)
    artwork = ArtworkFactory(
        call=call,
        title="国色天香",
        artist_name="王秀英",
        community="牡丹园社区",
        class_name="绘画培训班",
        description="春天的牡丹园。",
        category="painting",
        phone="+8613800138000",
    )

    response = client.get(artwork.get_absolute_url())

    page = html(response)
    for text in ("国色天香", "王秀英", "牡丹园社区", "绘画培训班", "春天的牡丹园。"):
        assert text in page
    assert "牡丹元素书画与摄影作品征集" in page
    assert "绘画" in page
    assert f'href="{peony.get_absolute_url()}"' in page
    assert f'<img src="{image_url(artwork, "display")}" width="160" height="120"' in (
        page
    )
    assert "13800138000" not in page
    assert "138****8000" not in page


def test_artwork_detail_in_english_reads_english_labels_and_call(english):
    call = CallFactory(title="牡丹征集", title_en="Peony call")
    artwork = ArtworkFactory(call=call, title="国色天香", category="calligraphy")

    response = english.get(artwork.get_absolute_url())

    page = html(response)
    assert '<html lang="en">' in page
    assert "Peony call" in page
    assert "牡丹征集" not in page
    assert "Calligraphy" in page


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_non_public_work_is_not_found_for_the_public(client, status):
    artwork = ArtworkFactory(title="待审的秘密作品", status=status)

    detail = client.get(artwork.get_absolute_url())
    images = [client.get(image_url(artwork, size)) for size in ("display", "thumb")]

    assert detail.status_code == 404
    assert "待审的秘密作品" not in html(detail)
    assert [response.status_code for response in images] == [404, 404]
    assert not any(response.streaming for response in images)


def test_staff_preview_a_pending_work_and_its_image_uncached(staff):
    artwork = ArtworkFactory(title="待审的作品", status="pending")

    detail = staff.get(artwork.get_absolute_url())
    image = staff.get(image_url(artwork, "display"))

    assert "待审的作品" in html(detail)
    assert 'class="notice staff-preview"' in html(detail)
    assert body(image).startswith(b"\xff\xd8")
    assert image["Cache-Control"] == "private, no-store"


def test_signed_in_non_staff_user_cannot_preview_a_pending_work(client):
    client.force_login(User.objects.create_user("charlie"))
    artwork = ArtworkFactory(title="待审的作品", status="pending")

    detail = client.get(artwork.get_absolute_url())
    image = client.get(image_url(artwork))

    assert (detail.status_code, image.status_code) == (404, 404)
    assert "待审的作品" not in html(detail)


@pytest.mark.parametrize("item_count", [1, 30])
def test_artwork_detail_query_count_is_constant(
    client, item_count, django_assert_num_queries
):
    call = CallFactory(species=SpeciesFactory())
    artworks = ArtworkFactory.create_batch(item_count, call=call)

    # 1 query: the public work with its call and the call's flower
    with django_assert_num_queries(1):
        response = client.get(artworks[-1].get_absolute_url())

    assert artworks[-1].title in html(response)


# --- Images ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "width"), [("display", 160), ("thumb", 48)], ids=["display", "thumb"]
)
def test_image_serves_the_stored_jpeg_of_a_public_work_cacheably(client, size, width):
    artwork = ArtworkFactory(status="featured")

    response = client.get(image_url(artwork, size))

    data = body(response)
    assert data.startswith(b"\xff\xd8")
    assert Image.open(io.BytesIO(data)).width == width
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Cookie" not in response.get("Vary", "")


def test_image_of_an_unknown_size_is_not_found(client):
    artwork = ArtworkFactory()

    response = client.get(f"/artworks/{artwork.pk}/original.jpg")

    assert response.status_code == 404
    assert not response.streaming


def test_image_with_a_wrong_token_is_not_found(client):
    artwork = ArtworkFactory(status="pending")
    other = ArtworkFactory(status="pending")

    response = client.get(image_url(artwork), {"token": other.token})

    assert response.status_code == 404
    assert not response.streaming


# --- Status page ----------------------------------------------------------


def test_status_page_shows_the_pending_work_and_its_private_thumbnail(client):
    artwork = ArtworkFactory(
        title="待审的作品", status="pending", phone="+8613800138000"
    )

    response = client.get(artwork.get_status_url())
    thumbnail = client.get(image_url(artwork), {"token": artwork.token})

    page = html(response)
    assert "待审的作品" in page
    assert 'class="status-tag status-pending"' in page
    assert f'src="{image_url(artwork)}?token={artwork.token}"' in page
    assert artwork.get_absolute_url() + '"' not in page
    assert "13800138000" not in page
    assert "no-store" in response["Cache-Control"]
    assert body(thumbnail).startswith(b"\xff\xd8")
    assert thumbnail["Cache-Control"] == "private, no-store"


def test_status_page_of_an_approved_work_links_its_public_page(client):
    artwork = ArtworkFactory(status="approved")

    response = client.get(artwork.get_status_url())

    assert 'class="status-tag status-approved"' in html(response)
    assert f'href="{artwork.get_absolute_url()}"' in html(response)


def test_status_page_of_a_rejected_work_shows_the_reviewers_note(client):
    artwork = ArtworkFactory(status="rejected", moderation_note="请上传原图的照片。")

    response = client.get(artwork.get_status_url())

    assert "请上传原图的照片。" in html(response)
    assert 'class="status-tag status-rejected"' in html(response)
    assert f'href="{artwork.get_absolute_url()}"' not in html(response)


def test_status_page_with_an_unknown_token_is_not_found(client):
    ArtworkFactory(title="别人的作品", status="pending")

    response = client.get(reverse("artworks:status", args=["not-a-token"]))

    assert response.status_code == 404
    assert "别人的作品" not in html(response)


# --- No phone anywhere public ---------------------------------------------


def test_gallery_and_detail_never_show_a_phone_number(client):
    artwork = ArtworkFactory(phone="+8613912345678", status="featured")

    pages = [
        html(client.get(reverse("artworks:list"))),
        html(client.get(artwork.get_absolute_url())),
    ]

    assert all(artwork.title in page for page in pages)
    assert not any("13912345678" in page for page in pages)
    assert not any("139****5678" in page for page in pages)


def test_a_childs_work_is_credited_by_given_name_and_age_group_only(client):
    work = ArtworkFactory(
        title="我画的牡丹",
        artist_name="刘小雨",
        is_minor=True,
        guardian_consent=True,
        age_group="7_10",
    )

    pages = [
        html(client.get(reverse("artworks:list"))),
        html(client.get(work.get_absolute_url())),
        html(client.get(reverse("gardens:home"))),
    ]

    for page in pages:
        assert "小雨（7至10岁组）" in page
        assert "刘小雨" not in page
