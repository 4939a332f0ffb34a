"""Issue 15's "done when": a program manager who has never seen the app takes
a new customer (Harbor Freight Lines) from a new record to a published story
following the story workspace's Next step panel, at 1366 px, in English.

Page loads are counted: every main-frame navigation, whether a link, a
``goto`` or a form post (a post's redirect is one load). The budget is the
program manager's walk; the three internal reviewers and the customer's
reviewer act in their own browsers and are counted apart.

Budget (README, "Walkthrough"): 35 page loads for the manager, login
included; measured 34. The same journey through the admin before the
workspace took about 68 (issue 15's count: bulk-action confirmation pages,
the hidden "Start drafting", re-opening the change page between moves). The
issue's aim of 30 is not reached: 12 of the 34 are the interview's own pages
(schedule, stakeholders, invitations, consent, transcript, quote).
Reviewers: 4 loads each (login, home, review, decision); the customer 4."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from casestudies.models import CaseStudy, CaseStudyState
from core.roles import INTERNAL_REVIEWERS
from tests import factories
from tests.browser.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = CaseStudyState
PASSWORD = "correct horse battery staple"
MANAGER_BUDGET = 35
# The README's screenshots: written to docs/screenshots only when asked
# (STORYLINE_SCREENSHOTS=1), so a test run never changes the source tree.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WRITE_SCREENSHOTS = os.environ.get("STORYLINE_SCREENSHOTS") == "1"
LINK_RE = re.compile(r"(/review/[A-Za-z0-9_-]{43}/)")
CODE_RE = re.compile(r"\b(\d{6})\b")

VTT = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Alice>Thanks for joining, Mei. What was the challenge?

00:00:06.500 --> 00:00:18.000
<v Mei Tan>Closing the month took 12 days and every depot sent its numbers by email.

00:00:18.500 --> 00:00:30.000
<v Mei Tan>Now the close takes 4 days and my team gets its evenings back.
"""

SECTIONS = {
    "Executive summary": (
        "Harbor Freight Lines runs 40 depots. Its finance team closed the month in 12 days, "
        "chasing each depot by email. After moving the close onto the platform in six weeks, "
        "the close takes 4 days instead of 12, a 67% reduction, and the team no longer works "
        "evenings at month end. The finance director reports to the board a week earlier, "
        "and the depots now send their figures through one shared workflow instead of forty "
        "spreadsheets. The team plans to extend the approach to procurement next year."
    ),
    "The challenge": "Closing the month took 12 days. " * 25,
    "The solution": "The team chose the platform after a four-week trial. " * 20,
    "Implementation": "The rollout took six weeks, ten depots a week. " * 20,
    "Results": "The close takes 4 days instead of 12. " * 25,
    "Future plans": "Procurement follows next year. " * 15,
}


class Loads:
    """Counts the main frame's navigations of one page (links, gotos, posts)."""

    def __init__(self, page):
        self.n = 0
        self.urls: list[str] = []
        page.on("framenavigated", self._seen)
        self.page = page

    def _seen(self, frame):
        if frame == self.page.main_frame:
            self.n += 1
            self.urls.append(frame.url)


def _done(page) -> str:
    page.wait_for_load_state()
    return " ".join(page.locator(".messagelist li").all_inner_texts())


def _shot(page, name):
    if not WRITE_SCREENSHOTS:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def _login(page, base, username):
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _next_step(page):
    return page.locator("#next-step")


