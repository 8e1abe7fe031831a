"""
Staff spreadsheets through the admin, as Excel in China writes them: files
in GBK, GB18030 or UTF-8, its ways of writing a day, and an export saved
again and imported back, which changes only the rows that were edited.
"""

import datetime as dt
import io
import random
import tempfile
from pathlib import Path

import openpyxl
import pytest
import tablib
from django import forms
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from import_export.tmp_storages import CacheStorage

from plantings import services
from plantings.models import Donation, Donor, Planting
from tests.factories import (
    CommunityFactory,
    DonationFactory,
    DonationItemFactory,
    DonorFactory,
    GardenFactory,
    PlantingFactory,
    ZoneFactory,
)
from tests.plantings.conftest import DAY
from tongyun.lib.spreadsheets import UnknownEncoding, decode
from tongyun.roles import make_staff

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # the admin's import and export formats, in order
HEADER = "id,donor,donor_kind,received_on,quantity,is_floor,species,note\n"


def admin_export(client, model, file_format):
    """The admin's export of model ("donation", "planting"), every column."""
    url = reverse(f"admin:plantings_{model}_export")
    form = client.get(url).context["form"]
    data = {"format": file_format, "resource": "0"} | {
        name: "on"
        for name, field in form.fields.items()
        if isinstance(field, forms.BooleanField)
    }
    return client.post(url, data)


def admin_import(client, model, content, file_format=CSV, name=None):
    """Upload content (bytes) on model's import page; the dry-run page."""
    name = name or f"{model}s.{'csv' if file_format == CSV else 'xlsx'}"
    upload = SimpleUploadedFile(name, content, "application/octet-stream")
    return client.post(
        reverse(f"admin:plantings_{model}_import"),
        {"import_file": upload, "format": file_format, "resource": "0"},
    )


def confirm(client, model, preview):
    """Press "Confirm import" on a dry-run page."""
    return client.post(
        reverse(f"admin:plantings_{model}_process_import"),
        preview.context["confirm_form"].initial,
    )


def totals(preview):
    """(new, changed, unchanged) rows of a dry run."""
    result = preview.context["result"]
    return tuple(result.totals[kind] for kind in ("new", "update", "skip"))


def invalid(preview):
    """{row number: {column: [error codes]}} of a dry run's invalid rows."""
    found = {}
    for row in preview.context["result"].invalid_rows:
        error = row.error
        by_column = getattr(error, "error_dict", None) or {
            NON_FIELD_ERRORS: error.error_list
        }
        found[row.number] = {
            column: [e.code for e in errors] for column, errors in by_column.items()
        }
    return found


def ledger():
    """Every donation as comparable data, species shares included."""
    return sorted(
        (
            d.pk,
            d.donor.name,
            d.received_on,
            d.quantity,
            d.is_floor,
            d.note,
            sorted((i.species.name, i.quantity) for i in d.items.all()),
        )
        for d in Donation.objects.all()
    )


def plantings():
    return sorted(
        Planting.objects.values_list(
            "pk",
            "zone",
            "species",
            "quantity",
            "is_floor",
            "planted_on",
            "allocation",
            "source",
            "note",
        )
    )


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def history_rows():
    return Donation.history.count() + Planting.history.count()


@pytest.fixture
def gifts(peony, herbaceous, zone):
    """漷县镇's 1000余株 (牡丹:600、芍药) and a gift with a formula-like note."""
    town = DonorFactory(name="漷县镇", kind=Donor.Kind.TOWN)
    first = DonationFactory(
        donor=town, received_on=dt.date(2024, 3, 1), quantity=1000, is_floor=True
    )
    DonationItemFactory(donation=first, species=peony, quantity=600)
    DonationItemFactory(donation=first, species=herbaceous)
    second = DonationFactory(
        donor=DonorFactory(name="通运花友会", kind=Donor.Kind.ORGANISATION),
        received_on=dt.date(2024, 3, 15),
        quantity=30,
        note="=1+2",
    )
    DonationItemFactory(donation=second, species=peony)
    allocation = services.allocate(
        donation=first, zone=zone, species=peony, quantity=300, allocated_on=DAY
    )
    services.plant(
        zone=zone,
        species=peony,
        quantity=250,
        planted_on=DAY,
        allocation=allocation,
        note="-东侧",
    )
    services.plant(zone=zone, species=herbaceous, quantity=20, planted_on=DAY)
    return first, second


