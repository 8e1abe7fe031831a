"""Staff keep gardens, zones and species in the admin."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import GardenFactory, SpeciesFactory, ZoneFactory

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
