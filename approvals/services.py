"""Every change of an approval chain, one function each.

The shape of ``casestudies.services``: lock the rows (the request first, then
the step or link, always in that order so two writers never deadlock), check
the state and raise :class:`ApprovalError` with a sentence a person can act
on, save, write an audit entry, and only after commit send email. The case
study itself only moves through ``casestudies.services`` (request changes,
approve).

Guide: "Customer Review and Approval" (factual accuracy, quote approval,
messaging, confidential information), "Legal and PR Review" and "Final
Approval and Sign-Off" (written approval, attribution verified, usage rights
documented).
"""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from approvals.models import (
    ApprovalRequest,
    ApprovalStep,
    ConfidentialFlag,
    Decision,
    OutsideApproval,
    PermissionEvidence,
    QuoteReview,
    ReviewComment,
    ReviewLink,
    StepKind,
    UsageRightsConfirmation,
)
from casestudies import services as cs_services
from casestudies.models import (
    SECTION_FIELDS,
    CaseStudy,
    CaseStudyState,
    Contact,
    Metric,
    Quote,
    StoryVersion,
    UsageChannel,
)
from core import outbox
from core.audit import actor_name, audit_log
from core.errors import TransitionError
from core.tokens import code_matches

R = ApprovalRequest.Status
St = ApprovalStep.Status


class ApprovalError(Exception):
    """A change the chain cannot make now; the message says why."""


def conf(name: str) -> Any:
    return settings.STORYLINE[name]


# --------------------------------------------------------------------------
# Reads the services and views share
# --------------------------------------------------------------------------


def latest_version(case_study: CaseStudy, language: str | None = None) -> StoryVersion | None:
    versions = case_study.versions.all()
    if language:
        versions = versions.filter(language=language)
    return versions.order_by("-number").first()


def request_is_current(request: ApprovalRequest) -> bool:
    """The request's version is still the newest one of its language."""
    latest = latest_version(request.case_study, request.version.language)
    return latest is not None and latest.pk == request.version_id


