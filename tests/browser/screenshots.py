"""
Screenshot every public page at phone size in both languages.

Usage: python -m tests.browser.screenshots [BASE_URL]   (default http://127.0.0.1:8000)
Writes screenshots/<lang>-<page>.png for a person to look at. Needs
Debian's chromium at /usr/bin/chromium and a running site with demo data.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

PAGES = {
    "home": "/",
    "gardens": "/gardens/",
    "garden": "/gardens/mudanyuan/",
    "zone": "/gardens/mudanyuan/zones/A1/",
    "species": "/species/mudan/",
    "bloom": "/bloom/",
    "donations": "/donations/",
    "events": "/events/",
    "event-2024": "/events/2024-planting-day/",
    "event-next": "/events/2027-planting-day/",
    "gallery": "/artworks/",
    "artwork": "/artworks/1/",
    "submit": "/artworks/submit/",
    "zone-lilac": "/gardens/zijingyuan/zones/A2/",
    "dashboard": "/dashboard/",
    "404": "/no-such-page/",
}
LANGUAGES = {"zh": "zh-CN,zh;q=0.9", "en": "en"}


def main(base_url="http://127.0.0.1:8000", width=360):
    out = Path("screenshots")
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for lang, accept in LANGUAGES.items():
            context = browser.new_context(
                viewport={"width": width, "height": 780},
                device_scale_factor=1,
                extra_http_headers={"Accept-Language": accept},
            )
            page = context.new_page()
            for name, path in PAGES.items():
                page.goto(base_url + path)
                # Scroll once to the end so that lazy images load as for a reader.
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_load_state("networkidle")
                target = out / f"{lang}-{name}.png"
                page.screenshot(path=target, full_page=True)
                print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:2])
