"""
A work's pictures leave the request (artworks/tasks.py): the submission
answers once the picture is checked by its header and stored as sent; a
worker draws the display image and thumbnail, strips EXIF, and deletes the
picture as sent. Until then nothing of the work can be shown.
"""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.constants import WARNING
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from artworks import services, tasks
from artworks.models import Artwork
from tests.artworks.conftest import private_files
from tests.factories import ArtworkFactory, CallFactory
from tests.servers import manage
from tests.tasks import run

pytestmark = pytest.mark.django_db

ARTWORKS = reverse("admin:artworks_artwork_changelist")
GPS_IFD = 0x8825


def photo_bytes(size=(2400, 1800)):
    """A JPEG as a phone sends it, with a GPS position in its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 0.0), 3: "E", 4: (116.0, 39.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", size, "#b0124a").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def cut_off():
    """A JPEG whose header is whole but whose pixels stop half way: only
    decoding it finds it damaged."""
    content = photo_bytes()
    return content[: len(content) // 2]


def post_work(client, content=None):
    data = {
        "title": "清晨的牡丹",
        "artist_name": "王秀英",
        "category": "painting",
        "phone": "138 0013 8000",
        "consent": "on",
        "website": "",
        "image": SimpleUploadedFile("IMG_0001.jpg", content or photo_bytes()),
    }
    return client.post(reverse("artworks:submit"), data)


def send(content=None):
    return services.submit(
        call=CallFactory(),
        title="盛放",
        artist_name="王小明",
        category="painting",
        image=SimpleUploadedFile("peony.jpg", content or photo_bytes()),
        phone="+8613800138000",
    )


# --- The request -----------------------------------------------------------


def test_submission_answers_before_the_pictures_exist_and_queues_them(
    client, queue, django_capture_on_commit_callbacks
):
    CallFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_work(client)

    work = Artwork.objects.get()
    assert response["Location"] == work.get_status_url()
    assert (work.picture_state, work.image.name, work.thumbnail.name) == (
        "preparing",
        "",
        "",
    )
    assert work.original.name.startswith("artworks/originals/")
    assert private_files() == [work.original.name.removeprefix("artworks/")]
    with work.original.open("rb") as original:
        assert original.read() == photo_bytes()  # as sent, EXIF and all
    [queued] = queue
    assert (queued.task.name, queued.args) == (tasks.make_renditions.name, [work.pk])


def test_work_waiting_for_its_pictures_shows_nothing_in_public(
    client, queue, django_capture_on_commit_callbacks
):
    CallFactory()
    with django_capture_on_commit_callbacks(execute=True):
        status_page = client.get(post_work(client)["Location"])
    work = Artwork.objects.get()

    gallery = client.get(reverse("artworks:list"))
    token = f"?token={work.token}"
    pictures = [
        client.get(reverse("artworks:image", args=[work.pk, size]) + query)
        for size in ("display", "thumb")
        for query in ("", token)
    ]
    detail = client.get(work.get_absolute_url())

    html = status_page.content.decode()
    assert 'class="submission-picture submission-picture-preparing"' in html
    assert reverse("artworks:image", args=[work.pk, "thumb"]) not in html
    assert list(gallery.context["page"].object_list) == []
    assert [p.status_code for p in pictures] == [404] * 4
    assert detail.status_code == 404


def test_worker_draws_the_pictures_without_exif_and_deletes_the_original(
    client, queue, django_capture_on_commit_callbacks
):
    CallFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post_work(client)
    original = Artwork.objects.get().original.name

    with django_capture_on_commit_callbacks(execute=True):
        run(queue[0])

    work = Artwork.objects.get()
    assert (work.picture_state, work.original.name) == ("ready", "")
    assert private_files() == sorted(
        name.removeprefix("artworks/")
        for name in (work.image.name, work.thumbnail.name)
    )
    assert not work.original.storage.exists(original)
    with work.image.open("rb") as stored:
        picture = Image.open(stored)
        picture.load()
    assert (picture.format, picture.size) == ("JPEG", (1600, 1200))
    assert dict(picture.getexif()) == {}
    assert (work.image_width, work.image_height) == (1600, 1200)
    assert (work.thumbnail_width, work.thumbnail_height) == (480, 360)
    assert work.history.first().history_change_reason == services.RENDERED


def test_status_page_shows_the_picture_once_drawn(client):
    work = ArtworkFactory(status="pending", reviewed_at=None)

    html = client.get(work.get_status_url()).content.decode()

    thumb = reverse("artworks:image", args=[work.pk, "thumb"])
    assert f'src="{thumb}?token={work.token}"' in html
    assert "submission-picture-preparing" not in html


def test_picture_refused_by_its_header_is_refused_in_the_form_at_once(
    client, queue, django_capture_on_commit_callbacks
):
    CallFactory()
    # 20 megapixels of colour PNG: refused before a pixel is decoded.
    buffer = io.BytesIO()
    Image.new("RGB", (5000, 4000)).save(buffer, "PNG")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_work(client, buffer.getvalue())

    form = response.context["form"]
    # The file must be chosen again (choose_again), a smaller one.
    codes = [e.code for e in form.errors.as_data()["image"]]
    assert codes == ["too_many_pixels", "choose_again"]
    assert form["title"].value() == "清晨的牡丹"
    assert (Artwork.objects.count(), private_files(), queue) == (0, [], [])


# --- What goes wrong in the worker ------------------------------------------


def test_picture_damaged_past_its_header_marks_the_work_for_staff(
    client, admin_client, queue, django_capture_on_commit_callbacks
):
    CallFactory()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = post_work(client, cut_off())

    with django_capture_on_commit_callbacks(execute=True):
        run(queue[0])  # raises nothing: no retry would read it

    work = Artwork.objects.get()
    assert accepted["Location"] == work.get_status_url()
    assert (work.picture_state, work.original.name, work.image.name) == (
        "unreadable",
        "",
        "",
    )
    assert private_files() == []
    assert len(queue) == 1
    assert work.history.first().history_change_reason == services.UNREADABLE
    listing = admin_client.get(ARTWORKS).content.decode()
    assert 'class="artwork-picture-unreadable"' in listing
    status_page = client.get(work.get_status_url()).content.decode()
    assert 'class="submission-picture submission-picture-unreadable"' in status_page


class FailingStorage:
    """Storage whose writes fail, as a bucket that does not answer would."""

    def __init__(self, storage):
        self.storage = storage
        self.saved = []

    def save(self, name, content, **kwargs):
        if len(self.saved) == 1:
            raise OSError("bucket unreachable")
        self.saved.append(self.storage.save(name, content, **kwargs))
        return self.saved[-1]

    def __getattr__(self, name):
        return getattr(self.storage, name)


def test_storage_failure_is_retried_later_with_growing_delays(
    queue, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "RENDITION_ATTEMPTS", 3)
    with django_capture_on_commit_callbacks(execute=True):
        work = send()
    field = Artwork._meta.get_field("original")
    failing = FailingStorage(field.storage)
    monkeypatch.setattr(field, "storage", failing)
    before = timezone.now()

    for attempt in range(3):
        with pytest.raises(OSError, match="bucket unreachable"):
            run(queue[attempt])
        failing.saved = []

    work.refresh_from_db()
    assert [r.kwargs.get("attempt") for r in queue] == [None, 2, 3]
    first, second = (r.task.run_after - before for r in queue[1:])
    assert dt.timedelta(seconds=30) <= first < dt.timedelta(seconds=40)
    assert dt.timedelta(seconds=120) <= second < dt.timedelta(seconds=130)
    # Nothing half-written stays; the picture as sent waits for a retry.
    assert (work.picture_state, work.image.name) == ("preparing", "")
    assert private_files() == [work.original.name.removeprefix("artworks/")]


def test_task_for_a_work_deleted_meanwhile_does_nothing(
    queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        work = send()
        services.delete_artworks(Artwork.objects.filter(pk=work.pk))

    run(queue[0])

    assert (Artwork.objects.count(), private_files()) == (0, [])


def test_task_run_twice_draws_the_pictures_once(
    queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send()
    with django_capture_on_commit_callbacks(execute=True):
        run(queue[0])
    work = Artwork.objects.get()

    run(queue[0])

    assert private_files() == sorted(
        name.removeprefix("artworks/")
        for name in (work.image.name, work.thumbnail.name)
    )


# --- No approval without pictures --------------------------------------------


@pytest.mark.parametrize("state", ["preparing", "unreadable"])
@pytest.mark.parametrize("status", ["approved", "featured"])
def test_moderate_refuses_to_show_a_work_without_pictures(queue, state, status):
    drawn = ArtworkFactory(status="pending", reviewed_at=None)
    work = send()
    if state == "unreadable":
        Artwork.objects.filter(pk=work.pk).update(picture_state=state)

    result = services.moderate(
        Artwork.objects.filter(pk__in=[work.pk, drawn.pk]), status=status, by=None
    )

    work.refresh_from_db()
    drawn.refresh_from_db()
    assert result == services.Moderated(changed=1, refused=1)
    assert (work.status, work.reviewed_at) == ("pending", None)
    assert drawn.status == status
    assert list(Artwork.objects.public()) == [drawn]


def test_work_without_pictures_may_still_be_rejected(queue):
    work = send()

    result = services.moderate(
        Artwork.objects.filter(pk=work.pk), status="rejected", by=None
    )

    work.refresh_from_db()
    assert (result.changed, work.status) == (1, "rejected")


def test_admin_action_leaves_works_without_pictures_and_says_so(admin_client, queue):
    work = send()

    response = admin_client.post(
        ARTWORKS,
        {"action": "approve", "index": "0", "_selected_action": [work.pk]},
        follow=True,
    )

    work.refresh_from_db()
    assert work.status == "pending"
    assert [m.level for m in get_messages(response.wsgi_request)] == [WARNING]


def test_admin_change_form_refuses_to_approve_a_work_without_pictures(
    admin_client, queue
):
    work = send()
    url = reverse("admin:artworks_artwork_change", args=[work.pk])
    data = {
        "status": "approved",
        "moderation_note": "",
        "title": work.title,
        "category": work.category,
        "artist_name": work.artist_name,
        "class_name": "",
        "community": "",
        "description": "",
    }

    response = admin_client.post(url, data)

    work.refresh_from_db()
    assert work.status == "pending"
    form = response.context["adminform"].form
    assert [e.code for e in form.errors.as_data()["status"]] == ["picture_preparing"]
    assert 'class="artwork-picture-preparing"' in response.content.decode()


def test_change_page_of_a_work_without_pictures_shows_no_broken_image(
    admin_client, queue
):
    work = send()

    page = admin_client.get(reverse("admin:artworks_artwork_change", args=[work.pk]))
    listing = admin_client.get(ARTWORKS)

    for html in (page.content.decode(), listing.content.decode()):
        assert 'class="artwork-picture-preparing"' in html
        assert reverse("artworks:image", args=[work.pk, "thumb"]) not in html
        assert reverse("artworks:image", args=[work.pk, "display"]) not in html


def test_database_refuses_a_public_work_without_pictures(queue):
    work = send()

    with pytest.raises(IntegrityError), transaction.atomic():
        Artwork.objects.filter(pk=work.pk).update(status="approved")


def test_check_showable_names_the_status_field(queue):
    work = send()

    with pytest.raises(ValidationError) as excinfo:
        services.check_showable(work, status="featured")

    assert [e.code for e in excinfo.value.error_dict["status"]] == ["picture_preparing"]


# --- A real worker ------------------------------------------------------------

SUBMIT = """
import io
from django.core.files.uploadedfile import SimpleUploadedFile
from artworks import services
from tests.artworks.test_tasks import photo_bytes
from tests.factories import CallFactory
work = services.submit(
    call=CallFactory(), title="盛放", artist_name="王小明", category="painting",
    image=SimpleUploadedFile("IMG_0001.jpg", photo_bytes()), phone="+8613800138000",
)
print(work.pk, work.original.name)
"""

WORK = """
from artworks.models import Artwork
work = Artwork.objects.get()
print(work.picture_state, work.original.name or "-", work.image.name or "-",
      work.thumbnail.name or "-", work.image_width, work.thumbnail_width)
