"""
Submitting, moderating and deleting artworks.

An upload is decoded, checked and re-encoded (images.prepare) before
anything is stored; a refusal or a failure leaves no row and no file. A
deleted work takes its files with it, once the deletion is committed, and
the submitter's data with it from the work's history.

Every change to a work is recorded in its history (tongyun.lib.history);
the public form gives the reason of a submission (SUBMITTED).
"""

import dataclasses

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from tongyun.lib import history, retention
from tongyun.lib.errors import refuse

from . import images
from .models import Artwork, Call, surname_erased

# Why a work changed, when no staff member changed it: kept in its history
# as it is here, shown translated (tongyun.lib.history).
SUBMITTED = gettext_noop("sent through the public form")

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
    Take a resident's work for call, waiting for review.

    Checks the window, the category, the limit, and the age group and
    guardian's consent of an author under 14 (check_author), then decodes
    and re-encodes the image (images.prepare), all before any transaction;
    then locks the call row, so that the per-phone limit holds when one
    person sends several works at once, checks again and writes the row with
    its two image files. On any refusal or failure, deletes the files it
    wrote and raises (ValidationError, field-keyed where a form field is at
    fault); nothing is left behind. Call it outside a transaction, or the
    decoding holds that transaction's locks.
    """
    # Refuse what can be refused cheaply before spending a second of CPU on
    # the picture, and decode it before taking the lock: a large picture
    # must never keep others sending to the same call waiting.
    _check(call, category, phone, is_minor, guardian_consent, age_group)
    try:
        prepared = images.prepare(image)
    except ValidationError as error:
        raise ValidationError({"image": error}) from None
    written = []
    try:
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=call.pk)
            _check(call, category, phone, is_minor, guardian_consent, age_group)
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
            )
            for field, rendition in (
                (artwork.image, prepared.display),
                (artwork.thumbnail, prepared.thumbnail),
            ):
                field.save("upload.jpg", ContentFile(rendition.content), save=False)
                written.append(field.name)
            # Known from the renditions; set after the files, which reset them.
            artwork.image_width = prepared.display.width
            artwork.image_height = prepared.display.height
            artwork.thumbnail_width = prepared.thumbnail.width
            artwork.thumbnail_height = prepared.thumbnail.height
            artwork.save()
    except BaseException:
        _delete_files(written)
        raise
    return artwork


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
    and thumbnail files (at once outside a transaction); erase the
    submitters' data (PERSONAL_HISTORY) from the works' history, whose
    records stay to say who reviewed and who deleted each work. Returns how
    many works were deleted.

    Django never deletes a FileField's file with its row. Waiting for the
    commit keeps the files of a deletion that is rolled back; a file that
    cannot be deleted then is logged and left behind.
    """
    with transaction.atomic():
        pks, names = [], []
        for pk, image, thumbnail in artworks.values_list("pk", "image", "thumbnail"):
            pks.append(pk)
            names += [image, thumbnail]
        # Delete exactly the rows whose files were listed: a work sent
        # meanwhile that the queryset matches keeps its row and its files.
        _total, deleted = Artwork.objects.filter(pk__in=pks).delete()
        # After the deletion, which records each work as it was.
        history.erase_history(Artwork.history.filter(id__in=pks), PERSONAL_HISTORY)
        transaction.on_commit(lambda: _delete_files(names), robust=True)
    return deleted.get(Artwork._meta.label, 0)


@transaction.atomic
def moderate(artworks, *, status, by, note=None):
    """
    Set status on artworks (a queryset), recording who reviewed and when,
    and optionally a note to the submitters, in each work's history too (by
    as the staff member). Returns how many changed. Queries: the works,
    locked; one update and its history.
    """
    changes = {"status": status, "reviewed_by": by, "reviewed_at": timezone.now()}
    if note is not None:
        changes["moderation_note"] = note
    # Locked as read, so that each work's history gets the row as this
    # moderation leaves it, whatever an edit at the same moment changes.
    works = list(
        Artwork.objects.select_for_update().filter(pk__in=artworks.values("pk"))
    )
    for work in works:
        for field, value in changes.items():
            setattr(work, field, value)
    history.bulk_update(works, Artwork, list(changes), user=by)
    return len(works)


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
