import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from casestudies.emails import send_state_change_email
from casestudies.models import StateChange

logger = logging.getLogger(__name__)

# Sent within this window, or never: an owner does not want week-old news.
NOTIFY_WITHIN = timedelta(days=2)


def _needs_notification():
    """State changes whose owner should hear about them and has not yet."""
    return (
        StateChange.objects.filter(
            notified_at__isnull=True,
            case_study__owner__isnull=False,
            created_at__gte=timezone.now() - NOTIFY_WITHIN,
        )
        .exclude(case_study__owner__email="")
        .exclude(actor_id=F("case_study__owner_id"))
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_state_change_notification(state_change_id: int) -> bool:
    """Tell the case study's owner that someone else moved it.

    Claims ``notified_at`` before sending, so retries, redeliveries and
    concurrent workers send at most one email per state change; if sending
    fails the claim is released and the task retried.
    """
    change = (
        _needs_notification().select_related("case_study__owner").filter(pk=state_change_id).first()
    )
    if change is None:
        return False
    claimed = StateChange.objects.filter(pk=state_change_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if claimed != 1:
        return False
    try:
        send_state_change_email(change)
    except Exception:
        StateChange.objects.filter(pk=state_change_id).update(notified_at=None)
        raise
    logger.info("notified owner of state change %s", state_change_id)
    return True


@shared_task
def sweep_state_change_notifications() -> int:
    """Re-enqueue notifications that never went out (broker down at commit
    time, worker lost). Runs on Celery beat; the claim makes it safe."""
    stale = _needs_notification().filter(created_at__lt=timezone.now() - timedelta(minutes=5))
    ids = list(stale.values_list("pk", flat=True)[:500])
    for pk in ids:
        send_state_change_notification.delay(pk)
    return len(ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def recompute_candidate_scores() -> int:
    """Rescore every candidate (their portfolio-gap part depends on every
    other story): queued after a story moves or a target changes."""
    from casestudies.selection import recompute_scores

    return recompute_scores()
