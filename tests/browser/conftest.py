"""Browser tests: a fresh page per test in the session's Chromium (the
``browser`` fixture lives in tests/browser_support.py, shared by every
directory).

Every browser test also watches the Content-Security-Policy: each context the
test opens (the ``page`` fixture's or its own ``browser.new_context()``)
reports every ``securitypolicyviolation`` event and every console message
about the policy, and the test fails if there was any."""

import pytest

# Runs in every document before its own scripts (an init script is not
# subject to the page's policy); reports through an exposed binding, which
# survives navigations.
_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__storylineCsp({
    directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
    line: e.lineNumber, sample: e.sample, page: document.location.pathname
  });
});
"""


def watch_csp(context, found: list) -> None:
    def report(source, violation):
        found.append(violation)

    def console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(
                {"console": message.text, "page": message.page.url if message.page else ""}
            )

    context.expose_binding("__storylineCsp", report)
    context.add_init_script(_WATCH)
    context.on("console", console)


@pytest.fixture(autouse=True)
def csp_violations(request, monkeypatch):
    """The CSP violations seen in this test's browser contexts (must stay empty)."""
    found: list = []
    if "browser" not in request.fixturenames:
        yield found
        return
    browser = request.getfixturevalue("browser")
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        watch_csp(context, found)
        return context

    monkeypatch.setattr(browser, "new_context", new_context)
    yield found
    assert found == [], f"Content-Security-Policy violations: {found}"


@pytest.fixture
def page(browser, csp_violations):
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
