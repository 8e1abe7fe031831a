import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from PIL import Image

from artworks import images, services
from artworks.models import Artwork
from tests.artworks.conftest import jpeg
from tests.factories import ArtworkFactory, CallFactory

pytestmark = pytest.mark.django_db


def send(call, **changes):
    fields = {
        "call": call,
        "title": "盛放",
        "artist_name": "王小明",
        "category": "painting",
        "image": jpeg(),
        "phone": "+8613800138000",
    } | changes
    return services.submit(**fields)


def error_codes(excinfo):
    error = excinfo.value
    if hasattr(error, "error_dict"):
        return {
            field: [e.code for e in errors]
            for field, errors in error.error_dict.items()
        }
    return [e.code for e in error.error_list]


def test_submit_stores_a_pending_work_and_the_worker_draws_both_renditions(
    stored_files, django_capture_on_commit_callbacks
):
    call = CallFactory()

    # The immediate backend draws the pictures once the work is committed.
    with django_capture_on_commit_callbacks(execute=True):
        artwork = send(call)

    artwork.refresh_from_db()
    assert artwork.status == Artwork.Status.PENDING
    assert (artwork.picture_state, artwork.original.name) == ("ready", "")
    assert stored_files() == sorted(
        name.removeprefix("artworks/")
        for name in (artwork.image.name, artwork.thumbnail.name)
    )
    with artwork.image.open() as f:
        image = Image.open(f)
        assert (image.format, image.size) == ("JPEG", (800, 600))
    assert (artwork.thumbnail_width, artwork.thumbnail_height) == (480, 360)


def test_submit_to_a_closed_call_is_refused_and_leaves_nothing(stored_files):
    call = CallFactory(closes_at=timezone.now() - dt.timedelta(days=1))

    with pytest.raises(ValidationError) as excinfo:
        send(call)

    assert error_codes(excinfo) == ["call_closed"]
    assert not Artwork.objects.exists()
    assert stored_files() == []


def test_submit_in_a_category_not_offered_is_refused(stored_files):
    call = CallFactory(categories="photography")

    with pytest.raises(ValidationError) as excinfo:
        send(call, category="painting")

    assert error_codes(excinfo) == {"category": ["category"]}
    assert stored_files() == []


def test_each_phone_sends_at_most_the_calls_limit(stored_files):
    call = CallFactory(max_works_per_phone=2)
    send(call, title="一")
    send(call, title="二")

    with pytest.raises(ValidationError) as excinfo:
        send(call, title="三")

    assert error_codes(excinfo) == {"phone": ["too_many_works"]}
    assert Artwork.objects.count() == 2
    assert len(stored_files()) == 2  # each accepted work's picture as sent


def test_an_author_under_14_needs_an_age_group_and_a_guardians_consent(stored_files):
    call = CallFactory()

    with pytest.raises(ValidationError) as excinfo:
        send(call, is_minor=True)
    send(call, is_minor=True, guardian_consent=True, age_group="7_10")

    assert error_codes(excinfo) == {
        "age_group": ["age_group"],
        "guardian_consent": ["guardian_consent"],
    }
    # The accepted work's picture as sent only.
    assert stored_files() == [Artwork.objects.get().original.name[len("artworks/") :]]
    work = Artwork.objects.get()
    assert (work.guardian_consent, work.age_group) == (True, "7_10")


def test_an_adult_author_keeps_no_age_group(stored_files):
    call = CallFactory()

    send(call, is_minor=False, age_group="7_10")

    assert Artwork.objects.get().age_group == ""


def test_a_file_that_is_not_an_image_is_refused_under_the_image_field(stored_files):
    call = CallFactory()
    text = SimpleUploadedFile("peony.jpg", b"not a picture at all", "image/jpeg")

    with pytest.raises(ValidationError) as excinfo:
        send(call, image=text)

    assert list(error_codes(excinfo)) == ["image"]
    assert not Artwork.objects.exists()
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_submit_checks_the_picture_before_the_lock_and_decodes_it_after(monkeypatch):
    # Decoding inside the lock would keep everyone sending to the call
    # waiting; inside the request, it would keep the sender waiting.
    # transaction=True: no test transaction around the call, so the
    # immediate backend draws the pictures as soon as the work commits.
    steps = []
    check, prepare = images.check, images.prepare
    select_for_update = QuerySet.select_for_update

    def step(name, function):
        def record(*args, **kwargs):
            steps.append((name, transaction.get_connection().in_atomic_block))
            return function(*args, **kwargs)

        return record

    monkeypatch.setattr(images, "check", step("check", check))
    monkeypatch.setattr(images, "prepare", step("decode", prepare))
    monkeypatch.setattr(QuerySet, "select_for_update", step("lock", select_for_update))

    send(CallFactory())

    assert steps[:3] == [("check", False), ("lock", True), ("decode", False)]
    assert Artwork.objects.get().picture_state == "ready"


