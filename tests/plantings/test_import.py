import datetime as dt
import io

import openpyxl
import pytest
import tablib
from django.core.exceptions import NON_FIELD_ERRORS

from plantings import services
from plantings.models import Donation, Donor, Planting
from plantings.resources import DonationResource, PlantingResource
from tests.factories import (
    DonationFactory,
    DonationItemFactory,
    DonorFactory,
    PlantingFactory,
    SpeciesFactory,
)
from tests.plantings.conftest import DAY

pytestmark = pytest.mark.django_db

DONATION_COLUMNS = [
    "id",
    "donor",
    "donor_kind",
    "received_on",
    "quantity",
    "is_floor",
    "species",
    "note",
]
PLANTING_COLUMNS = [
    "id",
    "garden",
    "zone",
    "species",
    "quantity",
    "is_floor",
    "planted_on",
    "donor",
    "source",
    "note",
]


def csv(text):
    return tablib.Dataset().load(text, format="csv")


def xlsx(rows):
    """A real .xlsx file's bytes, read back the way the admin reads an upload."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return tablib.Dataset().load(buffer.getvalue(), format="xlsx")


def run_import(resource, dataset, dry_run=False):
    return resource.import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True
    )


def problems(result):
    """{row number: {column: [error codes]}} for the import's invalid rows."""
    found = {}
    for row in result.invalid_rows:
        error = row.error
        if hasattr(error, "error_dict"):
            by_column = error.error_dict
        else:
            by_column = {NON_FIELD_ERRORS: error.error_list}
        found[row.number] = {
            column: [e.code for e in errors] for column, errors in by_column.items()
        }
    return found


def ledger(donations):
    """Donations as comparable data: donor, figures and species shares."""
    return sorted(
        (
            d.donor.name,
            d.donor.kind,
            d.received_on,
            d.quantity,
            d.is_floor,
            d.note,
            sorted((i.species.slug, i.quantity) for i in d.items.all()),
        )
        for d in donations
    )


@pytest.fixture
def planting_gift(gift, zone, peony):
    """Two allocations of peonies from the gift to zone A1: 300, then 100."""
    first = services.allocate(
        donation=gift, zone=zone, species=peony, quantity=300, allocated_on=DAY
    )
    second = services.allocate(
        donation=gift,
        zone=zone,
        species=peony,
        quantity=100,
        allocated_on=DAY + dt.timedelta(days=1),
    )
    return first, second


# --- Donations ------------------------------------------------------------


def test_donation_csv_imports_donations_items_and_new_donors(peony, herbaceous):
    DonorFactory(name="漷县镇", kind=Donor.Kind.TOWN)
    data = csv(
        "donor,donor_kind,received_on,quantity,is_floor,species,note\n"
        "漷县镇,,2024-03-01,1000,余,mudan、芍药,春季\n"
        "通运花友会,organisation,2024-03-15,300,0,牡丹:200;shaoyao:100,\n"
        "王阿姨,,2024-03-20,20,否,芍药,\n"
    )

    result = run_import(DonationResource(), data)

    assert not result.has_errors()
    assert problems(result) == {}
    assert ledger(Donation.objects.all()) == [
        (
            "漷县镇",
            "town",
            dt.date(2024, 3, 1),
            1000,
            True,
            "春季",
            [("mudan", None), ("shaoyao", None)],
        ),
        (
            "王阿姨",
            "town",
            dt.date(2024, 3, 20),
            20,
            False,
            "",
            [("shaoyao", None)],
        ),
        (
            "通运花友会",
            "organisation",
            dt.date(2024, 3, 15),
            300,
            False,
            "",
            [("mudan", 200), ("shaoyao", 100)],
        ),
    ]
    assert Donor.objects.count() == 3


def test_donation_import_changes_the_row_its_id_names(peony):
    existing = DonationFactory(quantity=5)
    data = csv(
        "id,donor,received_on,quantity,species\n"
        f"{existing.pk},漷县镇,2024-03-01,1000,牡丹\n"
    )

    result = run_import(DonationResource(), data)

    assert problems(result) == {}
    existing.refresh_from_db()
    assert (existing.donor.name, existing.quantity) == ("漷县镇", 1000)
    assert [i.species for i in existing.items.all()] == [peony]
    assert Donation.objects.count() == 1


