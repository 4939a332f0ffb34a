"""Email campaigns built from story cards.

``campaign_send`` freezes the audience: one :class:`CampaignDelivery` per
recipient (unique per campaign), then Celery sends them in batches. A batch
claims its pending deliveries under ``select_for_update(skip_locked=True)``
before sending, and a delivery once claimed is never claimed again, so
retries, redelivered batches and concurrent workers send each recipient one
email. Suppressed addresses (unsubscribed, bounced, added by staff) are
marked *suppressed* instead of sent.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from casestudies import selectors
from casestudies.models import CaseStudy, Metric, Quote, UsageChannel
from core.audit import audit_log
from core.errors import TransitionError
from distribution import emails
from distribution.models import Campaign, CampaignDelivery, Recipient, Suppression

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "distribution.unsubscribe"

SEGMENT_KINDS = {
    Campaign.Segment.PROSPECTS: Recipient.Kind.PROSPECT,
    Campaign.Segment.CUSTOMERS: Recipient.Kind.CUSTOMER,
    Campaign.Segment.NEWSLETTER: Recipient.Kind.NEWSLETTER,
}


# --------------------------------------------------------------------------
# Audience and suppression
# --------------------------------------------------------------------------


def segment_recipients(campaign: Campaign):
    """Everyone in the campaign's segment (suppressed ones included: they are
    recorded as suppressed, so the admin shows why they got nothing)."""
    recipients = Recipient.objects.filter(kind=SEGMENT_KINDS[campaign.segment])
    if campaign.industry_id:
        recipients = recipients.filter(industry_id=campaign.industry_id)
    if campaign.use_case_id:
        recipients = recipients.filter(use_case_id=campaign.use_case_id)
    return recipients


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(email=email.strip().lower()).exists()


def suppress(
    *, email: str, reason: str, note: str = "", actor: Any = None, source: str = ""
) -> Suppression:
    """Add an address to the suppression list (idempotent: an address already
    on it keeps its row and reason)."""
    email = email.strip().lower()
    with transaction.atomic():
        row, created = Suppression.objects.get_or_create(
            email=email, defaults={"reason": reason, "note": note[:300]}
        )
        if created:
            audit_log(
                action="distribution.suppression.added",
                obj=row,
                actor=actor,
                data={"reason": reason},
                source=source,
            )
    return row


def suppression_from_esp_event(*, event: Any, esp_name: str) -> Suppression | None:
    """An email service reported a delivery event (django-anymail's
    normalized ``AnymailTrackingEvent``, from its tracking webhook): a hard
    bounce, a spam complaint or an unsubscribe puts the recipient on the
    suppression list. A soft bounce (``deferred``, or a bounce the service
    marks temporary) and every other event change nothing."""
    reason = _esp_event_reason(event)
    if reason is None:
        return None
    email = parseaddr(str(event.recipient or ""))[1].strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        logger.warning("%s reported a %s for an invalid address", esp_name, event.event_type)
        return None
    note = f"{esp_name}: {event.description or event.event_type}"
    return suppress(email=email, reason=reason, note=note, source=f"webhook:{esp_name}"[:200])


def _esp_event_reason(event: Any) -> str | None:
    kind = event.event_type
    if kind == "complained":
        return Suppression.Reason.COMPLAINT
    if kind == "unsubscribed":
        return Suppression.Reason.UNSUBSCRIBED
    if kind == "bounced" and _is_hard_bounce(event.esp_event):
        return Suppression.Reason.BOUNCED
    # The service refused to send because it already knows the address bounces.
    if kind == "rejected" and event.reject_reason in ("bounced", "invalid"):
        return Suppression.Reason.BOUNCED
    return None


def _is_hard_bounce(raw: Any) -> bool:
    """Some services report soft bounces as ``bounced`` too: tell them apart
    from the service's own payload. Unknown shapes count as hard."""
    if not isinstance(raw, dict):
        return True
    # Amazon SES: bounce.bounceType is Permanent, Transient or Undetermined.
    bounce = raw.get("bounce")
    if isinstance(bounce, dict) and "bounceType" in bounce:
        return bounce["bounceType"] == "Permanent"
    # Postmark: the bounce's Type (or a suppression's reason).
    if "RecordType" in raw:
        return (raw.get("Type") or raw.get("SuppressionReason")) == "HardBounce"
    # Brevo: hard_bounce / invalid_email vs soft_bounce.
    if raw.get("event") == "soft_bounce":
        return False
    # SendGrid: a bounce's type is "bounce" or "blocked" (temporary).
    if raw.get("event") == "bounce":
        return raw.get("type", "bounce") == "bounce"
    # Mailgun: a failure's severity is permanent or temporary (anymail
    # already reports temporary ones as deferred).
    data = raw.get("event-data")
    if isinstance(data, dict) and data.get("severity"):
        return data["severity"] == "permanent"
    return True


