"""The expected publication date, from where the story is and the customer's
approval chain (the guide's "Work Through the Approval Chain": complex
approvals at large companies take 4-6 weeks; plan accordingly).

The chain is reviewed in the guide's order: the participant, then the
department leader, then legal and PR side by side, then the executive
sponsor. A reviewer who has signed off (``completed_on``, or an approved step
of the story's approval request) no longer counts, so the date moves as
stages complete. Computed on read: always current.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from casestudies.models import CaseStudy, CaseStudyState, CompanySize

S = CaseStudyState

# Reviewers in one group review in parallel; groups follow one another.
CHAIN_GROUPS = [
    ["participant"],
    ["department_leader"],
    ["customer_legal", "customer_pr"],
    ["executive_sponsor"],
]


@dataclass
class Step:
    label: str
    days: int
    done: bool = False


@dataclass
class Timeline:
    expected_on: date | None
    steps: list[Step] = field(default_factory=list)
    approval_days: int = 0
    note: str = ""


def _approved_kinds(case_study: CaseStudy) -> set[str]:
    """Customer roles already approved in the story's open or last request."""
    from approvals.models import ApprovalStep

    return set(
        ApprovalStep.objects.filter(
            request__case_study=case_study, status=ApprovalStep.Status.APPROVED
        ).values_list("kind", flat=True)
    )


def expected_publication(case_study: CaseStudy, *, today: date | None = None) -> Timeline:
    today = today or timezone.localdate()
    if case_study.state == S.PUBLISHED and case_study.published_at:
        return Timeline(expected_on=timezone.localdate(case_study.published_at))
    if case_study.state in (S.DECLINED, S.ARCHIVED, S.ON_HOLD):
        return Timeline(expected_on=None, note=_("Not planned: the story is not in progress."))
    days = settings.STORYLINE["TIMELINE_DAYS"]
    chain = {row.role: row for row in case_study.approval_chain.all()}
    done_kinds = _approved_kinds(case_study)
    steps: list[Step] = []
    order = [S.CANDIDATE, S.RECRUITING, S.INTERVIEWING, S.DRAFTING, S.IN_REVIEW, S.APPROVED]
    position = order.index(case_study.state) if case_study.state in order else 0
    steps.append(Step(_("Interview"), days["interview"], done=position >= 3))
    steps.append(Step(_("Draft written"), days["drafting"], done=position >= 4))

    approval_days = 0
    planned_days = 0
    any_done = False
    for group in CHAIN_GROUPS:
        rows = [chain[role] for role in group if role in chain]
        if not rows:
            continue
        open_rows = [r for r in rows if r.completed_on is None and r.role not in done_kinds]
        group_days = max(r.review_days for r in rows)
        planned_days += group_days
        done = not open_rows or position >= 5
        any_done = any_done or len(open_rows) < len(rows)
        label = ", ".join(r.get_role_display() for r in rows)
        remaining = 0 if done else max(r.review_days for r in open_rows)
        approval_days += remaining
        steps.append(Step(_("Approval: %(who)s") % {"who": label}, remaining or group_days, done))
    note = ""
    if not chain:
        # No chain captured yet: assume the guide's default chain.
        approval_days = sum(
            max(settings.STORYLINE["APPROVAL_REVIEW_DAYS"].get(r, 5) for r in group)
            for group in CHAIN_GROUPS
        )
        planned_days = approval_days
        note = _("No approval chain captured yet: the guide's usual chain is assumed.")
        steps.append(Step(_("Customer approvals"), approval_days, position >= 5))
    low, high = settings.STORYLINE["ENTERPRISE_APPROVAL_DAYS"]
    if (
        case_study.customer.company_size == CompanySize.ENTERPRISE
        and not any_done
        and position < 5
        and approval_days < low
    ):
        approval_days = low
        note = _(
            "A large company: approvals usually take %(low)s-%(high)s weeks; "
            "%(low)s weeks are planned."
        ) % {"low": low // 7, "high": high // 7}
    if position >= 5:
        approval_days = 0
    steps.append(Step(_("Design and publication"), days["publication"]))

    remaining = approval_days + days["publication"]
    if position < 3:
        remaining += days["interview"]
    if position < 4:
        remaining += days["drafting"]
    return Timeline(
        expected_on=today + timedelta(days=remaining),
        steps=steps,
        approval_days=approval_days,
        note=note,
    )
