"""Approval rows made directly with the ORM (the chain's services live in
another branch): a request for a story's latest version, its steps, their
decisions and review comments."""

from datetime import timedelta

from django.utils import timezone

from approvals.models import (
    ApprovalRequest,
    ApprovalStep,
    Decision,
    QuoteReview,
    ReviewComment,
    ReviewLink,
    StepKind,
)
from core.tokens import new_token
from tests import factories


def approval_request(case_study, *, actor=None, version=None, status="open", previous=None):
    version = version or case_study.versions.order_by("-number").first()
    return ApprovalRequest.objects.create(
        case_study=case_study,
        version=version,
        content_hash=version.content_hash,
        status=status,
        previous=previous,
        created_by=actor,
        created_by_name=getattr(actor, "first_name", "") or "",
    )


def customer_step(request, *, kind=StepKind.PARTICIPANT, contact=None, days_ago=0, **fields):
    """A pending customer step asked ``days_ago`` days ago (with an emailed link)."""
    contact = contact or factories.ContactFactory(customer=request.case_study.customer)
    fields.setdefault("status", ApprovalStep.Status.PENDING)
    activated = timezone.now() - timedelta(days=days_ago, minutes=1)
    step = ApprovalStep.objects.create(
        request=request,
        kind=kind,
        contact=contact,
        reviewer_name=contact.name,
        reviewer_email=contact.email,
        activated_at=activated,
        **fields,
    )
    _token, token_hash = new_token()
    ReviewLink.objects.create(
        step=step,
        token_hash=token_hash,
        created_at=activated,
        sent_at=activated,
        expires_at=activated + timedelta(days=30),
    )
    return step


def internal_step(request, *, user, kind=StepKind.INTERNAL_LEGAL, days_ago=0, **fields):
    fields.setdefault("status", ApprovalStep.Status.PENDING)
    return ApprovalStep.objects.create(
        request=request,
        kind=kind,
        user=user,
        reviewer_name=user.get_full_name() or user.username,
        reviewer_email=user.email,
        activated_at=timezone.now() - timedelta(days=days_ago, minutes=1),
        **fields,
    )


def decide(step, *, outcome="approved", message="", verified=True, quotes=(), **fields):
    """The step's decision (evidence) and its status, as the chain records them."""
    now = fields.pop("decided_at", timezone.now())
    for quote, verdict in quotes:
        QuoteReview.objects.create(step=step, quote=quote, verdict=verdict)
    decision = Decision.objects.create(
        step=step,
        request=step.request,
        version=step.request.version,
        content_hash=step.request.content_hash,
        outcome=outcome,
        message=message,
        reviewer_name=step.reviewer_name,
        reviewer_email=step.reviewer_email,
        verified_email=step.reviewer_email if verified else "",
        decided_at=now,
        ip_address=fields.pop("ip_address", "203.0.113.7"),
        user_agent=fields.pop("user_agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"),
        **fields,
    )
    ApprovalStep.objects.filter(pk=step.pk).update(status=outcome, decided_at=now)
    return decision


def comment(step, *, section="summary", body="", suggested_text="", version=None):
    return ReviewComment.objects.create(
        step=step,
        version=version or step.request.version,
        section=section,
        body=body,
        suggested_text=suggested_text,
    )
