"""State changes of publication: rendered documents and the usage-rights sweep.

Same shape as ``casestudies.services``: one function per change, the row
locked or claimed atomically, an audit entry for what staff do, side effects
(enqueueing a render) only after commit.
"""

import hashlib
import logging
import threading
import time
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from casestudies.models import CaseStudy, CaseStudyState, StoryTranslation, StoryVersion
from casestudies.selectors import public_version
from casestudies.services import case_study_archive
from core.audit import audit_log
from core.errors import TransitionError
from distribution.models import RenderedDocument

logger = logging.getLogger(__name__)

Doc = RenderedDocument


def render_lease() -> timedelta:
    """A render is held this long after its last sign of life: the worker
    rendering it beats every third of it (``_Heartbeat``). A render silent for
    longer was lost (its worker was killed) and may be claimed again."""
    return timedelta(seconds=settings.STORYLINE["RENDER_LEASE_SECONDS"])


def queue_stale_after() -> timedelta:
    """A queued row nobody picked up in this time (broker down when it was
    enqueued, its message lost with a worker) is enqueued again."""
    return timedelta(seconds=settings.STORYLINE["RENDER_QUEUE_STALE_SECONDS"])


class RenderHeartbeat:
    """While a document (or a proposal pack) renders, touch its row every
    third of the lease from a thread of its own, so a long render keeps its
    claim and a killed one loses it within a lease."""

    def __init__(self, model, pk: int):
        self.rows = model.objects.filter(pk=pk, status="rendering")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from django.db import connection

        interval = render_lease().total_seconds() / 3
        try:
            while not self._stop.wait(interval):
                self.rows.update(updated_at=timezone.now())
        finally:
            connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)


def _enqueue(document_id: int) -> None:
    """Hand the render to Celery after the row is committed. In eager mode
    (quick start, tests) it runs inline, so the first request gets the file."""
    from distribution.publication.tasks import render_document

    if render_document.app.conf.task_always_eager:
        render_document.apply(args=[document_id])
        return
    transaction.on_commit(lambda: render_document.delay(document_id), robust=True)


def document_for(
    *, case_study: CaseStudy, version: StoryVersion, kind: str, paper: str
) -> tuple[RenderedDocument, bool]:
    """The document of ``version`` (which the caller got from
    ``public_version``) and whether its stored file may be served.

    A missing document is queued for rendering: concurrent first requests
    create one row (the unique constraint decides) and enqueue one render. A
    document whose render was lost, or whose sources changed since it was
    drawn (usage rights, metrics, quotes, branding...), is queued again; its
    old file is not served meanwhile.
    """
    from distribution.publication.documents import source_fingerprint

    if kind == Doc.Kind.SLIDES:
        paper = Doc.Paper.NONE
    fingerprint = source_fingerprint(case_study, version)
    key = {"version": version, "kind": kind, "language": version.language, "paper": paper}
    document = Doc.objects.filter(**key).first()
    if document is None:
        try:
            with transaction.atomic():
                document = Doc.objects.create(case_study=case_study, **key)
        except IntegrityError:  # another request created it a moment ago
            document = Doc.objects.get(**key)
        else:
            _enqueue(document.pk)
            document.refresh_from_db()
        return document, _servable(document, fingerprint)
    now = timezone.now()
    again = (
        Doc.objects.filter(pk=document.pk)
        .filter(
            Q(status=Doc.Status.QUEUED, updated_at__lt=now - queue_stale_after())
            | Q(status=Doc.Status.RENDERING, updated_at__lt=now - render_lease())
            | (Q(status__in=[Doc.Status.DONE, Doc.Status.FAILED]) & ~Q(source_hash=fingerprint))
        )
        .update(status=Doc.Status.QUEUED, progress=0, updated_at=now)
    )
    if again:
        _enqueue(document.pk)
        document.refresh_from_db()
    return document, _servable(document, fingerprint)


def _servable(document: RenderedDocument, fingerprint: str) -> bool:
    return bool(document.file) and document.source_hash == fingerprint


