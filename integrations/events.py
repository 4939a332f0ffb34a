"""Webhook events: written in the transaction of the business change.

The stages do not know this app. Every state change they make writes an
audit entry (``core.audit.audit_log``) in its own transaction, and core
calls the functions named by ``STORYLINE_AUDIT_HOOKS`` with that entry:
:func:`from_audit` turns the entries receivers care about into a
:class:`~integrations.models.WebhookEvent` and one delivery per subscribed
endpoint, in that same transaction. So an event exists if and only if its
change does (the outbox's promise, ``core/outbox.py``), and after commit the
deliveries are handed to a worker; a lost hand-off is picked up by the sweep.

Payloads are versioned (``version``); their JSON Schema is
``integrations/schemas/webhook-event.v1.json``. Receivers deduplicate on
``id`` (also sent as ``webhook-id``): a retry, a redelivered task or a
"resend" carries the same id.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent

PAYLOAD_VERSION = 1
E = EventType


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def story_data(cs) -> dict[str, Any]:
    """A story as receivers see it: the reader's customer name (anonymised
    when the story is), never the internal notes."""
    version = cs.published_version or cs.approved_version
    return {
        "id": cs.pk,
        "slug": cs.slug,
        "title": version.title if version else cs.title,
        "customer": cs.public_customer_name,
        "anonymised": cs.anonymised,
        "state": cs.state,
        "url": _url(cs.get_absolute_url()),
        "rights_expire_on": cs.rights_expire_on.isoformat() if cs.rights_expire_on else None,
    }


def highlights(cs) -> dict[str, str]:
    """The headline metric and the first approved quote, as the story's
    page shows them (anonymised, percentage-only when the story is)."""
    from django.utils import translation

    from distribution.publication.documents import document_data

    version = cs.published_version or cs.approved_version
    if version is None:
        return {"metric": "", "quote": "", "quote_by": ""}
    with translation.override(version.language):
        data = document_data(cs, version)
    metric = data.metrics[0] if data.metrics else None
    quote = data.quotes[0] if data.quotes else None
    return {
        "metric": f"{metric.improvement} {metric.label}".strip() if metric else "",
        "quote": quote.text if quote else "",
        "quote_by": quote.attribution if quote else "",
    }


def _story(obj, entry) -> dict:
    return {"story": story_data(obj), "reason": entry.data.get("reason", "")}


def _published(obj, entry) -> dict:
    return {**_story(obj, entry), "highlights": highlights(obj)}


def _step(step, entry) -> dict:
    request = step.request
    return {
        "story": story_data(request.case_study),
        # The approving company by name: staff-facing, even for an anonymised story.
        "customer_name": request.case_study.customer.name,
        "approval_request": {"id": request.pk, "version": request.version.number},
        "step": {
            "id": step.pk,
            "role": step.kind,
            "customer_side": step.is_customer,
            "reviewer": step.reviewer_name,
            "outcome": step.status,
        },
    }


def _request(request, entry) -> dict:
    return {
        "story": story_data(request.case_study),
        "approval_request": {"id": request.pk, "version": request.version.number},
        "outcome": request.status,
    }


def _lead(lead, entry) -> dict:
    return {
        "story": story_data(lead.case_study),
        "lead": {
            "id": lead.pk,
            "name": lead.name,
            "email": lead.email,
            "company": lead.company,
            "role": lead.role,
            "document": lead.document,
            "utm_source": lead.utm_source,
            "utm_medium": lead.utm_medium,
            "utm_campaign": lead.utm_campaign,
        },
    }


def _reference(reference, entry) -> dict:
    return {
        "story": story_data(reference.case_study),
        "reference_call": {
            "id": reference.pk,
            "prospect_company": reference.prospect_company,
            "state": reference.state,
            "requested_by": entry.actor_name if entry.action.endswith("requested") else "",
        },
    }


def _share(link, entry) -> dict:
    return {
        "story": story_data(link.case_study),
        "share_link": {
            "id": link.pk,
            "prospect_company": link.prospect_company,
            "rep": link.rep.get_full_name() or link.rep.get_username(),
            "first_opened_at": link.first_visited_at.isoformat() if link.first_visited_at else None,
        },
    }


def _deal(deal, entry) -> dict:
    from casestudies.models import CaseStudy

    cs = CaseStudy.objects.select_related("customer__industry").get(pk=entry.data["case_study"])
    return {
        "story": story_data(cs),
        "deal": {
            "id": deal.pk,
            "external_id": deal.external_id,
            "name": deal.name,
            "amount": str(deal.amount),
            "currency": deal.currency,
            "stage": deal.stage,
            "outcome": deal.outcome,
        },
    }


Builder = Callable[[Any, Any], dict]


def event_for(action: str, data: dict) -> tuple[str, Builder] | None:
    """The event type (and payload builder) an audit action becomes, or None."""
    if action == "casestudies.case_study.publish":
        return E.STORY_PUBLISHED, _published
    if action == "casestudies.case_study.archive" and data.get("from") == "published":
        return E.STORY_WITHDRAWN, _story
    if action in ("approvals.step.approved", "approvals.step.changes_requested"):
        return E.APPROVAL_STEP_DECIDED, _step
    if action == "approvals.request.approved":
        return E.APPROVAL_REQUEST_COMPLETED, _request
    if action == "analytics.lead.created":
        return E.LEAD_CREATED, _lead
    if action == "distribution.reference.requested":
        return E.REFERENCE_CALL_REQUESTED, _reference
    if action == "distribution.reference.approved":
        return E.REFERENCE_CALL_APPROVED, _reference
    if action == "distribution.share_link.first_opened":
        return E.SHARE_LINK_FIRST_OPENED, _share
    if action == "analytics.deal.story_linked":
        return E.DEAL_LINKED, _deal
    return None


def concerned(obj) -> frozenset[int]:
    """Who an event is about, for endpoints that receive only what concerns
    their owner: the rep of a share link, whoever asked for a reference
    call, the owner of the story (and of a deal)."""
    ids = set()
    for attribute in ("rep_id", "requested_by_id", "owner_id"):
        if getattr(obj, attribute, None):
            ids.add(getattr(obj, attribute))
    story = getattr(obj, "case_study", None)
    if story is None and hasattr(obj, "request"):
        story = obj.request.case_study
    if story is not None and story.owner_id:
        ids.add(story.owner_id)
    return frozenset(ids)


def from_audit(entry, obj) -> WebhookEvent | None:
    """The audit hook (``STORYLINE_AUDIT_HOOKS``): runs inside the change's
    transaction, right after its audit entry is written."""
    found = event_for(entry.action, entry.data or {})
    if found is None:
        return None
    event_type, build = found
    concerns = concerned(obj)
    if not subscribers(event_type, concerns):  # cheap: nobody listens, nothing to build
        return None
    return record(event_type, key=f"audit:{entry.pk}", data=build(obj, entry), concerns=concerns)


def subscribers(event_type: str, concerns: frozenset[int] = frozenset()) -> list[WebhookEndpoint]:
    """The active endpoints that receive ``event_type``: those for everything,
    and those for "what concerns me" whose owner is among ``concerns``."""
    return [
        e
        for e in WebhookEndpoint.objects.filter(is_active=True).select_related("owner")
        if event_type in e.events
        and (e.audience == WebhookEndpoint.Audience.ALL or e.owner_id in concerns)
    ]


def listened_to(event_type: str) -> bool:
    """Whether any active endpoint (for everyone or for its owner) takes ``event_type``."""
    return any(
        event_type in events_
        for events_ in WebhookEndpoint.objects.filter(is_active=True).values_list(
            "events", flat=True
        )
    )


def envelope(event: WebhookEvent) -> dict:
    return {
        "id": event.event_id,
        "type": event.type,
        "version": event.version,
        "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": event.payload,
    }


def render_body(endpoint: WebhookEndpoint, event: WebhookEvent) -> str:
    """The exact bytes an endpoint receives for ``event``."""
    if endpoint.format == WebhookEndpoint.Format.STANDARD:
        return json.dumps(envelope(event), separators=(",", ":"), ensure_ascii=False)
    from integrations import chat

    return chat.render(endpoint, event)


def record(
    event_type: str, *, key: str, data: dict, concerns: frozenset[int] = frozenset()
) -> WebhookEvent | None:
    """Write the event and its deliveries (call inside the change's
    transaction). The same ``key`` again is the same event: returns None."""
    endpoints = subscribers(event_type, concerns)
    if not endpoints:
        return None
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                event_id="evt_" + secrets.token_hex(12),
                key=key,
                type=event_type,
                version=PAYLOAD_VERSION,
                payload=data,
                created_at=timezone.now(),
            )
    except IntegrityError:
        return None
    deliveries = []
    for endpoint in endpoints:
        body = render_body(endpoint, event)
        if body:
            deliveries.append(WebhookDelivery(endpoint=endpoint, event=event, body=body))
    created = WebhookDelivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in created]
    if ids:
        from integrations import tasks

        transaction.on_commit(lambda: tasks.hand_to_worker(ids), robust=True)
    return event


def rights_expiring_record(*, today=None) -> int:
    """Daily: announce each published story whose usage rights end within
    ``RIGHTS_EXPIRING_DAYS`` (once per story and end date). Returns how many
    events were written."""
    from datetime import timedelta

    from casestudies.models import CaseStudy, CaseStudyState
    from integrations.conf import conf

    if not listened_to(E.STORY_RIGHTS_EXPIRING):
        return 0
    today = today or timezone.localdate()
    horizon = today + timedelta(days=int(conf("RIGHTS_EXPIRING_DAYS")))
    stories = (
        CaseStudy.objects.filter(
            state=CaseStudyState.PUBLISHED,
            rights_expire_on__gt=today,
            rights_expire_on__lte=horizon,
        )
        .select_related("customer__industry", "published_version", "approved_version")
        .order_by("rights_expire_on", "pk")
    )
    written = 0
    for cs in stories:
        with transaction.atomic():
            event = record(
                E.STORY_RIGHTS_EXPIRING,
                key=f"rights:{cs.pk}:{cs.rights_expire_on.isoformat()}",
                data={
                    "story": story_data(cs),
                    "days_left": (cs.rights_expire_on - today).days,
                },
                concerns=concerned(cs),
            )
        written += event is not None
    return written


def steps_overdue_record(*, today=None) -> int:
    """Daily: announce each approval step still awaiting a decision past its
    due date (once per step and due date), for the program manager who owns
    the story. Returns how many events were written."""
    from approvals.models import ApprovalRequest, ApprovalStep

    if not listened_to(E.APPROVAL_STEP_OVERDUE):
        return 0
    today = today or timezone.localdate()
    steps = (
        ApprovalStep.objects.filter(
            status=ApprovalStep.Status.PENDING,
            due_on__lt=today,
            request__status=ApprovalRequest.Status.OPEN,
        )
        .select_related(
            "request__version",
            "request__case_study__customer__industry",
            "request__case_study__published_version",
            "request__case_study__approved_version",
        )
        .order_by("due_on", "pk")
    )
    written = 0
    for step in steps:
        cs = step.request.case_study
        with transaction.atomic():
            event = record(
                E.APPROVAL_STEP_OVERDUE,
                key=f"overdue:{step.pk}:{step.due_on.isoformat()}",
                data={
                    "story": story_data(cs),
                    "customer_name": cs.customer.name,
                    "approval_request": {
                        "id": step.request_id,
                        "version": step.request.version.number,
                    },
                    "step": {
                        "id": step.pk,
                        "role": step.kind,
                        "customer_side": step.is_customer,
                        "reviewer": step.reviewer_name,
                        "due_on": step.due_on.isoformat(),
                        "days_late": (today - step.due_on).days,
                    },
                },
                concerns=concerned(step),
            )
        written += event is not None
    return written