def test_a_new_customer_to_a_published_story_through_the_workspace(
    live_server, browser, alice, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    base = live_server.url
    factories.IndustryFactory(name="Logistics")
    factories.RegionFactory(name="Asia-Pacific")
    reviewers = {}
    for area, name in (("product", "Priya"), ("marketing", "Marco"), ("legal", "Lena")):
        user = factories.UserFactory(
            username=name.lower(), first_name=name, is_staff=True, email=f"{name.lower()}@ex.com"
        )
        user.groups.add(Group.objects.get(name=INTERNAL_REVIEWERS))
        reviewers[area] = user
    vtt = tmp_path / "call.vtt"
    vtt.write_text(VTT, encoding="utf-8")

    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    loads = Loads(page)

    _login(page, base, "alice")
    page.locator("#needs-me").wait_for()
    assert axe_violations(page) == []

    # A new customer, with the contact who will tell the story.
    page.goto(f"{base}/admin/casestudies/customer/add/")
    page.locator("#id_name").fill("Harbor Freight Lines")
    page.locator("#id_slug").fill("harbor-freight-lines")
    page.locator("#id_website").fill("https://harbor.example.com")
    page.locator("#id_industry").select_option(label="Logistics")
    page.locator("#id_company_size").select_option(label="Mid-market")
    page.locator("#id_region").select_option(label="Asia-Pacific")
    page.locator("#contacts-group .add-row a").click()
    page.locator("#id_contacts-0-name").fill("Mei Tan")
    page.locator("#id_contacts-0-title").fill("VP Finance")
    page.locator("#id_contacts-0-email").fill("mei@harbor.example.com")
    page.get_by_role("button", name="Save and continue editing").click()
    assert "was added successfully" in _done(page)

    # A candidate story, with the result that makes the invitation concrete.
    page.locator("#start-case-study").click()
    page.locator("#id_title").fill("Harbor Freight Lines closes in 4 days")
    page.locator("#metrics-group .add-row a").click()
    page.locator("#id_metrics-0-label").fill("Month-end close")
    page.locator("#id_metrics-0-before").fill("12")
    page.locator("#id_metrics-0-after").fill("4")
    page.locator("#id_metrics-0-unit").fill("days")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator("#next-step").wait_for()
    cs = CaseStudy.objects.get(customer__name="Harbor Freight Lines")
    assert cs.metrics.get().higher_is_better is False  # a duration: derived from the unit
    workspace_url = page.url
    _shot(page, "workspace-candidate")
    assert axe_violations(page) == []

    # Product, marketing and legal go to three colleagues, in one post; they
    # are emailed now and find the draft on their home page once it exists.
    for area, user in reviewers.items():
        page.locator(f"#area_{area}").select_option(value=f"user:{user.pk}")
    page.get_by_role("button", name="Assign reviewers").click()
    assert "3 reviewers assigned and emailed." in _done(page)
    assert {m.to[0] for m in mail.outbox if "sign-off is needed" in m.subject} == {
        u.email for u in reviewers.values()
    }

    # Candidate → recruiting: the invitation, from the Next step.
    _next_step(page).get_by_role("link", name="Write the invitation").click()
    page.locator("select[name=contact]").select_option(index=1)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Send").click()
    assert "Sent to Mei Tan" in _done(page)
    assert "Record the customer's answer" in _next_step(page).inner_text()
    _next_step(page).get_by_role("link", name="They said yes").click()
    page.locator("#content form [type=submit]").first.click()
    assert "moved to interviewing" in _done(page)

    # Interviewing: schedule, invite, consent, transcript, a quote.
    _next_step(page).get_by_role("link", name="Schedule an interview").click()
    page.get_by_label("Date").fill("2026-11-03")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Meeting link").fill("https://meet.example.com/harbor")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "Now add the stakeholders below" in _done(page)
    page.locator("#stakeholders-group .add-row a").click()
    mei = cs.customer.contacts.get(name="Mei Tan")
    page.locator("#id_stakeholders-0-contact").select_option(value=str(mei.pk))
    page.get_by_role("button", name="Save and continue editing").click()
    assert "changed successfully" in _done(page)
    interview_url = page.url
    page.get_by_role("link", name="send invitations", exact=True).click()
    page.locator("#content form [type=submit]").first.click()
    _done(page)
    page.get_by_role("link", name="Consent to record").click()
    page.get_by_label("Stakeholder").select_option(label="Mei Tan")
    page.get_by_label("Consent", exact=True).select_option(label="Consent given")
    page.get_by_role("button", name="Record").click()
    assert "Consent recorded." in _done(page)
    page.goto(interview_url)
    page.get_by_role("link", name="upload a transcript").click()
    page.locator("input[type=file]").set_input_files(str(vtt))
    page.locator("#content form [type=submit]").first.click()
    assert "Transcript uploaded." in _done(page)
    passage = page.locator("li[data-segment]", has_text="evenings back").locator("p.text")
    passage.evaluate(
        """p => { const t = p.firstChild, s = t.data.indexOf('my team');
        const r = document.createRange(); r.setStart(t, s);
        r.setEnd(t, s + 'my team gets its evenings back'.length);
        getSelection().removeAllRanges(); getSelection().addRange(r); }"""
    )
    passage.dispatch_event("mouseup")
    page.get_by_label("Kind").select_option(label="Pull quote")
    page.get_by_role("button", name="Save the quote").click()
    assert "Quote captured." in _done(page)

    # The workspace: the transcript is in, so the interview was held; then the draft.
    page.goto(workspace_url)
    _next_step(page).get_by_role("button", name="Mark as held").click()
    assert "marked as held" in _done(page)
    _next_step(page).get_by_role("button", name="Write the first draft").click()
    assert "Version 1 saved" in _done(page)
    for label, text in SECTIONS.items():
        page.get_by_role("textbox", name=label, exact=True).fill(text)
    page.get_by_label("What changed").fill("Written from the interview")
    page.get_by_role("button", name="Save as a new version").click()
    assert "Version 2 saved." in _done(page)

    page.goto(workspace_url)
    assert "Submit for review needs:" in _next_step(page).inner_text()
    _shot(page, "workspace-interviewing")
    assert axe_violations(page) == []

    # Each reviewer finds the draft on their own home page and signs it off.
    reviewer_loads = 0
    for user in reviewers.values():
        other = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
        them = other.new_page()
        counted = Loads(them)
        _login(them, base, user.username)
        if user.username == "priya":
            _shot(them, "needs-me-today")
            assert axe_violations(them) == []
        them.locator("#needs-me").get_by_role("link", name="Review the draft").click()
        them.get_by_label("Approve this version").check()
        them.get_by_role("button", name="Record my decision").click()
        assert "signed off version 2" in _done(them)
        reviewer_loads += counted.n
        other.close()

    # Submit: from interviewing, through drafting, in one step.
    page.reload()
    page.locator("#primary-action").click()
    assert "is now In review" in _done(page)
    history = page.locator("#timeline").inner_text()
    assert "Interviewing → Drafting" in history and "Drafting → In review" in history

    # The customer's approval: started from the Next step, pre-filled.
    page.get_by_role("link", name="Start approval").click()
    page.locator("#content form [type=submit]").first.click()
    _done(page)
    link = next(
        LINK_RE.search(m.body).group(1) for m in reversed(mail.outbox) if LINK_RE.search(m.body)
    )

    customer = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    review = customer.new_page()
    customer_loads = Loads(review)
    review.goto(base + link)
    review.get_by_role("button", name="Email me a code").click()
    review.get_by_text("We sent a code").wait_for()
    code = CODE_RE.search(mail.outbox[-1].body).group(1)
    review.get_by_label("Code from the email").fill(code)
    review.get_by_role("button", name="Confirm code").click()
    review.get_by_text("your email address is confirmed").wait_for()
    review.get_by_label("I checked the facts and figures").check()
    review.get_by_label("Names and job titles are correct").check()
    review.get_by_role("button", name="I approve this version").click()
    review.get_by_role("heading", name="Your decision is recorded").wait_for()
    customer.close()

    # Approved → published, from the Next step.
    page.goto(workspace_url)
    assert "Publish the story" in _next_step(page).inner_text()
    page.locator("#primary-action").click()
    assert "is now Published" in _done(page)
    _shot(page, "workspace-published")
    cs.refresh_from_db()
    assert cs.state == S.PUBLISHED
    assert "Expected publication" not in page.locator("#content-main").inner_text()
    manager_loads = loads.n
    print(
        f"\npage loads: manager {manager_loads} (budget {MANAGER_BUDGET}), "
        f"internal reviewers {reviewer_loads}, customer {customer_loads.n}"
    )
    assert manager_loads <= MANAGER_BUDGET, loads.urls
    context.close()
