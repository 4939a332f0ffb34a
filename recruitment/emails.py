"""Recruitment emails: the request as it was previewed and sent, and its
follow-ups, in the language the request was written in."""

from django.conf import settings
from django.urls import reverse

from core.emails import send_templated_email
from recruitment.models import Outreach


def send_outreach(outreach: Outreach, *, token: str = "") -> None:
    respond_url = (
        settings.SITE_URL.rstrip("/") + reverse("recruitment:respond", args=[token])
        if token
        else ""
    )
    send_templated_email(
        name="outreach",
        to=[outreach.contact.email],
        context={"outreach": outreach, "respond_url": respond_url},
        language=outreach.language,
    )


def send_outreach_followup(outreach: Outreach, number: int) -> None:
    first_name = (outreach.contact.name.split() or [""])[0]
    send_templated_email(
        name="outreach_followup",
        to=[outreach.contact.email],
        context={"outreach": outreach, "number": number, "first_name": first_name},
        language=outreach.language,
    )
