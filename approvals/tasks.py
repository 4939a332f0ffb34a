"""Approval reminders on Celery beat. The sweeps claim a ledger row before
each email (see :mod:`approvals.reminders`), so a redelivered task, a retry
or two workers running at once send nothing twice."""

import logging

from celery import shared_task

from approvals import reminders

logger = logging.getLogger(__name__)


@shared_task(name="approvals.tasks.send_approval_reminders")
def send_approval_reminders() -> dict[str, int]:
    """Hourly: every reminder and escalation that is due."""
    result = reminders.reminders_sweep()
    return {"sent": result.sent, "failed": result.failed}


@shared_task(name="approvals.tasks.send_approval_digests")
def send_approval_digests() -> int:
    """Daily: each program manager's digest of overdue approvals, once a day."""
    return reminders.digests_send()
