"""Staff record gifts, allocate and plant them in the admin; the rules hold."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from plantings import services
from plantings.models import Allocation, Donation, Observation, Planting
from tests.factories import (
    DonationFactory,
    DonationItemFactory,
    DonorFactory,
    SpeciesFactory,
    ZoneFactory,
)
from tests.plantings.conftest import DAY

pytestmark = pytest.mark.django_db


def inline(prefix, rows, initial=0):
    """POST data of an inline formset with rows (dicts of field values)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-{k}": v for k, v in row.items()}
    return data


def donation_post(donor, quantity, items, allocations, is_floor=False):
    data = {
        "donor": donor.pk,
        "received_on": "2024-04-01",
        "quantity": str(quantity),
        "note": "",
        "note_en": "",
    }
    if is_floor:
        data["is_floor"] = "on"
    data |= inline("items", items)
    data |= inline("allocations", allocations)
    return data


def test_staff_record_a_gift_and_allocate_it(admin_client, peony, herbaceous, zone):
    donor = DonorFactory(name="漷县镇")
    data = donation_post(
        donor,
        1000,
        items=[{"species": peony.pk}, {"species": herbaceous.pk}],
        allocations=[
            {
                "zone": zone.pk,
                "species": peony.pk,
                "quantity": "600",
                "allocated_on": "2024-04-02",
            },
        ],
        is_floor=True,
    )

    response = admin_client.post(reverse("admin:plantings_donation_add"), data)

    assert response.status_code == 302
    donation = Donation.objects.with_figures().get()
    assert (donation.quantity, donation.is_floor, donation.allocated) == (
        1000,
        True,
        600,
    )
    assert {i.species for i in donation.items.all()} == {peony, herbaceous}


def test_over_allocating_in_the_admin_is_a_form_error_in_chinese(
    admin_client, peony, zone
):
    donor = DonorFactory()
    data = donation_post(
        donor,
        100,
        items=[{"species": peony.pk}],
        allocations=[
            {
                "zone": zone.pk,
                "species": peony.pk,
                "quantity": "60",
                "allocated_on": "2024-04-02",
            },
            {
                "zone": zone.pk,
                "species": peony.pk,
                "quantity": "50",
                "allocated_on": "2024-04-02",
            },
        ],
    )

    response = admin_client.post(reverse("admin:plantings_donation_add"), data)

    assert response.status_code == 200
    assert "分配合计 110 株，超过了捐赠的 100 株" in response.content.decode()
    assert 'value="60"' in response.content.decode()  # what staff typed stays
    assert not Donation.objects.exists()
    assert not Allocation.objects.exists()


def test_lowering_a_species_share_below_its_allocations_is_refused(
    admin_client, gift, peony, herbaceous, zone
):
    allocation = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=700, allocated_on=DAY
    )
    items = list(gift.items.order_by("pk"))
    data = donation_post(gift.donor, 1000, items=[], allocations=[], is_floor=True)
    data |= inline(
        "items",
        [
            {
                "id": items[0].pk,
                "species": peony.pk,
                "quantity": "500",
                "donation": gift.pk,
            },
            {
                "id": items[1].pk,
                "species": herbaceous.pk,
                "quantity": "",
                "donation": gift.pk,
            },
        ],
        initial=2,
    )
    data |= inline(
        "allocations",
        [
            {
                "id": allocation.pk,
                "zone": zone.pk,
                "species": peony.pk,
                "quantity": "700",
                "allocated_on": "2024-04-07",
                "donation": gift.pk,
            },
        ],
        initial=1,
    )

    response = admin_client.post(
        reverse("admin:plantings_donation_change", args=[gift.pk]), data
    )

    assert response.status_code == 200
    assert "超过了该品种的 500 株" in response.content.decode()
    gift.refresh_from_db()
    assert [i.quantity for i in gift.items.order_by("pk")] == [None, None]


def test_planting_from_an_allocation_fills_zone_and_species(
    admin_client, gift, peony, zone
):
    allocation = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=300, allocated_on=DAY
    )

    response = admin_client.post(
        reverse("admin:plantings_planting_add"),
        {"allocation": allocation.pk, "quantity": "300", "planted_on": "2024-04-07"},
    )

    assert response.status_code == 302
    planting = Planting.objects.get()
    assert (planting.zone, planting.species, planting.quantity) == (zone, peony, 300)


