"""Recruitment emails: the request as it was previewed and sent, and its
follow-ups, in the language the request was written in. Each is an outbox
sender (``core.outbox``): written with the change that promises it, sent once
by a worker."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.emails import send_templated_email
from core.models import OutboxEmail
from core.tokens import new_token
from recruitment.models import Outreach, OutreachFollowUp


@outbox.sender("recruitment.outreach")
def outreach_email(message: OutboxEmail) -> outbox.Sent | None:
    """The request, with a one-click answer link whose token is minted now
    (only its hash is kept; a retry mints a new one)."""
    outreach_id = message.payload["outreach"]
    with transaction.atomic():
        outreach = (
            Outreach.objects.select_for_update(of=("self",))
            .select_related("contact")
            .filter(pk=outreach_id, email_sent_at__isnull=True)
            .first()
        )
        if outreach is None:
            return None
        token, outreach.response_token_hash = new_token()
        outreach.save(update_fields=["response_token_hash"])
    respond_url = settings.SITE_URL.rstrip("/") + reverse("recruitment:respond", args=[token])
    subject = send_templated_email(
        name="outreach",
        to=[outreach.contact.email],
        context={"outreach": outreach, "respond_url": respond_url},
        language=outreach.language,
    )
    Outreach.objects.filter(pk=outreach_id).update(email_sent_at=timezone.now())
    return outbox.Sent(to=[outreach.contact.email], subject=subject)


@outbox.sender("recruitment.followup")
def outreach_followup_email(message: OutboxEmail) -> outbox.Sent | None:
    """Follow-up ``number`` of a request still unanswered."""
    followup = (
        OutreachFollowUp.objects.select_related("outreach__contact")
        .filter(pk=message.payload["followup"])
        .first()
    )
    if followup is None or not followup.outreach.is_open:
        return None  # answered in the meantime
    outreach = followup.outreach
    first_name = (outreach.contact.name.split() or [""])[0]
    subject = send_templated_email(
        name="outreach_followup",
        to=[outreach.contact.email],
        context={"outreach": outreach, "number": followup.number, "first_name": first_name},
        language=outreach.language,
    )
    return outbox.Sent(to=[outreach.contact.email], subject=subject)
