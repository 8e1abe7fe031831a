import pytest

from tests.senders import CapturingSender


@pytest.fixture
def sent(settings):
    """Messages sent through the site's sender, in order."""
    settings.NOTIFY_SENDER = "tests.senders.CapturingSender"
    CapturingSender.sent = []
    return CapturingSender.sent
