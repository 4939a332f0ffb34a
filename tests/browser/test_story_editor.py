"""Alice writes the story and watches the checker react, in a real browser."""

import pytest

from casestudies.models import CaseStudyState
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_types_a_vague_summary_sees_the_checker_react_and_saves(live_server, page, alice):
    cs = factories.case_study_in_state(CaseStudyState.DRAFTING, actor=alice)
    from casestudies import services

    services.story_version_create(
        case_study=cs, actor=alice, title="Acme closes faster", sections=factories.sections()
    )

    page.goto(f"{live_server.url}/admin/login/?next=/admin/casestudies/casestudy/{cs.pk}/story/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Length and checker").wait_for()
    assert "version 1" in page.locator("#version-status").inner_text()

    summary_findings = page.locator('[data-findings-for="summary"]')
    assert summary_findings.locator('[data-code="vague-claim"]').count() == 0
    page.get_by_role("textbox", name="Executive summary").fill(
        "Acme significantly improved its month-end close with our platform."
    )
    # The count updates at once, the checker after a short pause.
    assert page.locator("#count-summary").inner_text() == "9 words (target 100\u2013150)"
    finding = summary_findings.locator("li.finding", has_text="significantly improved")
    finding.wait_for()
    assert "Vague claim with no number" in finding.inner_text()
    assert finding.get_by_role("link").first.get_attribute("href").endswith("#vague-claim")
    assert "words in all" in page.locator("[data-total-count]").inner_text()
    assert page.locator("[data-total-count]").inner_text().startswith("1009 words in all")

    page.get_by_label("What changed").fill("Summary rewritten")
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text("Version 2 saved.").wait_for()
    assert "version 2" in page.locator("#version-status").inner_text()
    assert cs.versions.latest("number").summary.startswith("Acme significantly improved")
