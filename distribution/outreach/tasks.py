"""Outreach tasks: campaign batches (thin; the sending and its claims are in
``distribution.outreach.campaigns``). The notifications of references and share
links are outbox emails (``distribution/emails.py``)."""

import logging

from celery import shared_task

from distribution.outreach import campaigns

logger = logging.getLogger(__name__)


@shared_task(name="distribution.outreach_tasks.send_campaign_batch", acks_late=True)
def send_campaign_batch(campaign_id: int, delivery_ids: list[int]) -> int:
    """One batch of a campaign; a redelivered batch finds its deliveries
    claimed and sends nothing."""
    return campaigns.send_batch(campaign_id=campaign_id, delivery_ids=delivery_ids)


@shared_task(name="distribution.outreach_tasks.resume_campaigns")
def resume_campaigns() -> int:
    return campaigns.campaigns_resume()
