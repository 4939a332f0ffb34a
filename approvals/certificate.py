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
from django.utils.translation import gettext as _

from approvals.models import (
    ApprovalRequest,
    ConfidentialFlag,
    Decision,
    PermissionEvidence,
    QuoteReview,
)
from approvals.progress import flag_in_words, rights_in_words
from casestudies.models import Metric
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


RIGHTS_KEYS = {"logo_allowed", "anonymised", "percentage_only", "rights_expire_on"}


def usage_rights_lines(decided: dict) -> list[tuple[str, str]]:
    """The usage rights a decision confirmed, as (label, value) lines in
    words and in a fixed order, whatever shape the review page stored."""
    rights = decided.get("usage_rights") or decided.get("rights") or {}
    if isinstance(rights, dict) and rights and RIGHTS_KEYS & set(rights):
        return [("", line) for line in rights_in_words(rights)]
    if isinstance(rights, dict):
        return [
            (str(key).replace("_", " ").capitalize(), _words(value))
            for key, value in sorted(rights.items())
        ]
    if rights:
        return [("", _words(rights))]
    return []


def _words(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_words(v) for v in value)
    return "" if value is None else str(value)


def checklist_lines(decided: dict) -> list[tuple[str, str]]:
    """The guide's sign-off checks the reviewer ticked, in words."""
    checklist = decided.get("checklist") or {}
    if not isinstance(checklist, dict) or not checklist:
        return []
    labels = [
        ("facts_checked", _("Facts and figures checked")),
        ("attribution_checked", _("Names and job titles correct")),
    ]
    return [(label, _words(bool(checklist.get(key)))) for key, label in labels]


@dataclass
class DecisionEvidence:
    decision: Decision
    role: str
    quotes: list[QuoteReview] = field(default_factory=list)
    rights: list[tuple[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    checks: list[tuple[str, str]] = field(default_factory=list)
    permissions: list[str] = field(default_factory=list)
    hash_matches: bool = True


@dataclass
class RequestEvidence:
    approval_request: ApprovalRequest
    decisions: list[DecisionEvidence]
    undecided: list
    version_intact: bool
    replaced: bool = False


def certificate_context(approval_request: ApprovalRequest) -> dict:
    """The approved (requested) version and its decisions first; the
    versions it replaced after, newest first."""
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
    flag_rows: dict[int, list[str]] = {}
    for flag in (
        ConfidentialFlag.objects.filter(step__request_id__in=ids)
        .select_related("metric")
        .order_by("pk")
    ):
        flag_rows.setdefault(flag.step_id, []).append(flag_in_words(flag))
    permissions: dict[int, list[str]] = {}
    for ev in (
        PermissionEvidence.objects.filter(decision__request_id__in=ids)
        .select_related("quote", "contact")
        .order_by("pk")
    ):
        if ev.subject == PermissionEvidence.Subject.NAMING:
            line = (
                _("%(name)s may be named") if ev.granted else _("%(name)s may not be named")
            ) % {"name": ev.contact.name}
        else:
            line = _("Quote “%(text)s”: %(state)s (%(basis)s)") % {
                "text": ev.quote.text[:80],
                "state": _("approved") if ev.granted else _("refused"),
                "basis": ev.get_basis_display(),
            }
        permissions.setdefault(ev.decision_id, []).append(line)
    metric_labels = dict(
        Metric.objects.filter(case_study_id=approval_request.case_study_id).values_list(
            "pk", "label"
        )
    )
    by_request: dict[int, list[DecisionEvidence]] = {pk: [] for pk in ids}
    for decision in decisions:
        decided = decision.decided if isinstance(decision.decided, dict) else {}
        flags = flag_rows.get(decision.step_id)
        if flags is None:
            raw = decided.get("confidential") or decided.get("flags") or []
            raw = raw if isinstance(raw, list) else [raw]
            flags = [
                flag_in_words(f, metric_labels) if isinstance(f, dict) else _words(f) for f in raw
            ]
        by_request[decision.request_id].append(
            DecisionEvidence(
                decision=decision,
                role=decision.step.get_kind_display(),
                quotes=quotes.get(decision.step_id, []),
                rights=usage_rights_lines(decided),
                flags=flags,
                checks=checklist_lines(decided),
                permissions=permissions.get(decision.pk, []),
                hash_matches=decision.content_hash == decision.version.content_hash,
            )
        )
    steps_by_request: dict[int, list] = {pk: [] for pk in ids}
    for request in chain:
        for step in request.steps.all():
            if not step.is_decided:
                steps_by_request[request.pk].append(step)
    # The requested version leads; the ones it replaced follow, newest first.
    ordered = [approval_request, *[r for r in reversed(chain) if r.pk != approval_request.pk]]
    requests = [
        RequestEvidence(
            approval_request=r,
            decisions=by_request[r.pk],
            undecided=steps_by_request[r.pk],
            version_intact=r.version.verify_hash() and r.version.content_hash == r.content_hash,
            replaced=r.pk != approval_request.pk,
        )
        for r in ordered
    ]
    return {
        "approval_request": approval_request,
        "case_study": approval_request.case_study,
        "version": approval_request.version,
        "lead": requests[0],
        "replaced": requests[1:],
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
