"""Outreach tasks: campaign batches and the notifications of references and
share links. Each email claims its saved "done" marker before it is sent and
releases it if sending fails, so retries never send twice."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from core.emails import send_templated_email
from core.roles import PROGRAM_MANAGERS
from distribution import campaigns
from distribution.models import ReferenceRequest, ShareLink

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_campaign_batch(campaign_id: int, delivery_ids: list[int]) -> int:
    """One batch of a campaign; a redelivered batch finds its deliveries
    claimed and sends nothing."""
    return campaigns.send_batch(campaign_id=campaign_id, delivery_ids=delivery_ids)


@shared_task
def resume_campaigns() -> int:
    return campaigns.campaigns_resume()


def _claim(model, pk: int, field: str) -> bool:
    return (
        model.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()})
        == 1
    )


def _release(model, pk: int, field: str) -> None:
    model.objects.filter(pk=pk).update(**{field: None})


def _site(path: str) -> str:
    from django.conf import settings

    return settings.SITE_URL + path


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_reference_owner(request_id: int) -> bool:
    """Ask the account owner (program managers when there is none) to consent."""
    if not _claim(ReferenceRequest, request_id, "owner_notified_at"):
        return False
    request = ReferenceRequest.objects.select_related(
        "customer__account_owner", "contact", "case_study", "requested_by"
    ).get(pk=request_id)
    owner = request.customer.account_owner
    if owner is not None and owner.email:
        to = [owner.email]
    else:
        to = list(
            get_user_model()
            .objects.filter(groups__name=PROGRAM_MANAGERS, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if not to:
        return False
    try:
        send_templated_email(
            name="reference_consent",
            to=to,
            context={
                "request": request,
                "url": _site(reverse("outreach:reference_detail", args=[request.pk])),
            },
        )
    except Exception:
        _release(ReferenceRequest, request_id, "owner_notified_at")
        raise
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_reference_requester(request_id: int) -> bool:
    """Tell the rep what the account owner decided."""
    if not _claim(ReferenceRequest, request_id, "requester_notified_at"):
        return False
    request = ReferenceRequest.objects.select_related(
        "customer", "contact", "case_study", "requested_by"
    ).get(pk=request_id)
    if not request.requested_by.email:
        return False
    try:
        send_templated_email(
            name="reference_decision",
            to=[request.requested_by.email],
            context={
                "request": request,
                "approved": request.state != ReferenceRequest.State.OWNER_DECLINED,
                "url": _site(reverse("outreach:reference_detail", args=[request.pk])),
            },
        )
    except Exception:
        _release(ReferenceRequest, request_id, "requester_notified_at")
        raise
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_share_visit(link_id: int) -> bool:
    """The rep's "your prospect opened the story" email, once per link."""
    if not _claim(ShareLink, link_id, "rep_notified_at"):
        return False
    link = ShareLink.objects.select_related("rep", "case_study").get(pk=link_id)
    if not link.rep.email:
        return False
    try:
        send_templated_email(
            name="share_first_visit",
            to=[link.rep.email],
            context={
                "link": link,
                "url": _site(reverse("outreach:share_detail", args=[link.pk])),
            },
        )
    except Exception:
        _release(ShareLink, link_id, "rep_notified_at")
        raise
    logger.info("told rep about the first visit of share link %s", link_id)
    return True
