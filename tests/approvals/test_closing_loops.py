"""Approval closes every loop (issue 15): confidential flags are applied or
dismissed before a request completes, a stale request is restarted with the
same reviewers (never re-sent), an approval outside Storyline is deliberate,
and the request page says what happens next."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals import services
from approvals.models import (
    ApprovalRequest,
    ConfidentialFlag,
    OutsideApproval,
    PermissionEvidence,
    ReminderLog,
    ReviewLink,
    StepKind,
    confirmation_upload_to,
)
from casestudies import services as cs_services
from casestudies.models import CaseStudyState, Contact
from tests import factories
from tests.approvals.conftest import contact

pytestmark = pytest.mark.django_db

PAT, LEE, ROBIN = "pat@customer.example", "lee@customer.example", "robin@customer.example"
SECRET = "$2.4 million"


@pytest.fixture
def story(in_review, alice):
    old = services.latest_version(in_review)
    cs_services.story_version_create(
        case_study=in_review,
        actor=alice,
        title=old.title,
        sections={**old.sections(), "results": f"Close fell to 5 days, saving {SECRET} a year."},
    )
    return in_review


def link_of(email):
    return ReviewLink.objects.get(step__reviewer_email=email, revoked_at__isnull=True)


def request_url(request, suffix=""):
    if not suffix:
        return reverse("admin:approvals_approvalrequest_change", args=[request.pk])
    return reverse("admin:approvals_approvalrequest_changelist") + f"{request.pk}/{suffix}"


def test_an_open_flag_keeps_an_approved_chain_open_until_it_is_dismissed(
    client, story, start_chain, alice
):
    request, _tokens = start_chain(story, verify_email_for_approve=False)
    flag = services.confidential_flag_add(link=link_of(PAT), phrase=SECRET)
    for email in (PAT, LEE, ROBIN):
        services.review_decision_record(link=link_of(email), outcome="approved")
    request.refresh_from_db()
    assert request.status == ApprovalRequest.Status.OPEN
    client.force_login(alice)
    body = client.get(request_url(request)).content.decode()
    assert "Resolve 1 confidential flag below" in body
    assert f"flag/{flag.pk}/apply/" in body and f"flag/{flag.pk}/dismiss/" in body

    # A dismissal needs a reason (the reviewer reads it).
    response = client.post(request_url(request, f"flag/{flag.pk}/dismiss/"), follow=True)
    assert "Say why the flag is dismissed" in response.content.decode()
    client.post(
        request_url(request, f"flag/{flag.pk}/dismiss/"),
        {"reason": "The figure is in the customer's annual report."},
    )
    flag.refresh_from_db()
    request.refresh_from_db()
    story.refresh_from_db()
    assert flag.status == ConfidentialFlag.Status.DISMISSED
    assert flag.resolved_by_name and flag.resolved_at
    assert request.status == ApprovalRequest.Status.APPROVED
    assert story.state == CaseStudyState.APPROVED
    # A flag is resolved once.
    with pytest.raises(services.ApprovalError, match="already dismissed"):
        services.confidential_flag_apply(flag=flag, actor=alice)


def test_an_applied_phrase_goes_into_the_next_version_and_the_reviewer_sees_what_was_done(
    client, story, start_chain, alice
):
    request, _tokens = start_chain(story, verify_email_for_approve=False)
    flag = services.confidential_flag_add(link=link_of(PAT), phrase=SECRET, show_as_percentage=True)
    services.review_decision_record(
        link=link_of(PAT), outcome="changes_requested", message="No absolute savings."
    )
    services.confidential_flag_apply(flag=flag, actor=alice, replacement="40%")
    flag.refresh_from_db()
    assert flag.status == ConfidentialFlag.Status.APPLIED
    assert "40%" in flag.resolution_note
    version = services.approval_request_next_version(request=request, actor=alice)
    assert SECRET not in version.results and "saving 40% a year" in version.results

    # Version 3 goes to the customer; Pat sees what was done with the flag.
    factories.sign_off_internal_review(version, actor=alice)
    cs_services.case_study_submit_for_review(case_study=story, actor=alice)
    _second, tokens = start_chain(story)
    body = client.get(f"/review/{tokens[PAT]}/").content.decode()
    assert "What we did about your earlier flags" in body
    assert "replaced by “40%” in the next version" in body


def test_a_figure_flag_applied_shows_the_figure_as_a_percentage(story, start_chain, alice):
    request, _tokens = start_chain(story, verify_email_for_approve=False)
    metric = story.metrics.first()
    flag = services.confidential_flag_add(
        link=link_of(PAT), metric_id=metric.pk, show_as_percentage=True
    )
    services.confidential_flag_apply(flag=flag, actor=alice)
    metric.refresh_from_db()
    assert metric.percentage_only
    for email in (PAT, LEE, ROBIN):
        services.review_decision_record(link=link_of(email), outcome="approved")
    request.refresh_from_db()
    assert request.status == ApprovalRequest.Status.APPROVED


def test_a_phrase_not_in_the_story_cannot_be_applied(story, start_chain, alice):
    _request, _tokens = start_chain(story)
    flag = services.confidential_flag_add(link=link_of(PAT), phrase="our Jakarta office")
    with pytest.raises(services.ApprovalError, match="is not in version"):
        services.confidential_flag_apply(flag=flag, actor=alice)


def test_a_stale_request_offers_the_restart_with_the_same_reviewers_and_refuses_a_resend(
    client, story, start_chain, alice
):
    sponsor = factories.ContactFactory(
        customer=story.customer,
        name="Sam Sponsor",
        email="sam@customer.example",
        role=Contact.Role.EXECUTIVE_SPONSOR,
    )
    request, _tokens = start_chain(
        story,
        steps=[
            (StepKind.PARTICIPANT, PAT, 1, True),
            (StepKind.CUSTOMER_LEGAL, LEE, 2, False),
        ],
    )
    old = services.latest_version(story)
    newer = cs_services.story_version_create(
        case_study=story, actor=alice, title=old.title, sections={**old.sections(), "results": "x"}
    )
    client.force_login(alice)
    body = client.get(request_url(request)).content.decode()
    assert f"Start the request for version {newer.number}" in body
    assert "Re-send a new link" not in body
    step = request.steps.get(reviewer_email=PAT)
    with pytest.raises(services.ApprovalError, match="Start the request for version"):
        services.review_link_resend(step=step, actor=alice)
    response = client.post(request_url(request, f"step/{step.pk}/send/"), follow=True)
    assert "Start the request for version" in response.content.decode()

    # The start page ticks the same people, with their roles and stages.
    start = reverse("admin:approvals_approvalrequest_start")
    body = client.get(f"{start}?case_study={story.pk}&from={request.pk}").content.decode()

    def ticked(c):
        return re.search(rf'name="c{c.pk}-include"[^>]*checked', body) is not None

    pat, lee, robin = (contact(story, e) for e in (PAT, LEE, ROBIN))
    assert ticked(pat) and ticked(lee)
    assert not ticked(robin) and not ticked(sponsor)
    assert re.search(rf'name="c{lee.pk}-stage" value="2"', body)
    assert not re.search(rf'name="c{lee.pk}-required"[^>]*checked', body)


def test_a_first_request_does_not_tick_the_executive_sponsor(client, story, alice):
    sponsor = factories.ContactFactory(
        customer=story.customer,
        name="Sam Sponsor",
        email="sam@customer.example",
        role=Contact.Role.EXECUTIVE_SPONSOR,
    )
    client.force_login(alice)
    start = reverse("admin:approvals_approvalrequest_start")
    body = client.get(f"{start}?case_study={story.pk}").content.decode()
    assert not re.search(rf'name="c{sponsor.pk}-include"[^>]*checked', body)
    assert re.search(rf'name="c{contact(story, PAT).pk}-include"[^>]*checked', body)


def test_the_request_page_shows_reminders_sent_and_the_next_one(client, story, start_chain, alice):
    request, _tokens = start_chain(story)
    step = request.steps.get(reviewer_email=PAT)
    ReminderLog.objects.create(step=step, kind="reminder", sequence=1, sent_at=step.activated_at)
    client.force_login(alice)
    body = client.get(request_url(request)).content.decode()
    assert "reminder 1: sent" in body
    assert "next: reminder 2 on" in body
    assert "Waiting for Pat Participant" in body


EML = (
    b"From: Mei Tan <mei@customer.example>\r\nTo: pm@example.com\r\n"
    b"Date: Tue, 1 Dec 2026 10:00:00 +0000\r\nSubject: Re: case study\r\n\r\n"
    b"<html><body>We approve version 2 as it is.</body></html>\r\n"
)


def outside_url(cs):
    return reverse("approvals_staff:outside", args=[cs.pk])


def test_an_outside_approval_needs_a_reason_and_the_written_confirmation(
    client, story, start_chain, alice
):
    request, _tokens = start_chain(story)
    story.quotes.update(permission="asked")
    client.force_login(alice)
    # It sits behind the approval pages, not on the story page.
    assert outside_url(story) in client.get(request_url(request)).content.decode()
    story_page = reverse("admin:casestudies_casestudy_change", args=[story.pk])
    assert "transition/approve/" not in client.get(story_page).content.decode()

    cases = [
        ({"approved_by": "Mei Tan", "confirm": "on"}, None, "Say why"),
        ({"reason": "Signed by email", "approved_by": "Mei Tan", "confirm": "on"}, None, "Attach"),
        ({"reason": "x", "approved_by": "Mei Tan"}, ("a.eml", EML), "Tick the box"),
        ({"reason": "x", "approved_by": "M", "confirm": "on"}, ("a.txt", b"hi"), "neither"),
        ({"reason": "x", "approved_by": "M", "confirm": "on"}, ("a.pdf", b"<html>"), "not a PDF"),
        ({"reason": "x", "approved_by": "M", "confirm": "on"}, ("a.eml", b"hello"), "not an email"),
        (
            {"reason": "x", "approved_by": "M", "confirm": "on"},
            ("a.pdf", b"%PDF-1.4 <script>alert(1)</script>"),
            "refused",
        ),
    ]
    for data, upload, message in cases:
        if upload:
            data = {**data, "confirmation": SimpleUploadedFile(upload[0], upload[1])}
        response = client.post(outside_url(story), data)
        assert response.status_code == 400
        assert message in response.content.decode(), message
    assert not OutsideApproval.objects.exists()

    response = client.post(
        outside_url(story),
        {
            "reason": "Her legal team only signs by email.",
            "approved_by": "Mei Tan",
            "confirm": "on",
            "confirmation": SimpleUploadedFile("approval.eml", EML),
        },
    )
    assert response.status_code == 302
    record = OutsideApproval.objects.get()
    story.refresh_from_db()
    request.refresh_from_db()
    assert story.state == CaseStudyState.APPROVED
    assert story.approved_version == record.version
    assert request.status == ApprovalRequest.Status.CANCELLED
    assert not ReviewLink.objects.filter(step__request=request, revoked_at__isnull=True).exists()
    assert record.confirmation.storage.__class__.__name__.startswith("Private")
    download = client.get(reverse("approvals_staff:outside_file", args=[record.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"We approve version 2" in b"".join(download.streaming_content)
    assert "Approved outside Storyline by Mei Tan" in story.history.latest("pk").reason
    # The confirmation covers the version: its quotes are approved, with it as evidence.
    quote = story.quotes.get()
    assert quote.permission == "approved"
    assert PermissionEvidence.objects.get(quote=quote).outside == record


def test_a_refused_outside_approval_leaves_no_file_behind(story_at, alice):
    drafting = story_at("drafting")
    storage = OutsideApproval._meta.get_field("confirmation").storage
    name = "refused-outside-approval.eml"
    with pytest.raises(services.ApprovalError, match="only a story in review"):
        services.outside_approval_record(
            case_study=drafting,
            actor=alice,
            reason="By email",
            approved_by="Mei Tan",
            confirmation=SimpleUploadedFile(name, EML),
        )
    assert not OutsideApproval.objects.exists()
    assert not storage.exists(confirmation_upload_to(None, name))


def test_the_outside_page_is_for_program_managers_only(client, story, charlie):
    client.force_login(charlie)
    response = client.get(outside_url(story))
    assert response.status_code in (302, 403)
    assert client.get(reverse("approvals_staff:outside", args=["x1"])).status_code in (
        302,
        403,
        404,
    )


def test_the_evidence_is_browsable_read_only_and_hidden_from_sales(client, alice, bob, story):
    for name in ("permissionevidence", "outsideapproval"):
        url = reverse(f"admin:approvals_{name}_changelist")
        client.force_login(alice)
        assert client.get(url).status_code == 200
        assert client.get(reverse(f"admin:approvals_{name}_add")).status_code == 403
    client.force_login(bob)
    assert client.get(reverse("admin:approvals_outsideapproval_changelist")).status_code == 403
