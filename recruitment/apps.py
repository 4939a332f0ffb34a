"""Asking customers to take part: outreach, timing, concerns, the customer's approval chain."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_defaults_after_migrate(sender, apps=None, using="default", **kwargs) -> None:
    """The default templates and the concerns playbook exist after every
    migrate (and every flush), as a new database gets them from its data
    migration; existing rows are left as edited."""
    from recruitment.templating import ensure_defaults

    if apps is None:  # a flush: the current models
        ensure_defaults()
        return
    try:
        apps.get_model("recruitment", "OutreachTemplate")
    except LookupError:  # migrating backwards, before the model existed
        return
    ensure_defaults(apps)


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    verbose_name = _("Recruitment")

    def ready(self) -> None:
        post_migrate.connect(
            _ensure_defaults_after_migrate,
            sender=self,
            dispatch_uid="recruitment-default-templates",
        )
