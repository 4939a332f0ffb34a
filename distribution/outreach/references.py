"""References and the fatigue ledger.

A rep asks for a reference call with a story's customer; the customer's
account owner consents first; the contact's cap (calls per quarter: the
program's setting, or the contact's own lower limit from their preference
page) is checked under a lock on the contact when the owner consents, so two
owners approving at once cannot exceed it. Every ask we make of a customer
lands in the customer's ledger (:mod:`casestudies.customers.asks`), shown as
a warning when a rep is about to ask again.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casestudies.customers.asks import record_ask
from casestudies.models import AskKind, CaseStudy, Contact
from core import outbox
from core.audit import audit_log
from core.errors import TransitionError
from core.roles import PROGRAM_MANAGERS, in_group
from core.tokens import hash_token, new_token
from distribution.models import ReferencePreference, ReferenceRequest

State = ReferenceRequest.State


# --------------------------------------------------------------------------
# Caps
# --------------------------------------------------------------------------


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def contact_cap(contact: Contact) -> int:
    """Calls a contact may take per quarter: the program's cap, or the
    contact's own limit when lower."""
    cap = settings.STORYLINE["REFERENCE_CALLS_PER_QUARTER"]
    preference = ReferencePreference.objects.filter(contact=contact).first()
    if preference and preference.max_calls_per_quarter is not None:
        cap = min(cap, preference.max_calls_per_quarter)
    return cap


def calls_this_quarter(contact: Contact, *, today: date | None = None) -> int:
    start = quarter_start(today or timezone.localdate())
    return ReferenceRequest.objects.filter(
        contact=contact,
        state__in=ReferenceRequest.COUNTED_STATES,
        decided_at__date__gte=start,
    ).count()


def unavailable_reason(contact: Contact, *, today: date | None = None) -> str:
    """Why ``contact`` cannot take a reference call now ("" when they can)."""
    today = today or timezone.localdate()
    if contact.left_company or contact.archived or not contact.may_contact:
        return _("%(name)s may not be contacted.") % {"name": contact.name}
    if not contact.available_as_reference:
        return _("%(name)s is not available for reference calls.") % {"name": contact.name}
    preference = ReferencePreference.objects.filter(contact=contact).first()
    if preference is not None:
        if not preference.available:
            return _("%(name)s asked not to take reference calls.") % {"name": contact.name}
        if preference.paused_until and preference.paused_until >= today:
            return _("%(name)s paused reference calls until %(date)s.") % {
                "name": contact.name,
                "date": preference.paused_until.isoformat(),
            }
    cap = contact_cap(contact)
    used = calls_this_quarter(contact, today=today)
    if used >= cap:
        return _(
            "%(name)s has already agreed to %(used)s of %(cap)s reference calls this quarter; "
            "ask another contact or wait for next quarter."
        ) % {"name": contact.name, "used": used, "cap": cap}
    return ""


def reference_contacts(case_study: CaseStudy) -> list[Contact]:
    """The story's customer's contacts who said yes to reference calls."""
    return list(
        Contact.objects.filter(
            customer_id=case_study.customer_id,
            available_as_reference=True,
            archived=False,
            left_company=False,
        ).order_by("name")
    )


# --------------------------------------------------------------------------
# Requests: requested → owner_approved / owner_declined → scheduled → done / cancelled
# --------------------------------------------------------------------------


def can_decide(user, request: ReferenceRequest) -> bool:
    """The customer's account owner decides; program managers stand in."""
    if not getattr(user, "is_authenticated", False):
        return False
    owner_id = request.customer.account_owner_id
    return user.pk == owner_id or in_group(user, PROGRAM_MANAGERS)


def can_follow_up(user, request: ReferenceRequest) -> bool:
    return user.pk == request.requested_by_id or can_decide(user, request)


def _locked(request_id: int) -> ReferenceRequest:
    return (
        ReferenceRequest.objects.select_for_update(of=("self",))
        .select_related("customer", "contact", "case_study")
        .get(pk=request_id)
    )


