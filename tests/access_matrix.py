"""
The persona × model matrix of staff access: what each kind of user gets from
every admin model by every path, measured through real requests.

A world of two communities — "own" (the community persona's) and "other" —
each with its garden, zone, planting, event, sign-up, call, work and more;
shared data (species, donors, organisations) has a row on each side. For
each persona and each model registered in the admin, measure() answers:

- list: which rows the change list shows (all, own, none) or its refusal;
- own / other: the change page of an own and of another community's row by
  URL: edit, view, or the refusal (403, login);
- write other: a POST of the change form, of the delete page and of every
  action on the other community's row: "no effect" unless the row changed;
- add: the add page; autocomplete: what a picker of this model offers;
- import / export: the import page, and an export's rows.

tests/test_access_matrix.py compares it with the expected matrix;
`ACCESS_MATRIX=path pytest tests/test_access_matrix.py` also writes it out
as a Markdown table.
"""

import csv
import io

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.factories import (
    AllocationFactory,
    ArtworkFactory,
    CallFactory,
    CommunityFactory,
    DonationFactory,
    DonationItemFactory,
    DonorFactory,
    EventFactory,
    GardenFactory,
    ObservationFactory,
    OrganisationFactory,
    PlantingFactory,
    SignupFactory,
    SpeciesFactory,
    SuggestionFactory,
    SurveyAnswerFactory,
    SurveyRoundFactory,
    ZoneFactory,
)
from tongyun.models import ExportRecord
from tongyun.roles import make_staff

PASSWORD = "花园-Matrix-2026"
PERSONAS = ["street", "community", "viewer", "no permissions", "anonymous"]
COLUMNS = [
    "list",
    "own",
    "other",
    "history other",
    "write other",
    "add",
    "autocomplete",
    "import",
    "export",
]


def build_world():
    """Two communities' rows of every model; returns {model: (own, other)}."""
    rows = {}
    sides = {}
    for side in ("own", "other"):
        community = CommunityFactory(slug=f"{side}-community")
        garden = GardenFactory(community=community, slug=f"{side}-garden")
        zone = ZoneFactory(garden=garden, code=f"{side[0].upper()}1")
        species = SpeciesFactory(slug=f"{side}-flower")
        donor = DonorFactory()
        donation = DonationFactory(donor=donor, quantity=100)
        item = DonationItemFactory(donation=donation, species=species)
        allocation = AllocationFactory(
            donation=donation, zone=zone, species=species, quantity=50
        )
        planting = PlantingFactory(
            zone=zone, species=species, allocation=allocation, quantity=10
        )
        observation = ObservationFactory(zone=zone, species=species, planting=planting)
        organisation = OrganisationFactory()
        event = EventFactory(gardens=[garden])
        signup = SignupFactory(event=event, organisation=organisation)
        call = CallFactory(community=community)
        artwork = ArtworkFactory(call=call, status="pending")
        suggestion = SuggestionFactory(garden=garden, zone=zone, phone="+8613800138000")
        survey_round = SurveyRoundFactory()
        answer = SurveyAnswerFactory(round=survey_round)
        sides[side] = {
            "gardens.community": community,
            "gardens.garden": garden,
            "gardens.zone": zone,
            "gardens.species": species,
            "plantings.donor": donor,
            "plantings.donation": donation,
            "plantings.donationitem": item,
            "plantings.allocation": allocation,
            "plantings.planting": planting,
            "plantings.observation": observation,
            "events.organisation": organisation,
            "events.event": event,
            "events.signup": signup,
            "artworks.call": call,
            "artworks.artwork": artwork,
            "feedback.suggestion": suggestion,
            "feedback.surveyround": survey_round,
            "feedback.surveyanswer": answer,
        }
    for label in sides["own"]:
        rows[label] = (sides["own"][label], sides["other"][label])
    return rows, sides["own"]["gardens.community"]


def make_personas(community):
    """{persona: logged-in Client}."""
    clients = {}
    for persona, role in [
        ("street", "street"),
        ("community", "community"),
        ("viewer", "viewer"),
    ]:
        user = make_staff(
            username=f"matrix-{role}",
            role=role,
            password=PASSWORD,
            community=community if role == "community" else None,
        )
        clients[persona] = logged_in(user)
    stranger = get_user_model().objects.create_user("matrix-stranger", is_staff=True)
    clients["no permissions"] = logged_in(stranger)
    clients["anonymous"] = Client()
    return clients


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def refusal(response):
    """'login', '403', '404' or None when the response answered."""
    if response.status_code == 302 and "/login/" in response["Location"]:
        return "login"
    if response.status_code in (403, 404):
        return str(response.status_code)
    return None


