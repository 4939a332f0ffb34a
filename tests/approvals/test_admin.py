"""The staff side: start a chain from the admin, see everything reviewers
said, send / revoke / extend links, decide an internal step, permissions."""

import pytest
from django.core import mail
from django.urls import reverse

from approvals import services
from approvals.models import ApprovalRequest, ReviewComment, ReviewLink, StepKind
from tests.approvals.conftest import contact

pytestmark = pytest.mark.django_db

PAT, LEE, ROBIN = "pat@customer.example", "lee@customer.example", "robin@customer.example"


def start_url(cs=None) -> str:
    url = reverse("admin:approvals_approvalrequest_start")
    return f"{url}?case_study={cs.pk}" if cs else url


def test_the_start_page_lists_stories_in_review_and_prefills_the_contacts(client, alice, in_review):
    client.force_login(alice)
    assert in_review.title in client.get(start_url()).content.decode()
    body = client.get(start_url(in_review)).content.decode()
    assert "Pat Participant" in body and "Lee Legal" in body and "Robin PR" in body
    # Legal's default role and stage come from the contact's role.
    lee = contact(in_review, LEE)
    assert f'name="c{lee.pk}-kind"' in body


def test_a_manager_starts_a_chain_and_the_first_stage_gets_links(
    client, alice, in_review, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    data = {
        "version": in_review.versions.get().pk,
        "message": "Please review by Friday.",
        "verify_email_for_approve": "on",
        "link_lifetime_days": "21",
    }
    for c in in_review.customer.contacts.all():
        include = c.email in (PAT, LEE)
        kind = StepKind.CUSTOMER_LEGAL if c.email == LEE else StepKind.PARTICIPANT
        stage = "2" if c.email == LEE else "1"
        data.update(
            {
                f"c{c.pk}-kind": kind,
                f"c{c.pk}-stage": stage,
                f"c{c.pk}-required": "on",
                **({f"c{c.pk}-include": "on"} if include else {}),
            }
        )
    for i in range(2):
        data.update({f"u{i}-kind": "internal_legal", f"u{i}-stage": "1", f"u{i}-user": ""})
    data.update({"u0-user": alice.pk, "u0-stage": "3", "u0-required": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start_url(in_review), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    request = ApprovalRequest.objects.get()
    assert request.message == "Please review by Friday." and request.link_lifetime_days == 21
    assert [(s.reviewer_email, s.stage, s.status) for s in request.steps.order_by("stage")] == [
        (PAT, 1, "pending"),
        (LEE, 2, "waiting"),
        (alice.email, 3, "waiting"),
    ]
    assert [m.to for m in mail.outbox] == [[PAT]]
    assert "Please review by Friday." in mail.outbox[0].body


def test_bad_input_on_the_start_page_is_explained(client, alice, in_review, story_at):
    client.force_login(alice)
    response = client.get(start_url() + "?case_study=abc", follow=True)
    assert "Choose a case study from the list." in response.content.decode()
    drafting = story_at("drafting")
    response = client.post(
        start_url(drafting),
        {
            "version": drafting.versions.first().pk if drafting.versions.exists() else "",
            "link_lifetime_days": "30",
        },
    )
    assert response.status_code == 200
    assert not ApprovalRequest.objects.exists()


def test_the_request_page_shows_everything_the_reviewers_said(
    client, alice, in_review, start_chain
):
    request, _tokens = start_chain(in_review, verify_email_for_approve=False)
    pat = ReviewLink.objects.get(step__reviewer_email=PAT)
    services.review_comment_add(
        link=pat, section="results", body="Say 5 days", suggested_text="New"
    )
    services.quote_verdict_set(
        link=pat, quote_id=in_review.quotes.first().pk, verdict="refused", comment="Too bold"
    )
    services.confidential_flag_add(link=pat, phrase="EUR 2.1 million", show_as_percentage=True)
    services.review_decision_record(link=pat, outcome="approved", ip="198.51.100.1")
    client.force_login(alice)
    url = reverse("admin:approvals_approvalrequest_change", args=[request.pk])
    body = client.get(url).content.decode()
    for text in ("Say 5 days", "Too bold", "EUR 2.1 million", "198.51.100.1", request.content_hash):
        assert text in body
    assert "Re-send a new link" in body and "Revoke" in body
    assert ReviewComment.objects.count() == 1


def test_staff_resend_revoke_and_extend_links(
    client, alice, in_review, start_chain, django_capture_on_commit_callbacks
):
    request, _tokens = start_chain(in_review)
    client.force_login(alice)
    step = request.steps.get(reviewer_email=PAT)
    old = ReviewLink.objects.get(step=step)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:approvals_approvalrequest_send", args=[request.pk, step.pk]))
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = ReviewLink.objects.get(step=step, revoked_at__isnull=True)
    before = new.expires_at
    client.post(
        reverse("admin:approvals_approvalrequest_extend", args=[request.pk, new.pk]), {"days": "7"}
    )
    new.refresh_from_db()
    assert (new.expires_at - before).days == 7
    response = client.post(
        reverse("admin:approvals_approvalrequest_extend", args=[request.pk, new.pk]),
        {"days": "lots"},
        follow=True,
    )
    assert "Extend by a number of days" in response.content.decode()
    client.post(reverse("admin:approvals_approvalrequest_revoke", args=[request.pk, new.pk]))
    new.refresh_from_db()
    assert new.revoked_at is not None


def test_sales_and_outsiders_cannot_act(client, bob, charlie, in_review, start_chain):
    request, _tokens = start_chain(in_review)
    step = request.steps.get(reviewer_email=PAT)
    client.force_login(bob)
    assert client.get(start_url()).status_code == 403
    send = reverse("admin:approvals_approvalrequest_send", args=[request.pk, step.pk])
    assert client.post(send).status_code == 403
    client.force_login(charlie)
    url = reverse("admin:approvals_approvalrequest_change", args=[request.pk])
    assert client.get(url).status_code in (302, 403)


def test_the_list_runs_a_constant_number_of_queries(
    client, alice, in_review, start_chain, django_assert_max_num_queries
):
    start_chain(in_review)
    client.force_login(alice)
    url = reverse("admin:approvals_approvalrequest_changelist")
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    # The case study page links here, filtered to its requests.
    response = client.get(f"{url}?case_study__id__exact={in_review.pk}")
    assert response.status_code == 200 and in_review.title in response.content.decode()


def test_an_internal_reviewer_decides_on_the_request_page(client, alice, in_review):
    request = services.approval_request_start(
        case_study=in_review,
        steps=[
            services.StepSpec(kind=StepKind.PARTICIPANT, contact=contact(in_review, PAT)),
            services.StepSpec(kind=StepKind.INTERNAL_MARKETING, user=alice),
        ],
        actor=alice,
    )
    client.force_login(alice)
    step = request.steps.get(user=alice)
    url = reverse("admin:approvals_approvalrequest_change", args=[request.pk])
    assert "Request changes" in client.get(url).content.decode()
    client.post(
        reverse("admin:approvals_approvalrequest_decide", args=[request.pk, step.pk]),
        {"outcome": "approved"},
    )
    step.refresh_from_db()
    assert step.status == "approved"
    assert step.decision.verified_email == alice.email


def test_sales_see_a_request_but_not_the_evidence(client, alice, bob, in_review, start_chain):
    """Decisions record reviewers' addresses and browsers: program managers
    read them, Sales only learn that the evidence exists."""
    from approvals.models import Decision
    from core.tokens import hash_token

    request, tokens = start_chain(in_review)
    step = request.steps.get(reviewer_email=PAT)
    link = ReviewLink.objects.get(token_hash=hash_token(tokens[PAT]))
    services.review_decision_record(
        link=link, outcome="changes_requested", message="Reword", ip="203.0.113.24"
    )
    assert Decision.objects.filter(step=step).exists()
    url = reverse("admin:approvals_approvalrequest_change", args=[request.pk])
    client.force_login(alice)
    assert "203.0.113.24" in client.get(url).content.decode()
    client.force_login(bob)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "203.0.113.24" not in body
    assert "program managers only" in body


def test_the_chain_captured_at_recruitment_prefills_the_start_page(client, alice, in_review):
    """Recruitment recorded that Robin (a PR contact) signs off as executive
    sponsor and needs 20 days: the start page proposes exactly that."""
    from datetime import timedelta

    from django.utils import timezone

    from approvals.models import ApprovalChainContact

    robin = contact(in_review, ROBIN)
    ApprovalChainContact.objects.create(
        case_study=in_review, role="executive_sponsor", contact=robin, expected_review_days=20
    )
    client.force_login(alice)
    response = client.get(start_url(in_review))
    rows = {c.pk: row for c, row in response.context["contact_rows"]}
    assert rows[robin.pk].initial["kind"] == "executive_sponsor"
    assert rows[robin.pk].initial["stage"] == 3
    assert rows[robin.pk].initial["due_on"] == timezone.localdate() + timedelta(days=20)
    lee = contact(in_review, LEE)  # not in the captured chain: from the contact's role
    assert rows[lee.pk].initial["kind"] == "customer_legal"
