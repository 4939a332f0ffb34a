"""Integration API tokens: ``sl_<prefix>_<secret>``, stored as the SHA-256
of the whole token (a database dump yields no usable token), shown once
when created, scoped (``TokenScope``), expiring and revocable.

Requests send ``Authorization: Bearer sl_…``. The authentication class
refuses a token lacking the scope the view asks for (``required_scope``;
the read-only story API asks for ``stories:read``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from core.audit import audit_log
from core.errors import TransitionError
from integrations.models import IntegrationToken, TokenScope

PREFIX = "sl_"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(
    *, name: str, scopes: list[str], user: Any, days: int, actor: Any, source: str = ""
) -> tuple[IntegrationToken, str]:
    """The token and its raw value (returned once, never stored)."""
    scopes = sorted(set(scopes))
    if not scopes or set(scopes) - set(TokenScope.values):
        raise TransitionError(_("Choose at least one scope."))
    if not 1 <= days <= 730:
        raise TransitionError(_("A token lasts between 1 and 730 days."))
    prefix = secrets.token_hex(4)
    raw = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = IntegrationToken.objects.create(
            name=name,
            prefix=prefix,
            token_hash=digest(raw),
            scopes=scopes,
            user=user,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_log(
            action="integrations.token.created",
            obj=token,
            actor=actor,
            data={"scopes": scopes, "days": days, "prefix": prefix},
            source=source,
        )
    return token, raw


def token_revoke(*, token_id: int, actor: Any, source: str = "") -> IntegrationToken:
    with transaction.atomic():
        token = IntegrationToken.objects.select_for_update().get(pk=token_id)
        if token.revoked_at is not None:
            raise TransitionError(_("This token is already revoked."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_log(action="integrations.token.revoked", obj=token, actor=actor, source=source)
    return token


class IntegrationTokenAuthentication(authentication.BaseAuthentication):
    """``Bearer sl_…``; also ``Token <key>`` for the story API's tokens made
    before integration tokens (moved here, hashed, by a migration)."""

    keyword = "Bearer"
    legacy_keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if len(header) != 2:
            return None
        bearer = header[0] == self.keyword and header[1].startswith(PREFIX)
        if not bearer and header[0] != self.legacy_keyword:
            return None
        token = (
            IntegrationToken.objects.select_related("user")
            .filter(token_hash=digest(header[1]))
            .first()
        )
        if token is None or not token.is_live or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        view = (getattr(request, "parser_context", None) or {}).get("view")
        needed = getattr(view, "required_scope", TokenScope.READ_STORIES)
        if needed not in token.scopes:
            raise exceptions.PermissionDenied(
                _("This token lacks the scope %(scope)s.") % {"scope": needed}
            )
        IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class HasScope(permissions.BasePermission):
    """Only an integration token carrying the view's ``required_scope``."""

    def has_permission(self, request, view):
        token = request.auth
        return isinstance(token, IntegrationToken) and view.required_scope in token.scopes


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the tokens (drf-spectacular)."""

    target_class = "integrations.tokens.IntegrationTokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An integration token (sl_…), scoped: stories:read, matches:read, "
            "deals:write.",
        }
