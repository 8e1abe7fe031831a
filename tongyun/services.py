"""
"Find my sign-up": a one-time code by text message proves a phone is one's
own, then the site lists that phone's sign-ups and works.

Rules:
- A code is 6 digits, valid for CODE_LIFETIME, dead after MAX_TRIES wrong
  tries, used once; a new code replaces the phone's older ones.
- A phone gets at most CODES_PER_HOUR codes an hour, on however many hosts
  (the rows are counted in the database).
- Whoever asks learns nothing of whether a phone has sign-ups: a code row is
  written for every phone, but only sent to one that has something to find.
- Codes and phones are stored only as keyed hashes (tongyun.models).

A site-layer module: it asks events and artworks, which do not know each
other, whether a phone has anything to find.
"""

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, ngettext

from artworks.models import Artwork
from events.models import Signup

from .lib.errors import refuse
from .lib.senders import Message, deliver
from .models import MAX_TRIES, ExportRecord, PhoneCode

CODE_LIFETIME = dt.timedelta(minutes=10)
CODES_PER_HOUR = 5
# Code rows older than this are deleted as new ones are sent: their hour of
# rate limiting is long over.
KEEP_CODES = dt.timedelta(days=1)


def _digest(value, salt=""):
    return salted_hmac(
        "tongyun.services.phone-code", f"{salt}:{value}", algorithm="sha256"
    ).hexdigest()


def phone_digest(phone):
    """The keyed hash under which a phone's codes are kept."""
    return _digest(phone)


def has_anything_to_find(phone):
    """Whether phone has an active sign-up or a work. Two queries at most."""
    return (
        Signup.objects.active().of_phone(phone).exists()
        or Artwork.objects.of_phone(phone).exists()
    )


def send_code(*, phone, language):
    """
    Make a new one-time code for phone (+86…) and send it, in language, if
    the phone has anything to find; retire the phone's older codes.

    Raises ValidationError (code too_many_codes) once the phone had
    CODES_PER_HOUR codes in the last hour; writes nothing then. A sender's
    failure is logged (senders.deliver), never raised: the page says the
    same either way. Returns nothing that tells whether a code went out.
    """
    now = timezone.now()
    digest = phone_digest(phone)
    codes = PhoneCode.objects.for_phone(digest)
    if codes.filter(created_at__gt=now - dt.timedelta(hours=1)).count() >= (
        CODES_PER_HOUR
    ):
        refuse(
            gettext(
                "Too many codes were sent to this number. Please try again in an hour."
            ),
            "too_many_codes",
            field="phone",
        )
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    with transaction.atomic():
        PhoneCode.objects.filter(created_at__lt=now - KEEP_CODES).delete()
        codes.usable(now).update(used_at=now)
        PhoneCode.objects.create(
            phone_digest=digest,
            code_digest=_digest(code, salt),
            salt=salt,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    if has_anything_to_find(phone):
        deliver(code_message(phone=phone, code=code, language=language))


def code_message(*, phone, code, language):
    """The text message that carries code, in language."""
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    with translation.override(language):
        subject = gettext("Tongyun Garden City: your code")
        body = gettext(
            "Your code to find your sign-ups is {code}. It is valid for "
            "{minutes} minutes. Do not tell it to anyone."
        ).format(code=code, minutes=minutes)
    return Message(
        kind="verification_code",
        subject=subject,
        body=body,
        phone=phone,
        params={"code": code},
        log_params=("code",),
    )


def check_code(*, phone, code):
    """
    Use phone's newest code if code is it: marks it used, and the phone is
    proven.

    Raises ValidationError, the code's row updated first: no_code (none
    sent, or already used), code_dead (MAX_TRIES wrong tries), code_expired,
    wrong_code (counts the try; params left). Queries: the newest code,
    locked; one update.
    """
    now = timezone.now()
    with transaction.atomic():
        latest = (
            PhoneCode.objects.select_for_update()
            .for_phone(phone_digest(phone))
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is None or latest.used_at is not None:
            outcome = "no_code"
        elif latest.failed_tries >= MAX_TRIES:
            outcome = "code_dead"
        elif latest.expires_at <= now:
            outcome = "code_expired"
        elif constant_time_compare(latest.code_digest, _digest(code, latest.salt)):
            latest.used_at = now
            latest.save(update_fields=["used_at"])
            return
        else:
            PhoneCode.objects.filter(pk=latest.pk).update(
                failed_tries=F("failed_tries") + 1
            )
            left = MAX_TRIES - latest.failed_tries - 1
            outcome = "wrong_code" if left else "code_dead"
    # Refused outside the transaction: the wrong try stays counted.
    if outcome == "no_code":
        refuse(
            gettext("There is no code to check for this number. Ask for a new code."),
            "no_code",
        )
    if outcome == "code_dead":
        refuse(
            gettext(
                "This code no longer works after too many wrong tries. Ask for "
                "a new code."
            ),
            "code_dead",
        )
    if outcome == "code_expired":
        refuse(
            gettext(
                "This code has expired: codes are valid for {minutes} minutes. "
                "Ask for a new code."
            ),
            "code_expired",
            minutes=int(CODE_LIFETIME.total_seconds() // 60),
        )
    refuse(
        ngettext(
            "This code is not right. You can try {left} more time.",
            "This code is not right. You can try {left} more times.",
            left,
        ),
        "wrong_code",
        left=left,
    )


def record_export(*, user, kind, subject, rows, file_format, filters, **kwargs):
    """
    Record one export of personal data (tongyun.lib.signals): who, when,
    what, of which event or call, how many rows. Writes an ExportRecord.
    """
    return ExportRecord.objects.create(
        user=user,
        kind=str(kind)[:100],
        subject=str(subject)[:300],
        rows=rows,
        file_format=str(file_format)[:10],
        filters=filters[:500],
    )
