"""
Browser harness: Playwright drives Debian's Chromium against the live server.

Every test here runs at phone size (390×844), fails if a page asks any host
but the live server, and checks each visited page with axe-core (shipped in
the axe-playwright-python package, injected from disk) for serious or
critical accessibility violations.

Without Chromium the tests skip with a reason; with REQUIRE_BROWSER=1 (CI)
a missing browser fails the run instead.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.servers.basehttp import WSGIServer
from pytest_django.live_server_helper import LiveServer

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, PHONE

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made by fixtures there are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Axe()


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


class OneRequestAtATime(WSGIServer):
    """
    The live server, answering one request after another. On SQLite in memory
    every request shares the tests' one connection, and two at once (a page's
    thumbnails) break it: "bad parameter or other API misuse", a 500, a broken
    image, and now and then a failed test.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server; on SQLite in memory, one request at a time."""
    addr = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    if server.thread.connections_override:
        server.thread.server_class = OneRequestAtATime
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason}; REQUIRE_BROWSER is set, so this is a failure")
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN"}


class Visitor:
    """A person on a phone: visits pages, and checks each one as it goes."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.foreign_requests = []
        page.set_default_timeout(5_000)
        page.context.route("**/*", self._only_own_host)

    def _only_own_host(self, route):
        url = route.request.url
        if url.startswith((self.base_url, "data:", "blob:")):
            route.continue_()
        else:
            self.foreign_requests.append(url)
            route.abort()

    def visit(self, path):
        self.page.goto(self.base_url + path)
        self.check()

    def check(self):
        """The page as shown now: only our host asked, no serious a11y faults."""
        self.page.wait_for_load_state("load")
        assert self.foreign_requests == [], "page asked another host"
        results = AXE.run(self.page)
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], f"accessibility faults on {self.page.url}"


@pytest.fixture
def visitor(page, live_server):
    visitor = Visitor(page, live_server.url)
    yield visitor
    assert visitor.foreign_requests == []
