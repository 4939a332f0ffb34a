import logging

from celery import shared_task
from django.utils import timezone

from casestudies.emails import send_state_change_email
from casestudies.models import StateChange

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_state_change_notification(state_change_id: int) -> bool:
    """Tell the case study's owner that someone else moved it.

    Claims ``notified_at`` before sending, so retries, redeliveries and
    concurrent workers send at most one email per state change.
    """
    change = (
        StateChange.objects.select_related("case_study__owner").filter(pk=state_change_id).first()
    )
    if change is None:
        return False
    owner = change.case_study.owner
    if owner is None or not owner.email or owner.pk == change.actor_id:
        return False
    claimed = StateChange.objects.filter(pk=state_change_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if claimed != 1:
        return False
    send_state_change_email(change)
    logger.info("notified owner of state change %s", state_change_id)
    return True
