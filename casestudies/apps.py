"""Selection and drafting: taxonomy, customers, contacts, case studies, story
versions, metrics and quotes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasestudiesConfig(AppConfig):
    name = "casestudies"
    verbose_name = _("Case studies")

    def ready(self) -> None:
        from casestudies.selection import connect_signals

        connect_signals()
