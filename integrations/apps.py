"""Proof where people already work: signed webhooks and chat notifications
(later: embeds, integration tokens, single sign-on). A later stage: it reads
the stages below it, and nothing below imports it (events reach it through
the audit hook, ``STORYLINE_AUDIT_HOOKS``)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from integrations import emails  # noqa: F401  (registers the outbox senders)
