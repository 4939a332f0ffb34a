"""A customer reviewer on a phone (390 px): opens the emailed link, comments
on a section, refuses a quote, confirms their mailbox with the emailed code
and approves. No script is needed anywhere on the page."""

import re

import pytest
from django.core import mail

from approvals import services
from approvals.models import Decision, QuoteReview, ReviewComment, StepKind
from casestudies.models import Contact
from tests import factories
from tests.browser.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK_RE = re.compile(r"(/review/[A-Za-z0-9_-]{43}/)")


def test_a_customer_approves_with_a_comment_and_a_refused_quote_on_a_phone(
    live_server, page, alice
):
    cs = factories.case_study_in_state("in_review", actor=alice)
    reviewer = factories.ContactFactory(
        customer=cs.customer,
        name="Dewi Lestari",
        email="dewi@customer.example",
        role=Contact.Role.END_USER,
    )
    quote = cs.quotes.get()
    services.approval_request_start(
        case_study=cs,
        steps=[services.StepSpec(kind=StepKind.PARTICIPANT, contact=reviewer)],
        actor=alice,
    )
    path = LINK_RE.search(mail.outbox[-1].body).group(1)

    page.goto(live_server.url + path)
    page.get_by_role("heading", level=1).wait_for()
    assert page.locator("script").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []

    # A comment on the results section.
    results = page.locator("section#results")
    results.locator("summary").click()
    results.get_by_label("Comment", exact=True).fill("Please say five days, not 5.")

    # The quote is refused; one form: the comment travels with it.
    block = page.locator(f"#quote-{quote.pk}")
    block.get_by_label("Refuse").check()
    block.get_by_label("Comment (optional)").fill("I did not say it that way.")
    page.get_by_role("button", name="Save what I wrote").click()
    page.get_by_text("Saved. You can go on").wait_for()
    assert "Your verdict: refused" in page.locator(f"#quote-{quote.pk}").inner_text()
    assert "Please say five days, not 5." in page.locator("section#results").inner_text()

    # The mailbox code, then the decision.
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_text("We sent a code to dewi@customer.example.").wait_for()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("Code from the email").fill(code)
    page.get_by_role("button", name="Confirm code").click()
    page.get_by_text("your email address is confirmed").wait_for()
    page.get_by_label("I checked the facts and figures").check()
    page.get_by_label("Names and job titles are correct").check()
    page.get_by_role("button", name="I approve this version").click()
    page.get_by_role("heading", name="Your decision is recorded").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    page.goto(live_server.url + "/review/" + "x" * 43 + "/")
    page.get_by_role("heading", name="This review link does not work").wait_for()
    assert axe_violations(page) == []

    decision = Decision.objects.get()
    assert decision.outcome == "approved" and decision.verified_email == "dewi@customer.example"
    assert decision.user_agent and decision.ip_address == "127.0.0.1"
    assert decision.decided["quote_verdicts"] == {str(quote.pk): "refused"}
    assert ReviewComment.objects.get().section == "results"
    assert QuoteReview.objects.get().verdict == "refused"
    cs.refresh_from_db()
    assert cs.state == "approved"