def text_hash(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def rights_of(case_study: CaseStudy) -> dict[str, Any]:
    """The usage rights as they stand, for evidence and the review form."""
    return {
        **{c.value: bool(getattr(case_study, c.field)) for c in UsageChannel},
        "logo_allowed": case_study.logo_allowed,
        "anonymised": case_study.anonymised,
        "percentage_only": case_study.percentage_only,
        "rights_expire_on": (
            case_study.rights_expire_on.isoformat() if case_study.rights_expire_on else None
        ),
    }


def review_snapshot(request: ApprovalRequest) -> dict[str, Any]:
    """What a reviewer of ``request`` is shown: the version, a hash per
    section, the quotes and figures, the usage rights. Stored in every
    decision as ``seen``."""
    version = request.version
    case_study = request.case_study
    return {
        "version": version.number,
        "content_hash": version.content_hash,
        "language": version.language,
        "title": version.title,
        "sections": {name: text_hash(getattr(version, name)) for name in SECTION_FIELDS},
        "quotes": [
            {
                "id": q.pk,
                "text": q.text,
                "speaker": q.speaker_name,
                "title": q.speaker_title,
                "shown_as": case_study.quote_attribution(q),
            }
            for q in review_quotes(case_study)
        ],
        "metrics": [
            {
                "id": m.pk,
                "label": m.label,
                "before": str(m.before),
                "after": str(m.after),
                "unit": m.unit,
                "percentage_only": not m.shows_absolute,
            }
            for m in case_study.metrics.order_by("position", "id")
        ],
        "rights": rights_of(case_study),
    }


def review_quotes(case_study: CaseStudy) -> list[Quote]:
    """The quotes the customer is asked about: every quote not already refused."""
    return list(
        case_study.quotes.exclude(permission=Quote.Permission.REFUSED)
        .select_related("speaker")
        .order_by("position", "id")
    )


# --------------------------------------------------------------------------
# Starting a chain
# --------------------------------------------------------------------------


@dataclass
class StepSpec:
    """One reviewer to add: a customer ``contact`` or an internal ``user``."""

    kind: str
    stage: int = 1
    required: bool = True
    contact: Contact | None = None
    user: Any = None
    due_on: date | None = None


def _spec(raw: StepSpec | dict) -> StepSpec:
    return raw if isinstance(raw, StepSpec) else StepSpec(**raw)


def _check_specs(case_study: CaseStudy, specs: list[StepSpec]) -> None:
    if not specs:
        raise ApprovalError(_("Add at least one reviewer."))
    if not any(s.required for s in specs):
        raise ApprovalError(_("At least one reviewer must be required."))
    seen = set()
    for spec in specs:
        if spec.kind not in StepKind.values:
            raise ApprovalError(_("Unknown reviewer role “%(kind)s”.") % {"kind": spec.kind})
        if spec.stage < 1:
            raise ApprovalError(_("Stages are numbered from 1."))
        customer_kind = StepKind(spec.kind).is_customer
        if customer_kind:
            contact = spec.contact
            if contact is None:
                raise ApprovalError(
                    _("A customer reviewer (%(role)s) needs one of the customer's contacts.")
                    % {"role": StepKind(spec.kind).label}
                )
            if contact.customer_id != case_study.customer_id:
                raise ApprovalError(
                    _("%(name)s is not a contact at %(customer)s.")
                    % {"name": contact.name, "customer": case_study.customer.name}
                )
            if contact.left_company or contact.archived:
                raise ApprovalError(
                    _("%(name)s has left the company or is archived; choose someone else.")
                    % {"name": contact.name}
                )
            key = ("contact", contact.pk)
        else:
            if spec.user is None:
                raise ApprovalError(
                    _("An internal reviewer (%(role)s) needs one of our users.")
                    % {"role": StepKind(spec.kind).label}
                )
            key = ("user", spec.user.pk)
        if key in seen:
            raise ApprovalError(_("Each reviewer can appear only once in a chain."))
        seen.add(key)


def approval_request_start(
    *,
    case_study: CaseStudy,
    steps: list[StepSpec | dict],
    actor: Any,
    version: StoryVersion | None = None,
    message: str = "",
    verify_email_for_approve: bool = True,
    verify_email_for_comments: bool = False,
    link_lifetime_days: int | None = None,
    source: str = "",
) -> ApprovalRequest:
    """Ask for approval of ``version`` (by default the latest). A newer version
    supersedes the open request for an older one (``previous``)."""
    specs = [_spec(s) for s in steps]
    lifetime = link_lifetime_days or conf("REVIEW_LINK_DAYS")
    with transaction.atomic():
        # Lock order as in every decision: the open request, then the case study.
        open_request = (
            ApprovalRequest.objects.select_for_update()
            .filter(case_study_id=case_study.pk, status=R.OPEN)
            .first()
        )
        cs = CaseStudy.objects.select_for_update(of=("self",)).get(pk=case_study.pk)
        if cs.state != CaseStudyState.IN_REVIEW:
            raise ApprovalError(
                _("“%(title)s” is %(state)s: only a story in review can go to the customer.")
                % {"title": cs.title, "state": CaseStudyState(cs.state).label}
            )
        version = version or latest_version(cs)
        if version is None or version.case_study_id != cs.pk:
            raise ApprovalError(_("Choose a version of this story."))
        latest = latest_version(cs, version.language)
        if latest is not None and latest.pk != version.pk:
            raise ApprovalError(
                _("Version %(old)s is stale: version %(new)s was saved after it.")
                % {"old": version.number, "new": latest.number}
            )
        if not version.verify_hash():
            raise ApprovalError(_("Version %(n)s fails its content check.") % {"n": version.number})
        _check_specs(cs, specs)

        previous = cs.approval_requests.order_by("-created_at", "-pk").first()
        if open_request is not None:
            if open_request.version_id == version.pk:
                raise ApprovalError(
                    _("Approval of version %(n)s is already in progress.") % {"n": version.number}
                )
            open_request.status = R.SUPERSEDED
            open_request.completed_at = timezone.now()
            open_request.save(update_fields=["status", "completed_at", "updated_at"])
            audit_log(
                action="approvals.request.superseded",
                obj=open_request,
                actor=actor,
                data={"by_version": version.number},
                source=source,
            )
        try:
            with transaction.atomic():
                request = ApprovalRequest.objects.create(
                    case_study=cs,
                    version=version,
                    content_hash=version.content_hash,
                    previous=previous,
                    message=message.strip(),
                    verify_email_for_approve=verify_email_for_approve,
                    verify_email_for_comments=verify_email_for_comments,
                    link_lifetime_days=lifetime,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                    created_by_name=actor_name(actor),
                )
        except IntegrityError as exc:
            raise ApprovalError(
                _("Someone else started an approval of this story at the same moment; reload.")
            ) from exc
        for spec in specs:
            person = spec.contact if StepKind(spec.kind).is_customer else spec.user
            ApprovalStep.objects.create(
                request=request,
                stage=spec.stage,
                kind=spec.kind,
                required=spec.required,
                contact=spec.contact if StepKind(spec.kind).is_customer else None,
                user=None if StepKind(spec.kind).is_customer else spec.user,
                reviewer_name=(
                    person.name
                    if isinstance(person, Contact)
                    else (person.get_full_name() or person.get_username())
                ),
                reviewer_email=person.email,
                due_on=spec.due_on,
            )
        audit_log(
            action="approvals.request.started",
            obj=request,
            actor=actor,
            data={
                "version": version.number,
                "content_hash": version.content_hash,
                "steps": len(specs),
                "replaces": previous.pk if previous else None,
            },
            source=source,
        )
        _advance(request, actor=actor, source=source)
    return request


# --------------------------------------------------------------------------
# Stages
# --------------------------------------------------------------------------


def _advance(request: ApprovalRequest, *, actor: Any, source: str) -> None:
    """With ``request`` locked: activate every step up to the first stage that
    still has a required step not approved; when none is left, the request is
    approved and the case study with it (exactly once: the caller holds the
    request's row lock and the status changes from open here)."""
    steps = list(request.steps.select_for_update().order_by("stage", "pk"))
    blocking = [s.stage for s in steps if s.required and s.status != St.APPROVED]
    now = timezone.now()
    if blocking:
        current = min(blocking)
        for step in steps:
            if step.stage <= current and step.status == St.WAITING:
                step.status = St.PENDING
                step.activated_at = now
                step.save(update_fields=["status", "activated_at"])
                if step.is_customer:
                    review_link_issue(step=step, actor=actor, source=source)
        return
    if blocking_flags(request):
        # Every required reviewer approved, but a confidential flag is still
        # open (or applied, waiting for the next version): the request stays
        # open until staff resolve it (``confidential_flag_dismiss`` calls
        # this again).
        return

    request.status = R.APPROVED
    request.completed_at = now
    request.save(update_fields=["status", "completed_at", "updated_at"])
    for step in steps:
        if step.status in (St.WAITING, St.PENDING):
            step.status = St.SKIPPED
            step.save(update_fields=["status"])
    audit_log(
        action="approvals.request.approved",
        obj=request,
        actor=actor,
        data={"version": request.version.number, "content_hash": request.content_hash},
        source=source,
    )
    _approve_quotes_with_version(request, actor=actor, source=source)
    cs = CaseStudy.objects.get(pk=request.case_study_id)
    if cs.state == CaseStudyState.APPROVED and cs.approved_version_id == request.version_id:
        return  # staff recorded this approval by hand meanwhile: nothing left to move
    try:
        cs_services.case_study_approve(
            case_study=request.case_study,
            version=request.version,
            actor=actor,
            reason=_("Every required reviewer approved version %(n)s.")
            % {"n": request.version.number},
            source=source or "approvals",
        )
    except TransitionError as exc:
        raise ApprovalError(str(exc)) from exc


# --------------------------------------------------------------------------
# Review links
# --------------------------------------------------------------------------


def review_link_issue(*, step: ApprovalStep, actor: Any = None, source: str = "") -> ReviewLink:
    """A new link for a customer step (any live one is revoked first), emailed
    after commit through the outbox. Its token is minted by the worker that
    sends the email (``approvals.emails``): nothing here ever holds it."""
    if not step.is_customer:
        raise ApprovalError(_("Internal reviewers decide in the admin; they get no link."))
    with transaction.atomic():
        # The request first, then the step: the order every writer uses.
        request = ApprovalRequest.objects.select_for_update().get(pk=step.request_id)
        step = ApprovalStep.objects.select_for_update().get(pk=step.pk)
        step.request = request
        if request.status != R.OPEN:
            raise ApprovalError(_("This approval request is closed; links cannot be sent."))
        if step.status != St.PENDING:
            raise ApprovalError(
                _("%(name)s's step is %(status)s; only a step awaiting a decision gets a link.")
                % {"name": step.reviewer_name, "status": step.get_status_display()}
            )
        now = timezone.now()
        live = ReviewLink.objects.select_for_update().filter(step=step, revoked_at__isnull=True)
        for old in live:
            old.revoked_at = now
            old.revoked_by_name = _("replaced by a new link")
            old.save(update_fields=["revoked_at", "revoked_by_name"])
        link = ReviewLink.objects.create(
            step=step,
            created_at=now,
            expires_at=now + timedelta(days=step.request.link_lifetime_days),
        )
        audit_log(
            action="approvals.link.issued",
            obj=link,
            actor=actor,
            data={"step": step.pk, "expires_at": link.expires_at.isoformat()},
            source=source,
        )
        outbox.enqueue(
            "approvals.review_link",
            key=f"approvals.review_link:{link.pk}",
            payload={"link": link.pk},
            case_study_id=request.case_study_id,
        )
    return link


def review_link_resend(*, step: ApprovalStep, actor: Any, source: str = "") -> ReviewLink:
    """Re-send: a fresh link replaces the old one (which stops working at once).
    Never on a stale request: its link would only say a newer version is on
    its way; start the request for the newer version instead."""
    request = ApprovalRequest.objects.select_related("case_study", "version").get(
        pk=step.request_id
    )
    if request.status == R.SUPERSEDED or not request_is_current(request):
        latest = latest_version(request.case_study, request.version.language)
        raise ApprovalError(
            _(
                "Version %(old)s is stale: version %(new)s was saved after it. Start the "
                "request for version %(new)s instead of re-sending this one."
            )
            % {"old": request.version.number, "new": latest.number if latest else "?"}
        )
    return review_link_issue(step=step, actor=actor, source=source)


def review_link_revoke(*, link: ReviewLink, actor: Any, source: str = "") -> ReviewLink:
    with transaction.atomic():
        link = ReviewLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is not None:
            raise ApprovalError(_("This link is already revoked."))
        link.revoked_at = timezone.now()
        link.revoked_by_name = actor_name(actor)
        link.save(update_fields=["revoked_at", "revoked_by_name"])
        audit_log(action="approvals.link.revoked", obj=link, actor=actor, source=source)
    return link


def review_link_extend(*, link: ReviewLink, days: int, actor: Any, source: str = "") -> ReviewLink:
    if not 1 <= days <= 365:
        raise ApprovalError(_("Extend by 1 to 365 days."))
    with transaction.atomic():
        link = ReviewLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is not None:
            raise ApprovalError(_("A revoked link cannot be extended; send a new one."))
        old = link.expires_at
        link.expires_at = max(old, timezone.now()) + timedelta(days=days)
        link.save(update_fields=["expires_at"])
        audit_log(
            action="approvals.link.extended",
            obj=link,
            actor=actor,
            data={"from": old.isoformat(), "to": link.expires_at.isoformat()},
            source=source,
        )
    return link


# --------------------------------------------------------------------------
# The mailbox check
# --------------------------------------------------------------------------


def _locked_live(link: ReviewLink) -> tuple[ApprovalRequest, ApprovalStep, ReviewLink]:
    """Lock request, step and link (in that order) and check the link can act."""
    request = ApprovalRequest.objects.select_for_update().get(pk=link.step.request_id)
    step = ApprovalStep.objects.select_for_update().get(pk=link.step_id)
    link = ReviewLink.objects.select_for_update().get(pk=link.pk)
    if not link.is_live:
        raise ApprovalError(_("This link is no longer valid."))
    if request.status != R.OPEN or not request_is_current(request):
        raise ApprovalError(
            _("This review is closed: a newer version of the story is on its way to you.")
        )
    if step.status != St.PENDING:
        raise ApprovalError(_("Your decision on this version is already recorded."))
    return request, step, link


def _code_locked(link: ReviewLink, now) -> bool:
    return link.code_locked_until is not None and link.code_locked_until > now


def _locked_message(link: ReviewLink) -> str:
    return _(
        "Too many wrong codes. For your security you can ask for a new code after %(time)s."
    ) % {"time": formats.time_format(timezone.localtime(link.code_locked_until), "TIME_FORMAT")}


def code_send(*, link: ReviewLink) -> ReviewLink:
    """Email a fresh 6-digit code to the invited mailbox (at most one a
    minute). The worker that sends it mints it (``approvals.emails``); a new
    code does not reset the count of wrong ones."""
    with transaction.atomic():
        request, step, link = _locked_live(link)
        now = timezone.now()
        if _code_locked(link, now):
            raise ApprovalError(_locked_message(link))
        if link.code_requested_at and now - link.code_requested_at < timedelta(
            seconds=conf("REVIEW_CODE_RESEND_SECONDS")
        ):
            raise ApprovalError(
                _("A code was sent less than a minute ago; check your inbox (and spam folder).")
            )
        link.code_requested_at = now
        link.code_requests += 1
        # The previous code stops working now, not when the new one arrives.
        link.code_hash = ""
        link.save(update_fields=["code_requested_at", "code_requests", "code_hash"])
        audit_log(action="approvals.code.sent", obj=link, data={"to": step.reviewer_email})
        outbox.enqueue(
            "approvals.review_code",
            key=f"approvals.review_code:{link.pk}:{link.code_requests}",
            payload={"link": link.pk, "number": link.code_requests},
            case_study_id=request.case_study_id,
        )
    return link


def code_verify(*, link: ReviewLink, code: str) -> ReviewLink:
    """Check the emailed code. Wrong codes count across codes (and the count
    is kept even though the call fails); after ``REVIEW_CODE_ATTEMPTS`` of
    them the check is locked for ``REVIEW_CODE_LOCK_MINUTES``."""
    code = (code or "").strip().replace(" ", "")
    outcome = "ok"
    with transaction.atomic():
        _request, step, link = _locked_live(link)
        if link.verified_at is not None:
            return link
        now = timezone.now()
        if _code_locked(link, now):
            outcome = "locked"
        elif not link.code_hash or link.code_sent_at is None:
            outcome = "none"
        elif now - link.code_sent_at > timedelta(minutes=conf("REVIEW_CODE_MINUTES")):
            outcome = "expired"
        elif not (code.isascii() and code.isdigit()) or not code_matches(
            link.pk, code, link.code_hash
        ):
            if link.code_locked_until is not None:  # an earlier lock is over
                link.code_attempts = 0
                link.code_locked_until = None
            link.code_attempts += 1
            outcome = "wrong"
            if link.code_attempts >= conf("REVIEW_CODE_ATTEMPTS"):
                link.code_locked_until = now + timedelta(minutes=conf("REVIEW_CODE_LOCK_MINUTES"))
                link.code_hash = ""
                outcome = "locked"
            link.save(update_fields=["code_attempts", "code_locked_until", "code_hash"])
            if outcome == "locked":
                audit_log(
                    action="approvals.code.locked", obj=link, data={"attempts": link.code_attempts}
                )
        else:
            link.verified_at = now
            link.verified_email = step.reviewer_email
            link.code_hash = ""
            link.code_attempts = 0
            link.code_locked_until = None
            link.save(
                update_fields=[
                    "verified_at",
                    "verified_email",
                    "code_hash",
                    "code_attempts",
                    "code_locked_until",
                ]
            )
            audit_log(action="approvals.code.verified", obj=link, data={"to": step.reviewer_email})
    messages = {
        "none": _("Ask for a code first."),
        "expired": _("This code has expired. Ask for a new code."),
        "wrong": _("That code is not right. Check the latest email we sent and try again."),
    }
    if outcome == "locked":
        raise ApprovalError(_locked_message(link))
    if outcome != "ok":
        raise ApprovalError(messages[outcome])
    return link


def _require_verified(request: ApprovalRequest, link: ReviewLink, *, for_approve: bool) -> None:
    needed = request.verify_email_for_approve if for_approve else request.verify_email_for_comments
    if needed and link.verified_at is None:
        raise ApprovalError(_("First confirm your email address with the code we send you."))


# --------------------------------------------------------------------------
# Review actions
# --------------------------------------------------------------------------


def _section(value: str) -> str:
    value = value or ""
    if value and value not in SECTION_FIELDS:
        raise ApprovalError(_("Choose a section of the story."))
    return value


def review_comment_add(
    *, link: ReviewLink, section: str = "", body: str = "", suggested_text: str = ""
) -> ReviewComment:
    body, suggested_text = (body or "").strip(), (suggested_text or "").strip()
    if not body and not suggested_text:
        raise ApprovalError(_("Write a comment or suggest replacement text."))
    if suggested_text and not section:
        raise ApprovalError(_("Choose the section your suggested text replaces."))
    with transaction.atomic():
        request, step, link = _locked_live(link)
        _require_verified(request, link, for_approve=False)
        comment = ReviewComment.objects.create(
            step=step,
            version=request.version,
            section=_section(section),
            body=body,
            suggested_text=suggested_text,
        )
        audit_log(
            action="approvals.comment.added",
            obj=comment,
            data={"step": step.pk, "section": comment.section, "suggestion": bool(suggested_text)},
        )
    return comment


def quote_verdict_set(
    *, link: ReviewLink, quote_id: int, verdict: str, comment: str = ""
) -> QuoteReview:
    if verdict not in QuoteReview.Verdict.values:
        raise ApprovalError(_("Approve or refuse the quote."))
    with transaction.atomic():
        request, step, link = _locked_live(link)
        _require_verified(request, link, for_approve=False)
        quote = next((q for q in review_quotes(request.case_study) if q.pk == quote_id), None)
        if quote is None:
            raise ApprovalError(_("That quote is not part of this story."))
        review, _created = QuoteReview.objects.update_or_create(
            step=step,
            quote=quote,
            defaults={
                "verdict": verdict,
                "comment": (comment or "").strip(),
                "created_at": timezone.now(),
            },
        )
        audit_log(
            action="approvals.quote.reviewed",
            obj=review,
            data={"step": step.pk, "quote": quote.pk, "verdict": verdict},
        )
    return review


def confidential_flag_add(
    *,
    link: ReviewLink,
    section: str = "",
    phrase: str = "",
    metric_id: int | None = None,
    show_as_percentage: bool = False,
    note: str = "",
) -> ConfidentialFlag:
    phrase = (phrase or "").strip()
    if not phrase and metric_id is None:
        raise ApprovalError(_("Name the figure or phrase to keep confidential."))
    with transaction.atomic():
        request, step, link = _locked_live(link)
        _require_verified(request, link, for_approve=False)
        metric = None
        if metric_id is not None:
            metric = Metric.objects.filter(pk=metric_id, case_study=request.case_study).first()
            if metric is None:
                raise ApprovalError(_("That figure is not part of this story."))
        flag = ConfidentialFlag.objects.create(
            step=step,
            section=_section(section),
            phrase=phrase[:300],
            metric=metric,
            show_as_percentage=show_as_percentage,
            note=(note or "").strip(),
        )
        audit_log(
            action="approvals.flag.added",
            obj=flag,
            data={"step": step.pk, "metric": metric_id, "percentage": show_as_percentage},
        )
    return flag


def rights_contradiction(*, anonymised: bool, logo_allowed: bool) -> str:
    """The sentence refusing contradictory usage rights, or ""."""
    if anonymised and logo_allowed:
        return _(
            "An anonymised story never shows your company's name or logo: untick "
            "“Our logo may be shown” or “Anonymised”."
        )
    return ""


def naming_asked(step: ApprovalStep, quotes: list[Quote] | None = None) -> bool:
    """Whether the reviewer is a named person of the story: a quote is theirs,
    or their name is in the version's text."""
    if step.contact_id is None:
        return False
    request = step.request
    quotes = review_quotes(request.case_study) if quotes is None else quotes
    if any(q.speaker_id == step.contact_id for q in quotes):
        return True
    name = (step.contact.name or "").strip().casefold()
    version = request.version
    return bool(name) and any(
        name in (text or "").casefold() for text in [version.title, *version.sections().values()]
    )


def naming_answer_set(*, link: ReviewLink, answer: str) -> ApprovalStep:
    """The reviewer says whether we may name them; their decision applies it."""
    if answer not in ("granted", "refused"):
        raise ApprovalError(_("Say whether we may name you."))
    with transaction.atomic():
        request, step, link = _locked_live(link)
        _require_verified(request, link, for_approve=False)
        if step.naming_answer != answer:
            step.naming_answer = answer
            step.save(update_fields=["naming_answer"])
            audit_log(
                action="approvals.naming.answered",
                obj=step,
                data={"step": step.pk, "answer": answer},
            )
    return step


def usage_rights_confirm(
    *,
    link: ReviewLink,
    channels: dict[str, bool],
    logo_allowed: bool,
    anonymised: bool,
    percentage_only: bool,
    rights_expire_on: date | None,
) -> UsageRightsConfirmation:
    """The customer confirms where and how the story may be used; the case
    study takes the rights at once (the audit log keeps every change)."""
    if rights_expire_on is not None and rights_expire_on <= timezone.localdate():
        raise ApprovalError(_("The expiry date must be in the future."))
    problem = rights_contradiction(anonymised=anonymised, logo_allowed=logo_allowed)
    if problem:
        raise ApprovalError(problem)
    with transaction.atomic():
        request, step, link = _locked_live(link)
        _require_verified(request, link, for_approve=False)
        cs = CaseStudy.objects.select_for_update(of=("self",)).get(pk=request.case_study_id)
        wanted: dict[str, Any] = {c.field: bool(channels.get(c.value)) for c in UsageChannel}
        wanted.update(
            logo_allowed=logo_allowed,
            anonymised=anonymised,
            percentage_only=percentage_only,
            rights_expire_on=rights_expire_on,
        )
        changes = {
            name: (getattr(cs, name), value)
            for name, value in wanted.items()
            if getattr(cs, name) != value
        }
        for name, value in wanted.items():
            setattr(cs, name, value)
        cs.rights_confirmed_at = timezone.now()
        cs.rights_confirmed_by = f"{step.reviewer_name} <{step.reviewer_email}>"[:200]
        cs.save(update_fields=[*wanted, "rights_confirmed_at", "rights_confirmed_by", "updated_at"])
        confirmation = UsageRightsConfirmation.objects.create(step=step, rights=rights_of(cs))
        cs_services.case_study_usage_rights_changed(
            case_study=cs, changes=changes, actor=None, source=f"approvals: {step.reviewer_name}"
        )
        audit_log(
            action="approvals.rights.confirmed",
            obj=confirmation,
            data={"step": step.pk, **confirmation.rights},
        )
    return confirmation


# --------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------


def _decided_payload(step: ApprovalStep, checklist: dict[str, bool] | None) -> dict[str, Any]:
    rights = step.rights_confirmations.order_by("-created_at", "-pk").first()
    return {
        "quote_verdicts": {
            str(r.quote_id): r.verdict for r in step.quote_reviews.order_by("quote_id")
        },
        "flags": [
            {
                "section": f.section,
                "phrase": f.phrase,
                "metric": f.metric_id,
                "show_as_percentage": f.show_as_percentage,
            }
            for f in step.flags.order_by("pk")
        ],
        "comments": step.comments.filter(suggested_text="").count(),
        "suggestions": step.comments.exclude(suggested_text="").count(),
        "rights": rights.rights if rights else None,
        "checklist": checklist or {},
    }


def _decide(
    *,
    request_id: int,
    step_id: int,
    link_id: int | None,
    outcome: str,
    message: str,
    ip: str | None,
    user_agent: str,
    actor: Any,
    checklist: dict[str, bool] | None,
    source: str,
) -> Decision:
    message = (message or "").strip()
    if outcome not in Decision.Outcome.values:
        raise ApprovalError(_("Choose approve or request changes."))
    if outcome == Decision.Outcome.CHANGES_REQUESTED and not message:
        raise ApprovalError(_("Say what should change: the message is required."))
    with transaction.atomic():
        request = (
            ApprovalRequest.objects.select_for_update(of=("self",))
            .select_related("case_study__customer", "version")
            .get(pk=request_id)
        )
        step = ApprovalStep.objects.select_for_update().get(pk=step_id)
        link = None
        if link_id is not None:
            link = ReviewLink.objects.select_for_update().get(pk=link_id)
            if not link.is_live:
                raise ApprovalError(_("This link is no longer valid."))
        if step.is_decided:
            raise ApprovalError(_("This decision is already recorded."))
        if request.status != R.OPEN or not request_is_current(request):
            raise ApprovalError(
                _("This review is closed: a newer version of the story is on its way.")
            )
        if step.status != St.PENDING:
            raise ApprovalError(_("This step is not awaiting a decision."))
        if link is not None and outcome == Decision.Outcome.APPROVED:
            _require_verified(request, link, for_approve=True)

        now = timezone.now()
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    step=step,
                    request=request,
                    version=request.version,
                    content_hash=request.version.content_hash,
                    outcome=outcome,
                    message=message,
                    reviewer_name=step.reviewer_name,
                    reviewer_email=step.reviewer_email,
                    # A customer's mailbox proven by the code; a colleague's by signing in.
                    verified_email=(
                        (link.verified_email if link.verified_at else "")
                        if link is not None
                        else (actor.email or "")
                    ),
                    decided_at=now,
                    ip_address=ip or None,
                    user_agent=(user_agent or "")[:500],
                    seen=review_snapshot(request),
                    decided=_decided_payload(step, checklist),
                )
        except IntegrityError as exc:
            raise ApprovalError(_("This decision is already recorded.")) from exc
        step.status = outcome
        step.decided_at = now
        step.save(update_fields=["status", "decided_at"])
        if step.is_customer:
            _apply_customer_answers(step, decision, source=source)
        if outcome == Decision.Outcome.APPROVED and step.contact_id:
            # The chain captured at recruitment moves on by itself, and with
            # it the expected publication date shown on the case study.
            from approvals.models import ApprovalChainContact

            ApprovalChainContact.objects.filter(
                case_study_id=request.case_study_id,
                contact_id=step.contact_id,
                completed_on__isnull=True,
            ).update(completed_on=timezone.localdate(now))
        audit_log(
            action=f"approvals.step.{outcome}",
            obj=step,
            actor=actor,
            data={"request": request.pk, "version": request.version.number, "ip": ip or ""},
            source=source,
        )
        if step.is_customer:
            # The reviewer's written receipt: what they decided, on which
            # exact version (its fingerprint). Replies go to the story's owner.
            outbox.enqueue(
                "approvals.decision_receipt",
                key=f"approvals.decision_receipt:{decision.pk}",
                payload={"decision": decision.pk},
                case_study_id=request.case_study_id,
            )

        if outcome == Decision.Outcome.CHANGES_REQUESTED:
            if step.required:
                request.status = R.CHANGES_REQUESTED
                request.completed_at = now
                request.save(update_fields=["status", "completed_at", "updated_at"])
                for other in request.steps.select_for_update().filter(
                    status__in=[St.WAITING, St.PENDING]
                ):
                    other.status = St.SKIPPED
                    other.save(update_fields=["status"])
                in_review = (
                    CaseStudy.objects.filter(pk=request.case_study_id)
                    .values_list("state", flat=True)
                    .get()
                    == CaseStudyState.IN_REVIEW
                )
                try:
                    if in_review:  # else staff already took it back to drafting
                        cs_services.case_study_request_changes(
                            case_study=request.case_study,
                            actor=actor,
                            reason=_("%(name)s (%(role)s) requested changes: %(message)s")
                            % {
                                "name": step.reviewer_name,
                                "role": step.get_kind_display(),
                                "message": message,
                            },
                            source=source or "approvals",
                        )
                except TransitionError as exc:
                    raise ApprovalError(str(exc)) from exc
        else:
            _advance(request, actor=actor, source=source)
    return decision


