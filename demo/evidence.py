"""Demo approval evidence for ``seed_demo``: on one story in review, an open
approval request in which the participant approved (a decision with its
evidence), the customer's legal reviewer was asked eight days ago and left
two suggestions, and the executive sponsor waits for the next stage. It shows
the suggestions page, the certificate and a due reminder
(``manage.py send_approval_reminders``). Idempotent: a story that already has
an approval request is left alone, and only one story gets one."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from approvals.models import (
    ApprovalRequest,
    ApprovalStep,
    Decision,
    ReviewComment,
    ReviewLink,
    StepKind,
)
from casestudies.models import CaseStudy, CaseStudyState, Contact
from core.tokens import hash_token

DEMO_NOTE = "demo:approvals"


def _contact(customer, role, name, title):
    contact = customer.contacts.filter(role=role).first()
    if contact is None:
        contact = Contact.objects.create(
            customer=customer,
            name=name,
            title=title,
            role=role,
            email=f"{name.split()[0].lower()}@{customer.slug}.example",
        )
    return contact


def _step(request, kind, contact, *, stage, status, asked):
    step = ApprovalStep.objects.create(
        request=request,
        stage=stage,
        kind=kind,
        contact=contact,
        reviewer_name=contact.name,
        reviewer_email=contact.email,
        status=status,
        activated_at=asked,
        due_on=(asked + timedelta(days=10)).date() if asked else None,
    )
    if asked:
        # The token itself was "emailed" and is not kept, as in real life.
        ReviewLink.objects.create(
            step=step,
            token_hash=hash_token(secrets.token_urlsafe(32)),
            created_at=asked,
            sent_at=asked,
            expires_at=asked + timedelta(days=request.link_lifetime_days),
        )
    return step


def seed_approval_evidence(stdout=None) -> int:
    if ApprovalRequest.objects.filter(message=DEMO_NOTE).exists():
        return 0
    case_study = (
        CaseStudy.objects.filter(state=CaseStudyState.IN_REVIEW, approval_requests__isnull=True)
        .exclude(versions__isnull=True)
        .select_related("customer", "owner")
        .order_by("-pk")
        .first()
    )
    if case_study is None:
        return 0
    version = case_study.versions.order_by("-number").first()
    now = timezone.now()
    asked = now - timedelta(days=8, hours=1)
    customer = case_study.customer
    with transaction.atomic():
        request = ApprovalRequest.objects.create(
            case_study=case_study,
            version=version,
            content_hash=version.content_hash,
            message=DEMO_NOTE,
            created_by=case_study.owner,
            created_by_name=case_study.owner.get_full_name() if case_study.owner else "",
        )
        participant = _step(
            request,
            StepKind.PARTICIPANT,
            _contact(customer, Contact.Role.END_USER, "Rina Kusuma", "Finance lead"),
            stage=1,
            status=ApprovalStep.Status.APPROVED,
            asked=asked,
        )
        legal = _step(
            request,
            StepKind.CUSTOMER_LEGAL,
            _contact(customer, Contact.Role.LEGAL, "Agus Pratama", "Legal counsel"),
            stage=1,
            status=ApprovalStep.Status.PENDING,
            asked=asked,
        )
        _step(
            request,
            StepKind.EXECUTIVE_SPONSOR,
            _contact(customer, Contact.Role.EXECUTIVE_SPONSOR, "Sari Wijaya", "CFO"),
            stage=2,
            status=ApprovalStep.Status.WAITING,
            asked=None,
        )
        decided_at = asked + timedelta(days=1, hours=3)
        ApprovalStep.objects.filter(pk=participant.pk).update(decided_at=decided_at)
        Decision.objects.create(
            step=participant,
            request=request,
            version=version,
            content_hash=version.content_hash,
            outcome=Decision.Outcome.APPROVED,
            message="Looks right to me. Thank you!",
            reviewer_name=participant.reviewer_name,
            reviewer_email=participant.reviewer_email,
            verified_email=participant.reviewer_email,
            decided_at=decided_at,
            ip_address="203.0.113.24",
            user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1",
            seen={"content_hash": version.content_hash},
            decided={"usage_rights": {"channels": ["web", "pdf", "sales decks"], "logo": True}},
        )
        ReviewComment.objects.create(
            step=legal,
            version=version,
            section="summary",
            body="Please do not name our bank partner.",
            suggested_text=version.summary.replace("bank", "financial partner")
            or "A shorter summary without our partners' names.",
        )
        ReviewComment.objects.create(
            step=legal,
            version=version,
            section="results",
            body="Revenue figures are confidential; percentages are fine.",
            suggested_text="Revenue grew by a double-digit percentage in the first year.",
        )
    if stdout is not None:
        stdout.write(f"Demo approval request on “{case_study.title}”.")
    return 1