@pytest.mark.parametrize("unknown", ["999999", "abc"])
def test_donation_import_refuses_an_id_that_names_no_donation(peony, unknown):
    data = csv(
        "id,donor,received_on,quantity,species\n"
        f",漷县镇,2024-03-01,1000,牡丹\n{unknown},漷县镇,2024-03-01,10,牡丹\n"
    )

    result = run_import(DonationResource(), data)

    assert problems(result) == {2: {"id": ["unknown_id"]}}
    assert not Donation.objects.exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("received_on", "2024/13/01"),
        ("received_on", "3/1/2024"),
        ("received_on", "2024-02-30"),
        ("quantity", "0"),
        ("quantity", "-5"),
        ("quantity", "1.5"),
        ("is_floor", "maybe"),
        ("species", "玫瑰X"),
        ("species", "牡丹:0"),
        ("species", "牡丹、mudan"),
        ("species", ""),
        ("donor_kind", "village"),
    ],
)
def test_donation_row_with_a_bad_cell_imports_nothing(peony, column, value):
    cells = {
        "donor": "通运花友会",
        "donor_kind": "organisation",
        "received_on": "2024-03-01",
        "quantity": "100",
        "is_floor": "1",
        "species": "牡丹",
    }
    good = ",".join(cells.values())
    bad = ",".join(value if c == column else v for c, v in cells.items())
    data = csv(f"{','.join(cells)}\n{good}\n{bad}\n{good}\n")

    result = run_import(DonationResource(), data)

    assert list(problems(result)) == [2]
    assert list(problems(result)[2]) == [column]
    assert Donation.objects.count() == 0
    assert Donor.objects.count() == 0


def test_donation_split_beyond_the_quantity_is_a_row_error(peony, herbaceous):
    data = csv(
        "donor,received_on,quantity,species\n漷县镇,2024-03-01,100,牡丹:60、芍药:50\n"
    )

    result = run_import(DonationResource(), data, dry_run=True)

    assert problems(result) == {1: {NON_FIELD_ERRORS: ["split_exceeds_donation"]}}
    assert Donation.objects.count() == 0


def test_donation_unknown_species_is_named_in_the_dry_run(peony):
    data = csv(
        "donor,received_on,quantity,species\n"
        "漷县镇,2024-03-01,100,牡丹\n"
        "漷县镇,2024-03-02,100,玫瑰X\n"
    )

    result = run_import(DonationResource(), data, dry_run=True)

    [row] = result.invalid_rows
    assert row.number == 2
    assert "玫瑰X" in row.error_dict["species"][0]
    assert Donation.objects.count() == 0


def test_donation_export_writes_the_import_columns(peony, herbaceous):
    donor = DonorFactory(name="通运花友会", kind=Donor.Kind.ORGANISATION)
    donation = DonationFactory(
        donor=donor,
        received_on=dt.date(2024, 3, 15),
        quantity=300,
        is_floor=True,
        note="春季",
    )
    DonationItemFactory(donation=donation, species=peony, quantity=200)
    DonationItemFactory(donation=donation, species=herbaceous)

    dataset = DonationResource().export()

    assert dataset.headers == DONATION_COLUMNS
    assert dataset.dict == [
        {
            "id": donation.pk,
            "donor": "通运花友会",
            "donor_kind": "organisation",
            "received_on": dt.date(2024, 3, 15),
            "quantity": 300,
            "is_floor": 1,
            "species": "牡丹:200、芍药",
            "note": "春季",
        }
    ]


def test_donation_export_reimports_to_equal_donations(peony, herbaceous):
    # Two species share a name: the export must tell them apart by slug.
    rose, other_rose = SpeciesFactory.create_batch(2, name="月季")
    first = DonationFactory(
        donor=DonorFactory(kind=Donor.Kind.PERSON), quantity=1000, is_floor=True
    )
    DonationItemFactory(donation=first, species=peony)
    DonationItemFactory(donation=first, species=herbaceous)
    second = DonationFactory(donor=first.donor, quantity=50, note="第二批")
    DonationItemFactory(donation=second, species=rose, quantity=30)
    DonationItemFactory(donation=second, species=other_rose, quantity=20)
    before = ledger(Donation.objects.all())
    exported = DonationResource().export()
    # Rows without their ids are new rows: the ledger into an empty site.
    del exported["id"]
    Donation.objects.all().delete()
    Donor.objects.all().delete()

    result = run_import(DonationResource(), csv(exported.csv))

    assert problems(result) == {}
    assert ledger(Donation.objects.all()) == before


# --- Plantings ------------------------------------------------------------


