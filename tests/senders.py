"""A sender for tests: keeps each message instead of sending it."""


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
