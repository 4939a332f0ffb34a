"""Delivering webhooks: at least once, never twice at the same time, never
again once delivered — the email outbox's claim (``core/outbox.py``) applied
to HTTP.

:func:`deliver` claims the delivery with one conditional UPDATE that moves
``not_before`` past a lease; only the call that wins the claim posts. A
redelivered task, the sweep or a second worker then finds it claimed (or
delivered) and does nothing. A worker killed mid-post leaves the claim to
expire; the sweep posts again with the same ``webhook-id`` (at-least-once:
receivers deduplicate on it). A failed attempt (a refused address, a network
error or timeout, any status but 2xx, redirects included) is logged and
retried with exponential backoff (``WEBHOOK_RETRY_SECONDS`` * 2^n, at most an
hour) up to ``WEBHOOK_MAX_ATTEMPTS``. ``WEBHOOK_DISABLE_AFTER`` failed
attempts in a row disable the endpoint and email its owner.
"""

from __future__ import annotations

import http.client
import logging
import time
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from integrations import signing, transport
from integrations.conf import conf
from integrations.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

S = WebhookDelivery.Status


def backoff(attempts: int) -> timedelta:
    seconds = int(conf("WEBHOOK_RETRY_SECONDS")) * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 3600))


def deliver(delivery_id: int) -> bool:
    """Post one delivery if it is due and nobody holds it. True when this
    call delivered it."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=S.PENDING, not_before__lte=now, endpoint__is_active=True
    ).update(
        not_before=now + timedelta(seconds=int(conf("WEBHOOK_LEASE_SECONDS"))),
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if claimed != 1:
        return False
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint = delivery.endpoint
    started = timezone.now()
    status_code, duration_ms, error = None, None, ""
    clock = time.monotonic()
    try:
        headers = signing.headers(
            endpoint.signing_secrets(),
            msg_id=delivery.event.event_id,
            timestamp=int(time.time()),
            body=delivery.body,
        )
        response = transport.post(endpoint.url, body=delivery.body, headers=headers)
        status_code, duration_ms = response.status, response.duration_ms
        if not 200 <= response.status < 300:
            error = f"HTTP {response.status}"
    except transport.AddressRefused as exc:
        error = f"refused: {exc}"
    except (OSError, http.client.HTTPException) as exc:  # timeouts are OSErrors
        duration_ms = int((time.monotonic() - clock) * 1000)
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    succeeded = not error
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=DeliveryAttempt.objects.filter(delivery=delivery).count() + 1,
        started_at=started,
        status_code=status_code,
        duration_ms=duration_ms,
        error=error[:300],
        succeeded=succeeded,
    )
    if succeeded:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=S.SUCCEEDED,
            delivered_at=timezone.now(),
            claimed_at=None,
            last_status_code=status_code,
            last_error="",
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )
        logger.info("delivered webhook %s (%s)", delivery_id, delivery.event.type)
        return True
    _failed(delivery, status_code=status_code, error=error)
    return False


def _failed(delivery: WebhookDelivery, *, status_code: int | None, error: str) -> None:
    from integrations import services, tasks

    final = delivery.attempts >= int(conf("WEBHOOK_MAX_ATTEMPTS"))
    wait = backoff(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=S.FAILED if final else S.PENDING,
        not_before=timezone.now() + wait,
        claimed_at=None,
        last_status_code=status_code,
        last_error=error[:300],
    )
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    failures = (
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
        .values_list("consecutive_failures", flat=True)
        .get()
    )
    logger.warning(
        "webhook delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error[:100]
    )
    if failures >= int(conf("WEBHOOK_DISABLE_AFTER")):
        services.endpoint_disable(
            endpoint_id=delivery.endpoint_id,
            reason=f"{failures} failed attempts in a row; last: {error[:150]}",
        )
    elif not final:
        tasks.hand_to_worker([delivery.pk], countdown=wait.total_seconds())


def due_ids(limit: int | None = None) -> list[int]:
    """Pending deliveries whose time has come and that nobody holds: lost
    hand-offs and retries. Fresh rows get a few seconds for their own task."""
    grace = timezone.now() - timedelta(seconds=5)
    return list(
        WebhookDelivery.objects.filter(
            status=S.PENDING, not_before__lte=grace, endpoint__is_active=True
        )
        .order_by("not_before", "pk")
        .values_list("pk", flat=True)[: limit or int(conf("WEBHOOK_SWEEP_BATCH"))]
    )


def deliver_due(*, inline: bool = False) -> int:
    from integrations import tasks

    ids = due_ids()
    if inline:
        return sum(deliver(pk) for pk in ids)
    tasks.hand_to_worker(ids)
    return len(ids)
