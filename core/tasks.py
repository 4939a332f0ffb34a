"""Core tasks: large spreadsheet imports and the clean-up of their files.
Tasks take ids and call the services in ``core/import_jobs.py``."""

from celery import shared_task

from core import import_jobs


@shared_task(name="core.tasks.run_import_job", acks_late=True)
def run_import_job(job_id: int) -> str:
    """One confirmed large import (claimed first: a redelivery does nothing)."""
    return import_jobs.import_job_run(job_id=job_id)


@shared_task(name="core.tasks.prune_import_files")
def prune_import_files() -> int:
    """Daily: uploaded spreadsheets left over for more than a day are deleted."""
    return import_jobs.import_files_prune()