def which(seen, own, other):
    """all / own / none / OTHER! from the pks a page showed."""
    has_own = own is not None and own.pk in seen
    has_other = other is not None and other.pk in seen
    if has_own and has_other:
        return "all"
    if has_own:
        return "own"
    if has_other:
        return "OTHER!"
    return "none"


def url(model_admin, view, *args):
    """The admin URL of view, or None for a view this admin does not have."""
    opts = model_admin.model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def has_view(model_admin, view):
    return url(model_admin, view, 1) is not None or url(model_admin, view) is not None


def measure_list(client, model_admin, own, other):
    response = client.get(url(model_admin, "changelist"))
    if refused := refusal(response):
        return refused
    results = response.context["cl"].result_list
    # A history list's rows are records of objects: which objects?
    pk = model_admin.model._meta.pk.attname if own is None else own._meta.pk.attname
    seen = {getattr(row, pk) for row in results}
    return which(seen, own, other)


def measure_page(client, model_admin, obj):
    if obj is None or not has_view(model_admin, "change"):
        return "n/a"
    response = client.get(url(model_admin, "change", obj.pk))
    if refused := refusal(response):
        return refused
    if response.status_code == 302:
        return "gone"
    return "edit" if response.context["has_change_permission"] else "view"


def measure_history(client, model_admin, obj):
    if obj is None or not has_view(model_admin, "history"):
        return "n/a"
    response = client.get(url(model_admin, "history", obj.pk))
    return refusal(response) or ("gone" if response.status_code == 302 else "shown")


def snapshot(obj):
    model = obj.__class__
    row = model._base_manager.filter(pk=obj.pk).first()
    return None if row is None else model_to_dict(row)


def measure_writes(client, model_admin, other):
    """
    POST the change form, the delete page and each action on the other
    community's row; "no effect" unless it changed. The statuses say how
    each was refused.
    """
    if other is None or not has_view(model_admin, "change"):
        return "n/a"
    before = snapshot(other)
    codes = set()
    change = url(model_admin, "change", other.pk)
    codes.add(client.post(change, before_as_post(before)).status_code)
    delete = url(model_admin, "delete", other.pk)
    codes.add(client.post(delete, {"post": "yes"}).status_code)
    changelist = url(model_admin, "changelist")
    for name in action_names(model_admin):
        response = client.post(
            changelist,
            {
                "action": name,
                "_selected_action": [other.pk],
                "index": 0,
                "post": "yes",
                "apply": "yes",
                "confirm_day": "yes",
            },
        )
        codes.add(response.status_code)
    effect = "no effect" if snapshot(other) == before else "changed"
    return f"{effect} ({'/'.join(map(str, sorted(codes)))})"


def before_as_post(values):
    """A change form's POST from a row's values (a plausible edit)."""
    data = {}
    for name, value in (values or {}).items():
        if value is None or isinstance(value, FieldFile):
            continue
        if isinstance(value, list):
            data[name] = [getattr(item, "pk", item) for item in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


def action_names(model_admin):
    names = ["delete_selected"]
    for action in model_admin.actions or []:
        names.append(action if isinstance(action, str) else action.__name__)
    return names


def measure_add(client, model_admin):
    if not has_view(model_admin, "add"):
        return "n/a"
    response = client.get(url(model_admin, "add"))
    return refusal(response) or "yes"


def picker_of(site, model):
    """(source admin, field name) of an autocomplete that picks model."""
    for source_model, source_admin in site._registry.items():
        for name in source_admin.autocomplete_fields:
            field = source_model._meta.get_field(name)
            if field.related_model is model:
                return source_admin, name
    return None


def measure_autocomplete(client, site, model_admin, own, other):
    picker = picker_of(site, model_admin.model)
    if picker is None:
        return "n/a"
    source_admin, field_name = picker
    opts = source_admin.model._meta
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "",
            "app_label": opts.app_label,
            "model_name": opts.model_name,
            "field_name": field_name,
        },
    )
    if refused := refusal(response):
        return refused
    seen = {int(result["id"]) for result in response.json()["results"]}
    return which(seen, own, other)


