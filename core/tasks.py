"""Thin tasks over core's services: they take ids and call :mod:`core.outbox`
(every promised email) or :mod:`core.import_jobs` (large spreadsheet
imports and the clean-up of their files). Names are pinned so queued
messages and the beat schedule survive a move."""

from celery import shared_task

from core import import_jobs, outbox


@shared_task(name="core.tasks.deliver_email", acks_late=True)
def deliver_email(message_id: int) -> bool:
    return outbox.deliver(message_id)


@shared_task(name="core.tasks.deliver_due_emails", ignore_result=True)
def deliver_due_emails() -> int:
    return outbox.deliver_due()


@shared_task(name="core.tasks.run_import_job", acks_late=True)
def run_import_job(job_id: int) -> str:
    """One confirmed large import (claimed first: a redelivery does nothing)."""
    return import_jobs.import_job_run(job_id=job_id)


@shared_task(name="core.tasks.prune_import_files")
def prune_import_files() -> int:
    """Daily: uploaded spreadsheets left over for more than a day are deleted."""
    return import_jobs.import_files_prune()