def document_render(*, document_id: int) -> bool:
    """Render one queued document (the Celery task's body).

    Claims the row first (queued → rendering, one UPDATE: under concurrency
    exactly one worker wins), records progress through the steps, stores the
    file, and records any failure on the row for staff instead of raising.
    Returns whether this call rendered it.
    """
    from distribution.publication import documents

    now = timezone.now()
    claimed = Doc.objects.filter(
        Q(status=Doc.Status.QUEUED)
        | Q(status=Doc.Status.RENDERING, updated_at__lt=now - render_lease()),
        pk=document_id,
    ).update(
        status=Doc.Status.RENDERING,
        progress=5,
        error="",
        attempts=F("attempts") + 1,
        started_at=now,
        finished_at=None,
        updated_at=now,
    )
    if claimed != 1:
        return False
    document = Doc.objects.select_related(
        "version", "case_study__customer__industry", "case_study__customer__region"
    ).get(pk=document_id)
    if public_version(document.case_study, document.language) != document.version:
        # Withdrawn, expired or superseded since it was queued: draw nothing.
        Doc.objects.filter(pk=document_id).update(
            status=Doc.Status.FAILED,
            error="The story version is no longer public; nothing was rendered.",
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return True

    def progress(percent: int) -> None:
        Doc.objects.filter(pk=document_id, status=Doc.Status.RENDERING).update(
            progress=percent, updated_at=timezone.now()
        )

    started = time.monotonic()
    fingerprint = ""
    try:
        fingerprint = documents.source_fingerprint(document.case_study, document.version)
        with RenderHeartbeat(Doc, document_id):
            content = documents.render(
                document.kind,
                document.case_study,
                document.version,
                document.paper,
                progress=progress,
            )
        progress(90)
        digest = hashlib.sha256(content).hexdigest()
        old_name = document.file.name
        name = (
            f"{document.case_study.slug}-v{document.version.number}-{document.language}"
            f"-{document.kind}{'-' + document.paper if document.paper else ''}"
            f"-{digest[:10]}.{document.extension}"
        )
        document.file.save(name, ContentFile(content), save=False)
    except Exception as exc:
        logger.exception("rendering document %s failed", document_id)
        Doc.objects.filter(pk=document_id).update(
            status=Doc.Status.FAILED,
            # Same sources, same failure: not retried by every visit, only
            # when staff render it again or the sources change.
            source_hash=fingerprint,
            error=f"{type(exc).__name__}: {exc}"[:4000],
            finished_at=timezone.now(),
            render_ms=int((time.monotonic() - started) * 1000),
            updated_at=timezone.now(),
        )
        return True
    Doc.objects.filter(pk=document_id).update(
        status=Doc.Status.DONE,
        progress=100,
        file=document.file.name,
        size=len(content),
        content_hash=digest,
        source_hash=fingerprint,
        render_ms=int((time.monotonic() - started) * 1000),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if old_name and old_name != document.file.name:
        document.file.storage.delete(old_name)
    return True


def lost_renders():
    """Renders lost with a killed worker (no heartbeat for a lease) and queued
    rows nobody picked up: a filter for documents and proposal packs alike."""
    now = timezone.now()
    return Q(status="queued", updated_at__lt=now - queue_stale_after()) | Q(
        status="rendering", updated_at__lt=now - render_lease()
    )


def requeue_lost(model, task) -> int:
    """Queue ``model``'s lost renders again through ``task`` (the claim in the
    render keeps each to one render). Returns how many."""
    lost = lost_renders()
    ids = list(model.objects.filter(lost).values_list("pk", flat=True)[:200])
    if ids:
        model.objects.filter(lost, pk__in=ids).update(
            status="queued", progress=0, updated_at=timezone.now()
        )
        for pk in ids:
            task.delay(pk)
        logger.warning("queued %d lost %s renders again", len(ids), model._meta.model_name)
    return len(ids)


def documents_requeue_stale() -> int:
    """The sweep (beat, every ``RENDER_SWEEP_SECONDS``): lost document
    renders are queued again, without waiting for a reader to come back."""
    from distribution.publication.tasks import render_document

    return requeue_lost(Doc, render_document)


def document_file_lost(*, document: RenderedDocument) -> None:
    """The stored file is gone (storage wiped, bucket changed): forget it, so
    the next request renders the document again."""
    Doc.objects.filter(pk=document.pk, file=document.file.name).update(
        status=Doc.Status.QUEUED,
        file="",
        progress=0,
        updated_at=timezone.now() - queue_stale_after() * 2,  # requeue on next request
    )
    logger.warning("stored file of document %s is missing; queued again", document.pk)


def document_rerender(*, document: RenderedDocument, actor: Any, source: str = "") -> None:
    """Staff: render this document again (after a failure, or a branding
    change). The stored file keeps being served until the new one is done."""
    with transaction.atomic():
        locked = Doc.objects.select_for_update().get(pk=document.pk)
        if (
            locked.status == Doc.Status.RENDERING
            and locked.updated_at > timezone.now() - render_lease()
        ):
            raise TransitionError(
                _("“%(document)s” is being rendered right now; try again in a minute.")
                % {"document": locked}
            )
        locked.status = Doc.Status.QUEUED
        locked.progress = 0
        locked.error = ""
        locked.save(update_fields=["status", "progress", "error", "updated_at"])
        audit_log(
            action="distribution.document.rerender",
            obj=locked.case_study,
            actor=actor,
            data={
                "document": locked.pk,
                "kind": locked.kind,
                "language": locked.language,
                "paper": locked.paper,
                "version": locked.version.number,
            },
            source=source,
        )
        _enqueue(locked.pk)


def _public_version_ids() -> set[int]:
    """Ids of every story version the public may read today."""
    published = CaseStudy.objects.published()
    ids = set(published.values_list("published_version_id", flat=True))
    ids |= set(
        StoryTranslation.objects.filter(case_study__in=published).values_list(
            "version_id", flat=True
        )
    )
    return ids


def documents_prune() -> int:
    """Remove the documents (files and rows) of versions no longer public:
    superseded versions, withdrawn translations, archived or expired stories."""
    public = _public_version_ids()
    stale = Doc.objects.exclude(version_id__in=public).exclude(status=Doc.Status.RENDERING)
    removed = 0
    for document in stale.iterator():
        if document.file:
            document.file.storage.delete(document.file.name)
        document.delete()
        removed += 1
    return removed


# --------------------------------------------------------------------------
# Usage rights
# --------------------------------------------------------------------------


def usage_rights_expire(*, today: date | None = None) -> list[int]:
    """Archive every published story whose usage rights have expired.

    Idempotent and safe to run twice at once: each story is archived through
    ``case_study_archive``, which locks the row and refuses a story that is no
    longer published (the other run got there first). Returns the ids
    archived by this run.
    """
    today = today or timezone.localdate()
    candidates = CaseStudy.objects.filter(
        state=CaseStudyState.PUBLISHED, rights_expire_on__lte=today
    ).values_list("pk", "rights_expire_on")
    archived: list[int] = []
    for pk, expired_on in candidates:
        current = CaseStudy.objects.filter(pk=pk).values_list("rights_expire_on", flat=True)
        current_date = current.first()
        if current_date is None or current_date > today:  # extended meanwhile
            continue
        reason = _("Usage rights expired on %(date)s.") % {
            "date": formats.date_format(current_date, "DATE_FORMAT")
        }
        try:
            case_study_archive(
                case_study=CaseStudy(pk=pk),
                actor=None,
                reason=reason,
                source="usage-rights sweep",
            )
        except TransitionError:
            continue  # archived by a concurrent sweep, or withdrawn by staff
        archived.append(pk)
        logger.info("archived case study %s: usage rights expired on %s", pk, expired_on)
    return archived
