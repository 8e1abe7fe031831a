"""
The submission form refuses what it must, keeps what was typed, and leaves
no row and no file behind; a good work lands pending, re-encoded, private.

Errors are checked through their codes and the fields they sit next to,
not their wording.
"""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from artworks.forms import ArtworkForm
from artworks.models import Artwork
from tests.artworks.conftest import private_files
from tests.factories import ArtworkFactory, CallFactory
from tongyun.lib.images import MAX_BYTES

pytestmark = pytest.mark.django_db

TYPED_TITLE = "春日牡丹"
GPS_IFD = 0x8825


@pytest.fixture
def call():
    return CallFactory(max_works_per_phone=3)


def photo(name="peony.jpg", size=(800, 600), image_format="JPEG"):
    """A real picture made with Pillow, carrying EXIF with a GPS position."""
    picture = Image.new("RGB", size, "#b0124a")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 0.0), 3: "E", 4: (116.0, 39.0, 0.0)}
    buffer = io.BytesIO()
    picture.save(buffer, image_format, exif=exif)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png"}[image_format]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


# The submission form's fields as a person fills them in, the image aside.
FILLED_IN = {
    "title": TYPED_TITLE,
    "artist_name": "王秀英",
    "category": "painting",
    "description": "清晨的牡丹园。",
    "community": "牡丹园社区",
    "class_name": "",
    "phone": "138 0013 8000",
    "consent": "on",
    "website": "",
}


def submit(client, **fields):
    data = FILLED_IN | fields
    data.setdefault("image", photo())
    return client.post(reverse("artworks:submit"), data)


def error_codes(response, field="__all__"):
    errors = response.context["form"].errors.as_data().get(field, [])
    return [error.code for error in errors]


def assert_nothing_written_and_form_kept(response, works=0, files=0):
    page = response.content.decode()
    assert Artwork.objects.count() == works
    assert len(private_files()) == files
    assert f'value="{TYPED_TITLE}"' in page
    assert 'value="王秀英"' in page
    assert "清晨的牡丹园。</textarea>" in page


# --- Showing the form -----------------------------------------------------


def test_submit_page_shows_the_form_for_the_open_call(client):
    call = CallFactory(
        title="牡丹元素书画与摄影作品征集", categories="painting,calligraphy"
    )

    response = client.get(reverse("artworks:submit"))

    page = response.content.decode()
    assert response.context["call"] == call
    assert "牡丹元素书画与摄影作品征集" in page
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/jpeg,image/png,image/webp"' in page
    for name in (
        "title",
        "artist_name",
        "category",
        "image",
        "description",
        "phone",
        "consent",
        "website",
        "community",
        "class_name",
        "is_minor",
        "guardian_consent",
    ):
        assert f'name="{name}"' in page
    assert 'value="painting"' in page
    assert 'value="calligraphy"' in page
    assert 'value="photography"' not in page
    assert '<div class="hp">' in page


