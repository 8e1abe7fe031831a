"""
Residents' suggestions and survey answers: sending, answering, rating,
and the purge of the phones they left.

A suggestion's photo is decoded, checked and re-encoded (one checked path,
tongyun.lib.images) before anything is stored; a refusal or a failure
leaves no row and no file. Every change of a suggestion is recorded in its
history (tongyun.lib.history): the public form gives the reason SUBMITTED,
the rating RATED, the purge PURGED.
"""

import dataclasses

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_noop

from tongyun.lib import history, images, retention
from tongyun.lib.errors import refuse
from tongyun.lib.storage import saved_whole

from .models import QUESTIONS, Suggestion, SurveyAnswer

SUBMITTED = gettext_noop("sent through the public form")
RATED = gettext_noop("rated by the resident who sent it")
PURGED = retention.PURGED

PHOTO_SIZE = 1600  # longest side of a suggestion's photo
PHOTO_QUALITY = 85
# Keys the browser ids of the survey's cookie: a digest tells nobody the id.
BROWSER_SALT = "feedback.survey.browser"


def check_place(*, garden, zone):
    """
    Refuse (ValidationError keyed "zone") a zone that is not in garden.
    Returns the garden: the zone's own when none was given. No query once
    the zone's garden_id is known.
    """
    if zone is None:
        return garden
    if garden is not None and zone.garden_id != garden.pk:
        refuse(
            gettext("This zone is not in the garden you chose."),
            "zone_elsewhere",
            "zone",
        )
    return garden or zone.garden


def submit_suggestion(
    *, category, text, garden=None, zone=None, species=None, photo=None, phone=""
):
    """
    Take a resident's suggestion, status "received", and return it.

    Checks the place (check_place) and decodes and re-encodes the photo, if
    any (EXIF stripped, resized to PHOTO_SIZE), before any transaction;
    then writes the row with its photo file. On a refusal or a failure,
    deletes the file it wrote and raises (ValidationError, keyed "photo" or
    "zone" where that field is at fault; StorageUnavailable when private
    storage is full or unreachable): nothing is left behind. phone is
    "" or normalised (+86…): private, erased by purge_personal_data.
    """
    garden = check_place(garden=garden, zone=zone)
    rendition = None
    if photo:
        try:
            (rendition,) = images.renditions(photo, [(PHOTO_SIZE, PHOTO_QUALITY)])
        except ValidationError as error:
            raise ValidationError({"photo": error}) from None
    suggestion = Suggestion(
        category=category,
        text=text,
        garden=garden,
        zone=zone,
        species=species,
        phone=phone,
    )
    with saved_whole(suggestion.photo), transaction.atomic():
        if rendition is not None:
            suggestion.photo.save(
                "upload.jpg", ContentFile(rendition.content), save=False
            )
            # Known from the rendition; set after the file, which resets them.
            suggestion.photo_width = rendition.width
            suggestion.photo_height = rendition.height
        suggestion.save()
    return suggestion


@dataclasses.dataclass
class Moved:
    """What one change_status() did."""

    changed: int  # suggestions that moved
    refused: int  # suggestions that could not (a move back, no reason)


@transaction.atomic
def change_status(suggestions, *, status, by, reply=None, now=None):
    """
    Move suggestions (a queryset) to status, recording by (a staff member)
    as who handled them, and each change in their history; reply, when
    given, becomes their public reply. A suggestion that may not move
    there (Suggestion.check_move), or that would be declined without a
    reply, is left as it was and counted as refused. now (default: this
    moment) dates the answer and the closing. Queries: the rows,
    locked; one update and its history.
    """
    changed, refused = [], 0
    fields = {"status", "answered_at", "closed_at", "handled_by"}
    if reply is not None:
        fields.add("reply")
    # Locked as read, so that each history record holds the row as this
    # change leaves it, whatever an edit at the same moment does.
    rows = Suggestion.objects.select_for_update().filter(
        pk__in=suggestions.values("pk")
    )
    now = now or timezone.now()
    for suggestion in rows:
        if reply is not None:
            suggestion.reply = reply
        declined_bare = status == Suggestion.Status.DECLINED and not suggestion.reply
        try:
            if declined_bare:
                raise ValidationError("declined_without_reason")
            moved = suggestion.move_to(status, by=by, now=now)
        except ValidationError:
            refused += 1
            continue
        if moved or reply is not None:
            changed.append(suggestion)
    history.bulk_update(changed, Suggestion, sorted(fields), user=by)
    return Moved(changed=len(changed), refused=refused)


def rate_suggestion(*, suggestion, rating):
    """
    The submitter's rating of the answer to their closed suggestion, once.
    Refuses (ValidationError) an open suggestion ("not_closed") and a second
    rating ("rated_already"), the row locked so that two at once cannot
    both count. Records RATED in its history; returns the suggestion.
    """
    with transaction.atomic(), history.by_visitor(RATED):
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if not suggestion.is_closed:
            refuse(
                gettext("This suggestion can be rated once it is done or declined."),
                "not_closed",
            )
        if suggestion.rating:
            refuse(
                gettext("You have rated the answer to this suggestion already."),
                "rated_already",
            )
        suggestion.rating = rating
        suggestion.rated_at = timezone.now()
        suggestion.save(update_fields=["rating", "rated_at"])
    return suggestion


def browser_digest(browser_id):
    """The keyed hash of a browser's random id that SurveyAnswer keeps."""
    return salted_hmac(BROWSER_SALT, browser_id, algorithm="sha256").hexdigest()


def has_answered(*, survey_round, browser_id):
    """Whether the browser answered survey_round already. One query."""
    if not browser_id:
        return False
    return survey_round.answers.filter(
        browser_digest=browser_digest(browser_id)
    ).exists()


def answer_survey(*, survey_round, browser_id, scores, comment=""):
    """
    One browser's answer to survey_round: scores maps each of QUESTIONS to
    1–5. Refuses (ValidationError) a round that is not open ("round_closed")
    and a second answer of the same browser ("answered_already"): the
    unique constraint on (round, browser_digest) closes the race of two
    tabs sending at once, the second's insert failing. Returns the answer.
    """
    if not survey_round.is_open():
        refuse(gettext("This survey round is closed."), "round_closed")
    answer = SurveyAnswer(
        round=survey_round,
        comment=comment,
        browser_digest=browser_digest(browser_id),
        **{question: scores[question] for question in QUESTIONS},
    )
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError:
        refuse(
            gettext("This browser has answered this round of the survey already."),
            "answered_already",
        )
    return answer


@dataclasses.dataclass
class Purge:
    """What one purge_personal_data() did."""

    suggestions: int  # suggestions whose phones were erased
    history: int  # older historical records erased


@transaction.atomic
def purge_personal_data(*, now=None):
    """
    Erase the phones of suggestions sent more than settings.RETENTION_DAYS
    ago (the form's consent promises it), from the rows and from every
    record of their history, deleted suggestions' included. Each erasure is
    recorded (PURGED); running it again changes nothing. Returns a Purge.
    Queries: the rows, one update and its history; one update of history.
    """
    cutoff = retention.cutoff(now)
    old = list(Suggestion.objects.filter(submitted_at__lt=cutoff, phone__gt=""))
    for suggestion in old:
        suggestion.phone = ""
    history.bulk_update(old, Suggestion, ["phone"], reason=PURGED)
    records = Suggestion.history.filter(submitted_at__lt=cutoff, phone__gt="")
    erased = history.erase_history(records, {"phone": ""})
    return Purge(suggestions=len(old), history=erased)