# --- What Excel in China saves --------------------------------------------

ROWS = (
    ",漷县镇,town,2025-04-06,1000,余,牡丹:600、芍药,春季\n"
    ",潞城镇,town,2025/4/6,400,1,芍药,\n"
)


@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 with byte order mark"),
        ("gbk", "GB18030 (Excel in Chinese)"),
        ("gb18030", "GB18030 (Excel in Chinese)"),
    ],
)
def test_import_reads_each_encoding_excel_writes_to_the_same_rows(
    admin_client, peony, herbaceous, encoding, named
):
    preview = admin_import(admin_client, "donation", (HEADER + ROWS).encode(encoding))
    confirm(admin_client, "donation", preview)

    label = preview.context["result"].file_encoding
    with translation.override("en"):
        assert str(label) == named
    assert str(label) in preview.content.decode()
    assert [row[1:] for row in ledger()] == [
        (
            "漷县镇",
            dt.date(2025, 4, 6),
            1000,
            True,
            "春季",
            [("牡丹", 600), ("芍药", None)],
        ),
        ("潞城镇", dt.date(2025, 4, 6), 400, True, "", [("芍药", None)]),
    ]


def test_import_waits_for_its_confirmation_in_the_shared_cache(
    admin_client, peony, herbaceous
):
    """Another app host may take the confirmation: the file is not kept in
    this host's temporary folder."""
    content = (HEADER + ROWS).encode("gb18030")
    preview = admin_import(admin_client, "donation", content)
    name = preview.context["confirm_form"].initial["import_file_name"]

    kept = cache.get(CacheStorage.CACHE_PREFIX + name)
    confirm(admin_client, "donation", preview)

    assert kept == content
    assert not (Path(tempfile.gettempdir()) / name).exists()
    assert [row[1] for row in ledger()] == ["漷县镇", "潞城镇"]
    assert cache.get(CacheStorage.CACHE_PREFIX + name) is None


@pytest.mark.parametrize(
    "content",
    [
        (HEADER + ROWS).encode("utf-16-le"),
        random.Random(14).randbytes(600),
        b"\xff\xfe\x80\x81" * 50,
    ],
    ids=["utf-16-without-mark", "random-bytes", "invalid-everywhere"],
)
def test_import_of_an_unknown_encoding_says_so_beside_the_file(
    admin_client, peony, herbaceous, content
):
    with pytest.raises(UnknownEncoding) as expected:
        decode(content)

    preview = admin_import(admin_client, "donation", content)

    assert preview.context["form"].errors["import_file"] == [str(expected.value)]
    assert preview.context.get("confirm_form") is None
    # The page still lists the columns a file needs.
    [(_name, columns)] = preview.context["fields_list"]
    assert columns[:4] == ["id", "donor", "donor_kind", "received_on"]
    assert not Donation.objects.exists()
    assert not Donor.objects.exists()


def test_import_of_a_broken_workbook_names_no_exception(admin_client, peony):
    preview = admin_import(admin_client, "donation", b"PK\x03\x04 not a zip", XLSX)

    with translation.override("zh-hans"):
        expected = translation.gettext(
            "The file could not be read. Check that it is a CSV file or an "
            "Excel workbook (.xlsx) and that the format chosen matches it."
        )
    assert preview.context["form"].errors["import_file"] == [expected]
    assert not Donation.objects.exists()


def test_import_reads_the_days_excel_writes(admin_client, peony):
    text = HEADER + "".join(
        f",通运花友会,organisation,{day},10,0,牡丹,{n}\n"
        for n, day in enumerate(
            ["2025/4/6", "2025年4月6日", "2025.4.6", "2025/4/6 0:00"]
        )
    )
    book = xlsx_bytes(
        [
            HEADER.strip().split(","),
            [None, "王阿姨", "person", dt.datetime(2025, 4, 6), 5, 0, "牡丹", "a"],
            [None, "王阿姨", "person", dt.date(2025, 4, 6), 5, 0, "牡丹", "b"],
            [None, "王阿姨", "person", 45753, 5, 0, "牡丹", "c"],
        ]
    )

    for content, file_format in ((text.encode("gbk"), CSV), (book, XLSX)):
        confirm(
            admin_client,
            "donation",
            admin_import(admin_client, "donation", content, file_format),
        )

    assert sorted(Donation.objects.values_list("note", "received_on")) == [
        (note, dt.date(2025, 4, 6)) for note in ["0", "1", "2", "3", "a", "b", "c"]
    ]