def test_submit_page_without_an_open_call_says_when_the_last_one_closed(english):
    CallFactory(
        title_en="Peony call",
        opens_at=dt.datetime(2024, 4, 1, tzinfo=dt.UTC),
        closes_at=dt.datetime(2024, 5, 31, 12, tzinfo=dt.UTC),
    )

    response = english.get(reverse("artworks:submit"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<form" not in page.split("<main", 1)[1]
    assert "Peony call" in page
    assert "31 May 2024" in page


def test_submit_page_without_an_open_call_says_when_the_next_opens(client):
    CallFactory(
        title="芍药征集",
        opens_at=timezone.now() + dt.timedelta(days=5),
        closes_at=timezone.now() + dt.timedelta(days=35),
    )

    response = client.get(reverse("artworks:submit"))

    assert response.context["next_call"].title == "芍药征集"
    assert "芍药征集" in response.content.decode()
    assert 'name="title"' not in response.content.decode()


# --- A good submission ----------------------------------------------------


def test_good_submission_is_stored_pending_reencoded_and_goes_to_its_status(
    client, call, django_capture_on_commit_callbacks
):
    # The immediate backend draws the pictures once the work is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, image=photo(size=(2400, 1800)))

    artwork = Artwork.objects.get()
    assert response.status_code == 303
    assert response["Location"] == artwork.get_status_url()
    assert (artwork.title, artwork.artist_name, artwork.community) == (
        TYPED_TITLE,
        "王秀英",
        "牡丹园社区",
    )
    assert (artwork.status, artwork.phone, artwork.call) == (
        "pending",
        "+8613800138000",
        call,
    )
    assert sorted(private_files()) == sorted(
        name.removeprefix("artworks/")
        for name in (artwork.image.name, artwork.thumbnail.name)
    )
    with artwork.image.open("rb") as stored:
        picture = Image.open(stored)
        picture.load()
    assert picture.format == "JPEG"
    assert "exif" not in picture.info
    assert dict(picture.getexif()) == {}
    assert max(picture.size) == 1600
    assert (artwork.image_width, artwork.image_height) == (1600, 1200)
    assert max(artwork.thumbnail_width, artwork.thumbnail_height) == 480


def test_good_submission_status_page_shows_the_work(client, call):
    response = submit(client)

    status_page = client.get(response["Location"])

    assert TYPED_TITLE in status_page.content.decode()
    assert 'class="status-tag status-pending"' in status_page.content.decode()


def test_teacher_submits_for_a_child_with_the_guardians_consent(client, call):
    response = submit(
        client,
        class_name="绘画培训班",
        artist_name="欧阳晓晨",
        is_minor="on",
        age_group="7_10",
        guardian_consent="on",
    )

    artwork = Artwork.objects.get()
    assert response["Location"] == artwork.get_status_url()
    assert (
        artwork.class_name,
        artwork.is_minor,
        artwork.guardian_consent,
        artwork.age_group,
        artwork.artist_name,
    ) == ("绘画培训班", True, True, "7_10", "欧阳晓晨")


# --- Refusals: no row, no file, the form as typed --------------------------


def test_submission_without_consent_is_refused(client, call):
    response = submit(client, consent="")

    assert response.status_code == 422
    assert error_codes(response, "consent") == ["required"]
    assert "choose_again" in error_codes(response, "image")
    assert_nothing_written_and_form_kept(response)


def test_submission_with_the_honeypot_filled_is_refused(client, call):
    response = submit(client, website="http://spam.example")

    assert response.status_code == 422
    assert error_codes(response) == ["honeypot"]
    assert_nothing_written_and_form_kept(response)


def test_submission_with_a_bad_phone_is_refused(client, call):
    response = submit(client, phone="12345")

    assert response.status_code == 422
    assert error_codes(response, "phone") == ["invalid_phone"]
    assert 'value="12345"' in response.content.decode()
    assert_nothing_written_and_form_kept(response)


def test_text_file_named_jpg_is_refused_under_the_image(client, call):
    fake = SimpleUploadedFile("peony.jpg", b"not a picture", content_type="image/jpeg")

    response = submit(client, image=fake)

    page = response.content.decode()
    assert response.status_code == 422
    assert error_codes(response, "image") == ["not_an_image", "choose_again"]
    assert 'id="id_image_error"' in page
    assert 'aria-invalid="true"' in page.split('name="image"')[1].split(">")[0]
    assert_nothing_written_and_form_kept(response)


def test_picture_over_the_size_limit_is_refused_under_the_image(client, call):
    # Within the request size the site reads (tongyun.lib.uploads), so the
    # form comes back as typed; a larger body gets the 413 page unread.
    big = SimpleUploadedFile(
        "IMG_0001.jpg", b"\xff\xd8" + bytes(MAX_BYTES - 1), content_type="image/jpeg"
    )

    response = submit(client, image=big)

    assert response.status_code == 422
    assert error_codes(response, "image") == ["too_big", "choose_again"]
    assert response.context["form"].errors.as_data()["image"][0].params == {"limit": 20}
    assert_nothing_written_and_form_kept(response)


def test_submission_without_a_file_asks_for_one(client, call):
    response = submit(client, image="")

    assert response.status_code == 422
    assert error_codes(response, "image") == ["required"]
    assert_nothing_written_and_form_kept(response)


def test_submission_after_the_call_closed_is_refused(client):
    CallFactory(closes_at=timezone.now() - dt.timedelta(minutes=1))

    response = submit(client)

    assert response.status_code == 422
    assert error_codes(response) == ["call_closed"]
    assert 'type="submit"' not in response.content.decode().split('class="hp"')[1]
    assert_nothing_written_and_form_kept(response)


def test_category_the_call_does_not_offer_is_refused(client):
    CallFactory(categories="painting,calligraphy")

    response = submit(client, category="photography")

    assert response.status_code == 422
    assert error_codes(response, "category") == ["invalid_choice"]
    assert_nothing_written_and_form_kept(response)


def test_fourth_work_from_one_phone_is_refused(client, call):
    ArtworkFactory.create_batch(3, call=call, phone="+8613800138000", status="pending")

    response = submit(client, phone="138-0013-8000")

    assert response.status_code == 422
    assert error_codes(response, "phone") == ["too_many_works"]
    assert_nothing_written_and_form_kept(response, works=3, files=6)


def test_child_author_without_a_guardians_consent_is_refused(client, call):
    response = submit(client, is_minor="on", age_group="under_7")

    assert response.status_code == 422
    assert error_codes(response, "guardian_consent") == ["guardian_consent"]
    assert 'value="under_7" id="id_age_group_0" checked' in response.content.decode()
    assert_nothing_written_and_form_kept(response)


def test_child_author_without_an_age_group_is_refused(client, call):
    response = submit(client, is_minor="on", guardian_consent="on")

    assert response.status_code == 422
    assert error_codes(response, "age_group") == ["age_group"]
    assert_nothing_written_and_form_kept(response)


def test_one_network_sends_at_most_the_ceiling_of_works_to_a_call(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "artwork_works": (2, 3600)}
    call = CallFactory(max_works_per_phone=3)
    for n in range(2):
        assert submit(client, phone=f"1390013{n:04d}").status_code == 303

    response = submit(client, phone="13700137000")
    elsewhere = submit(Client(REMOTE_ADDR="10.0.0.2"), phone="13700137001")

    assert response.status_code == 429
    assert error_codes(response) == ["rate_limited"]
    assert 'value="王秀英"' in response.content.decode()
    assert elsewhere.status_code == 303
    assert Artwork.objects.filter(call=call).count() == 3
    assert not Artwork.objects.filter(phone="+8613700137000").exists()


def test_refused_submissions_do_not_count_as_works(client, call, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "artwork_works": (2, 3600)}
    for _ in range(9):
        assert submit(client, consent="").status_code == 422

    response = submit(client)

    assert response.status_code == 303
    assert Artwork.objects.count() == 1


def test_submissions_refused_past_their_limit_are_refused(client, call, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "refused": (3, 3600)}
    for _ in range(3):
        submit(client, consent="")

    response = submit(client)

    assert response.status_code == 429
    assert error_codes(response) == ["rate_limited"]
    assert_nothing_written_and_form_kept(response)


def test_a_work_refused_by_the_service_is_not_counted(client, call, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "artwork_works": (4, 3600)}
    for _ in range(3):
        submit(client, phone="138 0013 8000")
    refused = submit(client, phone="138 0013 8000")

    fourth = submit(client, phone="139 0013 9000")
    fifth = submit(client, phone="137 0013 7000")

    assert error_codes(refused, "phone") == ["too_many_works"]
    assert fourth.status_code == 303
    assert fifth.status_code == 429
    assert Artwork.objects.count() == 4


def test_submission_without_csrf_token_is_forbidden(call):
    client = Client(enforce_csrf_checks=True)

    response = submit(client)

    assert response.status_code == 403
    assert Artwork.objects.count() == 0
    assert private_files() == []


# --- The form on its own --------------------------------------------------


def test_form_offers_only_the_calls_categories():
    call = CallFactory.build(categories="calligraphy,photography")

    form = ArtworkForm(call=call)

    assert [value for value, _ in form.fields["category"].choices] == [
        "calligraphy",
        "photography",
    ]


def test_form_forgets_a_guardians_tick_for_an_adult_author(call):
    data = {
        "title": " 牡丹  图 ",
        "artist_name": "王秀英",
        "category": "painting",
        "phone": "+86 138-0013-8000",
        "consent": "on",
        "guardian_consent": "on",
        "age_group": "under_7",
    }

    form = ArtworkForm(data, {"image": photo()}, call=call)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "牡丹 图"
    assert form.cleaned_data["phone"] == "+8613800138000"
    assert form.cleaned_data["guardian_consent"] is False
    assert form.cleaned_data["age_group"] == ""
