"""Decisions and their evidence, the mailbox code, stages and the chain
completing: the issue's "Done when" walked through the services."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from approvals import reminders, services
from approvals.certificate import certificate_html
from approvals.models import (
    ApprovalRequest,
    ApprovalStep,
    Decision,
    ReviewLink,
    StepKind,
)
from approvals.services import ApprovalError
from casestudies import services as cs_services
from casestudies.models import CaseStudyState, ImmutableError, StateChange
from core import outbox
from core.models import AuditEntry, OutboxEmail
from core.tokens import hash_token
from tests import factories
from tests.approvals.conftest import contact, step_of
from tests.conftest import fresh, redeliver_every_email

pytestmark = pytest.mark.django_db

PAT, LEE, ROBIN = "pat@customer.example", "lee@customer.example", "robin@customer.example"


@pytest.fixture
def in_review(in_review_row, db):
    return fresh(in_review_row)


def link(token: str) -> ReviewLink:
    return ReviewLink.objects.select_related("step__request").get(token_hash=hash_token(token))


@pytest.fixture
def send_code(django_capture_on_commit_callbacks):
    def send(token: str) -> str:
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            services.code_send(link=link(token))
        assert len(mail.outbox) == before + 1
        return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)

    return send


def approve(token: str, **kwargs) -> Decision:
    return services.review_decision_record(link=link(token), outcome="approved", **kwargs)


# --------------------------------------------------------------------------
# The mailbox code
# --------------------------------------------------------------------------


class TestAStoryInReview:
    """One story in review with its three customer contacts, made once for the class: each
    test starts its own chain, and its chain, codes and decisions roll back."""

    def test_approving_needs_the_emailed_code_by_default(self, in_review, start_chain, send_code):
        request, tokens = start_chain(in_review)
        with pytest.raises(ApprovalError, match="confirm your email"):
            approve(tokens[PAT])
        code = send_code(tokens[PAT])
        assert mail.outbox[-1].to == [PAT]
        services.code_verify(link=link(tokens[PAT]), code=code)
        decision = approve(tokens[PAT], ip="198.51.100.7", user_agent="Mozilla/5.0 test")
        assert decision.verified_email == PAT
        assert step_of(request, PAT).status == ApprovalStep.Status.APPROVED

    def test_a_wrong_code_is_refused_and_counted(self, in_review, start_chain, send_code):
        _request, tokens = start_chain(in_review)
        code = send_code(tokens[PAT])
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        with pytest.raises(ApprovalError, match="not right"):
            services.code_verify(link=link(tokens[PAT]), code=wrong)
        assert link(tokens[PAT]).code_attempts == 1
        assert link(tokens[PAT]).verified_at is None

    def test_too_many_wrong_codes_lock_the_check_and_a_new_code_does_not_reset_it(
        self, in_review, start_chain, send_code, settings
    ):
        """Five wrong codes an hour per link, whatever new codes are asked for."""
        _request, tokens = start_chain(in_review)
        attempts = settings.STORYLINE["REVIEW_CODE_ATTEMPTS"]
        code = send_code(tokens[PAT])
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(attempts - 1):
            with pytest.raises(ApprovalError, match="not right"):
                services.code_verify(link=link(tokens[PAT]), code=wrong)
        # A fresh code (a minute later) keeps the count: one guess is left.
        ReviewLink.objects.filter(token_hash=hash_token(tokens[PAT])).update(
            code_requested_at=timezone.now() - timedelta(minutes=2)
        )
        code = send_code(tokens[PAT])
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        with pytest.raises(ApprovalError, match="Too many wrong codes"):
            services.code_verify(link=link(tokens[PAT]), code=wrong)
        assert link(tokens[PAT]).code_attempts == attempts
        with pytest.raises(ApprovalError, match="Too many wrong codes"):
            services.code_verify(link=link(tokens[PAT]), code=code)  # even the right one
        with pytest.raises(ApprovalError, match="Too many wrong codes"):
            services.code_send(link=link(tokens[PAT]))  # and no new code until the lock ends
        assert link(tokens[PAT]).verified_at is None
        assert AuditEntry.objects.filter(action="approvals.code.locked").count() == 1
        # After the lock a new code works, and the count starts again.
        ReviewLink.objects.filter(token_hash=hash_token(tokens[PAT])).update(
            code_locked_until=timezone.now() - timedelta(seconds=1),
            code_requested_at=timezone.now() - timedelta(minutes=2),
        )
        services.code_verify(link=link(tokens[PAT]), code=send_code(tokens[PAT]))
        assert link(tokens[PAT]).verified_at is not None
        assert link(tokens[PAT]).code_attempts == 0

    def test_an_expired_code_is_refused(self, in_review, start_chain, send_code):
        _request, tokens = start_chain(in_review)
        code = send_code(tokens[PAT])
        ReviewLink.objects.filter(token_hash=hash_token(tokens[PAT])).update(
            code_sent_at=timezone.now() - timedelta(minutes=16)
        )
        with pytest.raises(ApprovalError, match="expired"):
            services.code_verify(link=link(tokens[PAT]), code=code)

    def test_codes_are_not_resent_within_a_minute(self, in_review, start_chain, send_code):
        _request, tokens = start_chain(in_review)
        send_code(tokens[PAT])
        with pytest.raises(ApprovalError, match="less than a minute"):
            services.code_send(link=link(tokens[PAT]))

    def test_a_redelivered_email_sends_nothing_twice(self, in_review, start_chain, send_code):
        _request, tokens = start_chain(in_review)
        send_code(tokens[PAT])
        before = len(mail.outbox)
        for row in OutboxEmail.objects.all():
            assert row.status == OutboxEmail.Status.SENT
            assert outbox.deliver(row.pk) is False
        assert len(mail.outbox) == before

    def test_a_newer_code_request_makes_the_older_email_unneeded(self, in_review, start_chain):
        """Two requests before the worker ran: only the latest code is emailed,
        and the earlier code never worked."""
        _request, tokens = start_chain(in_review)
        lk = link(tokens[PAT])
        services.code_send(link=lk)  # not delivered: the test's transaction never commits
        first = OutboxEmail.objects.get(kind="approvals.review_code")
        ReviewLink.objects.filter(pk=lk.pk).update(
            code_requested_at=timezone.now() - timedelta(minutes=2)
        )
        services.code_send(link=link(tokens[PAT]))
        before = len(mail.outbox)
        assert outbox.deliver(first.pk) is False
        first.refresh_from_db()
        assert first.status == OutboxEmail.Status.SKIPPED and len(mail.outbox) == before
        second = OutboxEmail.objects.get(kind="approvals.review_code", pk__gt=first.pk)
        assert outbox.deliver(second.pk) is True
        code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        services.code_verify(link=link(tokens[PAT]), code=code)
        assert link(tokens[PAT]).verified_at is not None

    def test_a_decision_records_who_what_when_where_and_what_was_seen(
        self, in_review, start_chain, send_code
    ):
        request, tokens = start_chain(in_review)
        quote = in_review.quotes.first()
        lk = link(tokens[PAT])
        services.quote_verdict_set(
            link=lk, quote_id=quote.pk, verdict="refused", comment="Too bold"
        )
        services.confidential_flag_add(
            link=lk, phrase="15 days", section="results", show_as_percentage=True
        )
        services.usage_rights_confirm(
            link=lk,
            channels={"web": True, "pdf": True, "sales_decks": False},
            logo_allowed=False,
            anonymised=False,
            percentage_only=True,
            rights_expire_on=timezone.localdate() + timedelta(days=365),
        )
        services.code_verify(link=lk, code=send_code(tokens[PAT]))
        decision = approve(
            tokens[PAT],
            ip="198.51.100.7",
            user_agent="Mozilla/5.0 test",
            checklist={"facts_checked": True, "attribution_checked": True},
        )
        version = request.version
        assert decision.reviewer_name == "Pat Participant" and decision.reviewer_email == PAT
        assert decision.verified_email == PAT
        assert decision.ip_address == "198.51.100.7" and decision.user_agent == "Mozilla/5.0 test"
        assert decision.version == version and decision.content_hash == version.content_hash
        assert decision.decided_at.utcoffset() == timedelta(0)
        assert decision.seen["content_hash"] == version.content_hash
        assert decision.seen["sections"]["summary"] == services.text_hash(version.summary)
        assert [q["id"] for q in decision.seen["quotes"]] == [quote.pk]
        assert decision.seen["rights"]["sales_decks"] is False
        assert decision.decided["quote_verdicts"] == {str(quote.pk): "refused"}
        assert decision.decided["flags"][0]["phrase"] == "15 days"
        assert decision.decided["flags"][0]["show_as_percentage"] is True
        assert decision.decided["rights"]["percentage_only"] is True
        assert decision.decided["checklist"]["facts_checked"] is True
        assert AuditEntry.objects.filter(action="approvals.step.approved").count() == 1

    def test_usage_rights_go_to_the_case_study(self, in_review, start_chain):
        _request, tokens = start_chain(in_review)
        services.usage_rights_confirm(
            link=link(tokens[LEE]),
            channels={"web": True, "pdf": False, "sales_decks": True, "paid": True},
            logo_allowed=False,
            anonymised=True,
            percentage_only=True,
            rights_expire_on=None,
        )
        in_review.refresh_from_db()
        assert in_review.channel_web and not in_review.channel_pdf and in_review.channel_paid
        assert not in_review.channel_social and not in_review.channel_events
        assert in_review.anonymised and in_review.percentage_only and not in_review.logo_allowed
        assert in_review.rights_confirmed_at is not None
        assert "Lee Legal" in in_review.rights_confirmed_by
        assert AuditEntry.objects.filter(
            action="casestudies.case_study.usage_rights_changed", object_id=str(in_review.pk)
        ).exists()

    def test_decisions_are_never_rewritten(self, in_review, start_chain):
        _request, tokens = start_chain(in_review, verify_email_for_approve=False)
        decision = approve(tokens[PAT])
        decision.message = "changed"
        with pytest.raises(ImmutableError):
            decision.save()
        with pytest.raises(ImmutableError):
            decision.delete()

    def test_requesting_changes_needs_a_message(self, in_review, start_chain):
        _request, tokens = start_chain(in_review)
        with pytest.raises(ApprovalError, match="message is required"):
            services.review_decision_record(link=link(tokens[PAT]), outcome="changes_requested")

    def test_later_stages_wait_for_every_required_step_and_optional_ones_never_block(
        self, in_review, start_chain
    ):
        request, tokens = start_chain(
            in_review,
            steps=[
                (StepKind.PARTICIPANT, PAT, 1, True),
                (StepKind.CUSTOMER_PR, ROBIN, 1, False),
                (StepKind.CUSTOMER_LEGAL, LEE, 2, True),
            ],
            verify_email_for_approve=False,
        )
        assert set(tokens) == {PAT, ROBIN}  # legal waits
        assert step_of(request, LEE).status == ApprovalStep.Status.WAITING
        before = len(mail.outbox)
        approve(tokens[PAT])
        # Stage 2 is asked without waiting for the optional PR step; its link is
        # emailed after commit (the test runs in one transaction: run it by hand).
        assert step_of(request, LEE).status == ApprovalStep.Status.PENDING
        assert ReviewLink.objects.filter(step__reviewer_email=LEE).count() == 1
        assert len(mail.outbox) == before

    def test_the_done_when_walkthrough(
        self, in_review, start_chain, alice, send_code, django_capture_on_commit_callbacks
    ):
        """A manager starts a chain; three customer reviewers decide (one asks for
        a change); the new version is approved by all; the case study is approved once."""
        request, tokens = start_chain(in_review)
        # Nobody answered for three days: each reviewer is reminded once, however
        # often the sweep runs.
        day_3 = timezone.now() + timedelta(days=3, minutes=1)
        mail.outbox = []
        first_sweep = reminders.reminders_sweep(now=day_3)
        assert reminders.reminders_sweep(now=day_3).sent == 0
        reminded = sorted(m.to[0] for m in mail.outbox)
        assert first_sweep.sent == len(reminded) == len(set(reminded)) == 3
        services.code_verify(link=link(tokens[PAT]), code=send_code(tokens[PAT]))
        approve(tokens[PAT])
        services.review_comment_add(
            link=link(tokens[LEE]),
            section="results",
            suggested_text="Close fell from 15 to 5 days.",
        )
        services.review_decision_record(
            link=link(tokens[LEE]),
            outcome="changes_requested",
            message="Use our wording in results.",
        )
        request.refresh_from_db()
        in_review.refresh_from_db()
        assert request.status == ApprovalRequest.Status.CHANGES_REQUESTED
        assert in_review.state == CaseStudyState.DRAFTING
        assert step_of(request, ROBIN).status == ApprovalStep.Status.SKIPPED
        change = StateChange.objects.filter(case_study=in_review).latest("created_at")
        assert "Use our wording" in change.reason

        version = cs_services.story_version_create(
            case_study=in_review,
            actor=alice,
            title=in_review.title,
            sections=factories.sections(210),
        )
        factories.sign_off_internal_review(version, actor=alice)
        cs_services.case_study_submit_for_review(case_study=in_review, actor=alice)
        second, tokens = start_chain(in_review)
        assert second.previous == request and second.version == version
        for email in (PAT, LEE, ROBIN):
            with django_capture_on_commit_callbacks(execute=True):
                services.code_verify(link=link(tokens[email]), code=send_code(tokens[email]))
                approve(tokens[email])
        second.refresh_from_db()
        in_review.refresh_from_db()
        assert second.status == ApprovalRequest.Status.APPROVED
        assert in_review.state == CaseStudyState.APPROVED
        assert in_review.approved_version == version
        assert StateChange.objects.filter(case_study=in_review, to_state="approved").count() == 1
        assert Decision.objects.filter(request__case_study=in_review).count() == 5
        # The certificate lists every decision, of both versions.
        certificate = certificate_html(second)
        assert certificate.count(version.content_hash) >= 1
        assert "Use our wording in results." in certificate
        for step in ApprovalStep.objects.filter(
            request__in=[request, second], decision__isnull=False
        ):
            assert step.reviewer_name in certificate

    def test_an_optional_reviewer_asking_for_changes_does_not_stop_the_chain(
        self, in_review, start_chain
    ):
        request, tokens = start_chain(
            in_review,
            steps=[(StepKind.PARTICIPANT, PAT, 1, True), (StepKind.CUSTOMER_PR, ROBIN, 1, False)],
            verify_email_for_approve=False,
        )
        services.review_decision_record(
            link=link(tokens[ROBIN]), outcome="changes_requested", message="Minor nit."
        )
        request.refresh_from_db()
        assert request.status == ApprovalRequest.Status.OPEN
        approve(tokens[PAT])
        request.refresh_from_db()
        in_review.refresh_from_db()
        assert request.status == ApprovalRequest.Status.APPROVED
        assert in_review.state == CaseStudyState.APPROVED

    def test_internal_steps_are_decided_in_the_admin_by_their_user(self, in_review, alice, bob):
        request = services.approval_request_start(
            case_study=in_review,
            steps=[
                services.StepSpec(kind=StepKind.PARTICIPANT, contact=contact(in_review, PAT)),
                services.StepSpec(kind=StepKind.INTERNAL_LEGAL, user=alice, stage=2),
            ],
            actor=alice,
            verify_email_for_approve=False,
        )
        pat_link = ReviewLink.objects.get(step__reviewer_email=PAT)
        services.review_decision_record(link=pat_link, outcome="approved")
        step = request.steps.get(user=alice)
        with pytest.raises(ApprovalError, match="Only"):
            services.internal_step_decide(step=step, actor=bob, outcome="approved")
        decision = services.internal_step_decide(step=step, actor=alice, outcome="approved")
        assert decision.verified_email == alice.email
        in_review.refresh_from_db()
        assert in_review.state == CaseStudyState.APPROVED

    def test_a_second_start_for_the_same_version_is_refused(self, in_review, start_chain, alice):
        start_chain(in_review)
        with pytest.raises(ApprovalError, match="already in progress"):
            services.approval_request_start(
                case_study=in_review,
                steps=[services.StepSpec(kind="participant", contact=contact(in_review, PAT))],
                actor=alice,
            )

    def test_reviewers_must_be_the_customers_contacts(self, in_review, alice):
        stranger = factories.ContactFactory()
        with pytest.raises(ApprovalError, match="is not a contact"):
            services.approval_request_start(
                case_study=in_review,
                steps=[services.StepSpec(kind="participant", contact=stranger)],
                actor=alice,
            )
        with pytest.raises(ApprovalError, match="must be required"):
            services.approval_request_start(
                case_study=in_review,
                steps=[
                    services.StepSpec(
                        kind="participant", contact=contact(in_review, PAT), required=False
                    )
                ],
                actor=alice,
            )

    def test_a_decision_on_a_stale_version_is_refused(self, in_review, start_chain, alice):
        _request, tokens = start_chain(in_review, verify_email_for_approve=False)
        cs_services.case_study_request_changes(case_study=in_review, actor=alice, reason="Typo.")
        cs_services.story_version_create(
            case_study=in_review, actor=alice, title="Newer", sections=factories.sections(205)
        )
        with pytest.raises(ApprovalError, match="newer version"):
            approve(tokens[PAT])
        assert not Decision.objects.exists()

    def test_a_chain_completes_even_if_staff_recorded_the_approval_by_hand(
        self, in_review, start_chain, alice
    ):
        request, tokens = start_chain(in_review, verify_email_for_approve=False)
        cs_services.case_study_approve(case_study=in_review, version=request.version, actor=alice)
        for email in (PAT, LEE, ROBIN):
            approve(tokens[email])
        request.refresh_from_db()
        assert request.status == ApprovalRequest.Status.APPROVED
        assert StateChange.objects.filter(case_study=in_review, to_state="approved").count() == 1

    def test_an_approval_dates_the_chain_captured_at_recruitment(
        self, in_review, start_chain, send_code
    ):
        from approvals.models import ApprovalChainContact

        member = ApprovalChainContact.objects.create(
            case_study=in_review, role="participant", contact=contact(in_review, PAT)
        )
        _request, tokens = start_chain(in_review)
        services.code_verify(link=link(tokens[PAT]), code=send_code(tokens[PAT]))
        approve(tokens[PAT])
        member.refresh_from_db()
        assert member.completed_on == timezone.localdate()

    def test_the_reviewer_gets_a_receipt_with_the_fingerprint_and_replies_reach_the_owner(
        self, in_review, start_chain, send_code, alice
    ):
        from tests.conftest import deliver_outbox

        alice.email = "alice@storyline.example"
        alice.save()
        request, tokens = start_chain(in_review, verify_email_for_approve=False)
        quote = in_review.quotes.first()
        services.quote_verdict_set(link=link(tokens[PAT]), quote_id=quote.pk, verdict="approved")
        approve(tokens[PAT])
        before = len(mail.outbox)
        assert deliver_outbox() == 1
        (receipt,) = mail.outbox[before:]
        assert receipt.to == [PAT] and receipt.reply_to == ["alice@storyline.example"]
        assert receipt.subject.startswith("Your approval is recorded")
        assert request.version.content_hash in receipt.body
        assert f"version {request.version.number}" in receipt.body
        assert quote.text[:40] in receipt.body and "approved" in receipt.body
        assert not any(redeliver_every_email()[-1:])


# --------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Stages and the chain
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Starting
# --------------------------------------------------------------------------


def test_only_a_story_in_review_can_start(story_at, alice):
    cs = story_at("drafting")
    with pytest.raises(ApprovalError, match="only a story in review"):
        services.approval_request_start(
            case_study=cs,
            steps=[services.StepSpec(kind="participant", contact=cs.customer.contacts.first())],
            actor=alice,
        )
