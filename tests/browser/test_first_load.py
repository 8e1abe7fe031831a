"""
The first load of every public page stays within 30 KB, images apart
(issue 13): what a phone with an empty cache downloads on a slow network.
Static files count at the gzip size production's WhiteNoise sends; pages
count as the site sends them, so this holds only while the site compresses
its HTML.
"""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.browser.transfer import FIRST_LOAD_BUDGET, bytes_without_images, first_load
from tongyun.public_pages import public_pages

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_load_of_every_public_page_stays_within_budget(browser, live_server):
    call_command("load_demo", stdout=io.StringIO())
    pages = public_pages()
    static_url = live_server.url + settings.STATIC_URL

    loads = {
        path: first_load(browser, live_server.url + path, static_url=static_url)
        for _, path in pages
    }

    sizes = {path: bytes_without_images(downloads) for path, downloads in loads.items()}
    documents = {
        path: [d.url for d in downloads if d.kind == "document"]
        for path, downloads in loads.items()
    }
    assert documents == {path: [live_server.url + path] for path in loads}
    assert len(sizes) == len(pages) >= 17
    over = {path: size for path, size in sizes.items() if size > FIRST_LOAD_BUDGET}
    assert over == {}, f"first loads over {FIRST_LOAD_BUDGET} bytes: {over}"
