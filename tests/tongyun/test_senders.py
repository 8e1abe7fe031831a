"""The site's senders: the log keeps secrets out, Aliyun SMS signs its calls."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events import notify
from tests.factories import SignupFactory
from tongyun import services
from tongyun.lib.senders import Message, SendFailed, deliver, sender

pytestmark = pytest.mark.django_db

KEY_ID = "LTAI-test-key"
SECRET = "test-secret/with+odd=chars"
SIGN_NAME = "通运花园城"


def expected_signature(params, method):
    """Aliyun's RPC signature, written out again from its documentation."""

    def enc(s):
        return (
            urllib.parse.quote(s, safe="")
            .replace("+", "%20")
            .replace("*", "%2A")
            .replace("%7E", "~")
        )

    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{enc('/')}&{enc(query)}"
    digest = hmac.new(f"{SECRET}&".encode(), to_sign.encode(), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode()


class FakeAliyun(BaseHTTPRequestHandler):
    """Checks each SendSms call as Aliyun would, answers with server.answer."""

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length).decode()
        params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        signature = params.pop("Signature", "")
        problems = []
        if signature != expected_signature(params, "POST"):
            problems.append("signature")
        fixed = {
            "AccessKeyId": KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignName": SIGN_NAME,
            "Version": "2017-05-25",
        }
        problems += [k for k, v in fixed.items() if params.get(k) != v]
        stamp = dt.datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ")
        skew = stamp.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
        if abs(skew.total_seconds()) > 60:
            problems.append("Timestamp")
        if params.get("SignatureNonce") in self.server.nonces:
            problems.append("SignatureNonce")
        self.server.nonces.add(params.get("SignatureNonce"))
        self.server.calls.append(params)
        if problems:
            status, answer = 400, {"Code": "SignatureDoesNotMatch", "Message": problems}
        else:
            status, answer = self.server.answer
        data = json.dumps({**answer, "RequestId": "req-1"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def aliyun(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAliyun)
    server.calls, server.nonces = [], set()
    server.answer = (200, {"Code": "OK", "Message": "OK", "BizId": "biz-1"})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFY_SENDER = "tongyun.lib.senders.AliyunSmsSender"
    settings.ALIYUN_SMS_ENDPOINT = f"http://127.0.0.1:{server.server_port}/"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = KEY_ID
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = SECRET
    settings.ALIYUN_SMS_SIGN_NAME = SIGN_NAME
    settings.ALIYUN_SMS_TEMPLATES = {
        "verification_code": "SMS_100",
        "signed_up": "SMS_200",
    }
    yield server
    server.shutdown()
    server.server_close()


def code_message(code="123456", phone="+8613800138000"):
    return services.code_message(phone=phone, code=code, language="zh-hans")


def test_aliyun_sender_sends_a_signed_code(aliyun):
    sender().send(code_message())

    [call] = aliyun.calls
    assert call["PhoneNumbers"] == "13800138000"
    assert call["TemplateCode"] == "SMS_100"
    assert json.loads(call["TemplateParam"]) == {"code": "123456"}


def test_aliyun_sender_sends_a_ticket_message_with_its_params(aliyun):
    signup = SignupFactory(phone="+8613800138000", name="张三")

    notify.signed_up(signup)

    [call] = aliyun.calls
    assert call["TemplateCode"] == "SMS_200"
    params = json.loads(call["TemplateParam"])
    assert params["name"] == "张三"
    assert params["event"] == signup.event.title
    assert params["token"] == signup.token


def test_aliyun_refusal_raises_and_deliver_logs_it(aliyun, caplog):
    aliyun.answer = (
        200,
        {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"},
    )

    with pytest.raises(SendFailed, match="BUSINESS_LIMIT_CONTROL"):
        sender().send(code_message())
    with caplog.at_level(logging.ERROR, logger="tongyun.notify"):
        sent = deliver(code_message())

    assert sent is False
    [logged] = caplog.records
    assert "BUSINESS_LIMIT_CONTROL" in str(logged.exc_info[1])
    assert "13800138000" not in caplog.text  # the phone only masked


def test_aliyun_http_error_is_a_refusal(aliyun):
    aliyun.answer = (400, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "bad"})

    with pytest.raises(SendFailed, match="MOBILE_NUMBER_ILLEGAL"):
        sender().send(code_message())


def test_aliyun_unreachable_is_a_refusal(aliyun, settings):
    settings.ALIYUN_SMS_ENDPOINT = "http://127.0.0.1:9/"  # discard: nobody there

    assert deliver(code_message()) is False


def test_aliyun_sender_refuses_with_a_wrong_secret(aliyun, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "wrong"

    with pytest.raises(SendFailed, match="SignatureDoesNotMatch"):
        sender().send(code_message())


def test_aliyun_sender_mails_a_kind_without_template(aliyun, mailoutbox):
    signup = SignupFactory(email="zhang@example.com")

    notify.reminder(signup)

    assert aliyun.calls == []
    assert [m.to for m in mailoutbox] == [["zhang@example.com"]]


def test_find_page_answers_alike_when_the_sms_is_refused(aliyun, client, caplog):
    SignupFactory(phone="+8613800138000")
    aliyun.answer = (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "x"})

    response = client.post("/signups/find/", {"phone": "13800138000"})

    assert response.status_code == 303
    assert len(aliyun.calls) == 1


def test_log_sender_never_logs_a_ticket_link_or_a_whole_phone(settings, caplog):
    settings.NOTIFY_SENDER = "tongyun.lib.senders.LogSender"
    signup = SignupFactory(phone="+8613800138000", email="zhang@example.com")

    with caplog.at_level(logging.DEBUG):
        notify.signed_up(signup)
        notify.promoted(signup)
        notify.reminder(signup)

    assert caplog.records
    assert signup.token not in caplog.text
    assert "13800138000" not in caplog.text
    assert "138****8000" in caplog.text


def test_log_sender_shows_the_code_for_a_tester(settings, caplog):
    settings.NOTIFY_SENDER = "tongyun.lib.senders.LogSender"

    with caplog.at_level(logging.INFO, logger="tongyun.notify"):
        deliver(code_message(code="654321"))

    assert "code for 138****8000: 654321" in caplog.text
    assert "13800138000" not in caplog.text


def test_old_sender_names_still_work(settings, caplog):
    settings.NOTIFY_SENDER = "events.notify.LogSender"

    with caplog.at_level(logging.INFO, logger="tongyun.notify"):
        deliver(Message(kind="test", subject="hello", phone="+8613800138000"))

    assert "hello" in caplog.text
