"""The issue's "done when", in a real browser on a phone-sized screen: Alice
takes a recruited customer from a scheduled interview to a draft the checker
passes, signed off internally and submitted for the customer's review."""

import pytest

from casestudies.models import CaseStudyState, Contact, InternalSignOff
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = CaseStudyState

VTT = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Alice>Thanks for joining. What was the challenge?

00:00:06.500 --> 00:00:18.000
<v Sari Wijaya>Each analyst processed 410 invoices a month and the close took nine days.

00:00:18.500 --> 00:00:30.000
<v Dewi Lestari>Now we process 670 invoices each and we got our evenings back.
"""


def _paragraph(opening: str, times: int) -> str:
    detail = (
        "Before the change the team measured each step in hours and days and shared the "
        "figures openly. The finance director said 3 analysts spent most of each week chasing "
        "approvals by email, and 1 in 5 invoices needed a manual correction before payment. "
    )
    return " ".join([opening + " " + detail] * times)


SUMMARY = (
    "Corner Stores runs 140 grocery stores. Its 12 finance analysts each processed about 410 "
    "invoices a month and the month-end close took 9 days. After moving accounts payable onto "
    "the automation module in six weeks, each analyst now processes 670 invoices a month, a "
    "63% increase, and the close takes 4 days instead of 9. Supplier disputes fell from 35 to "
    "11 a month and the finance director reports to the board two weeks earlier than before. "
    "The team stopped working weekends at month end and plans to extend the approach to "
    "procurement next year. Every store now pays its suppliers on time, and the team expects "
    "the same gains in procurement."
)
STORY = {
    "The challenge": _paragraph("The chain grew from 90 to 140 stores in three years.", 5),
    "The solution": _paragraph("The team compared 3 tools over 8 weeks.", 4),
    "Implementation": _paragraph("The rollout took 6 weeks, 20 stores a week.", 4),
    "Results": (
        "Each analyst now processes 670 invoices a month, up from 410 before. The close takes "
        "4 days instead of 9.\n\n> “We got our evenings back.”\n>\n> — Dewi Lestari\n\n"
        + _paragraph("The figures come from the ERP's reports for 6 months.", 3)
    ),
    "Future plans": _paragraph("Next year 30 new stores follow.", 2),
}


def _done(page) -> str:
    """The page's messages, once it has loaded."""
    page.wait_for_load_state()
    return " ".join(page.locator(".messagelist li").all_inner_texts())