def measure_import(client, model_admin):
    if not hasattr(model_admin, "import_action"):
        return "n/a"
    response = client.get(url(model_admin, "import"))
    return refusal(response) or "yes"


def measure_export(client, model_admin, own, other):
    if not hasattr(model_admin, "export_action"):
        return "n/a"
    page = client.get(url(model_admin, "export"))
    if refused := refusal(page):
        return refused
    # Every column the export form offers, in CSV.
    data = {"format": "0", "resource": "0"}
    for name, field in page.context["form"].fields.items():
        if isinstance(field, forms.BooleanField):
            data[name] = "on"
    response = client.post(url(model_admin, "export"), data)
    if refused := refusal(response):
        return refused
    assert response["Content-Type"].startswith("text/csv"), response.content[:300]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return f"{len(rows)} of 2"


def measure(site=admin.site):
    """The observed matrix: {persona: {model label: {column: outcome}}}."""
    world, _community = build_world()
    clients = make_personas(_community)
    ExportRecord.objects.all().delete()
    matrix = {}
    for persona, client in clients.items():
        matrix[persona] = {}
        for model, model_admin in sorted(
            site._registry.items(), key=lambda item: item[0]._meta.label_lower
        ):
            label = model._meta.label_lower
            recorded = getattr(model, "instance_type", model)  # of a history
            own, other = world.get(recorded._meta.label_lower, (None, None))
            matrix[persona][label] = {
                "list": measure_list(client, model_admin, own, other),
                "own": measure_page(client, model_admin, own),
                "other": measure_page(client, model_admin, other),
                "history other": measure_history(client, model_admin, other),
                "add": measure_add(client, model_admin),
                "autocomplete": measure_autocomplete(
                    client, site, model_admin, own, other
                ),
                "import": measure_import(client, model_admin),
                "export": measure_export(client, model_admin, own, other),
                "write other": undone(measure_writes, client, model_admin, other),
            }
        matrix[persona].update(measure_public(client, world))
    return matrix


def measure_public(client, world):
    """The public views that staff use on a work before review and a ticket."""
    cells = {}
    works = world["artworks.artwork"]
    signups = world["events.signup"]
    pages = {
        "public: work preview": lambda work: reverse("artworks:detail", args=[work.pk]),
        "public: work image": lambda work: reverse(
            "artworks:image", args=[work.pk, "display"]
        ),
    }
    for name, page in pages.items():
        own, other = (client.get(page(work)) for work in works)
        cells[name] = public_row(shown(own), shown(other))
    own, other = (undone(check_in, client, signup) for signup in signups)
    cells["public: check-in"] = public_row(own, other)
    return cells


def shown(response):
    if response.streaming:
        # Read to the end, as the test client expects: that closes the file
        # without closing the test's database connection.
        b"".join(response.streaming_content)
    return refusal(response) or "shown"


def check_in(client, signup):
    url = signup.get_checkin_url()
    response = client.post(url, {"confirm": "yes"})
    signup.refresh_from_db()
    done = "checked in" if signup.checked_in_at else "not checked in"
    return f"{refusal(response) or response.status_code}, {done}"


def public_row(own, other):
    return {
        column: {"own": own, "other": other}.get(column, "n/a") for column in COLUMNS
    }


def undone(measure_writes, *args):
    """Measure writes, then roll them back: the next persona's world is whole."""
    with transaction.atomic():
        outcome = measure_writes(*args)
        transaction.set_rollback(True)
    return outcome


def as_markdown(matrix):
    lines = []
    for persona in PERSONAS:
        lines += [f"### {persona}", ""]
        lines.append("| model | " + " | ".join(COLUMNS) + " |")
        lines.append("|---" * (len(COLUMNS) + 1) + "|")
        for label, cells in matrix[persona].items():
            lines.append(f"| {label} | " + " | ".join(cells[c] for c in COLUMNS) + " |")
        lines.append("")
    return "\n".join(lines)


def from_markdown(text):
    """The matrix that as_markdown() wrote, read back."""
    matrix = {}
    persona = None
    for line in text.strip().splitlines():
        if line.startswith("### "):
            persona = line[4:].strip()
            matrix[persona] = {}
        elif line.startswith("| ") and not line.startswith("| model "):
            label, *cells = [cell.strip() for cell in line.strip("| ").split(" | ")]
            matrix[persona][label] = dict(zip(COLUMNS, cells, strict=True))
    return matrix
