"""The certificate of approval: an A4 PDF of the evidence behind one approval
request — the story, the exact version and its SHA-256, and every decision
of the request and of the requests it replaced (``previous``): who, which
mailbox they were invited at and proved they hold, the outcome, when (UTC),
from which address and browser, their message, quote verdicts and the usage
rights they confirmed. Small, so it is rendered on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from approvals.models import ApprovalRequest, Decision, QuoteReview
from core.pdf import render_pdf

# A replaced-by chain longer than this is a data error, not history.
MAX_CHAIN = 50


def request_chain(approval_request: ApprovalRequest) -> list[ApprovalRequest]:
    """The request and those it replaced, oldest first."""
    chain = [approval_request]
    seen = {approval_request.pk}
    current = approval_request
    while current.previous_id and current.previous_id not in seen and len(chain) < MAX_CHAIN:
        current = ApprovalRequest.objects.select_related("version").get(pk=current.previous_id)
        seen.add(current.pk)
        chain.append(current)
    return list(reversed(chain))


def _text(value) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def usage_rights_lines(decided: dict) -> list[tuple[str, str]]:
    """The usage rights a decision confirmed, as (label, value) lines,
    whatever shape the review page stored them in."""
    rights = decided.get("usage_rights") or decided.get("rights") or {}
    if isinstance(rights, dict):
        return [(str(key).replace("_", " "), _text(value)) for key, value in rights.items()]
    if rights:
        return [("", _text(rights))]
    return []


@dataclass
class DecisionEvidence:
    decision: Decision
    role: str
    quotes: list[QuoteReview] = field(default_factory=list)
    rights: list[tuple[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    hash_matches: bool = True


@dataclass
class RequestEvidence:
    approval_request: ApprovalRequest
    decisions: list[DecisionEvidence]
    undecided: list
    version_intact: bool


def certificate_context(approval_request: ApprovalRequest) -> dict:
    chain = request_chain(approval_request)
    ids = [r.pk for r in chain]
    decisions = list(
        Decision.objects.filter(request_id__in=ids)
        .select_related("step", "version")
        .order_by("decided_at", "pk")
    )
    quotes: dict[int, list[QuoteReview]] = {}
    for review in (
        QuoteReview.objects.filter(step__request_id__in=ids)
        .select_related("quote")
        .order_by("quote__pk")
    ):
        quotes.setdefault(review.step_id, []).append(review)
    by_request: dict[int, list[DecisionEvidence]] = {pk: [] for pk in ids}
    for decision in decisions:
        decided = decision.decided if isinstance(decision.decided, dict) else {}
        flags = decided.get("confidential") or decided.get("flags") or []
        by_request[decision.request_id].append(
            DecisionEvidence(
                decision=decision,
                role=decision.step.get_kind_display(),
                quotes=quotes.get(decision.step_id, []),
                rights=usage_rights_lines(decided),
                flags=[_text(f) for f in flags] if isinstance(flags, list) else [_text(flags)],
                hash_matches=decision.content_hash == decision.version.content_hash,
            )
        )
    steps_by_request: dict[int, list] = {pk: [] for pk in ids}
    for request in chain:
        for step in request.steps.all():
            if not step.is_decided:
                steps_by_request[request.pk].append(step)
    requests = [
        RequestEvidence(
            approval_request=r,
            decisions=by_request[r.pk],
            undecided=steps_by_request[r.pk],
            version_intact=r.version.verify_hash() and r.version.content_hash == r.content_hash,
        )
        for r in chain
    ]
    return {
        "approval_request": approval_request,
        "case_study": approval_request.case_study,
        "version": approval_request.version,
        "requests": requests,
        "decision_count": len(decisions),
        "generated_at": timezone.now(),
        "LANGUAGE_CODE": translation.get_language() or settings.LANGUAGE_CODE,
    }


def certificate_html(approval_request: ApprovalRequest) -> str:
    # Evidence is stated in UTC, whatever the site's time zone.
    with timezone.override(UTC):
        return render_to_string("approvals/certificate.html", certificate_context(approval_request))


def certificate_pdf(approval_request: ApprovalRequest) -> bytes:
    return render_pdf(certificate_html(approval_request))


def certificate_filename(approval_request: ApprovalRequest) -> str:
    return (
        f"approval-certificate-{approval_request.case_study.slug}"
        f"-v{approval_request.version.number}.pdf"
    )
