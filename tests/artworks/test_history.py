"""
Who changed which work: the reviewer, the public form; deleting a work
erases its submitter from the history, and phones stay masked there.
"""

import pytest
from django.urls import reverse

from artworks import services
from artworks.models import Artwork
from tests.artworks.test_admin import ARTWORKS, action_post, staff_client
from tests.artworks.test_forms import submit
from tests.factories import ArtworkFactory, CallFactory

pytestmark = pytest.mark.django_db

HISTORY = reverse("admin:artworks_historicalartwork_changelist")


@pytest.fixture
def clerk_client(django_user_model):
    """Staff who moderate works, without artworks.view_personal_data."""
    return staff_client(django_user_model, "clerk")


def records(artwork):
    """The work's history, oldest first, as (kind, staff member, reason)."""
    return [
        (r.history_type, r.history_user, r.history_change_reason)
        for r in Artwork.history.filter(id=artwork.pk).order_by("history_id")
    ]


def test_moderating_in_the_admin_records_the_reviewer(clerk_client):
    works = ArtworkFactory.create_batch(2, status="pending", reviewed_at=None)

    clerk_client.post(ARTWORKS, action_post("approve", works))

    for work in works:
        latest = work.history.first()
        assert records(work)[1:] == [("~", clerk_client.user, None)]
        assert (latest.status, latest.reviewed_by) == ("approved", clerk_client.user)


def test_moderating_outside_a_request_records_who_reviewed(django_user_model):
    reviewer = django_user_model.objects.create_user("reviewer", is_staff=True)
    work = ArtworkFactory(status="pending", reviewed_at=None)

    result = services.moderate(
        Artwork.objects.filter(pk=work.pk), status="rejected", by=reviewer, note="太小"
    )

    latest = work.history.first()
    assert result.changed == 1
    assert records(work)[1:] == [("~", reviewer, None)]
    assert (latest.status, latest.moderation_note) == ("rejected", "太小")


def test_public_submission_records_no_staff_member(admin_client):
    CallFactory()

    submit(admin_client)

    work = Artwork.objects.get()
    assert records(work) == [("+", None, services.SUBMITTED)]
    assert "token" not in {f.name for f in Artwork.history.model._meta.fields}


def test_deleting_works_erases_their_submitters_from_the_history(clerk_client):
    work = ArtworkFactory(
        artist_name="刘小雨", phone="+8613800138000", class_name="绘画培训班"
    )
    services.moderate(
        Artwork.objects.filter(pk=work.pk),
        status="rejected",
        by=clerk_client.user,
        note="刘小雨同学：请重新拍摄",
    )
    kept = ArtworkFactory(artist_name="王秀英")

    clerk_client.post(
        reverse("admin:artworks_artwork_delete", args=[work.pk]), {"post": "yes"}
    )

    held = set(
        Artwork.history.filter(id=work.pk).values_list(
            "title", "artist_name", "phone", "class_name", "moderation_note"
        )
    )
    assert held == {(work.title, "", "", "", "")}
    assert records(work)[-1] == ("-", clerk_client.user, None)
    assert kept.history.get().artist_name == "王秀英"


def test_work_history_page_masks_the_phone(clerk_client, django_user_model):
    trusted = staff_client(django_user_model, "trusted", "artworks.view_personal_data")
    work = ArtworkFactory(phone="+8613800138000")
    work.phone = "+8613900139000"
    work.save()
    url = reverse("admin:artworks_artwork_history", args=[work.pk])

    masked = clerk_client.get(url).context["page_obj"][0].history_changes
    full = trusted.get(url).context["page_obj"][0].history_changes

    assert [(old, new) for _field, old, new in masked] == [
        ("138****8000", "139****9000")
    ]
    assert [(old, new) for _field, old, new in full] == [
        ("138 0013 8000", "139 0013 9000")
    ]


def test_work_history_list_masks_the_phone(django_user_model):
    client = staff_client(django_user_model, "office")
    work = ArtworkFactory(title="牡丹", artist_name="刘小雨", phone="+8613800138000")
    work.phone = "+8613900139000"
    work.save()

    response = client.get(HISTORY, {"q": "刘小雨"})

    changed, _created = response.context["cl"].result_list
    assert [(old, new) for _field, old, new in changed.history_changes] == [
        ("138****8000", "139****9000")
    ]
    assert "13800138000" not in response.content.decode()
