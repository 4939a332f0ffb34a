"""Imports too large for one request run in Celery, with visible progress.

A file of more than ``IMPORT_SYNC_ROWS`` rows is checked by a *check* job
(the dry run: errors by row, nothing saved) and, once its person confirms
the passed check on the job's page, imported by an *import* job of the same
file. :func:`import_job_create` saves a job and, after commit, enqueues
``core.tasks.run_import_job`` with its id; the admin page of a job shows
"N of M rows" and refreshes itself until it is done.

All or nothing stays true: :func:`import_job_run` imports every row in one
transaction (``core.imports.run_resource_import``), which any problem rolls
back. Progress is therefore reported *outside* that transaction, in the
cache (Redis whenever a worker exists, so every web host reads it): a row
written inside it would be invisible until the end and rolled back with it,
and a second database connection would wait on SQLite's single writer. The
job row itself is written only before (claimed: running) and after (done /
failed, with the final count). Without Redis (the quick start) Celery is
eager: the job runs inside the request that starts it and its page opens on
the result.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from import_export.resources import Resource

from core import import_files
from core.audit import actor_name, audit_log
from core.imports import ImportFileError, load_dataset, run_resource_import
from core.models import ImportJob

logger = logging.getLogger(__name__)

# Rows between two progress reports, and how long a report is kept.
PROGRESS_EVERY = 25
PROGRESS_TTL = 6 * 3600
# Problems kept on a failed job (the page lists them).
MAX_PROBLEMS = 100
# An unfinished job this old was lost with its worker (the hard time limit is
# far shorter): the daily prune marks it failed.
STALE_AFTER = timedelta(days=1)


def resource_path(resource_class: type) -> str:
    return f"{resource_class.__module__}.{resource_class.__qualname__}"


class ImportJobError(Exception):
    """A confirmation or cancellation that cannot happen (shown as is)."""


def import_job_create(
    *,
    kind: str,
    resource_class: type,
    file_name: str,
    file_format: str,
    total_rows: int,
    user: Any,
    original_name: str = "",
    done_url: str = "",
    language: str = "",
    dry_run: bool = False,
) -> ImportJob:
    """Save the job and enqueue it once the job row is committed."""
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind[:100],
            dry_run=dry_run,
            resource=resource_path(resource_class),
            file_name=file_name,
            file_format=file_format,
            original_name=original_name[:255],
            created_by=user if getattr(user, "is_authenticated", False) else None,
            created_by_name=actor_name(user),
            total_rows=total_rows,
            done_url=done_url[:300],
            language=(language or translation.get_language() or "")[:10],
        )
        audit_log(
            action="core.import_job.created",
            obj=job,
            actor=user,
            data={"kind": job.kind, "rows": total_rows, "check": dry_run},
            source="admin",
        )
        _enqueue_on_commit(job.pk)
    return job


def _enqueue_on_commit(job_id: int) -> None:
    from core.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.delay(job_id), robust=True)


def _closable_check(job_id: int, user: Any) -> ImportJob:
    """The passed check ``job_id`` of ``user``, locked, still open."""
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    if not job.dry_run or job.status != ImportJob.Status.DONE:
        raise ImportJobError(_("Only a passed check can be confirmed or cancelled."))
    if job.created_by_id is None or job.created_by_id != getattr(user, "pk", None):
        raise ImportJobError(_("Only the person who checked this file can confirm it."))
    if job.closed_at is not None:
        raise ImportJobError(_("This check was already confirmed or cancelled."))
    return job


def import_job_confirm(*, job_id: int, user: Any) -> ImportJob:
    """Confirm a passed check: its file is imported by a new import job
    (returned). Claimed once: a second confirmation is refused."""
    with transaction.atomic():
        check = _closable_check(job_id, user)
        if not import_files.exists(check.file_name):
            raise ImportJobError(_("This import has expired: upload the file again."))
        job = ImportJob.objects.create(
            kind=check.kind,
            resource=check.resource,
            file_name=check.file_name,
            file_format=check.file_format,
            original_name=check.original_name,
            created_by=check.created_by,
            created_by_name=actor_name(user),
            total_rows=check.total_rows,
            done_url=check.done_url,
            language=(translation.get_language() or check.language)[:10],
        )
        check.closed_at = timezone.now()
        check.import_job = job
        check.save(update_fields=["closed_at", "import_job"])
        audit_log(
            action="core.import_job.confirmed",
            obj=job,
            actor=user,
            data={"kind": job.kind, "rows": job.total_rows, "check": check.pk},
            source="admin",
        )
        _enqueue_on_commit(job.pk)
    return job


def import_job_cancel(*, job_id: int, user: Any) -> ImportJob:
    """Cancel a passed check: nothing is imported, its file is deleted."""
    with transaction.atomic():
        check = _closable_check(job_id, user)
        check.closed_at = timezone.now()
        check.save(update_fields=["closed_at"])
        audit_log(
            action="core.import_job.cancelled", obj=check, actor=user, data={}, source="admin"
        )
        name = check.file_name
        transaction.on_commit(lambda: import_files.delete(name), robust=True)
    return check


def _progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:processed"


def processed_rows(job: ImportJob) -> int:
    """Rows done so far: the worker's last report while it runs."""
    if job.status == ImportJob.Status.RUNNING:
        reported = cache.get(_progress_key(job.pk))
        if reported is not None:
            return min(int(reported), job.total_rows)
    return job.processed_rows


