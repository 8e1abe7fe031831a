"""
Every way text comes in keeps to the one rule (tongyun.lib.text): the public
forms, the admin, imports and services; and exports never fail on what was
stored before the rule.
"""

import io

import openpyxl
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from artworks.models import Artwork
from events import services as events
from events.models import Signup
from plantings.models import Donation
from plantings.resources import DonationResource
from tests.artworks.test_forms import submit
from tests.events.test_admin import event_post, export
from tests.events.test_forms import sign_up
from tests.factories import (
    CallFactory,
    EventFactory,
    GardenFactory,
    SignupFactory,
    SpeciesFactory,
)
from tests.plantings.test_import import csv, problems, run_import
from tongyun.lib import forms as lib_forms
from tongyun.lib.models import CleanTextMixin

pytestmark = pytest.mark.django_db


def field_codes(response, field):
    return [e.code for e in response.context["form"].errors.as_data().get(field, [])]


# --- The public forms ---------------------------------------------------------


def test_signup_with_a_control_character_in_the_name_is_refused(client):
    event = EventFactory()

    response = sign_up(client, event, name="李\x01华")

    assert response.status_code == 422
    assert field_codes(response, "name") == ["control_character"]
    assert Signup.objects.count() == 0
    # What was typed stays in the form, for the person to correct.
    assert 'value="牡丹园社区绘画班"' in response.content.decode()


def test_signup_name_loses_a_right_to_left_override(client):
    event = EventFactory()

    response = sign_up(client, event, name="李华\u202e\u200b")

    assert response["Location"] == Signup.objects.get().get_absolute_url()
    assert Signup.objects.get().name == "李华"


def test_signup_with_full_width_digits_in_the_phone_still_works(client):
    event = EventFactory()

    response = sign_up(client, event, phone="１３８ ００１３ ８０００")

    assert response["Location"] == Signup.objects.get().get_absolute_url()
    assert Signup.objects.get().phone == "+8613800138000"


def test_signup_name_of_zero_width_spaces_only_is_refused(client):
    response = sign_up(client, EventFactory(), name="\u200b\u200b")

    assert field_codes(response, "name") == ["invisible_only"]
    assert Signup.objects.count() == 0


def test_artwork_title_of_zero_width_characters_only_is_refused(client):
    CallFactory()

    response = submit(client, title="\u200b\u200c\u2060")

    assert response.status_code == 422
    assert field_codes(response, "title") == ["invisible_only"]
    assert Artwork.objects.count() == 0


def test_artwork_description_keeps_its_lines_and_loses_overrides(client):
    CallFactory()

    submit(client, description="第一行\r\n\u202e第二行", title="牡丹：盛放")

    work = Artwork.objects.get()
    assert (work.title, work.description) == ("牡丹：盛放", "第一行\n第二行")


def test_every_text_field_of_the_public_forms_keeps_to_the_rule():
    """A text field added later to a public form cannot skip the rule."""
    import artworks.forms  # noqa: F401 (defines public forms)
    import events.forms  # noqa: F401 (defines public forms)
    import feedback.forms  # noqa: F401 (defines public forms)
    import tongyun.forms  # noqa: F401 (defines public forms)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    unruled = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in subclasses(lib_forms.PublicForm)
        for name, field in form.base_fields.items()
        if isinstance(field, lib_forms.forms.CharField)
        and name != "website"
        and not isinstance(field, lib_forms.CleanTextField | lib_forms.CleanEmailField)
    ]
    assert unruled == []


# --- The admin, imports and services --------------------------------------------


def test_admin_refuses_a_control_character_in_a_volunteers_name(admin_client):
    signup = SignupFactory(name="李华")
    url = reverse("admin:events_signup_change", args=[signup.pk])

    response = admin_client.post(
        url, {"name": "李\x01华", "phone": "", "email": "", "language": "zh-hans"}
    )

    signup.refresh_from_db()
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["name"]] == ["control_character"]
    assert signup.name == "李华"


def test_admin_refuses_an_event_title_of_invisible_characters(admin_client):
    event = EventFactory(title="植树日", gardens=[GardenFactory()])
    url = reverse("admin:events_event_change", args=[event.pk])

    response = admin_client.post(url, event_post(event, title="\u200b\u202e"))

    event.refresh_from_db()
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["title"]] == ["invisible_only"]
    assert event.title == "植树日"


def test_admin_saves_a_description_without_its_overrides(admin_client):
    event = EventFactory(gardens=[GardenFactory()])
    url = reverse("admin:events_event_change", args=[event.pk])

    admin_client.post(url, event_post(event, description="集合\u202e地点\r\n东门"))

    event.refresh_from_db()
    assert event.description == "集合地点\n东门"


def test_model_validation_refuses_and_cleans_text_beside_each_field():
    species = SpeciesFactory.build(name="牡\x01丹", description="花\u202e开")

    with pytest.raises(ValidationError) as excinfo:
        species.full_clean()

    assert [e.code for e in excinfo.value.error_dict["name"]] == ["control_character"]
    assert "description" not in excinfo.value.error_dict
    assert species.description == "花开"


def test_import_refuses_a_row_with_a_control_character():
    SpeciesFactory(name="牡丹", slug="mudan")
    data = csv(
        "donor,received_on,quantity,species,note\n"
        "漷县镇,2024-03-01,100,牡丹,好\n"
        "潞城镇,2024-03-01,100,牡丹,坏\x01\n"
    )

    result = run_import(DonationResource(), data)

    assert problems(result) == {2: {"note": ["control_character"]}}
    assert Donation.objects.count() == 0


def test_services_store_clean_text_whatever_they_are_given():
    signup = events.sign_up(
        event=EventFactory(),
        name="李\u202e华\x01",
        phone="+8613800138000",
        headcount=1,
    )

    signup.refresh_from_db()
    assert signup.name == "李华"


def test_every_model_with_text_people_type_keeps_to_the_rule():
    unruled = [
        model.__name__
        for label in ("gardens", "events", "artworks", "plantings")
        for model in apps.get_app_config(label).get_models()
        if not model._meta.model_name.startswith("historical")
        and not issubclass(model, CleanTextMixin)
        and any(
            field.get_internal_type() in ("CharField", "TextField")
            and not field.choices
            and field.editable
            for field in model._meta.concrete_fields
        )
    ]
    assert unruled == []


# --- Exports --------------------------------------------------------------------


def test_xlsx_export_of_a_name_stored_with_a_control_character_succeeds(
    admin_client,
):
    event = EventFactory()
    signup = SignupFactory(event=event)
    # Stored before the rule: written straight to the database.
    Signup.objects.filter(pk=signup.pk).update(name="李\x01华\x1f")

    response = export(admin_client, event, "1")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in next(sheet.iter_rows(min_row=2))][1] == "李华"