def test_planting_beyond_the_allocation_is_a_form_error(
    admin_client, gift, peony, zone
):
    allocation = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=300, allocated_on=DAY
    )

    response = admin_client.post(
        reverse("admin:plantings_planting_add"),
        {"allocation": allocation.pk, "quantity": "301", "planted_on": "2024-04-07"},
    )

    assert response.status_code == 200
    assert "只剩 300 株可种" in response.content.decode()
    assert not Planting.objects.exists()


def test_planting_needs_a_zone_without_an_allocation(admin_client, peony):
    response = admin_client.post(
        reverse("admin:plantings_planting_add"),
        {"species": peony.pk, "quantity": "5", "planted_on": "2024-04-07"},
    )

    assert response.status_code == 200
    assert "zone" in response.context["adminform"].form.errors
    assert not Planting.objects.exists()


def test_recording_more_losses_than_planted_is_a_form_error(admin_client, peony):
    zone = ZoneFactory()
    planting = services.plant(zone=zone, species=peony, quantity=10, planted_on=DAY)

    response = admin_client.post(
        reverse("admin:plantings_observation_add"),
        {
            "planting": planting.pk,
            "observed_on": "2024-05-01",
            "kind": "loss",
            "count": "11",
        },
    )

    assert response.status_code == 200
    assert "只有 10 株记录为成活" in response.content.decode()
    assert not Observation.objects.exists()


def test_donation_list_shows_figures_to_staff(admin_client, gift, peony, zone):
    services.allocate(
        donation=gift, zone=zone, species=peony, quantity=250, allocated_on=DAY
    )

    response = admin_client.get(reverse("admin:plantings_donation_changelist"))

    donation = response.context["cl"].result_list[0]
    assert (donation.allocated, donation.planted) == (250, 0)
    assert "1000余株" in response.content.decode()
    assert ">750<" in response.content.decode()  # left to allocate


# --- Import through the admin ------------------------------------------------


def admin_import(admin_client, csv_text):
    """Upload csv_text on the donation import page; returns the dry-run page."""
    url = reverse("admin:plantings_donation_import")
    form = admin_client.get(url).context["form"]
    csv_format = next(v for v, title in form.fields["format"].choices if title == "csv")
    upload = SimpleUploadedFile("donations.csv", csv_text.encode(), "text/csv")
    return admin_client.post(
        url, {"import_file": upload, "format": csv_format, "resource": "0"}
    )


HEADER = "donor,donor_kind,received_on,quantity,is_floor,species,note\n"


def test_admin_import_previews_then_imports_a_good_file(admin_client, peony):
    preview = admin_import(
        admin_client, HEADER + "漷县镇,town,2024-04-01,1000,余,牡丹,\n"
    )
    confirm = preview.context["confirm_form"]

    assert not Donation.objects.exists()  # the preview wrote nothing
    response = admin_client.post(
        reverse("admin:plantings_donation_process_import"), confirm.initial
    )

    assert response.status_code == 302
    donation = Donation.objects.get()
    assert (donation.donor.name, donation.quantity, donation.is_floor) == (
        "漷县镇",
        1000,
        True,
    )


def test_admin_import_with_a_bad_row_lists_it_and_offers_no_confirm(
    admin_client, peony
):
    preview = admin_import(
        admin_client,
        HEADER
        + "漷县镇,town,2024-04-01,1000,余,牡丹,\n"
        + "潞城镇,town,2024-04-01,400,余,玫瑰X,\n",
    )

    page = preview.content.decode()
    assert preview.context.get("confirm_form") is None
    assert preview.context["result"].has_validation_errors()
    assert "玫瑰X" in page
    assert not Donation.objects.exists()


def test_allocation_admin_refuses_more_than_is_left(admin_client, gift, peony, zone):
    services.allocate(
        donation=gift, zone=zone, species=peony, quantity=900, allocated_on=DAY
    )

    response = admin_client.post(
        reverse("admin:plantings_allocation_add"),
        {
            "donation": gift.pk,
            "zone": zone.pk,
            "species": peony.pk,
            "quantity": "101",
            "allocated_on": "2024-04-08",
        },
    )

    assert response.status_code == 200
    assert "分配合计 1001 株，超过了捐赠的 1000 株" in response.content.decode()
    assert Allocation.objects.count() == 1


