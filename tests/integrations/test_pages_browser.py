"""The chat notifications page and an embed's frame in Chromium: usable
with the keyboard's labels, no axe-core violation (WCAG 2.2 AA), both languages."""

import pytest
from django.urls import reverse

from integrations import embeds
from tests.browser.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_chat_page_and_an_embed_frame_are_accessible(
    live_server, browser, bob, alice, retail, language
):
    key = embeds.embed_key_create(
        name="Product pages", allowed_origins=["https://www.example.com"], actor=alice
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}{reverse('integrations:chat')}")
        page.locator("#id_username").fill("bob")
        page.locator("#id_password").fill("correct horse battery staple")
        page.locator("input[type=submit], button[type=submit]").first.click()
        page.locator("#id_url").wait_for()
        assert page.locator("html").get_attribute("lang") == language
        assert axe_violations(page) == []
        for layout in ("cards", "metrics", "quote"):
            page.goto(
                f"{live_server.url}{reverse('embeds:frame', args=[key.key])}"
                f"?industry=retail&layout={layout}&lang={language}"
            )
            assert page.locator("html").get_attribute("lang") == language
            assert axe_violations(page) == [], layout
    finally:
        context.close()
