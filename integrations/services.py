"""The integrations' state changes: registering an endpoint, rotating its
secret, disabling and enabling it, resending a delivery. Each locks its row,
checks, saves, audits, and acts after commit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import outbox
from core.audit import audit_log
from core.errors import TransitionError
from integrations import signing, transport
from integrations.conf import conf
from integrations.models import CHAT_EVENTS, EventType, WebhookDelivery, WebhookEndpoint


def url_problem(url: str) -> str:
    """Why ``url`` cannot be an endpoint ("" when it can)."""
    try:
        transport.check_url(url)
    except transport.AddressRefused:
        if conf("WEBHOOK_ALLOW_HTTP"):
            return _("Enter an http:// or https:// address without a user name or password.")
        return _("Enter an https:// address without a user name or password.")
    if transport.reaches_internal(url):
        return _(
            "This address is on an internal network; outgoing requests may only reach public "
            "addresses (see WEBHOOK_ALLOWED_NETWORKS)."
        )
    return ""


def endpoint_create(
    *,
    name: str,
    url: str,
    events: list[str],
    owner: Any,
    format: str = WebhookEndpoint.Format.STANDARD,
    audience: str = WebhookEndpoint.Audience.ALL,
    language: str = "",
    source: str = "",
) -> WebhookEndpoint:
    problem = url_problem(url)
    if problem:
        raise TransitionError(problem)
    allowed = EventType.values if format == WebhookEndpoint.Format.STANDARD else CHAT_EVENTS
    unknown = set(events) - set(allowed)
    if unknown:
        raise TransitionError(
            _("Not available here: %(types)s.") % {"types": ", ".join(sorted(unknown))}
        )
    languages = {code for code, _name in settings.LANGUAGES}
    language = language if language in languages else settings.LANGUAGE_CODE
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            name=name,
            url=url,
            events=sorted(set(events)),
            owner=owner,
            format=format,
            audience=audience,
            language=language,
            secret=signing.new_secret(),
        )
        audit_log(
            action="integrations.endpoint.created",
            obj=endpoint,
            actor=owner,
            data={"events": endpoint.events, "format": format, "audience": audience},
            source=source,
        )
    return endpoint


def endpoint_rotate_secret(
    *, endpoint_id: int, actor: Any, overlap_hours: float | None = None, source: str = ""
) -> WebhookEndpoint:
    """A new secret signs from now on; the old one signs too until the
    overlap ends (``WEBHOOK_ROTATION_OVERLAP_HOURS``), so receivers can switch."""
    hours = conf("WEBHOOK_ROTATION_OVERLAP_HOURS") if overlap_hours is None else overlap_hours
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + timedelta(hours=float(hours))
        endpoint.secret = signing.new_secret()
        endpoint.save(
            update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
        )
        audit_log(
            action="integrations.endpoint.secret_rotated",
            obj=endpoint,
            actor=actor,
            data={"overlap_hours": hours},
            source=source,
        )
    return endpoint


def endpoint_disable(
    *, endpoint_id: int, reason: str, actor: Any = None, source: str = "", notify: bool = True
) -> bool:
    """Stop delivering to the endpoint and (unless its owner did it) email
    the owner, once per disabling. False when it was already disabled."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
        if not endpoint.is_active:
            return False
        endpoint.is_active = False
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = reason[:300]
        endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
        audit_log(
            action="integrations.endpoint.disabled",
            obj=endpoint,
            actor=actor,
            data={"reason": reason[:300]},
            source=source or "delivery",
        )
        if notify:
            outbox.enqueue(
                "integrations.endpoint_disabled",
                key=f"integrations.endpoint_disabled:{endpoint.pk}:{endpoint.disabled_at.isoformat()}",
                payload={"endpoint": endpoint.pk},
            )
    return True


def endpoint_enable(
    *, endpoint_id: int, actor: Any, source: str = "", owner_only: bool = False
) -> WebhookEndpoint:
    """Deliver again: the failure count starts over, and the deliveries that
    were waiting when it was disabled go out."""
    from integrations import tasks

    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
        if owner_only and endpoint.owner_id != getattr(actor, "pk", None):
            raise TransitionError(_("Only its owner can change this notification."))
        if endpoint.is_active:
            raise TransitionError(_("This endpoint is already active."))
        endpoint.is_active = True
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.consecutive_failures = 0
        endpoint.save(
            update_fields=[
                "is_active",
                "disabled_at",
                "disabled_reason",
                "consecutive_failures",
                "updated_at",
            ]
        )
        audit_log(action="integrations.endpoint.enabled", obj=endpoint, actor=actor, source=source)
        waiting = list(
            endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).values_list(
                "pk", flat=True
            )
        )
        WebhookDelivery.objects.filter(pk__in=waiting).update(not_before=timezone.now())
        transaction.on_commit(lambda: tasks.hand_to_worker(waiting), robust=True)
    return endpoint


def delivery_resend(*, delivery_id: int, actor: Any, source: str = "") -> WebhookDelivery:
    """Send a delivery again (same ``webhook-id``: a receiver that already
    has it can drop it). Refused while an attempt is under way."""
    from integrations import tasks

    with transaction.atomic():
        row = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint", "event")
            .get(pk=delivery_id)
        )
        now = timezone.now()
        lease = timedelta(seconds=int(conf("WEBHOOK_LEASE_SECONDS")))
        if row.claimed_at and row.claimed_at > now - lease:  # cleared when an attempt ends
            raise TransitionError(_("An attempt is under way; try again in a minute."))
        if not row.endpoint.is_active:
            raise TransitionError(_("The endpoint is disabled: enable it first."))
        row.status = WebhookDelivery.Status.PENDING
        row.not_before = now
        row.attempts = 0
        row.save(update_fields=["status", "not_before", "attempts"])
        audit_log(
            action="integrations.delivery.resent",
            obj=row.endpoint,
            actor=actor,
            data={"delivery": row.pk, "event": row.event.event_id},
            source=source,
        )
        transaction.on_commit(lambda: tasks.hand_to_worker([row.pk]), robust=True)
    return row