def reference_request_create(
    *,
    case_study: CaseStudy,
    contact: Contact,
    prospect_company: str,
    purpose: str,
    actor: Any,
    source: str = "",
) -> ReferenceRequest:
    """A rep asks for a call; the account owner is emailed to consent."""
    if contact.customer_id != case_study.customer_id:
        raise TransitionError(_("The contact must work at the story's customer."))
    if not case_study.published_version_id:
        raise TransitionError(_("Only a published story's customer can be asked for a reference."))
    reason = unavailable_reason(contact)
    if reason:
        raise TransitionError(reason)
    with transaction.atomic():
        request = ReferenceRequest.objects.create(
            case_study=case_study,
            customer_id=case_study.customer_id,
            contact=contact,
            requested_by=actor,
            prospect_company=prospect_company.strip(),
            purpose=purpose.strip(),
        )
        record_ask(
            customer=case_study.customer_id,
            contact=contact,
            kind=AskKind.REFERENCE,
            source=_("Reference call for %(prospect)s") % {"prospect": request.prospect_company},
            by=actor,
        )
        audit_log(
            action="distribution.reference.requested",
            obj=request,
            actor=actor,
            data={"contact": contact.pk, "case_study": case_study.pk},
            source=source,
        )
        outbox.enqueue(
            "distribution.reference_owner",
            key=f"distribution.reference_owner:{request.pk}",
            payload={"request": request.pk},
            case_study_id=case_study.pk,
        )
    return request


def reference_request_decide(
    *,
    request: ReferenceRequest,
    approve: bool,
    actor: Any,
    note: str = "",
    source: str = "",
    today: date | None = None,
) -> ReferenceRequest:
    """The account owner's consent (or refusal). Approval re-checks the
    contact's availability and cap with the contact row locked: concurrent
    approvals for one contact are serialised and cannot exceed the cap."""
    with transaction.atomic():
        locked = _locked(request.pk)
        if not can_decide(actor, locked):
            raise TransitionError(_("Only the customer's account owner can decide."))
        if locked.state != State.REQUESTED:
            raise TransitionError(
                _("This request was already decided (%(state)s).")
                % {"state": locked.get_state_display()}
            )
        if approve:
            contact = Contact.objects.select_for_update().get(pk=locked.contact_id)
            reason = unavailable_reason(contact, today=today)
            if reason:
                raise TransitionError(reason)
        old = locked.state
        locked.state = State.OWNER_APPROVED if approve else State.OWNER_DECLINED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.decision_note = note.strip()
        if not approve:
            locked.closed_at = locked.decided_at
        locked.save(
            update_fields=[
                "state",
                "decided_at",
                "decided_by",
                "decision_note",
                "closed_at",
                "updated_at",
            ]
        )
        audit_log(
            action="distribution.reference.approved"
            if approve
            else "distribution.reference.declined",
            obj=locked,
            actor=actor,
            data={"from": old, "to": locked.state, "note": locked.decision_note},
            source=source,
        )
        outbox.enqueue(
            "distribution.reference_requester",
            key=f"distribution.reference_requester:{locked.pk}",
            payload={"request": locked.pk},
            case_study_id=locked.case_study_id,
        )
    return locked


def reference_request_schedule(
    *, request: ReferenceRequest, when: datetime, actor: Any, source: str = ""
) -> ReferenceRequest:
    with transaction.atomic():
        locked = _locked(request.pk)
        if not can_follow_up(actor, locked):
            raise TransitionError(_("Only the requester or the account owner can schedule."))
        if locked.state not in (State.OWNER_APPROVED, State.SCHEDULED):
            raise TransitionError(_("Only a request the account owner approved can be scheduled."))
        old = locked.state
        locked.state = State.SCHEDULED
        locked.scheduled_for = when
        locked.save(update_fields=["state", "scheduled_for", "updated_at"])
        audit_log(
            action="distribution.reference.scheduled",
            obj=locked,
            actor=actor,
            data={"from": old, "when": when.isoformat()},
            source=source,
        )
    return locked


