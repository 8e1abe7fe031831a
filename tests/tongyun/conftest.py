import pytest

from tests.hosts import (  # noqa: F401 (fixtures of the tests that run two hosts)
    two_hosts,
    two_hosts_started,
)
from tests.senders import CapturingSender
from tests.servers import (  # noqa: F401 (fixtures of the tests that run the site)
    prepared_site,
    site,
)


@pytest.fixture
def sent(settings):
    """Messages sent through the site's sender, in order."""
    settings.NOTIFY_SENDER = "tests.senders.CapturingSender"
    CapturingSender.sent = []
    return CapturingSender.sent