def unsubscribe_token(recipient: Recipient) -> str:
    return signing.dumps(recipient.pk, salt=UNSUBSCRIBE_SALT)


def recipient_for_token(token: str) -> Recipient | None:
    if not token or len(token) > 200:
        return None
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Recipient.objects.filter(pk=pk).first()


def unsubscribe_url(recipient: Recipient) -> str:
    pattern = settings.SITE_URL + reverse("outreach_public:unsubscribe", args=["TOKEN"])
    return pattern.replace("TOKEN", unsubscribe_token(recipient))


def recipient_unsubscribe(*, recipient: Recipient, source: str = "") -> Recipient:
    """One click: the recipient leaves every list and is suppressed."""
    with transaction.atomic():
        locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if not locked.unsubscribed:
            locked.unsubscribed = True
            locked.unsubscribed_at = timezone.now()
            locked.save(update_fields=["unsubscribed", "unsubscribed_at", "updated_at"])
            audit_log(action="distribution.recipient.unsubscribed", obj=locked, source=source)
        suppress(email=locked.email, reason=Suppression.Reason.UNSUBSCRIBED)
    return locked


# --------------------------------------------------------------------------
# Story cards
# --------------------------------------------------------------------------


def story_refusal(case_study: CaseStudy) -> str:
    """Why a story cannot go into a campaign ("" when it can)."""
    if selectors.public_version(case_study) is None:
        return _("“%(title)s” is not published.") % {"title": case_study.title}
    if not case_study.allows(UsageChannel.WEB):
        return _("“%(title)s” may not be shown outside our sales conversations.") % {
            "title": case_study.title
        }
    return ""


@dataclass
class StoryCard:
    title: str
    customer: str
    headline: str
    quote: str
    attribution: str
    url: str


def with_utm(url: str, *, source: str, medium: str, campaign: str) -> str:
    params = urlencode({"utm_source": source, "utm_medium": medium, "utm_campaign": campaign})
    return f"{url}{'&' if '?' in url else '?'}{params}"


def headline_text(case_study: CaseStudy, metric: Metric | None) -> str:
    """The headline result: "67% reduction · Month-end close", with the
    absolute before → after only when the story allows absolute figures."""
    if metric is None:
        return ""
    label = case_study.anonymise_text(metric.label)
    text = f"{metric.improvement_display} · {label}"
    if metric.shows_absolute:
        unit = f" {metric.unit}" if metric.unit else ""
        text += f" ({_figure(metric.before)} → {_figure(metric.after)}{unit})"
    return text


def _figure(value: Decimal) -> str:
    """12500000.0000 → "12,500,000" (grouped the reader's way), 2.5000 → "2.5"."""
    value = value.normalize()
    if value == value.to_integral_value():
        return formats.number_format(int(value), force_grouping=True)
    return formats.number_format(value, force_grouping=True)


def story_card(case_study: CaseStudy, *, language: str, campaign_slug: str) -> StoryCard:
    version = selectors.public_version(case_study, language) or selectors.public_version(case_study)
    metrics = [m for m in case_study.metrics.all() if m.improvement_display]
    quotes = [
        q
        for q in case_study.quotes.all()
        if q.permission == Quote.Permission.APPROVED and q.kind == Quote.Kind.PULL
    ]
    url = settings.SITE_URL + case_study.get_absolute_url()
    if version.language != case_study.published_version.language:
        url += f"?lang={version.language}"
    quote = quotes[0] if quotes else None
    return StoryCard(
        title=case_study.anonymise_text(version.title),
        customer=case_study.public_customer_name,
        headline=headline_text(case_study, metrics[0] if metrics else None),
        quote=case_study.anonymise_text(quote.text) if quote else "",
        attribution=case_study.quote_attribution(quote) if quote else "",
        url=with_utm(url, source="email", medium="campaign", campaign=campaign_slug),
    )


