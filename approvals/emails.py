"""The customer reviewer's emails: the review link and the mailbox code.

Both are outbox senders (``core.outbox``): the service writes the outbox row
in its transaction, a worker calls the sender once. The sender mints the
secret at that moment (the link's token, the 6-digit code), stores only its
hash, and emails it: no raw token or code is ever a task argument, a broker
message, a table value or a log line. A resend is a new link (and a new
token), so nothing secret needs keeping.
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from approvals.models import ApprovalStep, ReviewLink
from core import outbox
from core.audit import actor_name
from core.emails import send_templated_email
from core.models import OutboxEmail
from core.tokens import hash_code, new_code, new_token

logger = logging.getLogger(__name__)


def review_url(token: str) -> str:
    return settings.SITE_URL + reverse("review:page", kwargs={"token": token})


def _context(link: ReviewLink) -> dict:
    step = link.step
    request = step.request
    return {
        "step": step,
        "request": request,
        "case_study": request.case_study,
        "customer": request.case_study.customer,
        "version": request.version,
        "link": link,
        "sender": request.created_by_name,
    }


def _locked_link(link_id: int) -> ReviewLink | None:
    return (
        ReviewLink.objects.select_for_update(of=("self",))
        .select_related("step__request__case_study__customer", "step__request__version")
        .filter(pk=link_id)
        .first()
    )


def _still_wanted(link: ReviewLink | None) -> bool:
    from approvals.models import ApprovalRequest, ApprovalStep

    return (
        link is not None
        and link.is_live
        and link.step.status == ApprovalStep.Status.PENDING
        and link.step.request.status == ApprovalRequest.Status.OPEN
    )


@outbox.sender("approvals.review_link")
def review_link_email(message: OutboxEmail) -> outbox.Sent | None:
    """The invitation to review, with a token minted now."""
    link_id = message.payload["link"]
    with transaction.atomic():
        link = _locked_link(link_id)
        if not _still_wanted(link):
            return None
        # A retry after a failed send mints again: the earlier token never
        # reached anyone and its hash is overwritten.
        token, link.token_hash = new_token()
        link.save(update_fields=["token_hash"])
    # Sent after commit: the stored hash always belongs to the emailed token.
    subject = send_templated_email(
        name="approval_review_link",
        to=[link.step.reviewer_email],
        language=link.step.request.version.language,
        context={**_context(link), "review_url": review_url(token)},
    )
    ReviewLink.objects.filter(pk=link_id).update(sent_at=timezone.now())
    logger.info("sent review link %s", link_id)  # the id, never the token
    return outbox.Sent(to=[link.step.reviewer_email], subject=subject)


@outbox.sender("approvals.review_code")
def review_code_email(message: OutboxEmail) -> outbox.Sent | None:
    """The 6-digit code proving the reviewer holds the invited mailbox, minted now."""
    link_id = message.payload["link"]
    with transaction.atomic():
        link = _locked_link(link_id)
        if not _still_wanted(link) or link.verified_at is not None:
            return None
        if link.code_requests != message.payload.get("number"):
            return None  # a newer code was asked for: that one is sent instead
        if link.code_locked_until is not None and link.code_locked_until > timezone.now():
            return None
        code = new_code()
        link.code_hash = hash_code(link.pk, code)
        link.code_sent_at = timezone.now()
        link.save(update_fields=["code_hash", "code_sent_at"])
    subject = send_templated_email(
        name="approval_review_code",
        to=[link.step.reviewer_email],
        language=link.step.request.version.language,
        context={
            **_context(link),
            "code": code,
            "minutes": settings.STORYLINE["REVIEW_CODE_MINUTES"],
        },
    )
    logger.info("sent review code for link %s", link_id)
    # The subject shows the code (mail apps preview it): never keep it.
    return outbox.Sent(to=[link.step.reviewer_email], subject=subject.replace(code, "••••••"))


@outbox.sender("approvals.decision_receipt")
def decision_receipt_email(message: OutboxEmail) -> outbox.Sent | None:
    """The customer reviewer's receipt of their decision, with the version's
    fingerprint; a reply reaches the story's owner."""
    from approvals.models import Decision

    decision = (
        Decision.objects.select_related(
            "version", "request__case_study__customer", "request__case_study__owner", "step"
        )
        .filter(pk=message.payload["decision"])
        .first()
    )
    if decision is None or not decision.reviewer_email:
        return None
    case_study = decision.request.case_study
    owner = case_study.owner
    quotes = {q.pk: q for q in case_study.quotes.all()}
    verdicts = [
        (quotes[int(pk)].text if int(pk) in quotes else "", verdict)
        for pk, verdict in (decision.decided.get("quote_verdicts") or {}).items()
    ]
    subject = send_templated_email(
        name="approval_decision_receipt",
        to=[decision.reviewer_email],
        language=decision.version.language,
        reply_to=[owner.email] if owner is not None and owner.email else None,
        context={
            "decision": decision,
            "case_study": case_study,
            "customer": case_study.customer,
            "version": decision.version,
            "approved": decision.outcome == Decision.Outcome.APPROVED,
            "verdicts": verdicts,
            "owner": owner,
        },
    )
    return outbox.Sent(to=[decision.reviewer_email], subject=subject)


