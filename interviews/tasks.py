"""Interview emails, sent exactly once: each task claims its "sent" marker
under a row lock before sending and releases it if sending fails."""

import logging
import uuid

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from interviews.emails import (
    send_cancellation_email,
    send_followups_email,
    send_invitation_email,
)
from interviews.models import FollowUpQuestion, Interview, Stakeholder

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(stakeholder_id: int) -> bool:
    """The invitation (with its .ics) to one stakeholder, once."""
    with transaction.atomic():
        stakeholder = (
            Stakeholder.objects.select_for_update(of=("self",))
            .select_related("contact", "interview__case_study__customer")
            .filter(pk=stakeholder_id, invitation_sent_at__isnull=True)
            .first()
        )
        if stakeholder is None or stakeholder.interview.status != Interview.Status.SCHEDULED:
            return False
        stakeholder.invitation_sent_at = timezone.now()
        stakeholder.save(update_fields=["invitation_sent_at"])
    try:
        send_invitation_email(stakeholder)
    except Exception:
        Stakeholder.objects.filter(pk=stakeholder_id).update(invitation_sent_at=None)
        raise
    logger.info("sent interview invitation to stakeholder %s", stakeholder_id)
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_cancellation(stakeholder_id: int, reason: str = "") -> bool:
    """Tell an invited stakeholder the interview is cancelled (a METHOD:CANCEL
    calendar file removes the event), once."""
    with transaction.atomic():
        stakeholder = (
            Stakeholder.objects.select_for_update(of=("self",))
            .select_related("contact", "interview__case_study__customer")
            .filter(
                pk=stakeholder_id,
                invitation_sent_at__isnull=False,
                cancellation_sent_at__isnull=True,
            )
            .first()
        )
        if stakeholder is None or stakeholder.interview.status != Interview.Status.CANCELLED:
            return False
        stakeholder.cancellation_sent_at = timezone.now()
        stakeholder.save(update_fields=["cancellation_sent_at"])
    try:
        send_cancellation_email(stakeholder, reason)
    except Exception:
        Stakeholder.objects.filter(pk=stakeholder_id).update(cancellation_sent_at=None)
        raise
    logger.info("sent interview cancellation to stakeholder %s", stakeholder_id)
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_followups(interview_id: int, contact_id: int) -> int:
    """Every unsent follow-up question for the contact, in one email. The
    questions are claimed together (one batch id) under their row locks: a
    concurrent or repeated task finds none left and sends nothing."""
    batch = uuid.uuid4()
    with transaction.atomic():
        questions = list(
            FollowUpQuestion.objects.select_for_update()
            .filter(interview_id=interview_id, contact_id=contact_id, sent_at__isnull=True)
            .order_by("created_at", "id")
        )
        if not questions:
            return 0
        now = timezone.now()
        FollowUpQuestion.objects.filter(pk__in=[q.pk for q in questions]).update(
            sent_at=now, sent_batch=batch
        )
    interview = Interview.objects.select_related("case_study__customer").get(pk=interview_id)
    contact = questions[0].contact
    try:
        send_followups_email(interview, contact, questions)
    except Exception:
        FollowUpQuestion.objects.filter(sent_batch=batch).update(sent_at=None, sent_batch=None)
        raise
    logger.info("sent %d follow-up questions for interview %s", len(questions), interview_id)
    return len(questions)
