"""The integrations' emails (outbox senders, ``core/outbox.py``)."""

from django.conf import settings
from django.urls import reverse

from core import outbox
from core.emails import send_templated_email
from core.models import OutboxEmail
from integrations.models import WebhookEndpoint


@outbox.sender("integrations.endpoint_disabled")
def endpoint_disabled_email(message: OutboxEmail) -> outbox.Sent | None:
    """Tell the owner their endpoint stopped receiving (None when it was
    enabled again meanwhile, or the owner has no email)."""
    endpoint = (
        WebhookEndpoint.objects.select_related("owner")
        .filter(pk=message.payload["endpoint"])
        .first()
    )
    if endpoint is None or endpoint.is_active or not endpoint.owner.email:
        return None
    url = settings.SITE_URL.rstrip("/") + reverse(
        "admin:integrations_webhookendpoint_change", args=[endpoint.pk]
    )
    subject = send_templated_email(
        name="integrations_endpoint_disabled",
        to=[endpoint.owner.email],
        context={"endpoint": endpoint, "url": url},
    )
    return outbox.Sent(to=[endpoint.owner.email], subject=subject)