"""

RESULTS = """
from django_tasks_db.models import DBTaskResult
for result in DBTaskResult.objects.order_by("enqueued_at"):
    print(result.task_path, result.status)
"""

WORKER = ("db_worker", "--batch", "--no-startup-delay", "--no-reload")


def test_real_worker_draws_the_pictures_of_a_submitted_work(site):
    private = Path(site["PRIVATE_MEDIA_ROOT"])
    _pk, original = manage(site, code=SUBMIT).split()
    queued = manage(site, code=RESULTS)
    waiting = manage(site, code=WORK).split()

    manage(site, *WORKER)

    state, kept, image, thumbnail, width, thumb_width = manage(site, code=WORK).split()
    assert queued.split() == ["artworks.tasks.make_renditions", "READY"]
    assert waiting == ["preparing", original, "-", "-", "None", "None"]
    assert (state, kept, width, thumb_width) == ("ready", "-", "1600", "480")
    assert [(private / name).is_file() for name in (image, thumbnail)] == [True] * 2
    assert not (private / original).exists()
    assert manage(site, code=RESULTS).split() == [
        "artworks.tasks.make_renditions",
        "SUCCESSFUL",
    ]


def test_real_worker_that_cannot_reach_storage_fails_visibly_and_retries(
    site, tmp_path
):
    _pk, original = manage(site, code=SUBMIT).split()
    # Where the worker looks for pictures is a file, not a folder.
    unreachable = tmp_path / "unreachable"
    unreachable.write_text("")

    manage(site | {"PRIVATE_MEDIA_ROOT": str(unreachable)}, *WORKER)

    assert manage(site, code=RESULTS).split() == [
        "artworks.tasks.make_renditions",
        "FAILED",
        "artworks.tasks.make_renditions",
        "READY",
    ]
    assert manage(site, code=WORK).split()[:2] == ["preparing", original]
    assert (Path(site["PRIVATE_MEDIA_ROOT"]) / original).is_file()


def test_staff_preview_of_a_work_without_pictures_shows_no_broken_image(
    admin_client, queue
):
    work = send()

    html = admin_client.get(work.get_absolute_url()).content.decode()

    assert work.title in html
    assert 'class="submission-picture"' in html
    assert reverse("artworks:image", args=[work.pk, "display"]) not in html


def test_staff_queue_the_pictures_again_of_works_still_waiting(
    admin_client, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        waiting = send()
    drawn = ArtworkFactory(status="pending", reviewed_at=None)
    queue.clear()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            ARTWORKS,
            {
                "action": "redraw_pictures",
                "index": "0",
                "_selected_action": [waiting.pk, drawn.pk],
            },
        )

    assert [(r.task.name, r.args) for r in queue] == [
        (tasks.make_renditions.name, [waiting.pk])
    ]
