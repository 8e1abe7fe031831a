"""The project's bones: settings, translations, error pages, admin."""

import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import GardenFactory, ZoneFactory
from tests.threads import postgres_only

BASE_DIR = Path(settings.BASE_DIR)


def run_django(env, code="import django; django.setup()"):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def clean_env(**extra):
    """
    A bare production environment, plus extra: no .env file (ENV_FILE
    empty), nothing of the shell's but PATH, HOME and LANG, and the one
    choice production must make besides the secret key (MAIL_BACKEND).
    """
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "tongyun.settings",
        "ENV_FILE": "",
        "MAIL_BACKEND": "none",
        **extra,
    }


def test_settings_refuse_to_start_without_secret_key():
    result = run_django(clean_env(SECRET_KEY=""))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_settings_read_secret_key_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-mounted-file")
    code = "import django; django.setup(); from django.conf import settings as s;"
    code += "print(s.SECRET_KEY)"

    result = run_django(clean_env(SECRET_KEY_FILE=str(secret)), code)

    assert result.stdout.strip() == "from-a-mounted-file"


def test_settings_read_database_url_from_the_environment():
    env = clean_env(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://someone@db.example:5433/gardens",
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'], d['CONN_MAX_AGE'])"
    )

    result = run_django(env, code)

    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.example",
        "5433",
        "gardens",
        "600",
    ]


def test_settings_defaults_are_chinese_beijing_and_debug_off():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.DEBUG is False


def test_chinese_catalogue_is_complete_and_compiled():
    po_path = BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po"
    po = polib.pofile(po_path)
    mo = polib.mofile(po_path.with_suffix(".mo"))

    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    stale = [
        e.msgid
        for e in po.translated_entries()
        if compiled.get((e.msgctxt, e.msgid)) != (e.msgstr or e.msgstr_plural)
    ]

    assert untranslated == []
    assert fuzzy == []
    assert stale == [], "run `make messages` to recompile the .mo"
    assert po.metadata["Plural-Forms"].startswith("nplurals=1")


def test_500_page_renders_without_a_request_context():
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))

    page = response.content.decode()
    assert response.status_code == 500
    assert "出了点问题" in page
    assert 'href="/"' in page


@pytest.mark.django_db
def test_healthz_answers_ok_when_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.content == b"ok"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_answers_503_when_database_fails(client, monkeypatch):
    from django.db import DatabaseError
    from django.db.backends.utils import CursorWrapper

    def fail(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", fail)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content != b"ok"


@pytest.mark.django_db
def test_admin_garden_pages_work_for_staff(admin_client):
    garden = GardenFactory(name="牡丹园")
    ZoneFactory(garden=garden, code="A1", name="入口花境")

    changelist = admin_client.get(reverse("admin:gardens_garden_changelist"))
    change = admin_client.get(reverse("admin:gardens_garden_change", args=[garden.pk]))
    search = admin_client.get(reverse("admin:gardens_zone_changelist"), {"q": "入口"})

    assert list(changelist.context["cl"].result_list) == [garden]
    assert "入口花境" in change.content.decode()  # zones inline
    assert [z.code for z in search.context["cl"].result_list] == ["A1"]
    assert "花园" in changelist.content.decode()  # the admin speaks Chinese


@pytest.mark.django_db
def test_admin_is_closed_to_the_public(client):
    response = client.get(reverse("admin:gardens_garden_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_a_failed_csrf_check_explains_itself_in_chinese():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("set_language"), {"language": "en"})

    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]
    assert reverse("gardens:home") in response.content.decode()


@pytest.mark.parametrize(
    ("cell", "in_csv"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("牡丹园", "牡丹园"),
        (1000, "1000"),
    ],
)
def test_spreadsheet_exports_never_write_a_formula(cell, in_csv):
    """
    A CSV cell keeps a formula's text behind an apostrophe; an .xlsx cell
    holds the text itself, typed as text (never a formula), numbers as numbers.
    """
    import io

    import openpyxl
    import tablib

    from plantings.admin import DonationAdmin, PlantingAdmin
    from tongyun.lib.spreadsheets import CSV, XLSX

    def data():
        return tablib.Dataset(["x", cell], headers=["a", "b"])

    csv_text = CSV().export_data(data()).removeprefix("\ufeff")
    book = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(data())))

    assert tablib.Dataset().load(csv_text, format="csv")[0][1] == in_csv
    written = book.active["B2"]
    assert written.value == cell
    assert written.data_type == ("n" if cell == 1000 else "s")
    assert DonationAdmin.export_formats == PlantingAdmin.export_formats == [CSV, XLSX]


@postgres_only
@pytest.mark.django_db
def test_postgresql_plans_the_pages_without_just_in_time_compilation():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