def test_deleting_a_planted_allocation_in_the_donation_form_is_refused(
    admin_client, gift, peony, herbaceous, zone
):
    allocation = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=10, allocated_on=DAY
    )
    services.plant(
        zone=zone, species=peony, quantity=4, planted_on=DAY, allocation=allocation
    )
    items = list(gift.items.order_by("pk"))
    data = donation_post(gift.donor, 1000, items=[], allocations=[], is_floor=True)
    data |= inline(
        "items",
        [
            {"id": i.pk, "species": i.species_id, "quantity": "", "donation": gift.pk}
            for i in items
        ],
        initial=2,
    )
    data |= inline(
        "allocations",
        [
            {
                "id": allocation.pk,
                "zone": zone.pk,
                "species": peony.pk,
                "quantity": "10",
                "allocated_on": "2024-04-07",
                "donation": gift.pk,
                "DELETE": "on",
            },
        ],
        initial=1,
    )

    response = admin_client.post(
        reverse("admin:plantings_donation_change", args=[gift.pk]), data
    )

    assert response.status_code == 200
    assert "受保护" in response.content.decode()  # Django's own refusal
    assert Allocation.objects.filter(pk=allocation.pk).exists()


def test_planting_in_the_admin_marks_its_zone_planted(admin_client, peony):
    zone = ZoneFactory(state="designed")

    response = admin_client.post(
        reverse("admin:plantings_planting_add"),
        {
            "zone": zone.pk,
            "species": peony.pk,
            "quantity": "5",
            "planted_on": "2024-04-07",
            "source": "采购",
        },
    )

    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.state == "planted"


def test_observation_form_with_errors_asks_for_the_chosen_photo_again(admin_client):
    photo = SimpleUploadedFile(
        "bloom.jpg", b"\xff\xd8 photo", content_type="image/jpeg"
    )

    response = admin_client.post(
        reverse("admin:plantings_observation_add"), {"kind": "", "photo": photo}
    )

    form = response.context["adminform"].form
    assert "choose_again" in [e.code for e in form.errors.as_data()["photo"]]


def test_observation_photo_is_stored_as_a_clean_jpeg(admin_client, zone, peony):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 12.0), 3: "E", 4: (116.0, 39.0, 7.0)}
    data = io.BytesIO()
    Image.new("RGB", (400, 300), "pink").save(data, "WEBP", exif=exif)
    photo = SimpleUploadedFile("bloom.gif", data.getvalue(), content_type="image/gif")

    response = admin_client.post(
        reverse("admin:plantings_observation_add"),
        {
            "zone": zone.pk,
            "species": peony.pk,
            "observed_on": "2024-05-01",
            "kind": "full_bloom",
            "photo": photo,
        },
    )

    assert response.status_code == 302
    stored = Observation.objects.get().photo
    assert stored.name.endswith(".jpg")
    with stored.open("rb") as file, Image.open(file) as picture:
        assert picture.format == "JPEG"
        assert dict(picture.getexif()) == {}


def test_observation_photo_that_is_not_a_picture_is_refused(admin_client, zone, peony):
    photo = SimpleUploadedFile("bloom.jpg", b"<html>bloom</html>", "image/jpeg")

    response = admin_client.post(
        reverse("admin:plantings_observation_add"),
        {
            "zone": zone.pk,
            "species": peony.pk,
            "observed_on": "2024-05-01",
            "kind": "full_bloom",
            "photo": photo,
        },
    )

    form = response.context["adminform"].form
    assert [e.code for e in form.errors.as_data()["photo"]] == [
        "not_an_image",
        "choose_again",
    ]
    assert not Observation.objects.exists()


# --- Allocations: found as shown, filled in from the gift ------------------


def allocation_choices(client, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "plantings",
            "model_name": "planting",
            "field_name": "allocation",
            "term": term,
        },
    )
    return [row["text"] for row in response.json()["results"]]


@pytest.mark.parametrize("term", ["紫荆园 A1", "紫荆园A1", "张家湾 紫荆"])
def test_allocation_picker_finds_an_allocation_as_it_is_shown(admin_client, term):
    redbud = SpeciesFactory(name="紫荆")
    gift = DonationFactory(donor__name="张家湾镇", quantity=200, received_on=DAY)
    DonationItemFactory(donation=gift, species=redbud)
    a1 = ZoneFactory(garden__name="紫荆园", code="A1")
    ZoneFactory(garden__name="月季园", code="A1")
    services.allocate(
        donation=gift, zone=a1, species=redbud, quantity=120, allocated_on=DAY
    )

    found = allocation_choices(admin_client, term)

    assert found == ["张家湾镇 → 紫荆园 A1：紫荆 120（2024-04-07）"]


