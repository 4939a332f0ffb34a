"""Sending templated email: every email is a subject / text / HTML triplet
under ``templates/emails/<name>_{subject.txt,body.txt,body.html}``."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(
    *,
    name: str,
    to: list[str],
    context: dict,
    language: str | None = None,
    attachments: list[tuple[str, bytes | str, str]] | None = None,
    reply_to: list[str] | None = None,
    connection=None,
) -> str:
    """``attachments``: (filename, content, mimetype) triples, e.g. an .ics
    invitation. ``connection``: an email backend already open, to send many
    emails over one connection (``django.core.mail.get_connection``); by
    default each email opens its own. Returns the subject (the outbox keeps
    it)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
        subject = render_to_string(f"emails/{name}_subject.txt", context).strip().splitlines()[0]
        text = render_to_string(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=to, reply_to=reply_to, connection=connection
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    message.send()
    return subject
