"""
Past the retention period, artwork submitters' contacts go, rows and history
alike; the gallery keeps its works and credits; rejected works go whole.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from artworks import services
from artworks.forms import ArtworkForm
from artworks.models import Artwork, given_name, surname_erased
from artworks.services import Purge
from events import services as events_services
from events.forms import SignupForm
from tests.factories import ArtworkFactory, CallFactory, EventFactory, SignupFactory

pytestmark = pytest.mark.django_db

CONTACTS = ["phone", "class_name", "moderation_note"]


def call_closed(days_ago):
    now = timezone.now()
    return CallFactory(
        opens_at=now - dt.timedelta(days=days_ago + 60),
        closes_at=now - dt.timedelta(days=days_ago),
    )


def personal(work, **changes):
    """work with a contact in each field the purge erases, saved (history)."""
    for field, value in {
        "class_name": "通运小学三年级二班",
        "moderation_note": "王老师：谢谢你的作品！",
        **changes,
    }.items():
        setattr(work, field, value)
    work.save()
    return work


def purge(django_capture_on_commit_callbacks):
    """Run the purge as the daily command does, its commit callbacks too."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.purge_personal_data()


@pytest.fixture
def old_call_works():
    call = call_closed(days_ago=100)
    return {
        "approved": personal(
            ArtworkFactory(call=call, artist_name="王秀英", community="牡丹园社区")
        ),
        "featured_child": personal(
            ArtworkFactory(
                call=call,
                status="featured",
                artist_name="刘小雨",
                is_minor=True,
                guardian_consent=True,
                age_group="7_10",
            )
        ),
        "pending": personal(ArtworkFactory(call=call, status="pending")),
        "rejected": personal(ArtworkFactory(call=call, status="rejected")),
    }


def test_purge_erases_old_submitters_contacts_from_works_and_history(
    old_call_works, django_capture_on_commit_callbacks
):
    kept = [old_call_works[k] for k in ("approved", "featured_child", "pending")]

    done = purge(django_capture_on_commit_callbacks)

    assert done == Purge(works=3, removed=1, history=6)
    for work in kept:
        work.refresh_from_db()
        assert [getattr(work, field) for field in CONTACTS] == ["", "", ""]
    records = Artwork.history.filter(id__in=[w.pk for w in kept])
    assert records.filter(phone="", class_name="", moderation_note="").count() == (
        records.count()
    )
    # The child's surname is gone from the row and from every record.
    assert old_call_works["featured_child"].artist_name == "*小雨"
    assert not Artwork.history.filter(artist_name__contains="刘").exists()


def test_purge_keeps_the_gallery_and_its_credits(
    client, old_call_works, django_capture_on_commit_callbacks
):
    approved = old_call_works["approved"]
    child = old_call_works["featured_child"]
    credits = {approved.pk: approved.credit, child.pk: child.credit}

    purge(django_capture_on_commit_callbacks)

    gallery = client.get(reverse("artworks:list"))
    shown = list(gallery.context["page"])
    assert sorted(w.pk for w in shown) == sorted(credits)
    assert {w.pk: w.credit for w in shown} == credits
    assert credits[child.pk].startswith("小雨")
    assert all(credit in gallery.content.decode() for credit in credits.values())
    assert approved.community == Artwork.objects.get(pk=approved.pk).community


def test_purge_removes_rejected_works_with_their_files(
    old_call_works, stored_files, django_capture_on_commit_callbacks
):
    rejected = old_call_works["rejected"]
    files = {rejected.image.name, rejected.thumbnail.name}

    purge(django_capture_on_commit_callbacks)

    left = {f"artworks/{name}" for name in stored_files()}
    assert not Artwork.objects.filter(pk=rejected.pk).exists()
    assert not files & left
    assert len(left) == 6  # the three works kept, two files each
    # Its history stays as the trail of who reviewed and removed it, without
    # the submitter.
    trail = Artwork.history.filter(id=rejected.pk)
    assert trail.latest("history_date").history_type == "-"
    assert set(trail.values_list("artist_name", "phone", "class_name")) == {
        ("", "", "")
    }


def test_purge_again_changes_nothing(
    old_call_works, django_capture_on_commit_callbacks
):
    purge(django_capture_on_commit_callbacks)
    rows = list(Artwork.objects.order_by("pk").values())
    records = Artwork.history.count()

    again = purge(django_capture_on_commit_callbacks)

    assert again == Purge(works=0, removed=0, history=0)
    assert list(Artwork.objects.order_by("pk").values()) == rows
    assert Artwork.history.count() == records


