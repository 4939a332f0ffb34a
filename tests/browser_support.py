"""Playwright driving Debian's Chromium, shared by every test directory.

One browser per test session, defined once here and made a fixture in
tests/conftest.py: Playwright's sync API keeps an event loop in the main
thread while it runs, so a second ``sync_playwright()`` started elsewhere in
the same session would fail ("Sync API inside the asyncio loop").
Never downloads a browser: it launches /usr/bin/chromium (``apt-get install
chromium``). Without it the browser tests skip on a laptop and fail in CI."""

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between page actions are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"CI=true requires Chromium at {CHROMIUM}")
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
