"""Recruitment's state changes, one function each: send an outreach, record
that it was opened, accepted (the case study moves on through its
transitions), declined or unanswered; record a concern and its answer; set
the customer's approval chain. Each locks its row, checks, saves, audits and
sends email only after commit."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import ApprovalChainContact
from approvals.roles import CHAIN_ROLES
from casestudies import services as cs_services
from casestudies.customers.asks import record_ask
from casestudies.models import AskKind, CaseStudy, CaseStudyState, Contact
from core import outbox
from core.audit import actor_name, audit_log
from core.errors import TransitionError
from recruitment import templating
from recruitment.models import Concern, Outreach, OutreachFollowUp, OutreachTemplate, RaisedConcern

S = CaseStudyState
RECRUITABLE = (S.CANDIDATE, S.RECRUITING)


def outreach_send(
    *,
    case_study: CaseStudy,
    contact: Contact,
    subject: str,
    body: str,
    language: str,
    actor: Any,
    template: OutreachTemplate | None = None,
    source: str = "",
) -> Outreach:
    """Send the (previewed, possibly edited) request. A candidate story moves
    to recruiting through its transition."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise TransitionError(_("The email needs a subject and a body."))
    left = templating.unfilled(subject + "\n" + body)
    if left:
        raise TransitionError(
            _("Fill in or remove these placeholders before sending: %(names)s.")
            % {"names": ", ".join(f"{{{name}}}" for name in left)}
        )
    if contact.customer_id != case_study.customer_id:
        raise TransitionError(_("The contact must work at this story's customer."))
    if not contact.may_contact or contact.left_company or contact.archived:
        raise TransitionError(
            _("%(name)s may not be contacted (or has left the company).") % {"name": contact.name}
        )
    if not contact.email:
        raise TransitionError(_("%(name)s has no email address.") % {"name": contact.name})
    with transaction.atomic():
        locked = CaseStudy.objects.select_for_update(of=("self",)).get(pk=case_study.pk)
        if locked.state not in RECRUITABLE:
            raise TransitionError(
                _("“%(title)s” is %(state)s: outreach is for candidates and recruiting stories.")
                % {"title": locked.title, "state": locked.get_state_display()}
            )
        if locked.state == S.CANDIDATE:
            cs_services.case_study_start_recruiting(
                case_study=locked, actor=actor, reason=_("Outreach sent"), source=source
            )
        try:
            with transaction.atomic():
                outreach = Outreach.objects.create(
                    case_study=locked,
                    contact=contact,
                    template=template,
                    language=language,
                    subject=subject,
                    body=body,
                    sent_by=actor if getattr(actor, "is_authenticated", False) else None,
                    sent_by_name=actor_name(actor),
                )
        except IntegrityError:
            raise TransitionError(
                _("A request for this story is already waiting for an answer.")
            ) from None
        # The fatigue ledger: a case study request is an ask of this customer.
        record_ask(
            customer=locked.customer_id,
            contact=contact,
            kind=AskKind.CASE_STUDY,
            source=_("Case study request: %(title)s") % {"title": locked.title},
            by=actor,
        )
        audit_log(
            action="recruitment.outreach.sent",
            obj=outreach,
            actor=actor,
            data={"case_study": locked.pk, "contact": contact.pk, "language": language},
            source=source,
        )
        outbox.enqueue(
            "recruitment.outreach",
            key=f"recruitment.outreach:{outreach.pk}",
            payload={"outreach": outreach.pk},
            case_study_id=locked.pk,
        )
    return outreach


