"""The transactional outbox: every email a change promises is sent, once.

A service that promises an email calls :func:`enqueue` inside its own
transaction. That writes an :class:`~core.models.OutboxEmail` row (ids only,
never a secret) and, after commit, asks a worker to deliver it. When the
broker is down at commit time nothing is lost: the row waits, and the sweep
(:func:`deliver_due`, every ``OUTBOX_SWEEP_SECONDS`` from beat) hands it to a
worker once the broker is back.

Each kind of email has one sender, registered in its app's ``emails.py``::

    @outbox.sender("approvals.review_link")
    def review_link_email(message: OutboxEmail) -> Sent | None:
        ...  # build and send; return what was sent, or None when not needed

A sender may mint a secret (a review link's token, a mailbox code) while it
sends and store its hash: that is why a resend never needs a stored secret.

Delivery: :func:`deliver` claims the row with one conditional UPDATE that
moves ``not_before`` past a lease, calls the sender, and only then marks it
sent. A second delivery of the same row (a redelivered task, the sweep, a
concurrent worker) finds it claimed or sent and does nothing. A worker killed
mid-send leaves the row claimed until the lease is over; then the sweep
delivers it again. A sender that raises is retried with backoff, up to
``OUTBOX_MAX_ATTEMPTS``, then the row is ``failed`` and the error is logged
(and reported to ``ADMINS`` / Sentry by the logging configuration).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.models import OutboxEmail

logger = logging.getLogger(__name__)

S = OutboxEmail.Status


@dataclass(frozen=True)
class Sent:
    """What a sender sent: for the row (and the story's timeline)."""

    to: list[str]
    subject: str = ""


Sender = Callable[[OutboxEmail], "Sent | None"]
SENDERS: dict[str, Sender] = {}


def sender(kind: str) -> Callable[[Sender], Sender]:
    """Register the function that sends emails of ``kind``."""

    def register(function: Sender) -> Sender:
        if SENDERS.get(kind, function) is not function:
            raise RuntimeError(f"Two senders for outbox kind {kind!r}.")
        SENDERS[kind] = function
        return function

    return register


def conf(name: str):
    defaults = {
        "OUTBOX_LEASE_SECONDS": 120,
        "OUTBOX_MAX_ATTEMPTS": 8,
        "OUTBOX_RETRY_SECONDS": 30,
        "OUTBOX_SWEEP_SECONDS": 15,
        "OUTBOX_SWEEP_BATCH": 500,
    }
    return settings.STORYLINE.get(name, defaults[name])


def enqueue(
    kind: str,
    *,
    key: str,
    payload: dict | None = None,
    case_study_id: int | None = None,
    deliver_after_commit: bool = True,
) -> OutboxEmail | None:
    """Promise an email of ``kind``; ``key`` makes the promise unique (the
    same key again is the same email: returns None). Call inside the
    transaction of the change that promises it."""
    if kind not in SENDERS:
        raise RuntimeError(f"No sender registered for outbox kind {kind!r}.")
    try:
        with transaction.atomic():
            message = OutboxEmail.objects.create(
                kind=kind, key=key, payload=payload or {}, case_study_id=case_study_id
            )
    except IntegrityError:
        return None
    if deliver_after_commit:
        transaction.on_commit(lambda: _hand_to_worker(message.pk), robust=True)
    return message


def _hand_to_worker(message_id: int) -> None:
    from core.tasks import deliver_email

    try:
        deliver_email.delay(message_id)
    except Exception as exc:  # the broker is down: the sweep sends it later
        logger.warning(
            "outbox email %s waits for the sweep (%s)", message_id, exc.__class__.__name__
        )


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(conf("OUTBOX_RETRY_SECONDS") * 2 ** max(attempts - 1, 0), 3600))


def deliver(message_id: int) -> bool:
    """Send one outbox email if it is due and nobody else holds it. True when
    this call sent it."""
    now = timezone.now()
    claimed = OutboxEmail.objects.filter(
        pk=message_id, status=S.PENDING, not_before__lte=now
    ).update(
        not_before=now + timedelta(seconds=conf("OUTBOX_LEASE_SECONDS")),
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if claimed != 1:
        return False
    message = OutboxEmail.objects.get(pk=message_id)
    send = SENDERS.get(message.kind)
    try:
        if send is None:
            raise RuntimeError(f"no sender registered for {message.kind!r}")
        sent = send(message)
    except Exception as exc:
        failed = message.attempts >= conf("OUTBOX_MAX_ATTEMPTS")
        OutboxEmail.objects.filter(pk=message_id).update(
            status=S.FAILED if failed else S.PENDING,
            not_before=timezone.now() + _backoff(message.attempts),
            last_error=f"{exc.__class__.__name__}: {exc}"[:300],
        )
        log = logger.error if failed else logger.warning
        log(
            "outbox email %s (%s) attempt %s failed: %s",
            message_id,
            message.kind,
            message.attempts,
            exc.__class__.__name__,
            exc_info=failed,
        )
        return False
    if sent is None:
        OutboxEmail.objects.filter(pk=message_id).update(status=S.SKIPPED, sent_at=None)
        return False
    OutboxEmail.objects.filter(pk=message_id).update(
        status=S.SENT,
        sent_at=timezone.now(),
        recipients=", ".join(sent.to)[:500],
        subject=sent.subject[:300],
        last_error="",
    )
    logger.info("sent outbox email %s (%s)", message_id, message.kind)
    return True


def due_ids(limit: int | None = None) -> list[int]:
    """Pending emails whose time has come and that no worker holds, oldest
    first: those whose after-commit delivery was lost (broker down, worker
    killed) or that wait for a retry. Fresh rows get a few seconds for their
    own delivery first."""
    grace = timezone.now() - timedelta(seconds=5)
    return list(
        OutboxEmail.objects.filter(status=S.PENDING, not_before__lte=grace)
        .order_by("not_before", "pk")
        .values_list("pk", flat=True)[: limit or conf("OUTBOX_SWEEP_BATCH")]
    )


def deliver_due(*, inline: bool = False) -> int:
    """The sweep: hand every due email to a worker (or send them here when
    ``inline``). Returns how many were handed on."""
    ids = due_ids()
    if inline:
        return sum(deliver(pk) for pk in ids)
    from core.tasks import deliver_email

    for pk in ids:
        deliver_email.delay(pk)
    return len(ids)
