"""A program manager accepts an edited suggestion and rejects another in the
browser, on a phone-sized screen; the page passes axe."""

import pytest

from approvals.models import ReviewComment, StepKind
from casestudies.models import CaseStudyState
from tests import factories
from tests.approvals.staff import factories_b
from tests.browser.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_turns_suggestions_into_a_new_version(live_server, page, alice):
    cs = factories.case_study_in_state(CaseStudyState.IN_REVIEW, actor=alice)
    request = factories_b.approval_request(cs, actor=alice)
    sari = factories_b.customer_step(request)
    budi = factories_b.customer_step(request, kind=StepKind.CUSTOMER_LEGAL)
    keep = factories_b.comment(
        sari, section="summary", body="Shorter.", suggested_text="A short summary."
    )
    drop = factories_b.comment(budi, section="results", suggested_text="No revenue figure.")
    url = f"/admin/approvals/approvalrequest/{request.pk}/suggestions/"

    page.goto(f"{live_server.url}/admin/login/?next={url}")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Open suggestions").wait_for()
    assert axe_violations(page) == []

    page.locator(f"#text-{keep.pk}").fill("A short summary, as edited by Alice.")
    page.locator(f'input[name="decision-{keep.pk}"][value="accept"]').check()
    page.locator(f'input[name="decision-{drop.pk}"][value="reject"]').check()
    page.locator(f"#note-{drop.pk}").fill("The figure stays: your CFO approved it.")
    page.get_by_role("button", name="Create new version").click()

    page.get_by_text("Version 2 created").wait_for()
    assert page.get_by_text("No open suggestions.").is_visible()
    newest = cs.versions.order_by("-number").first()
    assert newest.number == 2 and newest.summary == "A short summary, as edited by Alice."
    assert ReviewComment.objects.get(pk=drop.pk).status == "rejected"
    assert axe_violations(page) == []
