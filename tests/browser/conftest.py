"""Browser tests: a fresh page per test in the session's Chromium (the
``browser`` fixture lives in tests/browser_support.py, shared by every
directory)."""

import pytest


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
