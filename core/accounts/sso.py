"""Single sign-on for staff: OpenID Connect with mozilla-django-oidc.

Off while ``OIDC_ISSUER`` is empty: the login page shows no SSO button and
the SSO pages answer 404. When on:

- the provider's endpoints are those set explicitly (``OIDC_*_ENDPOINT``) or
  else read from ``{OIDC_ISSUER}/.well-known/openid-configuration`` at the
  first login and kept ``OIDC_DISCOVERY_SECONDS``; a document naming another
  issuer is refused;
- :class:`AuthenticateView` sends the person to the provider (state, nonce,
  PKCE), :class:`CallbackView` takes the answer back; the backend
  (core/accounts/backends.py) checks the ID token's issuer and audience,
  creates or updates the staff account and maps its groups;
- a refused login gets a page that says why (:func:`refused`);
- the admin's logout also ends the session at the provider when it has an
  ``end_session_endpoint`` (:func:`end_session_url`).

Tokens never reach a log line.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

logger = logging.getLogger(__name__)

# Setting → the discovery document's key for it.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_END_SESSION_ENDPOINT": "end_session_endpoint",
}
OPTIONAL = {"OIDC_OP_END_SESSION_ENDPOINT"}
SESSION_FLAG = "sso_login"

_discovered: dict[str, tuple[float, dict]] = {}


class ProviderError(Exception):
    """The provider cannot be used now; ``reason`` is a key of :func:`refusal_message`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ISSUER", ""))


def group_map() -> dict[str, str]:
    """``OIDC_GROUP_MAP``: {provider group: Storyline group}, from
    ``"storyline-pm:Program managers,storyline-sales:Sales"`` (a provider
    group may itself hold colons: the last one separates) or a dict."""
    value = getattr(settings, "OIDC_GROUP_MAP", "") or ""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    mapping = {}
    for item in value.split(","):
        claim, sep, group = item.rpartition(":")
        if sep and claim.strip() and group.strip():
            mapping[claim.strip()] = group.strip()
    return mapping


def claimed_groups(claims: dict) -> set[str]:
    """The Storyline group names the claims give (``OIDC_GROUPS_CLAIM``: a
    list of names, or one string such as Google's ``hd``)."""
    value = claims.get(getattr(settings, "OIDC_GROUPS_CLAIM", "groups") or "groups")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return set()
    mapping = group_map()
    return {mapping[str(item)] for item in value if str(item) in mapping}


def check_settings(app_configs=None, **kwargs):
    """A system check: SSO on with settings it cannot work with."""
    from django.core.checks import Warning as CheckWarning

    from core.roles import INTERNAL_REVIEWERS, PROGRAM_MANAGERS, SALES

    if not enabled():
        return []
    problems = []
    if not (settings.OIDC_RP_CLIENT_ID and settings.OIDC_RP_CLIENT_SECRET):
        problems.append(
            CheckWarning(
                "OIDC_ISSUER is set but OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is empty.",
                id="storyline.sso.W001",
            )
        )
    mapping = group_map()
    known = {PROGRAM_MANAGERS, SALES, INTERNAL_REVIEWERS}
    if not mapping:
        problems.append(
            CheckWarning(
                "OIDC_GROUP_MAP is empty: every single sign-on login will be refused.",
                id="storyline.sso.W002",
            )
        )
    for group in sorted(set(mapping.values()) - known):
        problems.append(
            CheckWarning(
                f"OIDC_GROUP_MAP names the group {group!r}, which is not one of "
                f"{sorted(known)}: it is used only if it exists.",
                id="storyline.sso.W003",
            )
        )
    return problems


def forget_discovery() -> None:
    _discovered.clear()


def discovery() -> dict:
    """The provider's discovery document (cached), refused if its ``issuer``
    is not ``OIDC_ISSUER``."""
    issuer = settings.OIDC_ISSUER
    cached = _discovered.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, allow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("OpenID discovery at %s failed: %s", url, type(exc).__name__)
        raise ProviderError("unavailable") from exc
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        logger.warning("OpenID discovery at %s names another issuer: refused", url)
        raise ProviderError("issuer")
    _discovered[issuer] = (time.monotonic() + settings.OIDC_DISCOVERY_SECONDS, document)
    return document


def setting(name: str, *default):
    """A mozilla-django-oidc setting; an endpoint left empty comes from discovery."""
    value = import_from_settings(name, *default)
    if name in DISCOVERED and not value:
        value = discovery().get(DISCOVERED[name]) or ""
        if not value and name not in OPTIONAL:
            logger.warning("The OpenID provider announces no %s", DISCOVERED[name])
            raise ProviderError("unavailable")
    return value


def refusal_message(reason: str) -> str:
    messages = {
        "no-group": _(
            "Your account at the sign-in provider is not in any group that may use "
            "Storyline. Ask your administrator to add you to a Storyline group."
        ),
        "issuer": _(
            "The answer came from a sign-in provider Storyline does not trust, so the "
            "login was refused."
        ),
        "inactive": _("This Storyline account is deactivated. Ask your administrator."),
        "email": _("The sign-in provider did not confirm an email address for your account."),
        "unavailable": _(
            "The sign-in provider cannot be reached just now. Try again in a few minutes."
        ),
        "cancelled": _("The login was cancelled at the sign-in provider."),
    }
    return messages.get(reason) or _("The single sign-on login did not succeed. Try again.")


def refused(request, reason: str, *, status: int = 403):
    """The page a refused SSO login gets: why, and the way back."""
    response = TemplateResponse(
        request,
        "admin/accounts/sso_refused.html",
        {
            **admin.site.each_context(request),
            "title": _("Single sign-on refused"),
            "message": refusal_message(reason),
        },
        status=status,
    )
    patch_cache_control(response, no_store=True, private=True)
    return response


class AuthenticateView(OIDCAuthenticationRequestView):
    """``/admin/sso/login/``: to the provider's authorization endpoint."""

    get_settings = staticmethod(setting)

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the endpoint is read per request (discovery)

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderError as exc:
            return refused(request, exc.reason, status=503 if exc.reason == "unavailable" else 403)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """``/admin/sso/callback/``: the provider's answer; logs the person in
    or shows why not."""

    get_settings = staticmethod(setting)

    def get(self, request):
        if not enabled():
            raise Http404
        return super().get(request)

    def login_success(self):
        response = super().login_success()
        self.request.session[SESSION_FLAG] = True
        return response

    def login_failure(self):
        reason = getattr(self.request, "sso_refusal", "")
        if not reason and self.request.GET.get("error"):
            reason = "cancelled"
        if not reason and getattr(self, "user", None) is not None:
            reason = "inactive"
        return refused(self.request, reason or "failed")


def end_session_url(request) -> str | None:
    """Where the admin's logout sends a person who logged in by SSO: the
    provider's ``end_session_endpoint`` (RP-initiated logout), back to the
    login page afterwards; None when there is none. Read before logging out."""
    if not enabled() or not request.session.get(SESSION_FLAG):
        return None
    try:
        endpoint = setting("OIDC_OP_END_SESSION_ENDPOINT")
    except ProviderError:
        return None
    if not endpoint:
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("admin:login")),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}"


def provider_logout_url(request) -> str:
    """``OIDC_OP_LOGOUT_URL_METHOD`` (mozilla-django-oidc's logout view)."""
    return end_session_url(request) or reverse("admin:login")