def campaign_cards(campaign: Campaign) -> list[StoryCard]:
    """The cards of the campaign's stories that may still be sent."""
    stories = (
        campaign.stories.select_related("customer__industry", "published_version")
        .prefetch_related("metrics", "quotes__speaker")
        .order_by("-published_at", "pk")
    )
    with translation.override(campaign.language):
        return [
            story_card(cs, language=campaign.language, campaign_slug=campaign.slug)
            for cs in stories
            if not story_refusal(cs)
        ]


# --------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------


def campaign_send(*, campaign: Campaign, actor: Any, source: str = "") -> int:
    """Freeze the audience and queue the batches. Returns the number of recipients."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != Campaign.Status.DRAFT:
            raise TransitionError(_("This campaign was already sent."))
        stories = list(locked.stories.all())
        if not stories:
            raise TransitionError(_("Choose at least one story."))
        refusals = [r for r in map(story_refusal, stories) if r]
        if refusals:
            raise TransitionError(" ".join(refusals))
        recipient_ids = list(segment_recipients(locked).values_list("pk", flat=True))
        if not recipient_ids:
            raise TransitionError(_("Nobody is in this audience yet."))
        CampaignDelivery.objects.bulk_create(
            [CampaignDelivery(campaign=locked, recipient_id=pk) for pk in recipient_ids],
            batch_size=1000,
            ignore_conflicts=True,
        )
        locked.status = Campaign.Status.SENDING
        locked.total = len(recipient_ids)
        locked.queued_at = timezone.now()
        locked.save(update_fields=["status", "total", "queued_at", "updated_at"])
        audit_log(
            action="distribution.campaign.sending",
            obj=locked,
            actor=actor,
            data={"recipients": locked.total, "stories": [s.pk for s in stories]},
            source=source,
        )
        pk = locked.pk
        transaction.on_commit(lambda: enqueue_batches(pk), robust=True)
    return locked.total


def batches(campaign_id: int) -> list[list[int]]:
    """Pending delivery ids in batches of ``CAMPAIGN_BATCH_SIZE``."""
    size = settings.STORYLINE["CAMPAIGN_BATCH_SIZE"]
    ids = list(
        CampaignDelivery.objects.filter(
            campaign_id=campaign_id, status=CampaignDelivery.Status.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def enqueue_batches(campaign_id: int) -> int:
    from distribution.outreach.tasks import send_campaign_batch

    chunks = batches(campaign_id)
    for chunk in chunks:
        send_campaign_batch.delay(campaign_id, chunk)
    return len(chunks)


def send_batch(*, campaign_id: int, delivery_ids: list[int]) -> int:
    """Send the still-pending deliveries among ``delivery_ids`` over one SMTP
    connection; returns how many emails went out.

    Each delivery is claimed on its own (pending → sending, one conditional
    UPDATE) just before its email leaves and marked *sent* just after, so
    "sent" counts only emails that left, a redelivered or concurrent batch
    skips what another holds, and a worker killed mid-batch leaves at most
    the one email in flight undecided: :func:`campaigns_resume` sends the
    rest, and that one again once its claim is older than
    ``CAMPAIGN_CLAIM_SECONDS`` (the Message-ID is the same, so a receiver
    that saw it already can drop it). A failed send is marked *failed*, never
    retried automatically (it might have reached the server)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    S = CampaignDelivery.Status
    rows = list(
        CampaignDelivery.objects.filter(
            pk__in=delivery_ids, campaign_id=campaign_id, status=S.PENDING
        ).select_related("recipient")
    )
    if not rows:
        _finish_if_done(campaign_id)
        return 0
    suppressed_emails = set(
        Suppression.objects.filter(email__in=[r.recipient.email.lower() for r in rows]).values_list(
            "email", flat=True
        )
    )
    suppressed = [
        r.pk
        for r in rows
        if r.recipient.unsubscribed or r.recipient.email.lower() in suppressed_emails
    ]
    CampaignDelivery.objects.filter(pk__in=suppressed, status=S.PENDING).update(
        status=S.SUPPRESSED, claimed_at=timezone.now()
    )
    to_send = [r for r in rows if r.pk not in set(suppressed)]
    renderer = emails.CampaignRenderer(
        campaign, campaign_cards(campaign), unsubscribe_url=unsubscribe_url
    )
    domain = urlsplit(settings.SITE_URL).hostname or "storyline.invalid"
    sent = 0
    connection = get_connection()
    connection.open()
    try:
        for row in to_send:
            claimed = CampaignDelivery.objects.filter(pk=row.pk, status=S.PENDING).update(
                status=S.SENDING, claimed_at=timezone.now()
            )
            if claimed != 1:
                continue  # another batch holds it, or it was decided meanwhile
            try:
                message = renderer.message(row.recipient)
                message.extra_headers["Message-ID"] = (
                    f"<campaign-{campaign_id}-delivery-{row.pk}@{domain}>"
                )
                message.connection = connection
                message.send()
            except Exception as exc:  # one bad address must not stop the batch
                logger.warning("campaign %s delivery %s failed: %s", campaign_id, row.pk, exc)
                CampaignDelivery.objects.filter(pk=row.pk).update(
                    status=S.FAILED, error=str(exc)[:300]
                )
                continue
            CampaignDelivery.objects.filter(pk=row.pk).update(status=S.SENT, sent_at=timezone.now())
            sent += 1
    finally:
        connection.close()
    _finish_if_done(campaign_id)
    return sent


