"""Thin tasks over core's services: they take ids and call :mod:`core.outbox`.
Names are pinned so queued messages and the beat schedule survive a move."""

from celery import shared_task

from core import outbox


@shared_task(name="core.tasks.deliver_email", acks_late=True)
def deliver_email(message_id: int) -> bool:
    return outbox.deliver(message_id)


@shared_task(name="core.tasks.deliver_due_emails", ignore_result=True)
def deliver_due_emails() -> int:
    return outbox.deliver_due()
