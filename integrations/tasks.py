"""Thin tasks over the webhook delivery (names pinned), and the hand-off
that queues them (after commit; the sweep makes up for a broker that is down)."""

import logging

from celery import shared_task

from integrations import delivery, events

logger = logging.getLogger(__name__)


def hand_to_worker(delivery_ids: list[int], *, countdown: float | None = None) -> None:
    for pk in delivery_ids:
        try:
            deliver_webhook.apply_async((pk,), countdown=countdown)
        except Exception as exc:  # the broker is down: the sweep posts it later
            logger.warning("webhook delivery %s waits for the sweep (%s)", pk, type(exc).__name__)


@shared_task(name="integrations.tasks.deliver_webhook", acks_late=True)
def deliver_webhook(delivery_id: int) -> bool:
    return delivery.deliver(delivery_id)


@shared_task(name="integrations.tasks.deliver_due_webhooks", ignore_result=True)
def deliver_due_webhooks() -> int:
    return delivery.deliver_due()


@shared_task(name="integrations.tasks.announce_expiring_rights")
def announce_expiring_rights() -> int:
    return events.rights_expiring_record()


@shared_task(name="integrations.tasks.announce_overdue_steps")
def announce_overdue_steps() -> int:
    return events.steps_overdue_record()
