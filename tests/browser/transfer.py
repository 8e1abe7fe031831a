"""
What a phone downloads the first time it opens a page: every response of a
fresh browser context (an empty cache), images apart, as the browser
received it (headers and body as sent, compressed or not). Used by the
first-load test (test_first_load.py) and bench/first_load.py.
"""

import gzip
from dataclasses import dataclass

from tests.browser.chromium import NARROW_PHONE

# issue 13: a page's first load, images apart.
FIRST_LOAD_BUDGET = 30 * 1024


@dataclass
class Download:
    url: str
    kind: str  # Playwright's resource type: document, stylesheet, script, …
    content_type: str
    sent: int  # bytes received: headers and body as sent

    @property
    def is_image(self):
        return self.kind == "image" or self.content_type.startswith("image/")


def first_load(browser, url, *, static_url=None):
    """
    The Downloads of opening url in a fresh context at NARROW_PHONE size,
    in Chinese, once the network is quiet.

    static_url: count a response under it at its gzip size when it came
    uncompressed, as production's WhiteNoise sends the compressed copy that
    collectstatic made (the test's live server sends files as they are).
    """
    context = browser.new_context(viewport=NARROW_PHONE, locale="zh-CN")
    try:
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(url, wait_until="networkidle")
        downloads = []
        for request in finished:
            response = request.response()
            headers = response.headers if response else {}
            sizes = request.sizes()
            sent = sizes["responseHeadersSize"] + sizes["responseBodySize"]
            is_static = static_url and request.url.startswith(static_url)
            if is_static and response and "content-encoding" not in headers:
                body = response.body()
                sent += len(gzip.compress(body, 9)) - sizes["responseBodySize"]
            downloads.append(
                Download(
                    url=request.url,
                    kind=request.resource_type,
                    content_type=headers.get("content-type", ""),
                    sent=sent,
                )
            )
        return downloads
    finally:
        context.close()


def bytes_without_images(downloads):
    """What a first load costs, images apart."""
    return sum(d.sent for d in downloads if not d.is_image)
