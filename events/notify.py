"""
Messages to volunteers, through one small sender interface.

A sender has send(signup, subject, body). LogSender (the default) writes
the message to the log; EmailSender mails it through Django's MAILERS when
the volunteer gave an address, and logs it otherwise. An SMS provider plugs
in as another sender class named by the NOTIFY_SENDER setting. Messages are
written in the volunteer's language, whatever the current request's.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

logger = logging.getLogger("tongyun.notify")


class LogSender:
    def send(self, signup, subject, body):
        logger.info("To %s (sign-up %s): %s\n%s", signup.name, signup.pk, subject, body)


class EmailSender(LogSender):
    def send(self, signup, subject, body):
        if not signup.email:
            return super().send(signup, subject, body)
        send_mail(subject, body, None, [signup.email])


def sender():
    return import_string(settings.NOTIFY_SENDER)()


def _send(signup, template, **extra):
    """
    Render events/messages/<template>.txt for signup (and extra context) and
    send it; a sign-up with neither phone nor e-mail (a group entered by
    staff) gets nothing.
    """
    if not (signup.phone or signup.email):
        return
    with translation.override(signup.language):
        ctx = {
            "signup": signup,
            "event": signup.event,
            "ticket_url": settings.SITE_URL + signup.get_absolute_url(),
            **extra,
        }
        text = render_to_string(f"events/messages/{template}.txt", ctx).strip()
    subject, _, body = text.partition("\n")
    sender().send(signup, subject.strip(), body.strip())


def signed_up(signup):
    _send(signup, "signed_up")


def promoted(signup):
    _send(signup, "promoted")


def reminder(signup):
    _send(signup, "reminder")


def seats_free(signup, *, seats):
    """Tell the first in line that seats are free, fewer than it needs."""
    _send(signup, "seats_free", seats=seats)
