from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.accounts.forms import StaffAuthenticationForm


class StorylineAdminSite(admin.AdminSite):
    """The staff side. Its index is the program's pipeline dashboard.

    Its login (also the sales portal's) asks for the second factor's code
    when the account has one, and django-axes locks out repeated failures
    (core/accounts)."""

    site_header = _("Storyline — case study program")
    site_title = _("Storyline")
    index_title = _("Pipeline")
    index_template = "admin/storyline_index.html"
    login_form = StaffAuthenticationForm

    def get_urls(self):
        from core.accounts import views as account_views

        return [
            path(
                "two-factor/",
                self.admin_view(account_views.two_factor_page),
                name="two_factor",
            ),
            *super().get_urls(),
        ]

    def get_app_list(self, request, app_label=None):
        """The home page's and the sidebar's list, regrouped into the sections
        ``STORYLINE_ADMIN_SECTIONS`` names (a dotted path to a function
        returning ``(key, label, ["app.model", ...], superusers_only)``);
        models it does not name go to its last section. One app's page
        (``app_label``) stays Django's."""
        # Asked twice on the home page (its list and the sidebar's), each time
        # a few hundred permission checks: once per request is enough.
        memo = request.__dict__.setdefault("_storyline_app_lists", {})
        if app_label not in memo:
            memo[app_label] = self._sectioned_app_list(request, app_label)
        return memo[app_label]

    def _sectioned_app_list(self, request, app_label):
        from django.conf import settings
        from django.utils.module_loading import import_string

        app_list = super().get_app_list(request, app_label)
        provider = getattr(settings, "STORYLINE_ADMIN_SECTIONS", "")
        if app_label or not provider:
            return app_list
        sections = import_string(provider)()
        models = {
            f"{app['app_label']}.{model['object_name'].lower()}": model
            for app in app_list
            for model in app["models"]
        }
        grouped = []
        for index, (key, label, names, superusers_only) in enumerate(sections):
            last = index == len(sections) - 1
            chosen = [models.pop(name) for name in names if name in models]
            if last:
                chosen += [models.pop(name) for name in sorted(models)]
            if superusers_only and not request.user.is_superuser:
                continue
            if chosen:
                grouped.append(
                    {
                        "name": label,
                        "app_label": key,
                        "app_url": chosen[0]["admin_url"] or "",
                        "has_module_perms": True,
                        "models": chosen,
                    }
                )
        return grouped

    def login(self, request, extra_context=None):
        from core.accounts import sso

        context = {**(extra_context or {}), "sso_enabled": sso.enabled()}
        return super().login(request, extra_context=context)

    def logout(self, request, extra_context=None):
        """Also at the OpenID provider, for a login by SSO (core/accounts/sso.py)."""
        from django.http import HttpResponseRedirect

        from core.accounts import sso

        provider_logout = sso.end_session_url(request) if request.method == "POST" else None
        response = super().logout(request, extra_context=extra_context)
        if provider_logout and not request.user.is_authenticated:
            return HttpResponseRedirect(provider_logout)
        return response

    def index(self, request, extra_context=None):
        """The home page: what ``STORYLINE_ADMIN_INDEX`` (a dotted path to a
        function of the request returning a context dict) puts on it. The
        stage apps provide it; core knows none of them."""
        from django.conf import settings
        from django.utils.module_loading import import_string

        context = dict(extra_context or {})
        provider = getattr(settings, "STORYLINE_ADMIN_INDEX", "")
        if provider:
            context.update(import_string(provider)(request))
        return super().index(request, extra_context=context)