def _finish_if_done(campaign_id: int) -> None:
    pending = CampaignDelivery.objects.filter(
        campaign_id=campaign_id,
        status__in=(CampaignDelivery.Status.PENDING, CampaignDelivery.Status.SENDING),
    ).exists()
    if not pending:
        Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).update(
            status=Campaign.Status.SENT, finished_at=timezone.now()
        )


def campaigns_resume() -> int:
    """Queue again the pending deliveries of campaigns still sending (a lost
    worker or a broker that was down): claims keep every recipient at one
    email. A delivery claimed longer ago than ``CAMPAIGN_CLAIM_SECONDS`` was
    in flight when its worker died: it goes back to pending."""
    now = timezone.now()
    claim = timedelta(seconds=settings.STORYLINE["CAMPAIGN_CLAIM_SECONDS"])
    CampaignDelivery.objects.filter(
        status=CampaignDelivery.Status.SENDING, claimed_at__lt=now - claim
    ).update(status=CampaignDelivery.Status.PENDING)
    queued = 0
    stale = now - timedelta(seconds=settings.STORYLINE["CAMPAIGN_RESUME_AFTER_SECONDS"])
    for pk in Campaign.objects.filter(
        status=Campaign.Status.SENDING, queued_at__lt=stale
    ).values_list("pk", flat=True):
        queued += enqueue_batches(pk)
    return queued


def progress(campaign: Campaign) -> dict[str, int]:
    counts = CampaignDelivery.objects.filter(campaign=campaign).aggregate(
        sent=Count("pk", filter=Q(status=CampaignDelivery.Status.SENT)),
        sending=Count("pk", filter=Q(status=CampaignDelivery.Status.SENDING)),
        suppressed=Count("pk", filter=Q(status=CampaignDelivery.Status.SUPPRESSED)),
        failed=Count("pk", filter=Q(status=CampaignDelivery.Status.FAILED)),
        pending=Count("pk", filter=Q(status=CampaignDelivery.Status.PENDING)),
    )
    return {**counts, "total": campaign.total}


def render_campaign_email(campaign: Campaign, cards: list[StoryCard], recipient: Recipient):
    """One recipient's email, as it will be sent (the preview)."""
    return emails.CampaignRenderer(campaign, cards, unsubscribe_url=unsubscribe_url).message(
        recipient
    )