def review_decision_record(
    *,
    link: ReviewLink,
    outcome: str,
    message: str = "",
    ip: str | None = None,
    user_agent: str = "",
    checklist: dict[str, bool] | None = None,
) -> Decision:
    """A customer reviewer decides through their link."""
    return _decide(
        request_id=link.step.request_id,
        step_id=link.step_id,
        link_id=link.pk,
        outcome=outcome,
        message=message,
        ip=ip,
        user_agent=user_agent,
        actor=None,
        checklist=checklist,
        source=f"review link: {link.step.reviewer_name}"[:200],
    )


# The brief's name for the same door.
step_decide = review_decision_record


def internal_step_decide(
    *,
    step: ApprovalStep,
    actor: Any,
    outcome: str,
    message: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> Decision:
    """Our own legal or marketing decide in the admin, as the user named on the step."""
    if step.is_customer or step.user_id is None:
        raise ApprovalError(_("Customer reviewers decide through their link."))
    if not getattr(actor, "is_authenticated", False) or actor.pk != step.user_id:
        raise ApprovalError(
            _("Only %(name)s can record this decision.") % {"name": step.reviewer_name}
        )
    return _decide(
        request_id=step.request_id,
        step_id=step.pk,
        link_id=None,
        outcome=outcome,
        message=message,
        ip=ip,
        user_agent=user_agent,
        actor=actor,
        checklist=None,
        source="admin",
    )


def approval_request_cancel(
    *, request: ApprovalRequest, actor: Any, reason: str = "", source: str = ""
) -> ApprovalRequest:
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != R.OPEN:
            raise ApprovalError(_("Only an approval in progress can be cancelled."))
        request.status = R.CANCELLED
        request.completed_at = timezone.now()
        request.save(update_fields=["status", "completed_at", "updated_at"])
        request.steps.filter(status__in=[St.WAITING, St.PENDING]).update(status=St.SKIPPED)
        ReviewLink.objects.filter(step__request=request, revoked_at__isnull=True).update(
            revoked_at=request.completed_at, revoked_by_name=actor_name(actor)
        )
        audit_log(
            action="approvals.request.cancelled",
            obj=request,
            actor=actor,
            data={"reason": reason},
            source=source,
        )
    return request


# --------------------------------------------------------------------------
# The customer's answers reach the story: quotes, names, flags
# --------------------------------------------------------------------------

QP = Quote.Permission
F = ConfidentialFlag.Status


def _set_quote_permission(
    quote: Quote,
    *,
    granted: bool,
    decision: Decision | None,
    basis: str,
    source: str,
    outside: OutsideApproval | None = None,
) -> None:
    """With the decision's transaction open: the quote takes the customer's
    answer (a refusal is final for this story: an approval never overrides
    it), and the evidence row points at the decision."""
    locked = Quote.objects.select_for_update(of=("self",)).get(pk=quote.pk)
    wanted = QP.APPROVED if granted else QP.REFUSED
    if locked.permission == wanted or locked.permission == QP.REFUSED:
        return
    old = locked.permission
    locked.permission = wanted
    locked.save(update_fields=["permission", "updated_at"])
    PermissionEvidence.objects.create(
        subject=PermissionEvidence.Subject.QUOTE,
        quote=locked,
        granted=granted,
        basis=basis,
        decision=decision,
        outside=outside,
    )
    audit_log(
        action="approvals.quote.permission",
        obj=locked,
        data={
            "from": old,
            "to": wanted,
            "decision": decision.pk if decision else None,
            "outside": outside.pk if outside else None,
            "basis": basis,
        },
        source=source,
    )


def _apply_customer_answers(step: ApprovalStep, decision: Decision, *, source: str) -> None:
    """A customer's decision (either outcome) carries their answers: each
    quote verdict sets the quote's permission, and their "you may name me"
    sets their contact's."""
    for review in step.quote_reviews.select_related("quote").order_by("quote_id"):
        _set_quote_permission(
            review.quote,
            granted=review.verdict == QuoteReview.Verdict.APPROVED,
            decision=decision,
            basis=PermissionEvidence.Basis.VERDICT,
            source=source,
        )
    if step.contact_id and step.naming_answer:
        granted = step.naming_answer == "granted"
        contact = Contact.objects.select_for_update().get(pk=step.contact_id)
        if contact.may_be_named != granted:
            contact.may_be_named = granted
            contact.save(update_fields=["may_be_named", "updated_at"])
        PermissionEvidence.objects.create(
            subject=PermissionEvidence.Subject.NAMING,
            contact=contact,
            granted=granted,
            basis=PermissionEvidence.Basis.ANSWER,
            decision=decision,
        )
        audit_log(
            action="approvals.contact.naming",
            obj=contact,
            data={"may_be_named": granted, "decision": decision.pk},
            source=source,
        )


def _approve_quotes_with_version(request: ApprovalRequest, *, actor: Any, source: str) -> None:
    """The request is approved: every quote the reviewers were shown and none
    refused is approved with the version (the last approving decision is the
    evidence), so the approved story's quotes can be published."""
    last = request.decisions.filter(outcome=Decision.Outcome.APPROVED).order_by(
        "-decided_at", "-pk"
    )
    decision = last.first()
    if decision is None:
        return
    shown = {q["id"] for q in (decision.seen or {}).get("quotes", []) if "id" in q}
    for quote in review_quotes(request.case_study):
        if quote.pk in shown and quote.permission != QP.APPROVED:
            _set_quote_permission(
                quote,
                granted=True,
                decision=decision,
                basis=PermissionEvidence.Basis.VERSION,
                source=source or "approvals",
            )


def blocking_flags(request: ApprovalRequest) -> list[ConfidentialFlag]:
    """The flags that keep ``request`` from completing: open ones, and
    applied phrases (the next version must carry the change)."""
    return [
        f
        for f in ConfidentialFlag.objects.filter(step__request_id=request.pk).order_by("pk")
        if f.status == F.OPEN or (f.status == F.APPLIED and f.phrase)
    ]


def _locked_flag(flag: ConfidentialFlag) -> tuple[ApprovalRequest, ConfidentialFlag]:
    request = ApprovalRequest.objects.select_for_update().get(pk=flag.step.request_id)
    flag = ConfidentialFlag.objects.select_for_update().select_related("step").get(pk=flag.pk)
    if flag.status != F.OPEN:
        raise ApprovalError(
            _("This flag is already %(status)s.") % {"status": flag.get_status_display()}
        )
    return request, flag


def confidential_flag_apply(
    *, flag: ConfidentialFlag, actor: Any, replacement: str = "", note: str = "", source: str = ""
) -> ConfidentialFlag:
    """Do what the customer asked. A figure is shown as a percentage from now
    on (the metric becomes "percentage only"); a phrase is replaced by
    ``replacement`` (removed when empty) in the next version, which
    :func:`next_version_sections` builds."""
    replacement = " ".join((replacement or "").split())[:300]
    with transaction.atomic():
        request, flag = _locked_flag(flag)
        if flag.metric_id is not None:
            metric = Metric.objects.select_for_update().get(pk=flag.metric_id)
            if not metric.percentage_only:
                metric.percentage_only = True
                metric.save(update_fields=["percentage_only", "updated_at"])
                audit_log(
                    action="casestudies.metric.percentage_only",
                    obj=metric,
                    actor=actor,
                    data={"flag": flag.pk},
                    source=source,
                )
            done = _("shown as a percentage only")
        else:
            base = latest_version(request.case_study, request.version.language)
            if base is None or not any(
                flag.phrase.casefold() in (text or "").casefold()
                for text in base.sections().values()
            ):
                raise ApprovalError(
                    _(
                        "“%(phrase)s” is not in version %(n)s: edit the story by hand, or "
                        "dismiss the flag with a reason."
                    )
                    % {"phrase": flag.phrase, "n": base.number if base else "?"}
                )
            done = (
                _("replaced by “%(text)s” in the next version") % {"text": replacement}
                if replacement
                else _("removed from the next version")
            )
        flag.status = F.APPLIED
        flag.replacement = replacement if flag.metric_id is None else ""
        flag.resolution_note = (note or "").strip() or done
        flag.resolved_at = timezone.now()
        flag.resolved_by_name = actor_name(actor)
        flag.save(
            update_fields=[
                "status",
                "replacement",
                "resolution_note",
                "resolved_at",
                "resolved_by_name",
                "updated_at",
            ]
        )
        audit_log(
            action="approvals.flag.applied",
            obj=flag,
            actor=actor,
            data={"request": request.pk, "metric": flag.metric_id, "replacement": replacement},
            source=source,
        )
        if request.status == R.OPEN and request_is_current(request):
            _advance(request, actor=actor, source=source)
    return flag


def confidential_flag_dismiss(
    *, flag: ConfidentialFlag, actor: Any, reason: str, source: str = ""
) -> ConfidentialFlag:
    """Keep the figure or phrase as it is, saying why: the reviewer sees the
    reason. The last open flag dismissed lets an approved chain complete."""
    reason = (reason or "").strip()
    if not reason:
        raise ApprovalError(_("Say why the flag is dismissed: the reviewer will read it."))
    with transaction.atomic():
        request, flag = _locked_flag(flag)
        flag.status = F.DISMISSED
        flag.resolution_note = reason[:2000]
        flag.resolved_at = timezone.now()
        flag.resolved_by_name = actor_name(actor)
        flag.save(
            update_fields=[
                "status",
                "resolution_note",
                "resolved_at",
                "resolved_by_name",
                "updated_at",
            ]
        )
        audit_log(
            action="approvals.flag.dismissed",
            obj=flag,
            actor=actor,
            data={"request": request.pk, "reason": reason[:200]},
            source=source,
        )
        if request.status == R.OPEN and request_is_current(request):
            _advance(request, actor=actor, source=source)
    return flag


def _remove_passage(text: str, start: int, end: int) -> str:
    """``text`` without the passage at ``start:end``: a blockquote (with its
    attribution) goes whole; an inline quotation takes its sentence with it."""
    import re

    if not text[start:end].lstrip().startswith(">"):
        head = text[:start]
        cut = max(head.rfind("\n"), *(m.end() - 1 for m in re.finditer(r"[.!?…]\s", head)))
        start = cut + 1 if cut >= 0 else 0
        tail = re.search(r"[.!?…](?=\s|$)|\n", text[end:])
        if tail is None:
            end = len(text)
        else:
            end += tail.end() if tail.group() != "\n" else tail.start()
    head, rest = text[:start].rstrip(" \t"), text[end:].lstrip(" \t")
    glue = " " if head.strip() and not head.endswith("\n") and rest else ""
    joined = head + glue + rest
    while "\n\n\n" in joined:
        joined = joined.replace("\n\n\n", "\n\n")
    return joined.strip()


def without_refused_quotes(text: str, refused: list[Quote]) -> str:
    """``text`` with every passage that reproduces a refused quote removed."""
    from casestudies.checker import find_quoted_passages, match_quote

    if not refused or not text:
        return text
    for passage in reversed(find_quoted_passages(text)):
        if match_quote(passage.text, refused) is not None:
            text = _remove_passage(text, passage.start, passage.end)
    return text


def _replace_phrase(text: str, phrase: str, replacement: str) -> str:
    import re

    pattern = re.compile(re.escape(phrase), re.IGNORECASE)
    text = pattern.sub(lambda _m: replacement, text)
    return re.sub(r"[ \t]{2,}", " ", re.sub(r"[ \t]+([.,;:!?])", r"\1", text))


def next_version_sections(
    case_study: CaseStudy, sections: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The sections of the next version with the customer's answers applied:
    refused quotes leave, applied confidential phrases are replaced or
    removed. Returns the sections and what changed, in words."""
    refused = list(case_study.quotes.filter(permission=QP.REFUSED))
    flags = list(
        ConfidentialFlag.objects.filter(
            step__request__case_study_id=case_study.pk, status=F.APPLIED, metric__isnull=True
        ).exclude(phrase="")
    )
    changes: list[str] = []
    result = {}
    for name, text in sections.items():
        new = without_refused_quotes(text or "", refused)
        for flag in flags:
            if flag.phrase.casefold() in new.casefold():
                new = _replace_phrase(new, flag.phrase, flag.replacement)
        result[name] = new
        if new != (text or ""):
            changes.append(name)
    return result, changes


def approval_request_next_version(
    *, request: ApprovalRequest, actor: Any, source: str = ""
) -> StoryVersion:
    """Save the next version of the story with the customer's answers applied
    (refused quotes and applied confidential phrases out)."""
    base = latest_version(request.case_study, request.version.language)
    if base is None:
        raise ApprovalError(_("Choose a version of this story."))
    sections, changed = next_version_sections(request.case_study, base.sections())
    if not changed:
        raise ApprovalError(
            _(
                "Version %(n)s already leaves out the refused quotes and the confidential "
                "phrases: there is nothing to change."
            )
            % {"n": base.number}
        )
    try:
        return cs_services.story_version_create(
            case_study=request.case_study,
            actor=actor,
            title=base.title,
            sections=sections,
            language=base.language,
            note=_("Refused quotes and confidential phrases removed"),
            base_number=base.number,
            source=source,
        )
    except TransitionError as exc:
        raise ApprovalError(str(exc)) from exc


# --------------------------------------------------------------------------
# An approval given outside Storyline
# --------------------------------------------------------------------------

CONFIRMATION_EXTENSIONS = (".eml", ".msg", ".pdf")
CONFIRMATION_MAX_MB = 10


def check_confirmation(upload) -> None:
    """The customer's written confirmation: an email (.eml, .msg) or a PDF,
    checked by its content as well as its name. A PDF or an Outlook message
    goes through ``core.uploads.refuse_markup``; an .eml must read as an
    email with a sender and a date (it may quote HTML: it is only ever
    served as a sandboxed download)."""
    from email.parser import BytesHeaderParser
    from pathlib import PurePath

    from django.core.exceptions import ValidationError

    from core.uploads import refuse_markup

    name = PurePath(getattr(upload, "name", "") or "").name
    extension = PurePath(name).suffix.lower()
    if extension not in CONFIRMATION_EXTENSIONS:
        raise ApprovalError(
            _("Attach the customer's email (.eml or .msg) or a PDF; “%(name)s” is neither.")
            % {"name": name}
        )
    if upload.size > CONFIRMATION_MAX_MB * 1024 * 1024:
        raise ApprovalError(_("The file is larger than %(n)s MB.") % {"n": CONFIRMATION_MAX_MB})
    upload.seek(0)
    head = upload.read(65536)
    upload.seek(0)
    if extension == ".pdf" and not head.startswith(b"%PDF-"):
        raise ApprovalError(_("“%(name)s” is not a PDF.") % {"name": name})
    if extension == ".msg" and not head.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
        raise ApprovalError(_("“%(name)s” is not an Outlook message.") % {"name": name})
    if extension == ".eml":
        headers = BytesHeaderParser().parsebytes(head)
        if not headers.get("From") or not headers.get("Date"):
            raise ApprovalError(
                _("“%(name)s” is not an email: save the customer's message as .eml.")
                % {"name": name}
            )
        return
    try:
        refuse_markup(upload)
    except ValidationError as exc:
        raise ApprovalError(" ".join(exc.messages)) from exc


def outside_approval_record(
    *,
    case_study: CaseStudy,
    actor: Any,
    reason: str,
    approved_by: str,
    confirmation,
    source: str = "",
) -> OutsideApproval:
    """Record that the customer approved the latest version outside
    Storyline: needs the reason and their written confirmation, cancels the
    open request (if any) and approves the story, all in one transaction."""
    reason, approved_by = (reason or "").strip(), (approved_by or "").strip()
    if not reason:
        raise ApprovalError(_("Say why the customer approved outside Storyline."))
    if not approved_by:
        raise ApprovalError(_("Name who approved at the customer."))
    if confirmation is None:
        raise ApprovalError(_("Attach the customer's written confirmation (an email or a PDF)."))
    check_confirmation(confirmation)
    confirmation.seek(0)
    digest = hashlib.sha256()
    for chunk in confirmation.chunks():
        digest.update(chunk)
    confirmation.seek(0)
    stored: list[OutsideApproval] = []
    try:
        return _outside_approval_save(
            case_study=case_study,
            actor=actor,
            reason=reason,
            approved_by=approved_by,
            confirmation=confirmation,
            digest=digest.hexdigest(),
            stored=stored,
            source=source,
        )
    except Exception:
        for record in stored:  # nothing committed: the file goes too
            record.confirmation.storage.delete(record.confirmation.name)
        raise


def _outside_approval_save(
    *,
    case_study: CaseStudy,
    actor: Any,
    reason: str,
    approved_by: str,
    confirmation,
    digest: str,
    stored: list,
    source: str,
) -> OutsideApproval:
    with transaction.atomic():
        open_request = (
            ApprovalRequest.objects.select_for_update()
            .filter(case_study_id=case_study.pk, status=R.OPEN)
            .first()
        )
        cs = CaseStudy.objects.select_for_update(of=("self",)).get(pk=case_study.pk)
        if cs.state != CaseStudyState.IN_REVIEW:
            raise ApprovalError(
                _("“%(title)s” is %(state)s: only a story in review can be approved.")
                % {"title": cs.title, "state": CaseStudyState(cs.state).label}
            )
        version = latest_version(cs)
        if version is None:
            raise ApprovalError(_("There is no version of the story to approve."))
        if open_request is not None and blocking_flags(open_request):
            raise ApprovalError(_("Resolve the confidential flags of the open request first."))
        record = OutsideApproval(
            case_study=cs,
            version=version,
            content_hash=version.content_hash,
            reason=reason,
            approved_by=approved_by[:200],
            confirmation_name=(confirmation.name or "")[-200:],
            confirmation_sha256=digest,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            recorded_by_name=actor_name(actor),
        )
        record.confirmation.save(confirmation.name, confirmation, save=False)
        stored.append(record)
        record.save()
        if open_request is not None:
            now = timezone.now()
            open_request.status = R.CANCELLED
            open_request.completed_at = now
            open_request.save(update_fields=["status", "completed_at", "updated_at"])
            open_request.steps.filter(status__in=[St.WAITING, St.PENDING]).update(status=St.SKIPPED)
            ReviewLink.objects.filter(step__request=open_request, revoked_at__isnull=True).update(
                revoked_at=now, revoked_by_name=actor_name(actor)
            )
            audit_log(
                action="approvals.request.cancelled",
                obj=open_request,
                actor=actor,
                data={"reason": "approved outside Storyline", "outside": record.pk},
                source=source,
            )
        audit_log(
            action="approvals.outside.recorded",
            obj=record,
            actor=actor,
            data={
                "version": version.number,
                "content_hash": version.content_hash,
                "approved_by": record.approved_by,
                "file_sha256": record.confirmation_sha256,
            },
            source=source,
        )
        # The written confirmation covers the version as it is: its quotes
        # not refused are approved with it.
        for quote in review_quotes(cs):
            if quote.permission != QP.APPROVED:
                _set_quote_permission(
                    quote,
                    granted=True,
                    decision=None,
                    outside=record,
                    basis=PermissionEvidence.Basis.VERSION,
                    source=source or "approvals: outside",
                )
        try:
            cs_services.case_study_approve(
                case_study=cs,
                version=version,
                actor=actor,
                reason=_("Approved outside Storyline by %(who)s: %(reason)s")
                % {"who": record.approved_by, "reason": reason},
                source=source or "approvals: outside",
            )
        except TransitionError as exc:
            raise ApprovalError(str(exc)) from exc
    return record
