"""Where Debian's Chromium is and how to start it here (tests and screenshots)."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
# The narrowest phones the site is made for (DESIGN §8: phone first).
NARROW_PHONE = {"width": 360, "height": 780}
