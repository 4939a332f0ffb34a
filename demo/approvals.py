"""Demo approvals for ``seed_demo``: the first story in review gets an open
chain of three customer reviewers (participant, legal and PR, in parallel so
each can open the page at once), and the
command prints one review link, so ``make run`` users can open the customer's
side. Idempotent: a story with a chain keeps it, and the printed link is
derived from SECRET_KEY (demo only: real links are random and never stored),
so running again prints the same link and writes nothing."""

import base64
import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from approvals import services
from approvals.emails import review_url
from approvals.models import ApprovalRequest, ApprovalStep, ReviewLink, StepKind
from casestudies.models import CaseStudy, CaseStudyState, Contact
from core.audit import audit_log
from core.tokens import hash_token

REVIEWERS = [
    (StepKind.PARTICIPANT, Contact.Role.END_USER, "Dewi Lestari", "Finance Operations Lead"),
    (StepKind.CUSTOMER_LEGAL, Contact.Role.LEGAL, "Budi Santoso", "Legal Counsel"),
    (StepKind.CUSTOMER_PR, Contact.Role.PR, "Sari Wijaya", "Head of Communications"),
]


def _contact(case_study: CaseStudy, role: str, name: str, title: str) -> Contact:
    existing = case_study.customer.contacts.filter(
        role=role, left_company=False, archived=False
    ).first()
    if existing is not None:
        return existing
    domain = case_study.customer.slug or "customer"
    email = f"{name.split()[0].lower()}@{domain}.example"
    contact, _created = Contact.objects.get_or_create(
        customer=case_study.customer,
        email=email,
        defaults={"name": name, "title": title, "role": role, "agreed_to_participate": True},
    )
    return contact


def seed_approvals(stdout=None) -> str | None:
    """Returns the printed review URL (or None without a story in review)."""
    actor = get_user_model().objects.filter(username="maya.demo").first()
    request = (
        ApprovalRequest.objects.filter(status=ApprovalRequest.Status.OPEN)
        .select_related("case_study")
        .order_by("pk")
        .first()
    )
    with transaction.atomic():
        if request is None:
            case_study = (
                CaseStudy.objects.filter(state=CaseStudyState.IN_REVIEW)
                .exclude(approval_requests__isnull=False)
                .order_by("pk")
                .first()
            )
            if case_study is None:
                return None
            specs = [
                services.StepSpec(kind=kind, contact=_contact(case_study, role, name, title))
                for kind, role, name, title in REVIEWERS
            ]
            request = services.approval_request_start(
                case_study=case_study,
                steps=specs,
                actor=actor,
                message="Thank you for the interview! Please check the figures and your quotes.",
                source="seed_demo",
            )
        step = (
            request.steps.filter(status=ApprovalStep.Status.PENDING, contact__isnull=False)
            .order_by("stage", "pk")
            .first()
        )
        if step is None:
            return None
        token = _demo_link(step)
    url = review_url(token)
    if stdout is not None:
        stdout.write(
            f"Demo approval: “{request.case_study.title}” awaits {step.reviewer_name}. "
            f"Open the customer's review page: {url}"
        )
    return url


def _demo_link(step: ApprovalStep) -> str:
    """The demo reviewer's link: the same token on every run (see above)."""
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"storyline-demo-review:{step.pk}".encode(), hashlib.sha256).digest()
    token = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    token_hash = hash_token(token)
    link = ReviewLink.objects.filter(token_hash=token_hash).first()
    if link is not None and link.is_live:
        return token
    now = timezone.now()
    ReviewLink.objects.filter(step=step, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by_name="seed_demo"
    )
    if link is not None:  # expired or revoked since: the demo link comes back
        ReviewLink.objects.filter(pk=link.pk).update(
            revoked_at=None, expires_at=now + timedelta(days=step.request.link_lifetime_days)
        )
    else:
        link = ReviewLink.objects.create(
            step=step,
            token_hash=token_hash,
            expires_at=now + timedelta(days=step.request.link_lifetime_days),
            sent_at=now,
        )
    audit_log(action="approvals.link.issued", obj=link, data={"step": step.pk}, source="seed_demo")
    return token
