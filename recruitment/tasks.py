"""Recruitment emails, each sent once. The request claims its
``email_sent_at`` marker under a row lock; a follow-up inserts its ledger row
(unique per outreach and number) before sending, so a retry, a redelivery or a
second worker finds the row taken and sends nothing. A failed send releases
its claim for the retry."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from approvals.tokens import new_token
from recruitment.emails import send_outreach, send_outreach_followup
from recruitment.models import Outreach, OutreachFollowUp

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_outreach_email(outreach_id: int) -> bool:
    with transaction.atomic():
        outreach = (
            Outreach.objects.select_for_update(of=("self",))
            .select_related("contact")
            .filter(pk=outreach_id, email_sent_at__isnull=True)
            .first()
        )
        if outreach is None:
            return False
        token, outreach.response_token_hash = new_token()
        outreach.email_sent_at = timezone.now()
        outreach.save(update_fields=["email_sent_at", "response_token_hash"])
    try:
        send_outreach(outreach, token=token)
    except Exception:
        Outreach.objects.filter(pk=outreach_id).update(email_sent_at=None)
        raise
    logger.info("sent outreach %s", outreach_id)
    return True


def _followup_due(outreach: Outreach, number: int, now) -> bool:
    after = timedelta(days=settings.STORYLINE["OUTREACH_FOLLOWUP_AFTER_DAYS"])
    return outreach.sent_at + after * number <= now


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_followup(outreach_id: int, number: int) -> bool:
    """Follow-up ``number`` of an unanswered request, once: the ledger row is
    the claim."""
    if number < 1 or number > settings.STORYLINE["OUTREACH_FOLLOWUP_MAX"]:
        return False
    now = timezone.now()
    with transaction.atomic():
        outreach = (
            Outreach.objects.select_for_update(of=("self",))
            .select_related("contact")
            .filter(pk=outreach_id, status__in=Outreach.OPEN_STATUSES)
            .first()
        )
        if outreach is None or not _followup_due(outreach, number, now):
            return False
        if number > 1 and not outreach.followups.filter(number=number - 1).exists():
            return False  # in order: the previous one first
        try:
            with transaction.atomic():
                row = OutreachFollowUp.objects.create(outreach=outreach, number=number)
        except IntegrityError:
            return False  # already sent
    try:
        send_outreach_followup(outreach, number)
    except Exception:
        OutreachFollowUp.objects.filter(pk=row.pk).delete()
        raise
    logger.info("sent follow-up %s of outreach %s", number, outreach_id)
    return True


@shared_task
def send_due_followups() -> int:
    """The hourly sweep: enqueue the next follow-up of every unanswered
    request that is due, and mark requests "no answer" once the last
    follow-up had its time."""
    conf = settings.STORYLINE
    maximum = conf["OUTREACH_FOLLOWUP_MAX"]
    after = timedelta(days=conf["OUTREACH_FOLLOWUP_AFTER_DAYS"])
    now = timezone.now()
    rows = (
        Outreach.objects.filter(status__in=Outreach.OPEN_STATUSES, sent_at__lte=now - after)
        .annotate(sent_followups=Count("followups"), last_followup=Max("followups__claimed_at"))
        .values_list("pk", "sent_at", "sent_followups", "last_followup")
    )
    enqueued = 0
    for pk, sent_at, count, last in rows:
        number = count + 1
        if number <= maximum:
            if sent_at + after * number <= now:
                send_followup.delay(pk, number)
                enqueued += 1
        elif last and last + timedelta(days=conf["OUTREACH_NO_ANSWER_AFTER_DAYS"]) <= now:
            from recruitment.services import outreach_mark_no_answer

            outreach_mark_no_answer(outreach=Outreach(pk=pk), source="followup-sweep")
    return enqueued
