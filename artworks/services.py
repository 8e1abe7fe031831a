"""
Submitting, moderating and deleting artworks.

An upload is checked cheaply (images.check: its kind, size and header)
before anything is stored, and refused at once if it must be; a refusal or
a failure leaves no row and no file. The picture is stored as it was sent,
in private storage, and a worker draws its display image and thumbnail
(make_renditions, through tasks.make_renditions), then deletes it: the
request never decodes a picture. A work is shown only once its pictures
exist (moderate). A deleted work takes its files with it, once the
deletion is committed, and the submitter's data with it from the work's
history.

Every change to a work is recorded in its history (tongyun.lib.history);
the public form gives the reason of a submission (SUBMITTED).
"""

import dataclasses
import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from tongyun.lib import history, retention
from tongyun.lib.errors import refuse
from tongyun.lib.storage import saved_whole

from . import images, tasks
from .models import Artwork, Call, image_path, surname_erased

logger = logging.getLogger(__name__)

# Why a work changed, when no staff member changed it: kept in its history
# as it is here, shown translated (tongyun.lib.history).
SUBMITTED = gettext_noop("sent through the public form")
RENDERED = gettext_noop("picture prepared")
UNREADABLE = gettext_noop("picture could not be read")

# Drawing a work's pictures that fails on storage (not on the picture) is
# tried this many times in all, the n-th retry after
# RENDITION_RETRY_DELAY * 4**(n-1) seconds.
RENDITION_ATTEMPTS = 4
RENDITION_RETRY_DELAY = 30

PURGED = retention.PURGED
REMOVED = gettext_noop("rejected work removed after the retention period")

# What a work's history must not keep once the work is deleted: who sent
# it, how to reach them, and the free text that may name them. The title,
# status and review stay: who reviewed or deleted which work, and when.
PERSONAL_HISTORY = {
    "artist_name": "",
    "phone": "",
    "community": "",
    "class_name": "",
    "description": "",
    "moderation_note": "",
}


def submit(
    *,
    call,
    title,
    artist_name,
    category,
    image,
    phone,
    description="",
    community="",
    class_name="",
    is_minor=False,
    guardian_consent=False,
    age_group="",
):
    """
    Take a resident's work for call, waiting for review, its pictures to be
    drawn by a worker.

    Checks the window, the category, the limit, and the age group and
    guardian's consent of an author under 14 (check_author), and the
    picture by its header (images.check: kind, size, pixels), then stores
    the picture as it was sent in private storage (Artwork.original), all
    before any transaction; then locks the call row, so that the per-phone
    limit holds when one person sends several works at once, checks again
    and writes the row, its picture PREPARING. Once that commits, queues
    tasks.make_renditions for it (enqueue_renditions). On any refusal or
    failure, deletes the file it wrote and raises (ValidationError,
    field-keyed where a form field is at fault; StorageUnavailable when
    private storage is full or unreachable); nothing is left behind.
    """
    # Refuse what can be refused cheaply first, and copy the file before
    # taking the lock: a large upload must never keep others sending to the
    # same call waiting.
    _check(call, category, phone, is_minor, guardian_consent, age_group)
    try:
        images.check(image)
    except ValidationError as error:
        raise ValidationError({"image": error}) from None
    artwork = Artwork(
        call=call,
        title=title,
        artist_name=artist_name,
        category=category,
        description=description,
        community=community,
        class_name=class_name,
        is_minor=is_minor,
        guardian_consent=guardian_consent,
        age_group=age_group if is_minor else "",
        phone=phone,
        picture_state=Artwork.Picture.PREPARING,
    )
    with saved_whole(artwork.original):
        artwork.original.save("upload", image, save=False)
        with transaction.atomic():
            artwork.call = Call.objects.select_for_update().get(pk=call.pk)
            _check(artwork.call, category, phone, is_minor, guardian_consent, age_group)
            artwork.save()
            # robust: a queue that cannot take the task is logged, never
            # turns a saved work into an error page.
            transaction.on_commit(lambda: enqueue_renditions(artwork), robust=True)
    return artwork


def enqueue_renditions(artwork):
    """
    Queue the drawing of artwork's pictures for the worker
    (tasks.make_renditions). One insert with the database backend; with
    the immediate backend of the tests, they are drawn at once.
    """
    tasks.make_renditions.enqueue(artwork.pk)