def test_submit_over_the_limit_is_refused_without_decoding(monkeypatch, stored_files):
    call = CallFactory(max_works_per_phone=1)
    send(call)
    decoded = []
    monkeypatch.setattr(images, "prepare", decoded.append)

    with pytest.raises(ValidationError) as excinfo:
        send(call, image=SimpleUploadedFile("peony.jpg", b"not a picture"))

    assert error_codes(excinfo) == {"phone": ["too_many_works"]}
    assert decoded == []


def test_a_failure_after_the_files_are_written_removes_them(monkeypatch, stored_files):
    call = CallFactory()

    def fail(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Artwork, "save", fail)

    with pytest.raises(RuntimeError):
        send(call)

    assert stored_files() == []


def test_moderate_records_who_and_when(admin_user):
    work, other = ArtworkFactory(status="pending"), ArtworkFactory(status="pending")

    result = services.moderate(
        Artwork.objects.filter(pk=work.pk),
        status="featured",
        by=admin_user,
        note="很好",
    )

    work.refresh_from_db()
    other.refresh_from_db()
    assert result == services.Moderated(changed=1, refused=0)
    assert (work.status, work.reviewed_by, work.moderation_note) == (
        "featured",
        admin_user,
        "很好",
    )
    assert work.reviewed_at is not None
    assert other.status == "pending"


# --- Deleting -----------------------------------------------------------------


def file_names(*artworks):
    """The works' files as stored_files() names them."""
    names = [name for a in artworks for name in (a.image.name, a.thumbnail.name)]
    return [name.removeprefix("artworks/") for name in names]


def test_delete_artworks_removes_rows_and_then_their_files(
    stored_files, django_capture_on_commit_callbacks
):
    call = CallFactory()
    chosen = ArtworkFactory.create_batch(2, call=call, status="rejected")
    kept = ArtworkFactory(call=call)

    with django_capture_on_commit_callbacks() as callbacks:
        count = services.delete_artworks(call.artworks.filter(status="rejected"))
        files_before_commit = stored_files()
    for callback in callbacks:
        callback()

    assert count == 2
    assert list(Artwork.objects.all()) == [kept]
    assert files_before_commit == sorted(file_names(*chosen, kept))
    assert stored_files() == sorted(file_names(kept))


@pytest.mark.django_db(transaction=True)
def test_delete_artworks_outside_a_transaction_removes_files_at_once(stored_files):
    artwork, kept = ArtworkFactory(), ArtworkFactory()

    services.delete_artworks(Artwork.objects.filter(pk=artwork.pk))

    assert list(Artwork.objects.all()) == [kept]
    assert stored_files() == sorted(file_names(kept))


@pytest.mark.django_db(transaction=True)
def test_delete_artworks_rolled_back_keeps_rows_and_files(stored_files):
    artworks = ArtworkFactory.create_batch(2)

    @transaction.atomic
    def delete_then_fail():
        services.delete_artworks(Artwork.objects.all())
        raise RuntimeError("the request failed after the deletion")

    with pytest.raises(RuntimeError):
        delete_then_fail()

    assert sorted(Artwork.objects.values_list("pk", flat=True)) == [
        a.pk for a in artworks
    ]
    assert stored_files() == sorted(file_names(*artworks))


def test_delete_artworks_of_an_empty_selection_deletes_nothing(stored_files):
    artwork = ArtworkFactory()

    count = services.delete_artworks(Artwork.objects.none())

    assert count == 0
    assert list(Artwork.objects.all()) == [artwork]
    assert stored_files() == sorted(file_names(artwork))
