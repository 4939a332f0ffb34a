"""Reads for the staff request page and the certificate: the next action in
words, when the next reminder goes out, usage rights and flags in words.
No writes here (they are in ``approvals.services``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals.models import ApprovalRequest, ApprovalStep, ConfidentialFlag, ReminderLog
from approvals.reminders import escalation_day, reminder_days
from casestudies.models import CaseStudyState, UsageChannel

St = ApprovalStep.Status
R = ApprovalRequest.Status


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def next_reminder_on(step: ApprovalStep) -> tuple[date, str] | None:
    """(day, kind in words) of the next reminder or escalation of a pending
    step, from the reminders already sent (``step.reminders``, prefetched)."""
    if step.status != St.PENDING or step.activated_at is None or step.escalated_at:
        return None
    start = timezone.localdate(step.activated_at)
    sent = [r for r in step.reminders.all() if r.kind == ReminderLog.Kind.REMINDER]
    last = max((r.sequence for r in sent), default=0)
    days = reminder_days()
    escalate = escalation_day()
    if last < len(days) and (escalate is None or days[last] < escalate):
        return start + timedelta(days=days[last]), _("reminder %(n)s") % {"n": last + 1}
    if escalate is not None:
        return start + timedelta(days=escalate), _("escalation to the account owner")
    return None


@dataclass
class NextAction:
    text: str
    url: str = ""
    label: str = ""


def next_action(
    request: ApprovalRequest, *, steps: list, current: bool, latest, flags: list
) -> NextAction:
    """The one thing to do next about ``request``, in words, with its link."""
    cs = request.case_study
    restart = (
        reverse("admin:approvals_approvalrequest_start") + f"?case_study={cs.pk}&from={request.pk}"
    )
    story = reverse("admin:casestudies_casestudy_change", args=[cs.pk])
    open_flags = [f for f in flags if f.status == ConfidentialFlag.Status.OPEN]
    if request.status == R.APPROVED:
        return NextAction(_("Approved: the story can be published."), story, _("Open the story"))
    if request.status == R.CANCELLED:
        return NextAction(_("This approval was cancelled."), restart, _("Start a new request"))
    if not current and latest is not None:
        if cs.state == CaseStudyState.IN_REVIEW:
            return NextAction(
                _("Version %(old)s is stale: version %(new)s was saved after it.")
                % {"old": request.version.number, "new": latest.number},
                restart,
                _("Start the request for version %(n)s") % {"n": latest.number},
            )
        return NextAction(
            _(
                "Version %(new)s was saved after version %(old)s; submit it for review, then "
                "start the request for it."
            )
            % {"old": request.version.number, "new": latest.number},
            story,
            _("Open the story"),
        )
    if request.status == R.CHANGES_REQUESTED:
        asked = [s.reviewer_name for s in steps if s.status == St.CHANGES_REQUESTED]
        text = _("%(names)s asked for changes.") % {"names": ", ".join(asked) or "—"}
        if open_flags:
            text += " " + ngettext(
                "Resolve %(n)s confidential flag below, then save the next version.",
                "Resolve %(n)s confidential flags below, then save the next version.",
                len(open_flags),
            ) % {"n": len(open_flags)}
        return NextAction(
            text,
            reverse("approvals_staff:suggestions", args=[request.pk]),
            _("Review suggestions into a new version"),
        )
    if request.status != R.OPEN:
        return NextAction(request.get_status_display())
    pending = [s for s in steps if s.status == St.PENDING]
    required_left = [s for s in steps if s.required and s.status != St.APPROVED]
    if not required_left:
        applied = [f for f in flags if f.status == ConfidentialFlag.Status.APPLIED and f.phrase]
        if open_flags:
            return NextAction(
                ngettext(
                    "Every required reviewer approved. Resolve %(n)s confidential flag below "
                    "to complete the approval.",
                    "Every required reviewer approved. Resolve %(n)s confidential flags below "
                    "to complete the approval.",
                    len(open_flags),
                )
                % {"n": len(open_flags)},
                "#flags",
                _("Resolve the flags"),
            )
        if applied:
            return NextAction(
                _(
                    "An applied flag changes the text: save the next version, submit it for "
                    "review and start the request for it."
                ),
                "#next-version",
                _("Save the next version"),
            )
    names = []
    for step in pending:
        due = next_reminder_on(step)
        since = _day(timezone.localdate(step.activated_at)) if step.activated_at else "—"
        if due is not None:
            names.append(
                _("%(name)s (asked %(since)s; %(kind)s on %(day)s)")
                % {"name": step.reviewer_name, "since": since, "kind": due[1], "day": _day(due[0])}
            )
        else:
            names.append(
                _("%(name)s (asked %(since)s)") % {"name": step.reviewer_name, "since": since}
            )
    return NextAction(_("Waiting for %(names)s.") % {"names": "; ".join(names) or "—"})


RIGHTS_LABELS = {
    "logo_allowed": (_("Logo may be shown"), _("Logo not shown")),
    "anonymised": (_("Anonymised: no company name or logo"), _("Company named")),
    "percentage_only": (_("Percentages only"), _("Absolute figures allowed")),
}


def rights_in_words(rights: dict | None) -> list[str]:
    """Usage rights as sentences, in a fixed order: the channels allowed,
    those not allowed, name and logo, figures, expiry."""
    rights = rights if isinstance(rights, dict) else {}
    if not rights:
        return []
    allowed = [str(c.label) for c in UsageChannel if rights.get(c.value)]
    refused = [str(c.label) for c in UsageChannel if c.value in rights and not rights[c.value]]
    lines = [
        _("Allowed: %(channels)s") % {"channels": ", ".join(allowed) if allowed else _("nowhere")}
    ]
    if refused:
        lines.append(_("Not allowed: %(channels)s") % {"channels": ", ".join(refused)})
    for key in ("anonymised", "logo_allowed", "percentage_only"):
        if key in rights:
            yes, no = RIGHTS_LABELS[key]
            if key == "logo_allowed" and rights.get("anonymised"):
                continue
            lines.append(str(yes if rights[key] else no))
    expires = rights.get("rights_expire_on")
    lines.append(_("May be used until %(day)s") % {"day": expires} if expires else _("No end date"))
    return lines


def flag_in_words(flag: dict | ConfidentialFlag, metrics: dict | None = None) -> str:
    """A confidential flag as a sentence: what, where, what the reviewer asked,
    and (for a flag row) what staff did."""
    if isinstance(flag, ConfidentialFlag):
        what = flag.metric.label if flag.metric_id else f"“{flag.phrase}”"
        section = flag.get_section_display() if flag.section else ""
        percentage = flag.show_as_percentage
        status = flag.get_status_display()
        note = flag.resolution_note
    else:
        metric_id = flag.get("metric")
        label = (metrics or {}).get(metric_id)
        if metric_id:
            what = label or _("figure %(n)s") % {"n": metric_id}
        else:
            what = f"“{flag.get('phrase') or ''}”"
        section = flag.get("section") or ""
        from casestudies.models import SECTIONS

        section = str(dict(SECTIONS).get(section, section)) if section else ""
        percentage = bool(flag.get("show_as_percentage"))
        status = note = ""
    asked = _("show as a percentage") if percentage else _("keep out of the story")
    text = what + (f" ({section})" if section else "") + f": {asked}"
    if status:
        text += f" — {status}" + (f": {note}" if note else "")
    return text