def redraw_pictures(artworks):
    """
    Queue the drawing of the pictures again for those of artworks (a
    queryset) still waiting for them with their picture as sent: after the
    worker gave up on a storage that failed (make_renditions). Returns how
    many were queued. Queries: the works; one insert each, once committed.
    """
    waiting = list(
        artworks.filter(picture_state=Artwork.Picture.PREPARING)
        .exclude(original="")
        .values_list("pk", flat=True)
    )
    for pk in waiting:
        transaction.on_commit(
            lambda pk=pk: tasks.make_renditions.enqueue(pk), robust=True
        )
    return len(waiting)


def make_renditions(*, artwork_id, attempt=1):
    """
    Draw the display image and thumbnail of the work artwork_id from its
    picture as sent (images.prepare: decoded, shrunk, EXIF stripped,
    re-encoded), store them, set their sizes, mark the picture READY, and
    once that commits delete the picture as sent. Nothing to do for a work
    that is gone or whose pictures are drawn already.

    A picture that turns out undecodable (damaged past its header) marks the
    work UNREADABLE, for staff to see, and deletes the picture as sent; it
    raises nothing, for no retry would read it. A storage that fails
    (OSError) deletes what was written, queues the next attempt, up to
    RENDITION_ATTEMPTS in all, after a delay growing four times with each,
    then raises, so the failure shows in the admin's task results.

    Slow for a large picture, and within the memory images.prepare keeps
    to: call it outside any transaction (the worker does; the demo may).
    Queries: the work; then, locked, the work, its update and its history.
    """
    artwork = Artwork.objects.filter(pk=artwork_id).first()
    if artwork is None or not artwork.original:
        return
    original = artwork.original.name
    storage = Artwork._meta.get_field("original").storage
    written = []
    try:
        try:
            with storage.open(original, "rb") as upload:
                prepared = images.prepare(upload)
        except ValidationError as refusal:
            _mark_unreadable(artwork_id, original, refusal)
            return
        for rendition in (prepared.display, prepared.thumbnail):
            name = image_path(None, "upload.jpg")
            written.append(storage.save(name, ContentFile(rendition.content)))
        done = _store_renditions(artwork_id, original, prepared, written)
    except OSError:
        _delete_files(written)
        if not Artwork.objects.filter(pk=artwork_id, original=original).exists():
            return  # deleted meanwhile, with its picture as sent
        backend = tasks.make_renditions.get_backend()
        # A backend that runs tasks at once (the tests') cannot wait.
        if attempt < RENDITION_ATTEMPTS and backend.supports_defer:
            delay = RENDITION_RETRY_DELAY * 4 ** (attempt - 1)
            tasks.make_renditions.using(
                run_after=timezone.now() + dt.timedelta(seconds=delay)
            ).enqueue(artwork_id, attempt=attempt + 1)
        raise
    except BaseException:
        _delete_files(written)
        raise
    if not done:
        # Deleted meanwhile, or drawn by another run of the same task.
        _delete_files(written)


@transaction.atomic
def _store_renditions(artwork_id, original, prepared, names):
    """Give the work the stored renditions (names: display, thumbnail) if
    it still waits for them from original; whether it did."""
    work = (
        Artwork.objects.select_for_update().filter(pk=artwork_id, original=original)
    ).first()
    if work is None:
        return False
    work.image, work.thumbnail = names
    # Known from the renditions; set after the files, which reset them.
    work.image_width = prepared.display.width
    work.image_height = prepared.display.height
    work.thumbnail_width = prepared.thumbnail.width
    work.thumbnail_height = prepared.thumbnail.height
    work.original = ""
    work.picture_state = Artwork.Picture.READY
    with history.because(RENDERED):
        work.save(
            update_fields=[
                "image",
                "image_width",
                "image_height",
                "thumbnail",
                "thumbnail_width",
                "thumbnail_height",
                "original",
                "picture_state",
            ]
        )
    transaction.on_commit(lambda: _delete_files([original]), robust=True)
    return True