def test_purge_leaves_calls_closed_within_the_retention_period(
    django_capture_on_commit_callbacks,
):
    recent = personal(ArtworkFactory(call=call_closed(days_ago=80)))
    rejected = personal(
        ArtworkFactory(call=call_closed(days_ago=80), status="rejected")
    )
    open_call = personal(ArtworkFactory(status="pending"))

    done = purge(django_capture_on_commit_callbacks)

    assert done == Purge(works=0, removed=0, history=0)
    for work in (recent, rejected, open_call):
        work.refresh_from_db()
        assert work.phone.startswith("+86")
        assert work.class_name == "通运小学三年级二班"


def test_retention_period_comes_from_the_setting(
    settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS = 30
    work = personal(ArtworkFactory(call=call_closed(days_ago=40)))

    done = purge(django_capture_on_commit_callbacks)

    work.refresh_from_db()
    assert done.works == 1
    assert work.phone == ""


def test_purge_erases_history_of_works_deleted_before(
    django_capture_on_commit_callbacks,
):
    work = personal(ArtworkFactory(call=call_closed(days_ago=100)))
    # Deleted by a path that kept the submitter in the history.
    Artwork.objects.filter(pk=work.pk).delete()

    done = purge(django_capture_on_commit_callbacks)

    assert done.history == Artwork.history.filter(id=work.pk).count() == 3
    assert set(
        Artwork.history.filter(id=work.pk).values_list("artist_name", "phone")
    ) == {("", "")}


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("刘小雨", "*小雨"),
        ("欧阳晓晨", "*晓晨"),
        ("刘小雨（8岁）", "*小雨"),
        ("雨", "*雨"),
        ("Amy Liu", "Amy *"),
        ("", ""),
    ],
)
def test_surname_erased_keeps_the_given_name_shown(name, kept):
    assert surname_erased(name) == kept
    assert given_name(kept) == given_name(name)
    assert surname_erased(kept) == kept


# --- The command: one policy for sign-ups and works ------------------------------


def test_command_purges_signups_and_works_and_says_what_it_did(
    old_call_works, django_capture_on_commit_callbacks
):
    now = timezone.now()
    event = EventFactory(
        starts_at=now - dt.timedelta(days=100),
        ends_at=now - dt.timedelta(days=100) + dt.timedelta(hours=3),
        signup_opens_at=now - dt.timedelta(days=120),
        signup_closes_at=now - dt.timedelta(days=101),
    )
    volunteer = SignupFactory(event=event, name="王小明")
    out, again = io.StringIO(), io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_personal_data", stdout=out)
        call_command("purge_personal_data", stdout=again)

    volunteer.refresh_from_db()
    assert (volunteer.name, volunteer.phone) == ("王*", "")
    assert Artwork.objects.filter(phone="").count() == 3
    assert out.getvalue().splitlines() == [
        "Sign-ups of events that ended more than 90 days ago: erased personal "
        "data of 1 sign-ups and of 1 records in their history.",
        "Artworks of calls that closed more than 90 days ago: erased the "
        "submitters' contacts of 3 works, removed 1 rejected works with their "
        "files, and erased 6 older records in their history.",
        "Suggestions sent more than 90 days ago: erased the phone numbers of 0 "
        "suggestions and of 0 older records in their history.",
    ]
    assert again.getvalue().splitlines() == [
        "Sign-ups of events that ended more than 90 days ago: erased personal "
        "data of 0 sign-ups and of 0 records in their history.",
        "Artworks of calls that closed more than 90 days ago: erased the "
        "submitters' contacts of 0 works, removed 0 rejected works with their "
        "files, and erased 0 older records in their history.",
        "Suggestions sent more than 90 days ago: erased the phone numbers of 0 "
        "suggestions and of 0 older records in their history.",
    ]
    assert events_services.PURGED == services.PURGED


# --- What the forms promise ----------------------------------------------------------


def test_consent_of_both_forms_states_the_retention_period(settings, english):
    settings.RETENTION_DAYS = 45
    event, call = EventFactory(), CallFactory()

    signup_page = english.get(event.get_absolute_url()).content.decode()
    submit_page = english.get(reverse("artworks:submit")).content.decode()

    assert "deleted within 45 days after it" in signup_page
    assert "deleted 45 days after the call closes" in submit_page
    assert "45 days" in str(SignupForm(event=event).fields["consent"].label)
    assert "45 days" in str(ArtworkForm(call=call).fields["consent"].label)
