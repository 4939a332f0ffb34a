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
