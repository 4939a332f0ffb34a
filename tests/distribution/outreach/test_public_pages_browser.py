"""The customer-facing outreach pages in a real browser: a phone screen,
JavaScript off, both languages, no axe-core violation (WCAG 2.2 AA)."""

import pytest

from distribution.models import Recipient, ReferencePreference
from distribution.outreach import campaigns, references
from tests.browser.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "id"])
def test_a_contact_sets_preferences_on_a_phone_without_javascript(
    live_server,
    browser,
    sari,
    alice,
    language,
):
    url = references.preference_link_issue(contact=sari, actor=alice)
    path = url.split("/preferences/", 1)[1]
    recipient = Recipient.objects.create(email="ana@prospect.example", kind="prospect")
    unsubscribe = campaigns.unsubscribe_url(recipient).split("/unsubscribe/", 1)[1]
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        for target in (
            f"/preferences/{path}",
            f"/unsubscribe/{unsubscribe}",
            "/preferences/not-a-token/",
        ):
            page.goto(f"{live_server.url}{target}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, target
            assert page.locator("html").get_attribute("lang") == language
        js_page = browser.new_page(viewport={"width": 390, "height": 844})
        try:
            js_page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            for target in (f"/preferences/{path}", f"/unsubscribe/{unsubscribe}"):
                js_page.goto(f"{live_server.url}{target}")
                assert axe_violations(js_page) == [], target
        finally:
            js_page.close()

        # The form posts without JavaScript, and despite "Referrer-Policy:
        # no-referrer" (the browser then sends "Origin: null").
        page.goto(f"{live_server.url}/preferences/{path}")
        page.locator("input[name=available][value=yes]").check()
        page.locator("input[name=max_calls_per_quarter]").fill("1")
        page.locator("input[name=preferred_days]").fill("Selasa pagi")
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("[role=status]").count() == 1
    finally:
        context.close()
    preference = ReferencePreference.objects.get(contact=sari)
    assert preference.max_calls_per_quarter == 1 and preference.preferred_days == "Selasa pagi"
