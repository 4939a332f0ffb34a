"""A rep finds a story by objection and copies a quote, in a real browser."""

import time

import pytest

from analytics.models import Event
from casestudies.models import Competitor, Objection, Quote
from tests import factories
from tests.browser.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "We went live in six weeks, not six months."


def test_a_rep_finds_a_story_by_objection_and_copies_a_quote(live_server, browser, alice, bob):
    slow = Objection.objects.create(name="Implementation takes too long", slug="slow-rollout")
    Objection.objects.create(name="Too expensive", slug="too-expensive")
    rival = Competitor.objects.create(name="Competitor X", slug="competitor-x")
    cs = factories.case_study_in_state(
        "published", actor=alice, story_title="Retailer live in six weeks"
    )
    cs.objections.add(slow)
    cs.competitors.add(rival)
    Quote.objects.filter(case_study=cs).update(text=QUOTE)
    factories.case_study_in_state("published", actor=alice, story_title="Unrelated story")

    context = browser.new_context(
        locale="en-GB",
        viewport={"width": 390, "height": 844},
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/sales/")
        # Not signed in: the login page, then back to the portal.
        page.get_by_label("Username").fill("bob")
        page.get_by_label("Password").fill("correct horse battery staple")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Find the right story").wait_for()

        page.get_by_role("link", name="By objection").click()
        page.get_by_role("link", name="Implementation takes too long").click()
        page.get_by_role("heading", name="What answers “Implementation takes too long”?").wait_for()
        results = page.locator(".sales-result")
        assert results.count() == 1
        assert "Retailer live in six weeks" in results.first.inner_text()
        assert page.locator("mark", has_text="Implementation takes too long").count() == 1
        assert axe_violations(page) == []

        results.first.get_by_role("button", name="Copy").first.click()
        page.get_by_text("Copied to the clipboard").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(f"“{QUOTE}”")

        # The beacon recorded the copy.
        for _ in range(50):
            if Event.objects.filter(detail="copy_quote").exists():
                break
            time.sleep(0.1)
        event = Event.objects.get(detail="copy_quote")
        assert (event.kind, event.case_study_id, event.user_id) == ("sales_use", cs.pk, bob.pk)
    finally:
        context.close()


def test_the_sales_card_and_pack_builder_are_accessible(live_server, browser, alice, bob):
    slow = Objection.objects.create(name="Implementation takes too long", slug="slow-rollout")
    cs = factories.case_study_in_state(
        "published", actor=alice, story_title="Retailer live in six weeks"
    )
    cs.objections.add(slow)
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/admin/login/?next=/sales/stories/{cs.slug}/")
        page.get_by_label("Username").fill("bob")
        page.get_by_label("Password").fill("correct horse battery staple")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Usage rights: what may be shared where").wait_for()
        assert axe_violations(page) == []
        page.goto(f"{live_server.url}/sales/packs/new/?objections=slow-rollout")
        page.get_by_role("heading", name="Best stories for this prospect").wait_for()
        assert page.get_by_label("Retailer live in six weeks").is_checked()
        assert axe_violations(page) == []
    finally:
        context.close()