def test_planting_xlsx_imports_through_the_allocations(planting_gift, zone, herbaceous):
    first, second = planting_gift
    garden, donor = zone.garden, first.donation.donor.name
    data = xlsx(
        [
            PLANTING_COLUMNS,
            [None, garden.slug, "A1", "牡丹", 250, 0, DAY, donor, None, "东侧"],
            [None, garden.name, "A1", "mudan", 80, 0, DAY, donor, None, None],
            [None, garden.slug, "A1", "芍药", 20, None, DAY, None, "花市", None],
        ]
    )

    result = run_import(PlantingResource(), data)

    assert not result.has_errors()
    assert problems(result) == {}
    plantings = Planting.objects.order_by("pk")
    assert [
        (p.zone, p.species.slug, p.quantity, p.planted_on, p.allocation, p.source)
        for p in plantings
    ] == [
        (zone, "mudan", 250, DAY, first, ""),
        # The first allocation has 50 left: the next one with enough is used.
        (zone, "mudan", 80, DAY, second, ""),
        (zone, "shaoyao", 20, DAY, None, "花市"),
    ]
    assert plantings[0].note == "东侧"


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry_run", "import"])
@pytest.mark.parametrize(
    "quantities",
    [
        # The second row wants more than any allocation has.
        [50, 400, 10],
        # Each of the first two fits the first allocation (300) alone; together
        # they do not, and the second allocation has 90 left.
        [200, 200, 10],
    ],
    ids=["one_row_too_many", "rows_together_too_many"],
)
def test_planting_rows_beyond_the_allocations_import_nothing(
    planting_gift, zone, quantities, dry_run
):
    donor = planting_gift[0].donation.donor
    PlantingFactory(zone=zone, allocation=planting_gift[1], quantity=10)
    lines = [
        f",{zone.garden.slug},A1,牡丹,{quantity},,2024-04-07,{donor.name},,"
        for quantity in quantities
    ]
    data = csv("\n".join([",".join(PLANTING_COLUMNS), *lines]))

    result = run_import(PlantingResource(), data, dry_run=dry_run)

    assert problems(result) == {2: {"donor": ["allocation_used_up"]}}
    assert Planting.objects.count() == 1


def test_planting_unknown_species_or_zone_or_donor_imports_nothing(planting_gift, zone):
    donor = planting_gift[0].donation.donor
    slug = zone.garden.slug
    data = csv(
        "garden,zone,species,quantity,planted_on,donor\n"
        f"{slug},A1,牡丹,10,2024-04-07,{donor.name}\n"
        f"{slug},A1,玫瑰X,10,2024-04-07,\n"
        f"{slug},B9,牡丹,10,2024-04-07,\n"
        f"no-such-garden,A1,牡丹,10,2024-04-07,\n"
        f"{slug},A1,牡丹,10,2024-04-07,无名氏\n"
        f"{slug},A1,芍药,10,2024-04-07,{donor.name}\n"
    )

    result = run_import(PlantingResource(), data)

    assert problems(result) == {
        2: {"species": ["invalid"]},
        3: {"zone": ["invalid"]},
        4: {"zone": ["invalid"]},
        5: {"donor": ["invalid"]},
        6: {"donor": ["no_allocation"]},
    }
    assert Planting.objects.count() == 0


def test_planting_export_writes_the_import_columns(planting_gift, zone, herbaceous):
    allocation = planting_gift[0]
    from_gift = PlantingFactory(
        zone=zone, species=allocation.species, allocation=allocation, quantity=250
    )
    bought = PlantingFactory(
        zone=zone, species=herbaceous, quantity=20, source="花市", note="补种"
    )

    dataset = PlantingResource().export(Planting.objects.order_by("pk"))

    assert dataset.headers == PLANTING_COLUMNS
    assert dataset.dict == [
        {
            "id": from_gift.pk,
            "garden": zone.garden.name,
            "zone": "A1",
            "species": "牡丹",
            "quantity": 250,
            "is_floor": 0,
            "planted_on": DAY,
            "donor": allocation.donation.donor.name,
            "source": "",
            "note": "",
        },
        {
            "id": bought.pk,
            "garden": zone.garden.name,
            "zone": "A1",
            "species": "芍药",
            "quantity": 20,
            "is_floor": 0,
            "planted_on": DAY,
            "donor": "",
            "source": "花市",
            "note": "补种",
        },
    ]


@pytest.mark.parametrize("item_count", [1, 3])
def test_donation_export_query_count_is_constant(
    peony, item_count, django_assert_num_queries
):
    for donation in DonationFactory.create_batch(item_count):
        DonationItemFactory(donation=donation, species=peony, quantity=10)

    # 4 queries: page count, donations + donors, items + species, shared names
    with django_assert_num_queries(4):
        dataset = DonationResource().export()

    assert len(dataset) == item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_planting_export_query_count_is_constant(
    planting_gift, zone, item_count, django_assert_num_queries
):
    PlantingFactory.create_batch(
        item_count,
        zone=zone,
        species=planting_gift[0].species,
        allocation=planting_gift[0],
    )

    # 3 queries: plantings with their sources, shared garden and species names
    with django_assert_num_queries(3):
        dataset = PlantingResource().export()

    assert len(dataset) == item_count


def test_planting_import_marks_the_zone_planted_and_reads_a_floor(zone, peony):
    zone.state = "designed"
    zone.save()
    data = csv(
        "garden,zone,species,quantity,is_floor,planted_on,source\n"
        f"{zone.garden.slug},A1,牡丹,12400,余,2024-04-07,植树日花苗\n"
    )

    result = run_import(PlantingResource(), data)

    assert problems(result) == {}
    zone.refresh_from_db()
    assert zone.state == "planted"
    assert Planting.objects.get().is_floor is True
