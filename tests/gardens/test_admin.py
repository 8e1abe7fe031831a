"""Staff keep gardens, zones and species in the admin."""

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from gardens.models import Garden
from tests.factories import (
    CommunityFactory,
    GardenFactory,
    SpeciesFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db


def photo():
    data = io.BytesIO()
    Image.new("RGB", (4, 4), "pink").save(data, "PNG")
    return SimpleUploadedFile("peony.png", data.getvalue(), content_type="image/png")


def photo_error_codes(response):
    form = response.context["adminform"].form
    return [error.code for error in form.errors.as_data().get("photo", [])]


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        (
            "admin:gardens_garden_add",
            {"zones-TOTAL_FORMS": 0, "zones-INITIAL_FORMS": 0},
        ),
        ("admin:gardens_zone_add", {}),
        ("admin:gardens_species_add", {}),
    ],
)
def test_form_with_errors_asks_for_the_chosen_photo_again(admin_client, url, extra):
    response = admin_client.post(reverse(url), {"name": "", "photo": photo(), **extra})

    assert response.status_code == 200
    assert "choose_again" in photo_error_codes(response)


def test_form_with_errors_and_no_photo_chosen_says_nothing_of_it(admin_client):
    response = admin_client.post(reverse("admin:gardens_species_add"), {"name": ""})

    assert photo_error_codes(response) == []


def test_garden_with_an_error_in_a_zone_asks_for_the_chosen_photo_again(
    admin_client,
):
    garden = GardenFactory()
    data = {
        "community": garden.community.pk,
        "name": garden.name,
        "slug": garden.slug,
        "theme": garden.theme,
        "position": 1,
        "photo": photo(),
        "zones-TOTAL_FORMS": 1,
        "zones-INITIAL_FORMS": 0,
        "zones-0-code": "A1",
        "zones-0-name": "",
    }

    response = admin_client.post(
        reverse("admin:gardens_garden_change", args=[garden.pk]), data
    )

    form = response.context["adminform"].form
    assert list(form.errors) == ["photo"]
    assert photo_error_codes(response) == ["choose_again"]


@pytest.mark.parametrize("term", ["紫荆园 A1", "紫荆园A1"])
def test_zone_picker_finds_a_zone_by_garden_and_code_typed_together(admin_client, term):
    wanted = ZoneFactory(garden__name="紫荆园", code="A1")
    ZoneFactory(garden__name="月季园", code="A1")
    ZoneFactory(garden=wanted.garden, code="B1")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "plantings",
            "model_name": "allocation",
            "field_name": "zone",
            "term": term,
        },
    )

    assert [row["id"] for row in response.json()["results"]] == [str(wanted.pk)]


def test_zones_of_a_garden_fit_a_narrow_screen(admin_client):
    garden = GardenFactory()

    response = admin_client.get(
        reverse("admin:gardens_garden_change", args=[garden.pk])
    )

    zones = response.context["inline_admin_formsets"][0]
    assert [field["name"] for field in zones.fields()] == [
        "code",
        "name",
        "area_m2",
        "state",
    ]


@pytest.mark.parametrize("model", ["garden", "zone", "species"])
def test_admin_lists_what_still_needs_a_photo(admin_client, model):
    factory = {"garden": GardenFactory, "zone": ZoneFactory, "species": SpeciesFactory}
    with_photo = factory[model](photo=photo())
    without = factory[model]()
    url = reverse(f"admin:gardens_{model}_changelist")

    missing = admin_client.get(url, {"has_photo": "no"})
    present = admin_client.get(url, {"has_photo": "yes"})

    assert list(missing.context["cl"].result_list) == [without]
    assert list(present.context["cl"].result_list) == [with_photo]


# --- Photos: checked, re-encoded, stored as the JPEGs they become -------------


