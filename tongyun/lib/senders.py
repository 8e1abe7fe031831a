"""
Messages to people without accounts, through one small sender interface.

A sender has send(message), message a Message: to whom (a phone, an
e-mail, or both), what kind it is (a template id such as "signed_up" or
"verification_code") with its parameters, and the text already rendered in
the recipient's language. Settings name the sender (NOTIFY_SENDER):

- LogSender, the default of local mode, writes to the log which kind of
  message was sent about which row (ref) to which masked phone, never the
  text (which holds secret links) nor the name; only parameters a message
  names in log_params appear, so that a tester sees a one-time code in
  `make run`'s output.
- EmailSender mails the text when an address was given, and logs otherwise.
- AliyunSmsSender sends the kind's SMS template with the parameters to the
  phone through Aliyun's SendSms API; without a phone or a template for the
  kind, it mails or logs as EmailSender does.

A sender that cannot send raises SendFailed; deliver() logs that instead.
"""

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .phones import mask

logger = logging.getLogger("tongyun.notify")


@dataclasses.dataclass(frozen=True)
class Message:
    """
    One message to one person. params are the values of an SMS template
    (strings); subject and body the rendered text, for e-mail and the log.
    log_params names the parameters LogSender may show (a code, never a
    link); ref says what the message is about ("sign-up 12"), for the log.
    """

    kind: str
    subject: str
    body: str = ""
    phone: str = ""
    email: str = ""
    params: dict = dataclasses.field(default_factory=dict)
    log_params: tuple = ()
    to_name: str = ""
    ref: str = ""


class SendFailed(Exception):
    """The provider refused or could not be reached; nothing was sent."""


class LogSender:
    def send(self, message):
        # What was sent, about which row (ref: "sign-up 12"), to a masked
        # phone: never the body, which holds the ticket link, nor the name,
        # which the purge of personal data could not reach in a log.
        recipient = mask(message.phone) if message.phone else "?"
        ref = f" ({message.ref})" if message.ref else ""
        logger.info("%s to %s%s: %s", message.kind, recipient, ref, message.subject)
        for name in message.log_params:
            logger.info(
                "%s for %s: %s",
                name,
                mask(message.phone) if message.phone else "?",
                message.params.get(name, ""),
            )


class EmailSender(LogSender):
    def send(self, message):
        if not message.email:
            return super().send(message)
        send_mail(message.subject, message.body, None, [message.email])


def percent_encode(value):
    """Aliyun's percent-encoding: RFC 3986, space as %20, ~ kept."""
    return urllib.parse.quote(str(value), safe="~")


def aliyun_signature(params, secret, method="POST"):
    """
    The RPC-style signature (SignatureVersion 1.0) of params: HMAC-SHA1 with
    secret + "&" over METHOD&%2F&<the sorted, percent-encoded query>, in
    base64.
    """
    query = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items())
    )
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsSender(EmailSender):
    """
    SMS through Aliyun (dysmsapi SendSms). Settings: ALIYUN_SMS_ENDPOINT,
    ALIYUN_SMS_ACCESS_KEY_ID, ALIYUN_SMS_ACCESS_KEY_SECRET,
    ALIYUN_SMS_SIGN_NAME, and ALIYUN_SMS_TEMPLATES ({kind: template code});
    a kind without a template goes by e-mail or to the log.
    """

    def send(self, message):
        template = settings.ALIYUN_SMS_TEMPLATES.get(message.kind)
        if not (message.phone and template):
            return super().send(message)
        params = {
            "AccessKeyId": settings.ALIYUN_SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": message.phone.removeprefix("+86"),
            "RegionId": settings.ALIYUN_SMS_REGION,
            "SignName": settings.ALIYUN_SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(message.params, ensure_ascii=False),
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(
            params, settings.ALIYUN_SMS_ACCESS_KEY_SECRET
        )
        answer = self._post(urllib.parse.urlencode(params).encode())
        if answer.get("Code") != "OK":
            raise SendFailed(
                f"Aliyun SMS refused {message.kind} to {mask(message.phone)}: "
                f"{answer.get('Code')} {answer.get('Message', '')} "
                f"(request {answer.get('RequestId', '?')})"
            )
        logger.info(
            "%s sent by SMS to %s (%s, %s)",
            message.kind,
            mask(message.phone),
            message.ref or "-",
            answer.get("BizId", ""),
        )

    def _post(self, body):
        """The API's JSON answer; errors come as JSON too, with HTTP 4xx."""
        request = urllib.request.Request(
            settings.ALIYUN_SMS_ENDPOINT,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(
                request, timeout=settings.ALIYUN_SMS_TIMEOUT
            ) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SendFailed(f"Aliyun SMS unreachable: {error}") from error
        try:
            return json.loads(raw)
        except ValueError as error:
            raise SendFailed(f"Aliyun SMS answered no JSON: {raw[:200]!r}") from error


def sender():
    """The sender that settings.NOTIFY_SENDER names."""
    return import_string(settings.NOTIFY_SENDER)()


def deliver(message):
    """
    Send message through the configured sender. True when sent; a refusal
    (SendFailed) is logged as an error and gives False, so that the person
    waiting on a page never sees a server error for it.
    """
    try:
        sender().send(message)
    except SendFailed:
        logger.exception("%s not sent", message.kind)
        return False
    return True