def import_job_run(*, job_id: int) -> str:
    """Run a waiting job (claimed first: a redelivered task finds it taken
    and does nothing). Returns the final status."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=now
    )
    if claimed != 1:
        return "skipped"
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _run(job)


def _run(job: ImportJob) -> str:
    key = _progress_key(job.pk)
    cache.set(key, 0, PROGRESS_TTL)

    def report(done: int) -> None:
        if done % PROGRESS_EVERY == 0 or done >= job.total_rows:
            cache.set(key, done, PROGRESS_TTL)

    keep_file = False
    try:
        content = import_files.read(job.file_name)
        if content is None:
            return _finish_failed(job, _("The uploaded file is gone: upload it again."))
        resource_class = import_string(job.resource)
        if not (isinstance(resource_class, type) and issubclass(resource_class, Resource)):
            raise TypeError(f"{job.resource} is not an import resource")
        dataset = load_dataset(content, job.file_format)
        outcome = run_resource_import(
            resource_class(), dataset, dry_run=job.dry_run, progress=report, user=job.created_by
        )
        # A passed check keeps its file for the confirmation.
        keep_file = job.dry_run and outcome.ok
    except ImportFileError as exc:
        return _finish_failed(job, str(exc))
    except Exception:
        _finish_failed(job, _("The import stopped on an unexpected error: nothing was imported."))
        raise  # reported to ADMINS / Sentry as a failed task
    finally:
        if not keep_file:
            import_files.delete(job.file_name)
        cache.delete(key)
    if not outcome.ok:
        problems = [{"row": p.row, "messages": p.messages} for p in outcome.problems]
        message = (
            _("Nothing was imported. Fix these rows in the file and upload it again:")
            if job.dry_run
            else _("Nothing was imported: the data changed since the check.")
        )
        return _finish_failed(job, message, problems=problems, processed=len(dataset))
    job.status = ImportJob.Status.DONE
    job.processed_rows = min(len(dataset), job.total_rows)
    job.result = {"new": outcome.new, "updated": outcome.updated, "unchanged": outcome.unchanged}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "processed_rows", "result", "finished_at"])
    audit_log(
        action="core.import_job.checked" if job.dry_run else "core.import_job.done",
        obj=job,
        actor=job.created_by,
        data={"kind": job.kind, **job.result},
        source="task",
    )
    return job.status


def _finish_failed(
    job: ImportJob,
    message: str,
    *,
    problems: list[dict] | None = None,
    processed: int | None = None,
) -> str:
    problems = problems or []
    job.status = ImportJob.Status.FAILED
    job.errors = {
        "message": message,
        "problems": problems[:MAX_PROBLEMS],
        "omitted": max(len(problems) - MAX_PROBLEMS, 0),
    }
    if processed is not None:
        job.processed_rows = min(processed, job.total_rows)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "processed_rows", "finished_at"])
    audit_log(
        action="core.import_job.failed",
        obj=job,
        actor=job.created_by,
        data={"kind": job.kind, "problems": len(problems)},
        source="task",
    )
    return job.status


def import_jobs_expire_stale() -> int:
    """Mark jobs lost with their worker as failed (their transaction was
    rolled back with the worker, so nothing of them was imported)."""
    cutoff = timezone.now() - STALE_AFTER
    stale = ImportJob.objects.filter(
        status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING], created_at__lt=cutoff
    )
    count = 0
    for job in stale:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _finish_failed(
                job, _("The import was interrupted: nothing was imported. Upload it again.")
            )
        count += 1
    return count


def import_files_prune() -> int:
    """The daily clean-up: lost jobs failed, then every leftover file older
    than a day deleted except those of jobs still waiting or running."""
    import_jobs_expire_stale()
    busy = set(
        ImportJob.objects.filter(
            status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
        ).values_list("file_name", flat=True)
    )
    deleted = import_files.prune(keep=busy)
    if deleted:
        logger.info("pruned %s leftover import files", deleted)
    return deleted