@transaction.atomic
def _mark_unreadable(artwork_id, original, refusal):
    logger.warning(
        "The picture of artwork %s could not be read: %s", artwork_id, refusal.code
    )
    work = (
        Artwork.objects.select_for_update().filter(pk=artwork_id, original=original)
    ).first()
    if work is None:
        return
    work.original = ""
    work.picture_state = Artwork.Picture.UNREADABLE
    with history.because(UNREADABLE):
        work.save(update_fields=["original", "picture_state"])
    # Nothing can be drawn from it, and it may hold GPS EXIF: not kept.
    transaction.on_commit(lambda: _delete_files([original]), robust=True)


def _check(call, category, phone, is_minor, guardian_consent, age_group):
    if not call.is_open():
        refuse(gettext("This call is not taking works now."), "call_closed")
    if category not in call.category_values:
        refuse(
            gettext("This call does not take this category."), "category", "category"
        )
    check_author(
        is_minor=is_minor, guardian_consent=guardian_consent, age_group=age_group
    )
    sent = call.artworks.filter(phone=phone).count()
    if sent >= call.max_works_per_phone:
        refuse(
            gettext("Each phone number may send {count} works to this call."),
            "too_many_works",
            "phone",
            count=call.max_works_per_phone,
        )


def check_author(*, is_minor, guardian_consent, age_group):
    """
    Refuse (ValidationError keyed by field) an author under 14 without an
    age group or without a guardian's consent. Pure: no query; the public
    form calls it too, to say so together with its own errors.
    """
    errors = {}
    if is_minor and not age_group:
        errors["age_group"] = ValidationError(
            gettext("For an author under 14, choose the age group."),
            code="age_group",
        )
    if is_minor and not guardian_consent:
        errors["guardian_consent"] = ValidationError(
            gettext("For an author under 14, a parent or guardian must agree."),
            code="guardian_consent",
        )
    if errors:
        raise ValidationError(errors)


def _delete_files(names):
    """Delete artwork files from private storage, at once; skip empty names."""
    storage = Artwork._meta.get_field("image").storage
    for name in names:
        if name:
            storage.delete(name)


def delete_artworks(artworks):
    """
    Delete artworks (a queryset) and, once the deletion commits, their image
    and thumbnail files and any picture as sent (at once outside a
    transaction); erase the submitters' data (PERSONAL_HISTORY) from the
    works' history, whose records stay to say who reviewed and who deleted
    each work. Returns how many works were deleted.

    Django never deletes a FileField's file with its row. Waiting for the
    commit keeps the files of a deletion that is rolled back; a file that
    cannot be deleted then is logged and left behind.
    """
    with transaction.atomic():
        pks, names = [], []
        rows = artworks.values_list("pk", "image", "thumbnail", "original")
        for pk, *files in rows:
            pks.append(pk)
            names += files
        # Delete exactly the rows whose files were listed: a work sent
        # meanwhile that the queryset matches keeps its row and its files.
        _total, deleted = Artwork.objects.filter(pk__in=pks).delete()
        # After the deletion, which records each work as it was.
        history.erase_history(Artwork.history.filter(id__in=pks), PERSONAL_HISTORY)
        transaction.on_commit(lambda: _delete_files(names), robust=True)
    return deleted.get(Artwork._meta.label, 0)


@dataclasses.dataclass
class Moderated:
    """What one moderate() did."""

    changed: int  # works given the status
    refused: int  # works left as they were: no picture to show (check_showable)


def check_showable(artwork, *, status):
    """
    Refuse (ValidationError keyed "status") to give artwork a status that
    shows it in the gallery (approved, featured) while its pictures are not
    drawn: still being prepared, or unreadable. Pure: no query; the admin's
    form calls it too, to say so beside the status.
    """
    if status not in (Artwork.Status.APPROVED, Artwork.Status.FEATURED):
        return
    if artwork.picture_state == Artwork.Picture.PREPARING:
        refuse(
            gettext(
                "The picture of this work is still being prepared. It can be "
                "shown in the gallery once it is ready, in a minute or two."
            ),
            "picture_preparing",
            "status",
        )
    if artwork.picture_state == Artwork.Picture.UNREADABLE:
        refuse(
            gettext(
                "The picture of this work could not be read, so the work "
                "cannot be shown. Ask the submitter to send it again."
            ),
            "picture_unreadable",
            "status",
        )


