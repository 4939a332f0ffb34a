"""The enforced Content-Security-Policy in a real browser: the public pages,
the review page, the sales portal and the admin raise no violation, and the
scripts on them still work (they are static files now: copy buttons, the
story editor's live count, the transcript's quote capture, the share link,
the export page's "select all").

Every browser test is watched the same way (tests/browser/conftest.py); these
open the pages that carry scripts, one after the other."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals import services as approval_services
from approvals.models import StepKind
from casestudies import services as cs_services
from casestudies.models import CaseStudyState, Contact
from distribution.outreach import sharing
from interviews import services as interview_services
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def _log_in(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _header(page, url: str) -> str:
    response = page.goto(url)
    assert response.ok, url
    return response.headers.get("content-security-policy", "")


def test_the_watch_catches_an_inline_script(live_server, page, csp_violations):
    """The check can fail: an inline script added to a page is blocked and reported."""
    factories.CustomerFactory()
    header = _header(page, f"{live_server.url}/case-studies/")
    assert "script-src 'self'" in header and "unsafe-inline" not in header
    page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.__ran = true"; document.body.appendChild(s); }"""
    )
    page.wait_for_function("() => true")
    assert page.evaluate("window.__ran === undefined")
    page.wait_for_timeout(200)
    assert any(v.get("directive", "").startswith("script-src") for v in csp_violations)
    csp_violations.clear()


def test_public_and_review_pages_run_under_the_policy(live_server, page, alice):
    cs = factories.case_study_in_state(CaseStudyState.IN_REVIEW, actor=alice)
    reviewer = factories.ContactFactory(
        customer=cs.customer, email="dewi@customer.example", role=Contact.Role.END_USER
    )
    approval_services.approval_request_start(
        case_study=cs,
        steps=[approval_services.StepSpec(kind=StepKind.PARTICIPANT, contact=reviewer)],
        actor=alice,
    )
    review = re.search(r"(/review/[A-Za-z0-9_-]{43}/)", mail.outbox[-1].body).group(1)
    published = factories.case_study_in_state(CaseStudyState.PUBLISHED, actor=alice)
    base = live_server.url

    assert "frame-ancestors 'none'" in _header(page, f"{base}/case-studies/")
    page.get_by_role("heading", level=1).wait_for()
    # The branding colours come from a stylesheet, not an inline <style>.
    assert page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()"
    ).startswith("#")
    assert "script-src 'self'" in _header(page, f"{base}{published.get_absolute_url()}")
    assert page.locator('script[type="application/ld+json"]').count() >= 1

    assert "form-action 'self'" in _header(page, base + review)
    page.get_by_role("heading", level=1).wait_for()
    # A form post from the review page (Referrer-Policy no-referrer) still works.
    section = page.locator("section#results")
    section.locator("summary").click()
    section.get_by_label("Comment", exact=True).fill("Say five days.")
    page.get_by_role("button", name="Save what I wrote").click()
    page.get_by_text("Saved. You can go on").wait_for()


def test_the_sales_portal_copy_button_works_under_the_policy(live_server, browser, alice, bob):
    cs = factories.case_study_in_state(CaseStudyState.PUBLISHED, actor=alice)
    context = browser.new_context(locale="en-GB", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _log_in(page, live_server.url, "bob", "/sales/")
        page.get_by_role("heading", name="Find the right story").wait_for()
        assert "script-src 'self'" in _header(page, f"{live_server.url}/sales/stories/{cs.slug}/")
        page.get_by_role("button", name="Copy").first.click()
        page.get_by_text("Copied to the clipboard").first.wait_for()
        assert page.evaluate("navigator.clipboard.readText()")

        # The share link selects itself when focused (was an inline onfocus).
        link = sharing.share_link_create(
            rep=bob, case_study=cs, prospect_name="Rina", prospect_company="Prospect Co"
        )
        page.goto(f"{live_server.url}/sales/share/{link.pk}/")
        page.get_by_label("Your personal link").focus()
        assert page.evaluate(
            "() => { const i = document.getElementById('share-url');"
            " return i.selectionStart === 0 && i.selectionEnd === i.value.length; }"
        )
    finally:
        context.close()


def test_admin_pages_and_their_scripts_run_under_the_policy(live_server, page, alice):
    base = live_server.url
    cs = factories.case_study_in_state(CaseStudyState.DRAFTING, actor=alice)
    cs_services.story_version_create(
        case_study=cs, actor=alice, title="Acme closes faster", sections=factories.sections()
    )
    interviewing = factories.case_study_in_state(CaseStudyState.INTERVIEWING, actor=alice)
    contact = factories.ContactFactory(customer=interviewing.customer, name="Sari Wijaya")
    interview = interview_services.interview_schedule(
        case_study=interviewing,
        actor=alice,
        date=datetime.date(2026, 3, 10),
        start_time=datetime.time(14, 30),
        time_zone="Asia/Jakarta",
        meeting_link="https://meet.example.com/abc",
        duration_minutes=60,
        language="en",
        stakeholders=[(contact, "")],
    )
    interview_services.transcript_upload(
        interview=interview,
        upload=SimpleUploadedFile(
            "call.txt", b"Sari Wijaya: We close the books in five days now.\n"
        ),
        actor=alice,
    )

    _log_in(page, base, "alice", "/admin/")
    assert "script-src 'self'" in _header(page, f"{base}/admin/")
    page.locator("#pipeline-dashboard").wait_for()
    _header(page, f"{base}/admin/casestudies/casestudy/{cs.pk}/change/")
    page.locator("#casestudy_form").wait_for()
    _header(page, f"{base}/admin/interviews/interview/{interview.pk}/change/")
    page.locator("#interview-workspace").wait_for()
    # The workspace's layout comes from its stylesheet, not style attributes.
    assert (
        page.evaluate(
            "getComputedStyle(document.getElementById('interview-workspace')).paddingLeft"
        )
        == "16px"
    )

    # The story editor counts words as the writer types.
    _header(page, f"{base}/admin/casestudies/casestudy/{cs.pk}/story/")
    page.get_by_role("textbox", name="Executive summary").fill("Acme closes in five days.")
    assert page.locator("#count-summary").inner_text().startswith("5 words")

    # The transcript page: selecting a passage fills the quote form.
    _header(page, f"{base}/admin/interviews/interview/{interview.pk}/transcript/")
    page.evaluate(
        """() => { const p = document.querySelector("#transcript li .text");
        const r = document.createRange(); r.selectNodeContents(p);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r); }"""
    )
    page.wait_for_function(
        "document.querySelector('[name=quote-text]').value.includes('five days')"
    )

    # The spreadsheet export page: "select all" unticks every field.
    _header(page, f"{base}/admin/analytics/deal/export/")
    toggle = page.locator("input.select-toggle")
    toggle.uncheck()
    assert page.locator(".selectable-field-export-row input[type=checkbox]:checked").count() == 0
    toggle.check()
    assert page.locator(".selectable-field-export-row input[type=checkbox]:checked").count() > 1
