"""Distribution's emails, one outbox sender each (``core.outbox``): the
account owner's consent to a reference call, the rep's answer, the rep's
"your prospect opened the story", and a contact's preference link. Campaign
emails are sent in batches by ``distribution.outreach.campaigns``."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from core import outbox
from core.emails import send_templated_email
from core.models import OutboxEmail
from core.roles import PROGRAM_MANAGERS
from core.tokens import new_token
from distribution.models import ReferencePreference, ReferenceRequest, ShareLink

logger = logging.getLogger(__name__)


def _site(path: str) -> str:
    return settings.SITE_URL + path


@outbox.sender("distribution.reference_owner")
def reference_owner_email(message: OutboxEmail) -> outbox.Sent | None:
    """Ask the account owner (program managers when there is none) to consent."""
    request = (
        ReferenceRequest.objects.select_related(
            "customer__account_owner", "contact", "case_study", "requested_by"
        )
        .filter(pk=message.payload["request"], owner_notified_at__isnull=True)
        .first()
    )
    if request is None:
        return None
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
        return None
    subject = send_templated_email(
        name="reference_consent",
        to=to,
        context={
            "request": request,
            "url": _site(reverse("outreach:reference_detail", args=[request.pk])),
        },
    )
    ReferenceRequest.objects.filter(pk=request.pk).update(owner_notified_at=timezone.now())
    return outbox.Sent(to=to, subject=subject)


@outbox.sender("distribution.reference_requester")
def reference_requester_email(message: OutboxEmail) -> outbox.Sent | None:
    """Tell the rep what the account owner decided."""
    request = (
        ReferenceRequest.objects.select_related("customer", "contact", "case_study", "requested_by")
        .filter(pk=message.payload["request"], requester_notified_at__isnull=True)
        .first()
    )
    if request is None or not request.requested_by.email:
        return None
    subject = send_templated_email(
        name="reference_decision",
        to=[request.requested_by.email],
        context={
            "request": request,
            "approved": request.state != ReferenceRequest.State.OWNER_DECLINED,
            "url": _site(reverse("outreach:reference_detail", args=[request.pk])),
        },
    )
    ReferenceRequest.objects.filter(pk=request.pk).update(requester_notified_at=timezone.now())
    return outbox.Sent(to=[request.requested_by.email], subject=subject)


@outbox.sender("distribution.share_visit")
def share_visit_email(message: OutboxEmail) -> outbox.Sent | None:
    """The rep's "your prospect opened the story" email, once per link."""
    link = (
        ShareLink.objects.select_related("rep", "case_study")
        .filter(pk=message.payload["link"], rep_notified_at__isnull=True)
        .first()
    )
    if link is None or not link.rep.email:
        return None
    subject = send_templated_email(
        name="share_first_visit",
        to=[link.rep.email],
        context={"link": link, "url": _site(reverse("outreach:share_detail", args=[link.pk]))},
    )
    ShareLink.objects.filter(pk=link.pk).update(rep_notified_at=timezone.now())
    logger.info("told rep about the first visit of share link %s", link.pk)
    return outbox.Sent(to=[link.rep.email], subject=subject)


@outbox.sender("distribution.preference_link")
def preference_link_email(message: OutboxEmail) -> outbox.Sent | None:
    """A contact's preference link, with a token minted now: any older link
    stops working (only the newest hash is kept)."""
    with transaction.atomic():
        preference = (
            ReferencePreference.objects.select_for_update(of=("self",))
            .select_related("contact")
            .filter(pk=message.payload["preference"])
            .first()
        )
        if preference is None or not preference.contact.email:
            return None
        token, preference.token_hash = new_token()
        preference.token_created_at = timezone.now()
        preference.save(update_fields=["token_hash", "token_created_at", "updated_at"])
    contact = preference.contact
    url = _site(reverse("outreach_public:preferences", args=[token]))
    subject = send_templated_email(
        name="reference_preferences", to=[contact.email], context={"contact": contact, "url": url}
    )
    return outbox.Sent(to=[contact.email], subject=subject)


# --------------------------------------------------------------------------
# Campaigns
# --------------------------------------------------------------------------


NAME_SLOT = "\x00name\x00"
UNSUBSCRIBE_SLOT = "\x00unsubscribe\x00"


class CampaignRenderer:
    """Renders a campaign's email for each recipient. The templates are
    rendered once per batch (with and without a greeting name) around two
    slots, then each recipient's name (escaped for HTML) and unsubscribe link
    are put in: the same bytes as rendering per recipient, many times faster."""

    def __init__(self, campaign, cards, *, unsubscribe_url):
        self.campaign = campaign
        self.cards = cards
        self.unsubscribe_url = unsubscribe_url
        self._bodies: dict[bool, tuple[str, str]] = {}

    def _bodies_for(self, named: bool) -> tuple[str, str]:
        if named not in self._bodies:
            context = {
                "SITE_NAME": settings.SITE_NAME,
                "SITE_URL": settings.SITE_URL,
                "campaign": self.campaign,
                "cards": self.cards,
                "recipient": {"name": NAME_SLOT if named else ""},
                "unsubscribe_url": UNSUBSCRIBE_SLOT,
            }
            with translation.override(self.campaign.language):
                self._bodies[named] = (
                    render_to_string("emails/campaign_body.txt", context),
                    render_to_string("emails/campaign_body.html", context),
                )
        return self._bodies[named]

    def message(self, recipient) -> EmailMultiAlternatives:
        unsubscribe = self.unsubscribe_url(recipient)
        name = recipient.name.replace("\x00", "")
        text, html = self._bodies_for(bool(name))
        text = text.replace(NAME_SLOT, name).replace(UNSUBSCRIBE_SLOT, unsubscribe)
        html = html.replace(NAME_SLOT, escape(name)).replace(UNSUBSCRIBE_SLOT, escape(unsubscribe))
        message = EmailMultiAlternatives(
            subject=self.campaign.subject,
            body=text,
            to=[recipient.email],
            headers={
                # RFC 2369 / RFC 8058: mail clients show an unsubscribe button
                # that POSTs to the link, one click.
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(html, "text/html")
        return message