def reference_request_close(
    *, request: ReferenceRequest, done: bool, actor: Any, note: str = "", source: str = ""
) -> ReferenceRequest:
    """Done (the call happened) or cancelled (it will not)."""
    with transaction.atomic():
        locked = _locked(request.pk)
        if not can_follow_up(actor, locked):
            raise TransitionError(_("Only the requester or the account owner can close it."))
        allowed = (
            (State.SCHEDULED,) if done else (State.REQUESTED, State.OWNER_APPROVED, State.SCHEDULED)
        )
        if locked.state not in allowed:
            raise TransitionError(
                _("Only a scheduled call can be marked done.")
                if done
                else _("This request is already closed.")
            )
        old = locked.state
        locked.state = State.DONE if done else State.CANCELLED
        locked.closed_at = timezone.now()
        if note:
            locked.decision_note = (locked.decision_note + "\n" + note.strip()).strip()
        locked.save(update_fields=["state", "closed_at", "decision_note", "updated_at"])
        audit_log(
            action="distribution.reference.done" if done else "distribution.reference.cancelled",
            obj=locked,
            actor=actor,
            data={"from": old, "note": note},
            source=source,
        )
    return locked


def reference_request_url(request: ReferenceRequest) -> str:
    return settings.SITE_URL + reverse("outreach:reference_detail", args=[request.pk])


# --------------------------------------------------------------------------
# The contact's preference page (tokenized link, hash stored)
# --------------------------------------------------------------------------


def preference_link_issue(*, contact: Contact, actor: Any, source: str = "") -> str:
    """A fresh preference link for ``contact`` to hand over yourself (any
    older link stops working). Returns the URL; only the token's hash is
    stored, so a lost link is replaced, not re-sent."""
    token, token_hash = new_token()
    with transaction.atomic():
        preference = _preference_for_update(contact)
        preference.token_hash = token_hash
        preference.token_created_at = timezone.now()
        preference.save(update_fields=["token_hash", "token_created_at", "updated_at"])
        audit_log(
            action="distribution.reference_preference.link_issued",
            obj=preference,
            actor=actor,
            data={"emailed": False},
            source=source,
        )
    return settings.SITE_URL + reverse("outreach_public:preferences", args=[token])


def preference_link_email(*, contact: Contact, actor: Any, source: str = "") -> None:
    """Email ``contact`` a fresh preference link. The worker that sends it
    mints the token (``distribution/emails.py``): it is never in a task, a
    table or a log; any older link stops working when it is sent."""
    with transaction.atomic():
        preference = _preference_for_update(contact)
        entry = audit_log(
            action="distribution.reference_preference.link_issued",
            obj=preference,
            actor=actor,
            data={"emailed": True},
            source=source,
        )
        outbox.enqueue(
            "distribution.preference_link",
            key=f"distribution.preference_link:{preference.pk}:{entry.pk}",
            payload={"preference": preference.pk},
        )


def _preference_for_update(contact: Contact) -> ReferencePreference:
    preference, _created = ReferencePreference.objects.select_for_update().get_or_create(
        contact=contact, defaults={"available": contact.available_as_reference}
    )
    return preference


def preference_for_token(token: str) -> ReferencePreference | None:
    """The preference behind a link, or None (unknown, replaced or expired)."""
    if not token or len(token) > 100:
        return None
    preference = (
        ReferencePreference.objects.select_related("contact__customer")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if preference is None or preference.token_created_at is None:
        return None
    days = settings.STORYLINE["PREFERENCE_LINK_DAYS"]
    if preference.token_created_at < timezone.now() - timedelta(days=days):
        return None
    if preference.contact.archived or preference.contact.left_company:
        return None
    return preference


def preference_set(
    *,
    preference: ReferencePreference,
    available: bool,
    max_calls_per_quarter: int | None,
    preferred_days: str,
    notes: str,
    paused_until: date | None,
    source: str = "",
) -> ReferencePreference:
    """The contact's own choices; "available" is mirrored on the contact so
    every list of reference contacts follows it."""
    with transaction.atomic():
        locked = ReferencePreference.objects.select_for_update().get(pk=preference.pk)
        locked.available = available
        locked.max_calls_per_quarter = max_calls_per_quarter
        locked.preferred_days = preferred_days.strip()
        locked.notes = notes.strip()
        locked.paused_until = paused_until
        locked.set_by_contact_at = timezone.now()
        locked.save()
        Contact.objects.filter(pk=locked.contact_id).update(available_as_reference=available)
        audit_log(
            action="distribution.reference_preference.set",
            obj=locked,
            data={
                "available": available,
                "max_calls_per_quarter": max_calls_per_quarter,
                "paused_until": paused_until.isoformat() if paused_until else None,
            },
            source=source or "preference page",
        )
    return locked
