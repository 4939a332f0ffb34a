"""The public gallery, story pages and documents, the sales portal and campaigns."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = _("Publication and distribution")

    def ready(self) -> None:
        from distribution import signals

        signals.connect()
