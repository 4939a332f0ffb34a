"""Thin tasks over the webhook delivery (names pinned)."""

from celery import shared_task

from integrations import delivery, events


@shared_task(name="integrations.tasks.deliver_webhook", acks_late=True)
def deliver_webhook(delivery_id: int) -> bool:
    return delivery.deliver(delivery_id)


@shared_task(name="integrations.tasks.deliver_due_webhooks", ignore_result=True)
def deliver_due_webhooks() -> int:
    return delivery.deliver_due()


@shared_task(name="integrations.tasks.announce_expiring_rights")
def announce_expiring_rights() -> int:
    return events.rights_expiring_record()
