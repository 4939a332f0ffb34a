from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Storyline core")

    def ready(self) -> None:
        from core import roles
        from core.admin_widgets import guard_autocomplete

        guard_autocomplete()

        # Every app's emails.py registers its outbox senders: imported in every
        # process (web, worker, beat, commands), so none is ever missing.
        autodiscover_modules("emails")

        # Groups and their permissions exist after every migrate, so a fresh
        # database (or a new permission) never needs a manual step.
        post_migrate.connect(roles.ensure_groups_after_migrate, sender=self)

        # SSO settings that cannot work (``manage.py check``, at every start).
        from django.core import checks

        from core.accounts import sso

        checks.register(sso.check_settings)
