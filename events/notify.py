"""
Messages to volunteers, through the site's sender (tongyun.lib.senders).

Each message is rendered from events/messages/<kind>.txt in the volunteer's
language, whatever the current request's, and sent with its kind and the
parameters an SMS template of that kind may use: name, event, time and
token (the ticket's, for a template that carries the ticket link), and
what the message adds (seats, for seats_free).
A sender's failure propagates: callers decide (services.sign_up logs it
after the commit, send_reminders tries again on its next run).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tongyun.lib.senders import EmailSender, LogSender, Message, sender

# The names settings.NOTIFY_SENDER used before the senders moved to
# tongyun.lib.senders; existing .env files keep working.
__all__ = [
    "EmailSender",
    "LogSender",
    "promoted",
    "reminder",
    "seats_free",
    "signed_up",
]


def _send(signup, kind, **extra):
    """
    Render events/messages/<kind>.txt for signup (and extra context) and
    send it; a sign-up with neither phone nor e-mail (a group entered by
    staff) gets nothing.
    """
    if not (signup.phone or signup.email):
        return
    event = signup.event
    with translation.override(signup.language):
        ctx = {
            "signup": signup,
            "event": event,
            "ticket_url": settings.SITE_URL + signup.get_absolute_url(),
            **extra,
        }
        text = render_to_string(f"events/messages/{kind}.txt", ctx).strip()
        title = event.title_i18n
    subject, _, body = text.partition("\n")
    starts = timezone.localtime(event.starts_at)
    message = Message(
        kind=kind,
        subject=subject.strip(),
        body=body.strip(),
        phone=signup.phone,
        email=signup.email,
        params={
            "name": signup.name,
            "event": title,
            "time": starts.strftime("%Y-%m-%d %H:%M"),
            "token": signup.token,
            **{name: str(value) for name, value in extra.items()},
        },
        to_name=signup.name,
        ref=f"sign-up {signup.pk}",
    )
    sender().send(message)


def signed_up(signup):
    _send(signup, "signed_up")


def promoted(signup):
    _send(signup, "promoted")


def reminder(signup):
    _send(signup, "reminder")


def seats_free(signup, *, seats):
    """Tell the first in line that seats are free, fewer than it needs."""
    _send(signup, "seats_free", seats=seats)