@pytest.mark.parametrize("day", ["2025/2/30", "4/6/2025", "2025-04", "0"])
def test_import_refuses_a_day_it_cannot_read_and_keeps_nothing(
    admin_client, peony, day
):
    text = HEADER + f",潞城镇,town,2025-04-06,1,0,牡丹,\n,潞城镇,town,{day},1,0,牡丹,\n"

    preview = admin_import(admin_client, "donation", text.encode("gbk"))

    assert invalid(preview) == {2: {"received_on": ["invalid"]}}
    assert not Donation.objects.exists()


# --- Export, then import again ----------------------------------------------


@pytest.mark.parametrize("file_format", [CSV, XLSX])
@pytest.mark.parametrize("model", ["donation", "planting"])
def test_reimporting_an_export_changes_nothing(admin_client, gifts, model, file_format):
    before = (ledger(), plantings(), history_rows())
    exported = admin_export(admin_client, model, file_format).content

    preview = admin_import(admin_client, model, exported, file_format)
    confirm(admin_client, model, preview)

    rows = Donation.objects.count() if model == "donation" else Planting.objects.count()
    assert totals(preview) == (0, 0, rows)
    assert (ledger(), plantings(), history_rows()) == before


def excel_resaved(content, edit=lambda row: row):
    """
    An exported CSV as Excel in China saves it again: GB18030, days as
    2024/3/1, the apostrophe of an escaped cell kept; edit(row) changes a row.
    """
    data = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
    out = tablib.Dataset(headers=data.headers)
    for row in data.dict:
        for column in ("received_on", "planted_on"):
            if column in row:
                day = dt.date.fromisoformat(row[column])
                row[column] = f"{day.year}/{day.month}/{day.day}"
        out.append(list(edit(row).values()))
    return out.export("csv").encode("gb18030")


def test_excel_resaved_export_imports_as_unchanged(admin_client, gifts):
    before = (ledger(), history_rows())
    exported = admin_export(admin_client, "donation", CSV).content

    preview = admin_import(admin_client, "donation", excel_resaved(exported))
    confirm(admin_client, "donation", preview)

    assert "'=1+2" in exported.decode("utf-8-sig")  # CSV has no text cells
    assert totals(preview) == (0, 0, 2)
    assert (ledger(), history_rows()) == before


def test_edited_quantity_updates_that_row_only(admin_client, gifts):
    first, second = gifts
    exported = admin_export(admin_client, "donation", CSV).content

    def more(row):
        return row | {"quantity": "1200"} if row["id"] == str(first.pk) else row

    preview = admin_import(admin_client, "donation", excel_resaved(exported, more))
    confirm(admin_client, "donation", preview)

    first.refresh_from_db()
    second.refresh_from_db()
    assert totals(preview) == (0, 1, 1)
    assert (first.quantity, second.quantity, second.note) == (1200, 30, "=1+2")
    assert Donation.objects.count() == 2
    assert first.history.count() == 2  # created, then changed once


def test_quantity_below_what_was_allocated_is_refused(admin_client, gifts):
    first, _second = gifts
    exported = admin_export(admin_client, "donation", CSV).content
    before = (ledger(), history_rows())

    def fewer(row):
        return row | {"quantity": "299"} if row["id"] == str(first.pk) else row

    preview = admin_import(admin_client, "donation", excel_resaved(exported, fewer))

    [problem] = invalid(preview).values()
    assert "donation_over_allocated" in problem[NON_FIELD_ERRORS]
    assert preview.context.get("confirm_form") is None
    assert (ledger(), history_rows()) == before


def test_planting_quantity_beyond_its_allocation_is_refused(admin_client, gifts):
    exported = admin_export(admin_client, "planting", CSV).content
    before = plantings()

    def more(row):
        return row | {"quantity": "301"} if row["quantity"] == "250" else row

    preview = admin_import(admin_client, "planting", excel_resaved(exported, more))

    assert list(invalid(preview).values()) == [{"donor": ["allocation_used_up"]}]
    assert plantings() == before