def _lock_outreach(outreach: Outreach, *, open_only: bool = True) -> Outreach:
    locked = (
        Outreach.objects.select_for_update(of=("self",))
        .select_related("case_study", "contact")
        .get(pk=outreach.pk)
    )
    if open_only and not locked.is_open:
        raise TransitionError(
            _("This request was already answered (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _set_status(outreach: Outreach, status: str, actor: Any, source: str, **data) -> None:
    old = outreach.status
    outreach.status = status
    fields = ["status", "updated_at"]
    if status in (Outreach.Status.ACCEPTED, Outreach.Status.DECLINED):
        outreach.responded_at = timezone.now()
        fields.append("responded_at")
    if status == Outreach.Status.DECLINED:
        outreach.decline_reason = data.get("reason", "")
        fields.append("decline_reason")
    outreach.save(update_fields=fields)
    audit_log(
        action=f"recruitment.outreach.{status}",
        obj=outreach,
        actor=actor,
        data={"from": old, "to": status, **data},
        source=source,
    )


def outreach_mark_opened(*, outreach: Outreach, actor: Any = None, source: str = "") -> Outreach:
    with transaction.atomic():
        locked = _lock_outreach(outreach)
        if locked.status == Outreach.Status.OPENED:
            return locked
        locked.opened_at = timezone.now()
        locked.save(update_fields=["opened_at", "updated_at"])
        _set_status(locked, Outreach.Status.OPENED, actor, source)
    return locked


def outreach_accept(
    *, outreach: Outreach, actor: Any, note: str = "", source: str = ""
) -> Outreach:
    """The customer said yes: the contact is marked as taking part and the
    story moves to interviewing through its transition."""
    with transaction.atomic():
        locked = _lock_outreach(outreach)
        contact = Contact.objects.select_for_update().get(pk=locked.contact_id)
        if not contact.agreed_to_participate:
            contact.agreed_to_participate = True
            contact.save(update_fields=["agreed_to_participate", "updated_at"])
        _set_status(locked, Outreach.Status.ACCEPTED, actor, source, note=(note or "").strip())
        case_study = CaseStudy.objects.get(pk=locked.case_study_id)
        if case_study.state == S.CANDIDATE:
            case_study = cs_services.case_study_start_recruiting(
                case_study=case_study, actor=actor, source=source
            )
        if case_study.state == S.RECRUITING:
            cs_services.case_study_start_interviewing(
                case_study=case_study,
                actor=actor,
                reason=_("%(name)s accepted the invitation") % {"name": contact.name},
                source=source,
            )
        ensure_chain(case_study=case_study, participant=contact)
    return locked


def outreach_decline(*, outreach: Outreach, reason: str, actor: Any, source: str = "") -> Outreach:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(_("Record why they declined: it guides the next request."))
    with transaction.atomic():
        locked = _lock_outreach(outreach)
        _set_status(locked, Outreach.Status.DECLINED, actor, source, reason=reason)
    return locked


def outreach_mark_no_answer(*, outreach: Outreach, actor: Any = None, source: str = "") -> Outreach:
    with transaction.atomic():
        locked = _lock_outreach(outreach)
        _set_status(locked, Outreach.Status.NO_ANSWER, actor, source)
    return locked


def _followup_due(outreach: Outreach, number: int, now) -> bool:
    after = timedelta(days=settings.STORYLINE["OUTREACH_FOLLOWUP_AFTER_DAYS"])
    return outreach.sent_at + after * number <= now


def outreach_followup_schedule(*, outreach_id: int, number: int) -> bool:
    """Follow-up ``number`` of an unanswered request, once: its ledger row
    (unique per outreach and number) and its outbox email are written
    together. False when it is not due, out of order, or already there."""
    if number < 1 or number > settings.STORYLINE["OUTREACH_FOLLOWUP_MAX"]:
        return False
    now = timezone.now()
    with transaction.atomic():
        outreach = (
            Outreach.objects.select_for_update(of=("self",))
            .filter(pk=outreach_id, status__in=Outreach.OPEN_STATUSES)
            .first()
        )
        if outreach is None or not _followup_due(outreach, number, now):
            return False
        if number > 1 and not outreach.followups.filter(number=number - 1).exists():
            return False  # in order: the previous one first
        try:
            with transaction.atomic():
                row = OutreachFollowUp.objects.create(outreach=outreach, number=number)
        except IntegrityError:
            return False  # already sent
        outbox.enqueue(
            "recruitment.followup",
            key=f"recruitment.followup:{outreach.pk}:{number}",
            payload={"followup": row.pk},
            case_study_id=outreach.case_study_id,
        )
    return True


def outreach_followups_due() -> int:
    """The hourly sweep: schedule the next follow-up of every unanswered
    request that is due, and mark requests "no answer" once the last
    follow-up had its time. Returns how many follow-ups were scheduled."""
    conf = settings.STORYLINE
    maximum = conf["OUTREACH_FOLLOWUP_MAX"]
    after = timedelta(days=conf["OUTREACH_FOLLOWUP_AFTER_DAYS"])
    now = timezone.now()
    rows = (
        Outreach.objects.filter(status__in=Outreach.OPEN_STATUSES, sent_at__lte=now - after)
        .annotate(sent_followups=Count("followups"), last_followup=Max("followups__claimed_at"))
        .values_list("pk", "sent_at", "sent_followups", "last_followup")
    )
    scheduled = 0
    for pk, sent_at, count, last in rows:
        number = count + 1
        if number <= maximum:
            if sent_at + after * number <= now:
                scheduled += outreach_followup_schedule(outreach_id=pk, number=number)
        elif last and last + timedelta(days=conf["OUTREACH_NO_ANSWER_AFTER_DAYS"]) <= now:
            outreach_mark_no_answer(outreach=Outreach(pk=pk), source="followup-sweep")
    return scheduled


def concern_record(
    *,
    outreach: Outreach,
    concern: Concern,
    customer_words: str = "",
    answer: str = "",
    status: str = RaisedConcern.Status.OPEN,
    actor: Any,
    source: str = "",
) -> RaisedConcern:
    """A concern the customer raised on ``outreach`` and our answer (often the
    playbook's, inserted and adapted)."""
    if status not in RaisedConcern.Status.values:
        raise TransitionError(_("Unknown resolution."))
    if status == RaisedConcern.Status.RESOLVED and not (answer or "").strip():
        raise TransitionError(_("Record the answer that resolved the concern."))
    with transaction.atomic():
        raised = RaisedConcern.objects.create(
            outreach=outreach,
            concern=concern,
            customer_words=(customer_words or "").strip(),
            answer=(answer or "").strip(),
            status=status,
            recorded_by_name=actor_name(actor),
        )
        audit_log(
            action="recruitment.concern.recorded",
            obj=raised,
            actor=actor,
            data={"outreach": outreach.pk, "concern": concern.slug, "status": status},
            source=source,
        )
    return raised


def concern_resolve(
    *, raised: RaisedConcern, status: str, answer: str = "", actor: Any, source: str = ""
) -> RaisedConcern:
    if status not in RaisedConcern.Status.values:
        raise TransitionError(_("Unknown resolution."))
    with transaction.atomic():
        locked = RaisedConcern.objects.select_for_update().get(pk=raised.pk)
        if answer.strip():
            locked.answer = answer.strip()
        if status == RaisedConcern.Status.RESOLVED and not locked.answer:
            raise TransitionError(_("Record the answer that resolved the concern."))
        old = locked.status
        locked.status = status
        locked.save(update_fields=["status", "answer", "updated_at"])
        audit_log(
            action="recruitment.concern.resolution",
            obj=locked,
            actor=actor,
            data={"from": old, "to": status},
            source=source,
        )
    return locked


def ensure_chain(*, case_study: CaseStudy, participant: Contact | None = None) -> None:
    """The chain's rows exist for every customer role, the participant filled
    in with who accepted, department leader / legal / PR / executive guessed
    from the contacts' roles when there is exactly one."""
    existing = {row.role: row for row in ApprovalChainContact.objects.filter(case_study=case_study)}
    by_role = {}
    mapping = {
        "department_leader": Contact.Role.DEPARTMENT_LEADER,
        "customer_legal": Contact.Role.LEGAL,
        "customer_pr": Contact.Role.PR,
        "executive_sponsor": Contact.Role.EXECUTIVE_SPONSOR,
    }
    contacts = list(
        Contact.objects.filter(
            customer_id=case_study.customer_id, archived=False, left_company=False
        )
    )
    for role, contact_role in mapping.items():
        matching = [c for c in contacts if c.role == contact_role]
        by_role[role] = matching[0] if len(matching) == 1 else None
    by_role["participant"] = participant
    for kind in CHAIN_ROLES:
        if kind.value in existing:
            row = existing[kind.value]
            if row.contact_id is None and by_role.get(kind.value) is not None:
                row.contact = by_role[kind.value]
                row.save(update_fields=["contact", "updated_at"])
            continue
        ApprovalChainContact.objects.create(
            case_study=case_study, role=kind.value, contact=by_role.get(kind.value)
        )


def chain_member_set(
    *,
    case_study: CaseStudy,
    role: str,
    contact: Contact | None,
    expected_review_days: int | None,
    completed_on=None,
    actor: Any,
    source: str = "",
) -> ApprovalChainContact:
    """Set who approves for ``role`` and how long they take; ``completed_on``
    when they have signed off (the expected publication date moves)."""
    if role not in {kind.value for kind in CHAIN_ROLES}:
        raise TransitionError(_("Unknown approval role."))
    if contact is not None and contact.customer_id != case_study.customer_id:
        raise TransitionError(_("The contact must work at this story's customer."))
    with transaction.atomic():
        row, _created = ApprovalChainContact.objects.select_for_update().get_or_create(
            case_study=case_study, role=role
        )
        before = (row.contact_id, row.expected_review_days, row.completed_on)
        row.contact = contact
        row.expected_review_days = expected_review_days
        row.completed_on = completed_on
        after = (row.contact_id, row.expected_review_days, row.completed_on)
        if before != after:
            row.save()
            audit_log(
                action="recruitment.approval_chain.set",
                obj=case_study,
                actor=actor,
                data={
                    "role": role,
                    "contact": row.contact_id,
                    "expected_review_days": row.expected_review_days,
                    "completed_on": row.completed_on.isoformat() if row.completed_on else None,
                },
                source=source,
            )
    return row
