"""Senders for tests: they keep each message instead of sending it."""

import os
import time


class CapturingSender:
    sent = []

    def send(self, message):
        CapturingSender.sent.append(message)


def codes_sent(to):
    """The one-time codes sent to phone to (+86…), oldest first."""
    return [
        m.params["code"]
        for m in CapturingSender.sent
        if m.kind == "verification_code" and m.phone == to
    ]


class FileSender:
    """For a worker in another process: appends each message's kind, phone
    and ref as a line of the file MESSAGES_FILE names."""

    def send(self, message):
        with open(os.environ["MESSAGES_FILE"], "a") as file:
            file.write(f"{message.kind} {message.phone} {message.ref}\n")


class SlowFileSender(FileSender):
    """A FileSender whose provider takes a minute to answer: a worker can
    be killed while it waits."""

    def send(self, message):
        with open(os.environ["MESSAGES_FILE"], "a") as file:
            file.write(f"sending {message.ref}\n")
        time.sleep(60)
        super().send(message)