def garden_add(client, community, photo, **fields):
    data = {
        "community": community.pk,
        "name": "牡丹园",
        "slug": "peony-garden",
        "theme": "peony",
        "position": 1,
        "photo": photo,
        "zones-TOTAL_FORMS": 0,
        "zones-INITIAL_FORMS": 0,
        **fields,
    }
    return client.post(reverse("admin:gardens_garden_add"), data)


def stored_photos(settings):
    return sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_png_sent_as_a_pdf_is_stored_and_served_as_a_jpeg(admin_client, settings):
    data = io.BytesIO()
    Image.new("RGB", (300, 200), "pink").save(data, "PNG")
    upload = SimpleUploadedFile("plan.pdf", data.getvalue(), "application/pdf")

    response = garden_add(admin_client, CommunityFactory(), upload)

    assert response.status_code == 302
    garden = Garden.objects.get()
    assert re.fullmatch(r"garden/[0-9a-f]{32}\.jpg", garden.photo.name)
    with garden.photo.open("rb") as stored, Image.open(stored) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (300, 200)
    assert stored_photos(settings) == [Path(garden.photo.name).name]


def test_file_that_is_not_a_picture_is_refused_and_the_form_kept(
    admin_client, settings
):
    upload = SimpleUploadedFile("garden.jpg", b"%PDF-1.4\n%%EOF\n", "image/jpeg")

    response = garden_add(admin_client, CommunityFactory(), upload, name="紫荆园")

    assert response.status_code == 200
    assert photo_error_codes(response) == ["not_an_image", "choose_again"]
    assert response.context["adminform"].form["name"].value() == "紫荆园"
    assert not Garden.objects.exists()
    assert stored_photos(settings) == []


def test_garden_photo_loses_its_gps_position_and_camera(admin_client):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 12.0), 3: "E", 4: (116.0, 39.0, 7.0)}
    data = io.BytesIO()
    Image.new("RGB", (800, 600), "pink").save(data, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(data.getvalue())).getexif().get_ifd(0x8825)
    upload = SimpleUploadedFile("IMG_0042.jpg", data.getvalue(), "image/jpeg")

    garden_add(admin_client, CommunityFactory(), upload)

    with Garden.objects.get().photo.open("rb") as stored:
        content = stored.read()
    picture = Image.open(io.BytesIO(content))
    assert dict(picture.getexif()) == {}
    assert b"Exif" not in content
    assert b"PhoneMaker" not in content


def test_large_garden_photo_is_shrunk_for_the_pages(admin_client):
    data = io.BytesIO()
    Image.new("RGB", (4000, 3000), "pink").save(data, "JPEG")
    upload = SimpleUploadedFile("IMG_0043.jpg", data.getvalue(), "image/jpeg")

    garden_add(admin_client, CommunityFactory(), upload)

    garden = Garden.objects.get()
    assert (garden.photo.width, garden.photo.height) == (1600, 1200)


@pytest.mark.parametrize("factory", [GardenFactory, ZoneFactory, SpeciesFactory])
def test_photo_given_by_code_is_checked_too(factory):
    data = io.BytesIO()
    Image.new("RGBA", (120, 90), (255, 0, 0, 128)).save(data, "PNG")

    obj = factory(photo=SimpleUploadedFile("photo.png", data.getvalue()))

    assert obj.photo.name.endswith(".jpg")
    with obj.photo.open("rb") as stored, Image.open(stored) as picture:
        assert (picture.format, picture.mode) == ("JPEG", "RGB")


def test_file_given_by_code_that_is_not_a_picture_is_refused_unsaved():
    with pytest.raises(ValidationError) as excinfo, transaction.atomic():
        GardenFactory(photo=SimpleUploadedFile("photo.jpg", b"not a picture"))

    assert excinfo.value.code == "not_an_image"
    assert not Garden.objects.exists()


def test_photo_field_offers_only_the_kinds_of_picture_it_takes(admin_client):
    response = admin_client.get(reverse("admin:gardens_garden_add"))

    widget = response.context["adminform"].form.fields["photo"].widget
    assert widget.attrs["accept"] == "image/jpeg,image/png,image/webp"