def test_new_allocation_row_of_a_gift_starts_with_its_date_and_only_species(
    admin_client, peony
):
    gift = DonationFactory(quantity=300, received_on=DAY)
    DonationItemFactory(donation=gift, species=peony)

    response = admin_client.get(
        reverse("admin:plantings_donation_change", args=[gift.pk])
    )

    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "allocations"
    )
    new_row = formset.forms[-1]
    assert (new_row.initial["allocated_on"], new_row.initial["species"]) == (
        DAY,
        peony.pk,
    )


def test_allocation_rows_left_without_species_and_date_take_them_from_the_gift(
    admin_client, peony, herbaceous
):
    terrace = ZoneFactory(code="A2")
    terrace.species.set([peony])
    strip = ZoneFactory(code="B1")
    strip.species.set([herbaceous])
    data = donation_post(
        DonorFactory(name="漷县镇"),
        500,
        items=[{"species": peony.pk}, {"species": herbaceous.pk}],
        allocations=[
            {"zone": terrace.pk, "quantity": "300"},
            {"zone": strip.pk, "quantity": "200"},
        ],
    )

    response = admin_client.post(reverse("admin:plantings_donation_add"), data)

    assert response.status_code == 302
    rows = Allocation.objects.order_by("quantity")
    assert [(a.zone, a.species, a.allocated_on) for a in rows] == [
        (strip, herbaceous, dt.date(2024, 4, 1)),
        (terrace, peony, dt.date(2024, 4, 1)),
    ]


def test_gift_listed_by_its_allocations_alone_records_their_species(
    admin_client, peony, herbaceous
):
    terrace = ZoneFactory(code="A2")
    terrace.species.set([peony])
    strip = ZoneFactory(code="B1")
    strip.species.set([herbaceous])
    data = donation_post(
        DonorFactory(),
        500,
        items=[],
        allocations=[
            {"zone": terrace.pk, "quantity": "300"},
            {"zone": strip.pk, "quantity": "200"},
        ],
    )

    response = admin_client.post(reverse("admin:plantings_donation_add"), data)

    assert response.status_code == 302
    gift = Donation.objects.get()
    assert {(i.species, i.quantity) for i in gift.items.all()} == {
        (peony, None),
        (herbaceous, None),
    }


def test_allocation_row_whose_species_cannot_be_told_asks_for_it(
    admin_client, peony, herbaceous, zone
):
    data = donation_post(
        DonorFactory(),
        500,
        items=[{"species": peony.pk}, {"species": herbaceous.pk}],
        allocations=[{"zone": zone.pk, "quantity": "300"}],
    )

    response = admin_client.post(reverse("admin:plantings_donation_add"), data)

    assert response.status_code == 200
    assert not Donation.objects.exists()
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "allocations"
    )
    assert list(formset.forms[0].errors) == ["species"]


def test_new_allocation_of_a_gift_starts_with_its_date_and_only_species(
    admin_client, peony
):
    gift = DonationFactory(quantity=300, received_on=DAY)
    DonationItemFactory(donation=gift, species=peony)
    url = reverse("admin:plantings_allocation_add")

    page = admin_client.get(url, {"donation": gift.pk})
    response = admin_client.post(
        url, {"donation": gift.pk, "zone": ZoneFactory().pk, "quantity": "100"}
    )

    initial = page.context["adminform"].form.initial
    assert (initial["allocated_on"], initial["species"]) == (DAY, peony.pk)
    assert response.status_code == 302
    allocation = Allocation.objects.get()
    assert (allocation.species, allocation.allocated_on) == (peony, DAY)


def test_planting_from_a_floor_record_is_entered_as_such(admin_client, peony, zone):
    response = admin_client.post(
        reverse("admin:plantings_planting_add"),
        {
            "zone": zone.pk,
            "species": peony.pk,
            "quantity": "12400",
            "is_floor": "on",
            "planted_on": "2024-04-07",
            "source": "乡土草花",
        },
    )

    assert response.status_code == 302
    assert Planting.objects.get().is_floor is True
