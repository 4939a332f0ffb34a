"""The customer reviewer's emails: the review link and the mailbox code.

Each is a Celery task that claims its saved "done" marker under a row lock
before sending (``ReviewLink.sent_at`` / ``code_emailed_at``) and releases it
if sending fails, so a redelivered or retried task never sends twice. The raw
token and code travel only in the task's arguments; each is checked against
the stored hash, so a task for a replaced link or code sends nothing.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from approvals.models import ReviewLink
from approvals.tokens import code_matches, hash_token
from core.emails import send_templated_email

logger = logging.getLogger(__name__)


def review_url(token: str) -> str:
    return settings.SITE_URL + reverse("review:page", kwargs={"token": token})


def _context(link: ReviewLink) -> dict:
    step = link.step
    request = step.request
    return {
        "step": step,
        "request": request,
        "case_study": request.case_study,
        "customer": request.case_study.customer,
        "version": request.version,
        "link": link,
        "sender": request.created_by_name,
    }


def _link(link_id: int):
    return ReviewLink.objects.select_for_update(of=("self",)).select_related(
        "step__request__case_study__customer", "step__request__version"
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_review_link(link_id: int, token: str) -> bool:
    """The invitation to review, with the link, once."""
    with transaction.atomic():
        link = _link(link_id).filter(pk=link_id, sent_at__isnull=True).first()
        if link is None or not link.is_live or link.token_hash != hash_token(token):
            return False
        link.sent_at = timezone.now()
        link.save(update_fields=["sent_at"])
    try:
        send_templated_email(
            name="approval_review_link",
            to=[link.step.reviewer_email],
            language=link.step.request.version.language,
            context={**_context(link), "review_url": review_url(token)},
        )
    except Exception:
        ReviewLink.objects.filter(pk=link_id).update(sent_at=None)
        raise
    logger.info("sent review link %s", link_id)  # the id, never the token
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_review_code(link_id: int, code: str) -> bool:
    """The 6-digit code proving the reviewer holds the invited mailbox, once per code."""
    with transaction.atomic():
        link = (
            _link(link_id)
            .filter(pk=link_id)
            .filter(Q(code_emailed_at__isnull=True) | Q(code_emailed_at__lt=F("code_sent_at")))
            .first()
        )
        if link is None or not link.is_live or not code_matches(link.pk, code, link.code_hash):
            return False
        link.code_emailed_at = timezone.now()
        link.save(update_fields=["code_emailed_at"])
    try:
        send_templated_email(
            name="approval_review_code",
            to=[link.step.reviewer_email],
            language=link.step.request.version.language,
            context={
                **_context(link),
                "code": code,
                "minutes": settings.STORYLINE["REVIEW_CODE_MINUTES"],
            },
        )
    except Exception:
        ReviewLink.objects.filter(pk=link_id).update(code_emailed_at=None)
        raise
    logger.info("sent review code for link %s", link_id)
    return True