# --------------------------------------------------------------------------
# Reminders, escalations and the daily digest. Their ledger claims (each sent
# once) are in approvals/reminders.py; here is what each email says and to whom.
# --------------------------------------------------------------------------


def _addresses(*users) -> list[str]:
    seen: dict[str, str] = {}
    for user in users:
        email = (getattr(user, "email", "") or "").strip()
        if email and email.lower() not in seen:
            seen[email.lower()] = email
    return sorted(seen.values(), key=str.lower)


def _person(user) -> dict[str, str] | None:
    if user is None or not user.is_active:
        return None
    return {"name": actor_name(user) or user.get_username(), "email": user.email}


def _link_sent_on(step: ApprovalStep):
    """When the reviewer was last emailed their link (the live one first)."""
    links: list[ReviewLink] = sorted(
        step.links.all(),
        key=lambda link: (link.revoked_at is None, link.sent_at or link.created_at),
    )
    if not links:
        return None
    latest = links[-1]
    return latest.sent_at or latest.created_at


def reminder_message(
    step,
    *,
    escalation: bool,
    sequence: int,
    days: int,
    reminders_total: int,
    admin_url: str,
    managers: list,
):
    """(template name, recipients, context, language) for one ledger row.
    Customer reviewers read the reminder in the language of the story they
    review; our own people in the site's language."""
    case_study = step.request.case_study
    owner = case_study.owner
    account_owner = case_study.customer.account_owner
    context = {
        "step": step,
        "approval_request": step.request,
        "case_study": case_study,
        "customer": case_study.customer,
        "days": days,
        "sequence": sequence,
        "reminders_total": reminders_total,
        "admin_url": admin_url,
    }
    if escalation:
        to = _addresses(account_owner, owner, *managers)
        return "approval_escalation", to, context, None
    if step.is_customer:
        ask = _person(owner) or _person(account_owner)
        context.update({"link_sent_on": _link_sent_on(step), "ask": ask})
        language = step.request.version.language
        return "approval_reminder_customer", [step.reviewer_email], context, language
    to = [step.user.email] if step.user_id and step.user.email else [step.reviewer_email]
    return "approval_reminder_internal", to, context, None


def send_reminder(
    *, name: str, to: list[str], context: dict, language: str | None, connection=None
) -> str:
    """A reminder or escalation, as :func:`reminder_message` put it.
    ``connection``: one from :func:`reminder_connection`, shared by a batch."""
    return send_templated_email(
        name=name, to=to, context=context, language=language, connection=connection
    )


@contextmanager
def reminder_connection():
    """One open email-backend connection (one SMTP session) for a batch of
    reminders, closed afterwards. After a failed send call
    :func:`reset_connection`: the session may be broken."""
    backend = get_connection()
    try:
        backend.open()
    except Exception as exc:  # the first send reports it (and is retried later)
        logger.warning("approval reminders: could not open the email connection: %s", exc)
    try:
        yield backend
    finally:
        _close_quietly(backend)


def reset_connection(backend) -> None:
    """Close a connection a send failed on and open it again (quietly: if the
    server is still unreachable, the next send fails and is recorded)."""
    _close_quietly(backend)
    try:
        backend.open()
    except Exception as exc:
        logger.warning("approval reminders: could not reopen the email connection: %s", exc)


def _close_quietly(backend) -> None:
    try:
        backend.close()
    except Exception as exc:
        logger.warning("approval reminders: closing the email connection failed: %s", exc)


def send_digest(*, user, context: dict) -> str:
    """A program manager's daily digest of overdue approvals."""
    return send_templated_email(name="approval_digest", to=[user.email], context=context)