def test_alice_takes_a_customer_from_interview_to_a_signed_off_draft(
    live_server, page, alice, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    # A small team: Alice signs off product, marketing and legal herself
    # (by default one person signs off at most one area).
    settings.INTERNAL_REVIEW_ALLOW_SAME_PERSON = True
    cs = factories.case_study_in_state(S.INTERVIEWING, actor=alice, title="Corner Stores closes")
    for name, title, role in (
        ("Sari Wijaya", "CFO", Contact.Role.EXECUTIVE_SPONSOR),
        ("Dewi Lestari", "Accountant", Contact.Role.END_USER),
    ):
        # Dewi is quoted by name in the rewrite: she agreed to be named.
        factories.ContactFactory(
            customer=cs.customer,
            name=name,
            title=title,
            role=role,
            may_be_named=name == "Dewi Lestari",
        )
    factories.MetricFactory(
        case_study=cs, label="Invoices per analyst", before=410, after=670, unit="invoices"
    )
    # Every figure of the rewrite comes from a metric or the customer's record.
    factories.MetricFactory(case_study=cs, label="Month-end close", before=9, after=4)
    factories.MetricFactory(case_study=cs, label="Supplier disputes", before=35, after=11)
    cs.customer.description = (
        "140 grocery stores (90 three years ago) and 12 finance analysts; 3 tools compared "
        "over 8 weeks; a 6-week rollout at 20 stores a week; 30 new stores planned; 1 in 5 "
        "invoices corrected by hand before."
    )
    cs.customer.save()
    vtt = tmp_path / "call.vtt"
    vtt.write_text(VTT, encoding="utf-8")
    base = live_server.url

    page.goto(f"{base}/admin/login/?next=/admin/casestudies/casestudy/{cs.pk}/change/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()

    # Schedule: from the case study, with the stakeholders on the next page.
    page.get_by_role("link", name="Schedule an interview").click()
    page.get_by_label("Date").fill("2026-11-03")  # the call took place: it can be held
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Duration (minutes)").fill("75")
    page.get_by_label("Meeting link").fill("https://meet.example.com/corner")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "Now add the stakeholders below" in _done(page)
    for i, (name, role) in enumerate(
        (("Sari Wijaya", "Executive sponsor"), ("Dewi Lestari", "End user"))
    ):
        page.locator("#stakeholders-group .add-row a").click()
        contact = cs.customer.contacts.get(name=name)
        page.locator(f"#id_stakeholders-{i}-contact").select_option(value=str(contact.pk))
        page.locator(f"#id_stakeholders-{i}-role").select_option(label=role)
    page.get_by_role("button", name="Save and continue editing").click()
    assert "changed successfully" in _done(page)
    interview_url = page.url

    # The guide: generated, edited, printable.
    page.get_by_role("link", name="generate the guide").click()
    page.locator("#content form [type=submit]").first.click()
    assert "guide is ready" in _done(page)
    page.locator("#guide_questions-group summary").first.click()  # the guide is folded
    page.locator("#id_guide_questions-0-answer").fill(
        "Invoices took 9 days to close; each analyst handled 410 a month."
    )
    page.get_by_role("button", name="Save and continue editing").click()
    assert "changed successfully" in _done(page)
    pdf_href = page.get_by_role("link", name="print (PDF)").get_attribute("href")
    pdf = page.request.get(base + pdf_href)
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # Invitations, consent, transcript.
    page.get_by_role("link", name="send invitations", exact=True).click()
    page.locator("#content form [type=submit]").first.click()
    assert "2" in _done(page)
    page.goto(interview_url)
    page.get_by_role("link", name="Consent to record").click()
    for name in ("Sari Wijaya", "Dewi Lestari"):
        page.get_by_label("Stakeholder").select_option(label=name)
        page.get_by_label("Consent", exact=True).select_option(label="Consent given")
        page.get_by_role("button", name="Record").click()
        assert "Consent recorded." in _done(page)
    page.goto(interview_url)
    page.get_by_role("link", name="upload a transcript").click()
    page.locator("input[type=file]").set_input_files(str(vtt))
    page.locator("#content form [type=submit]").first.click()
    assert "Transcript uploaded." in _done(page)

    # A quote from a selected passage: the form fills itself.
    passage = page.locator("li[data-segment]", has_text="evenings back").locator("p.text")
    passage.evaluate(
        """p => { const t = p.firstChild, s = t.data.indexOf('we got');
        const r = document.createRange(); r.setStart(t, s);
        r.setEnd(t, s + 'we got our evenings back'.length);
        getSelection().removeAllRanges(); getSelection().addRange(r); }"""
    )
    passage.dispatch_event("mouseup")
    assert page.locator("#id_quote-text").input_value() == "we got our evenings back"
    page.get_by_label("Kind").select_option(label="Pull quote")
    page.get_by_label("Permission", exact=True).select_option(label="Approved")
    page.get_by_role("button", name="Save the quote").click()
    assert "Quote captured." in _done(page)

    # The interview is held; the first draft is assembled from it.
    page.goto(interview_url)
    page.get_by_role("link", name="Mark as held").click()
    page.locator("#content form [type=submit]").first.click()
    _done(page)
    page.get_by_role("link", name="Assemble the first draft").click()
    page.locator("#content form [type=submit]").first.click()
    assert "Version 1 saved: the first draft" in _done(page)
    assert cs.versions.get().challenge.startswith("Invoices took 9 days")

    # Straight into the editor: the checker names what is missing, then is satisfied.
    assert "/story/" in page.url
    summary = page.get_by_role("textbox", name="Executive summary", exact=True)
    summary.fill("Corner Stores significantly improved its finance operations.")
    page.locator('[data-findings-for="summary"] [data-code="vague-claim"]').wait_for()
    summary.fill(SUMMARY)
    for label, text in STORY.items():
        page.get_by_role("textbox", name=label, exact=True).fill(text)
    page.get_by_label("What changed").fill("Rewritten from the interview")
    page.get_by_role("button", name="Check without saving").click()
    page.wait_for_load_state()
    assert page.locator("#content").get_by_text("Checker: 0 errors, 0 warnings.").is_visible()
    page.get_by_role("button", name="Save as a new version").click()
    assert "Version 2 saved." in _done(page)

    # Compare the first draft with the rewrite.
    page.get_by_role("link", name="Versions", exact=True).first.click()
    page.locator("#content form [type=submit], #content form button").first.click()
    page.wait_for_load_state()
    assert "compared with version 2" in page.locator("h1").inner_text()
    assert page.locator("del").count() > 0 and page.locator("ins").count() > 0

    # Product, marketing and legal sign off; the story goes to the customer.
    page.get_by_role("link", name="Internal review").first.click()
    for area in ("Product — technical accuracy", "Marketing — messaging", "Legal — claims"):
        page.get_by_label("I review as").select_option(label=area)
        page.get_by_role("button", name="Switch").click()
        page.get_by_label("Approve this version").check()
        page.get_by_role("button", name="Record my decision").click()
        assert f"{area} signed off version 2." in _done(page)
    for transition in ("Start drafting", "Submit for review"):
        page.goto(f"{base}/admin/casestudies/casestudy/{cs.pk}/change/")
        page.get_by_role("link", name=transition).click()
        page.locator("#content form [type=submit]").first.click()
        assert "1 case study moved" in _done(page)

    cs.refresh_from_db()
    assert cs.state == S.IN_REVIEW
    latest = cs.versions.latest("number")
    assert latest.number == 2
    assert InternalSignOff.objects.filter(version=latest, decision="approved").count() == 3