def test_edited_planting_updates_under_its_allocation(admin_client, gifts):
    exported = admin_export(admin_client, "planting", CSV).content

    def more(row):
        return row | {"quantity": "300"} if row["quantity"] == "250" else row

    preview = admin_import(admin_client, "planting", excel_resaved(exported, more))
    confirm(admin_client, "planting", preview)

    assert totals(preview) == (0, 1, 1)
    assert sorted(Planting.objects.values_list("quantity", "note")) == [
        (20, ""),
        (300, "-东侧"),
    ]


def test_community_staff_cannot_change_another_communitys_planting(gifts, zone):
    own = ZoneFactory(garden=GardenFactory(community=CommunityFactory()), code="C1")
    alice = make_staff(
        username="alice",
        role="community",
        password="花园-Access-2026",
        community=own.garden.community,
    )
    mine = PlantingFactory(zone=own, species=gifts[0].species_list()[0], quantity=3)
    theirs = Planting.objects.get(zone=zone, quantity=250)
    client = Client()
    client.force_login(alice)
    header = "id,garden,zone,species,quantity,is_floor,planted_on,donor,source,note\n"
    text = header + (
        f"{mine.pk},{own.garden.slug},C1,牡丹,4,0,2024/4/7,,,\n"
        f"{theirs.pk},{own.garden.slug},C1,牡丹,1,0,2024/4/7,,,\n"
    )
    before = plantings()

    preview = admin_import(client, "planting", text.encode("gbk"))
    alone = admin_import(client, "planting", (header + text.splitlines()[1]).encode())
    confirm(client, "planting", alone)

    assert invalid(preview) == {2: {"id": ["unknown_id"]}}
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (theirs.zone, theirs.quantity, mine.quantity) == (zone, 250, 4)
    assert len(plantings()) == len(before)


# --- What the files hold ------------------------------------------------------


@pytest.mark.parametrize("model", ["donation", "planting"])
def test_csv_export_starts_with_a_byte_order_mark(admin_client, gifts, model):
    content = admin_export(admin_client, model, CSV).content

    assert content.startswith(b"\xef\xbb\xbf")
    assert "漷县镇" in content.decode("utf-8-sig")


def test_xlsx_export_types_its_cells(admin_client, gifts):
    first, second = gifts
    content = admin_export(admin_client, "donation", XLSX).content

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    rows = {
        row[0].value: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2)
    }
    row = rows[second.pk]

    assert row["received_on"].value == dt.datetime(2024, 3, 15)
    assert row["received_on"].is_date
    assert row["received_on"].number_format == "yyyy-mm-dd"
    assert type(row["quantity"].value) is int
    assert row["quantity"].value == 30
    assert (row["note"].value, row["note"].data_type) == ("=1+2", "s")
    assert rows[first.pk]["species"].value == "牡丹:600、芍药"


@pytest.fixture
def beijing_tomorrow(monkeypatch):
    """16:30 UTC on 5 April 2025: 00:30 on 6 April in Beijing."""
    moment = dt.datetime(2025, 4, 5, 16, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return "2025-04-06"


@pytest.mark.parametrize(
    ("model", "stem"), [("donation", "donations"), ("planting", "plantings")]
)
@pytest.mark.parametrize("file_format", [CSV, XLSX])
def test_export_file_names_carry_beijings_date(
    admin_client, beijing_tomorrow, model, stem, file_format
):
    response = admin_export(admin_client, model, file_format)

    extension = "csv" if file_format == CSV else "xlsx"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{stem}-{beijing_tomorrow}.{extension}"'
    )


def test_signups_and_dashboard_file_names_carry_beijings_date(
    admin_client, beijing_tomorrow
):
    signups = admin_client.post(
        reverse("admin:events_signup_export"), {"format": CSV, "resource": "0"}
    )
    dashboard = admin_client.get(reverse("admin:dashboard_xlsx"))

    assert signups["Content-Disposition"] == (
        f'attachment; filename="signups-{beijing_tomorrow}.csv"'
    )
    assert dashboard["Content-Disposition"] == (
        f'attachment; filename="tongyun-dashboard-{beijing_tomorrow}.xlsx"'
    )