@transaction.atomic
def moderate(artworks, *, status, by, note=None):
    """
    Set status on artworks (a queryset), recording who reviewed and when,
    and optionally a note to the submitters, in each work's history too (by
    as the staff member). A work that may not take the status, because its
    pictures are not drawn (check_showable), is left as it was and counted
    as refused. Returns a Moderated. Queries: the works, locked; one update
    and its history.
    """
    changes = {"status": status, "reviewed_by": by, "reviewed_at": timezone.now()}
    if note is not None:
        changes["moderation_note"] = note
    # Locked as read, so that each work's history gets the row as this
    # moderation leaves it, whatever an edit at the same moment changes;
    # and so that the picture checked is the one the work keeps.
    works, refused = [], 0
    for work in Artwork.objects.select_for_update().filter(
        pk__in=artworks.values("pk")
    ):
        try:
            check_showable(work, status=status)
        except ValidationError:
            refused += 1
            continue
        for field, value in changes.items():
            setattr(work, field, value)
        works.append(work)
    history.bulk_update(works, Artwork, list(changes), user=by)
    return Moderated(changed=len(works), refused=refused)


# What a work kept past the retention period loses: how to reach its
# submitter (phone), the class or group that places a young author
# (class_name), and the staff's private note to the submitter. It keeps
# what the gallery credits, which the submitter agreed to show when sending
# it: title, category, description, community and the artist's name (a
# young author's given name and age group only, as the credit shows them:
# surname_erased), and the guardian's consent the showing rests on.
ERASED_CONTACTS = {"phone": "", "class_name": "", "moderation_note": ""}


@dataclasses.dataclass
class Purge:
    """What one purge_personal_data() did."""

    works: int  # works whose submitters' contacts were erased
    removed: int  # rejected works removed with their files
    history: int  # older historical records erased


def _holds_contacts():
    """Works, or their historical records, with a contact left to erase."""
    return Q(phone__gt="") | Q(class_name__gt="") | Q(moderation_note__gt="")


@transaction.atomic
def purge_personal_data(*, now=None):
    """
    For calls that closed more than settings.RETENTION_DAYS ago
    (tongyun.lib.retention; the submission form's consent promises this):
    remove rejected works with their files (delete_artworks, which erases
    their history's personal data), and erase the submitters' contacts from
    every other work (ERASED_CONTACTS), approved and featured works staying
    in the gallery with their credit as it was; then the same in the
    history of those works, and of any work of those calls deleted before.

    Each change is recorded (PURGED, REMOVED); running it again changes
    nothing. Returns a Purge. Queries: the rejected works and their
    deletion; the works left with contacts, one update and its history;
    two updates of older history.
    """
    cutoff = retention.cutoff(now)
    old = Artwork.objects.filter(call__closes_at__lt=cutoff)
    with history.because(REMOVED):
        removed = delete_artworks(old.filter(status=Artwork.Status.REJECTED))
    works = []
    # Whole rows: their history is written from them. Young authors' works
    # are read each time: whether a name still holds a surname is decided
    # here, not in the database.
    for work in old.filter(_holds_contacts() | Q(is_minor=True)):
        name = surname_erased(work.artist_name) if work.is_minor else work.artist_name
        if name == work.artist_name and not any(
            getattr(work, field) for field in ERASED_CONTACTS
        ):
            continue
        work.artist_name = name
        for field, value in ERASED_CONTACTS.items():
            setattr(work, field, value)
        works.append(work)
    history.bulk_update(
        works, Artwork, ["artist_name", *ERASED_CONTACTS], reason=PURGED
    )
    # Older records of the works kept take the name the work keeps now; the
    # records of works deleted before lose all their submitter's data, as
    # delete_artworks() does.
    records = Artwork.history.filter(call__closes_at__lt=cutoff)
    kept = Artwork.objects.filter(pk=OuterRef("id"))
    name_kept = Subquery(kept.values("artist_name")[:1])
    erased = (
        records.filter(Exists(kept))
        .filter(_holds_contacts() | ~Q(artist_name=name_kept))
        .update(artist_name=name_kept, **ERASED_CONTACTS)
    )
    erased += history.erase_history(
        records.exclude(Exists(kept)).exclude(
            **{field: "" for field in PERSONAL_HISTORY}
        ),
        PERSONAL_HISTORY,
    )
    return Purge(works=len(works), removed=removed, history=erased)
