"""The mail backend of a site that sends no mail (MAIL_BACKEND=none)."""

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("tongyun.mail")


class NoMailBackend(BaseEmailBackend):
    """
    Sends nothing, and logs how many mails it dropped (never to whom or
    what: a mail's text may hold a ticket link). Production chooses it
    explicitly, when messages go by SMS only; unlike Django's dummy backend,
    a dropped mail leaves a trace for whoever wonders where it went.
    """

    def send_messages(self, email_messages):
        if email_messages:
            logger.warning(
                "%d mail(s) not sent: MAIL_BACKEND is none", len(email_messages)
            )
        return 0
