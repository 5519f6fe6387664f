"""Playwright driving Debian's Chromium (Playwright cannot download browsers here).

The tests skip when /usr/bin/chromium is missing, unless GUANXI_REQUIRE_BROWSER=1 (set by
.ci/run), in which case they fail, so CI can never pass without running them.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("GUANXI_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls while
# one runs: tests make their data in fixtures requested before `browser`.


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("GUANXI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and GUANXI_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
