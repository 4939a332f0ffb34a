"""The single sign-on (OpenID Connect) authentication backend.

``StaffOIDCBackend`` turns a provider's answer into a staff account:

- the ID token must come from ``OIDC_ISSUER`` and be meant for
  ``OIDC_CLIENT_ID`` (mozilla-django-oidc checks the signature and nonce);
- the account is found by the provider's subject (``core.SSOIdentity``), else
  by email (an existing account is linked), else created: staff, with no
  usable password;
- its groups are the ones ``OIDC_GROUP_MAP`` gives for ``OIDC_GROUPS_CLAIM``
  (groups outside the map are left alone); nobody without one logs in.

The login form refuses the password of an account SSO created while
``OIDC_DISABLE_PASSWORD_FOR_SSO_USERS`` is on (:func:`created_by_sso`).
"""

from __future__ import annotations

import hashlib
import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from core.accounts import sso
from core.audit import audit_log
from core.models import SSOIdentity

logger = logging.getLogger(__name__)
SOURCE = "single sign-on"


class SSORefused(Exception):
    """A valid answer from the provider that may not log in (``reason``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def created_by_sso(user) -> bool:
    return SSOIdentity.objects.filter(user=user, created_by_sso=True).exists()


class StaffOIDCBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(sso.setting)
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args, **kwargs):
        # Django makes a backend for every authenticate() call: the endpoints
        # are read (maybe discovered) only when an SSO login needs them.
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):
        return sso.setting("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self):
        return sso.setting("OIDC_OP_USER_ENDPOINT")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):
        return sso.setting("OIDC_OP_JWKS_ENDPOINT", None)

    @property
    def OIDC_RP_CLIENT_ID(self):
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self):
        return settings.OIDC_RP_CLIENT_SECRET

    @property
    def OIDC_RP_SIGN_ALGO(self):
        return settings.OIDC_RP_SIGN_ALGO

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password login never gets here.
        if request is None or "nonce" not in kwargs or not sso.enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SSORefused, sso.ProviderError) as exc:
            request.sso_refusal = exc.reason
        except (
            SuspiciousOperation,
            requests.RequestException,
            jwt.PyJWTError,
            IntegrityError,  # the same person's first login twice at once: the next one works
        ) as exc:
            logger.warning("A single sign-on login failed: %s", type(exc).__name__)
            request.sso_refusal = "failed"
        return None

    def get_user(self, user_id):
        # Django's check (mozilla-django-oidc's keeps deactivated accounts' sessions).
        return ModelBackend.get_user(self, user_id)

    # Permissions are ModelBackend's (listed before this one): the same
    # groups and rows. Answering them here too read every permission twice for
    # each refused check (an admin page asks a few hundred).
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if payload.get("iss") != settings.OIDC_ISSUER:
            logger.warning("A single sign-on token from another issuer was refused")
            raise SSORefused("issuer")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SSORefused("failed")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        info = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo is another subject's")
        # The ID token's claims (groups are often only there), the userinfo's over them.
        return {**payload, **info}

    def verify_claims(self, claims):
        if not claims.get("sub"):
            return False
        if not claims.get("email") or claims.get("email_verified") is False:
            raise SSORefused("email")
        if not self._groups(claims):
            raise SSORefused("no-group")
        return True

    def filter_users_by_claims(self, claims):
        identity = SSOIdentity.objects.filter(
            issuer=settings.OIDC_ISSUER, subject=str(claims["sub"])
        ).first()
        if identity is not None:
            return self.UserModel.objects.filter(pk=identity.user_id)
        # Linked by email: an account no other identity claims already.
        return self.UserModel.objects.filter(
            email__iexact=claims["email"], sso_identity__isnull=True
        )

    def get_username(self, claims):
        base = str(claims.get("preferred_username") or claims["email"])[:150]
        if not self.UserModel.objects.filter(username=base).exists():
            return base
        suffix = hashlib.sha256(f"{settings.OIDC_ISSUER} {claims['sub']}".encode()).hexdigest()
        return f"{base[:140]}-{suffix[:8]}"

    @transaction.atomic
    def create_user(self, claims):
        user = self.UserModel.objects.create_user(
            self.get_username(claims),
            email=claims["email"],
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
            is_staff=True,
        )  # no password given: an unusable one
        SSOIdentity.objects.create(
            user=user, issuer=settings.OIDC_ISSUER, subject=str(claims["sub"]), created_by_sso=True
        )
        audit_log(action="core.user.created_by_sso", obj=user, source=SOURCE)
        self._sync_groups(user, claims)
        return user

    @transaction.atomic
    def update_user(self, user, claims):
        if not user.is_active:
            raise SSORefused("inactive")
        SSOIdentity.objects.get_or_create(
            user=user,
            defaults={"issuer": settings.OIDC_ISSUER, "subject": str(claims["sub"])},
        )
        changed = []
        for field, value in (
            ("email", claims["email"]),
            ("first_name", str(claims.get("given_name") or user.first_name)[:150]),
            ("last_name", str(claims.get("family_name") or user.last_name)[:150]),
            ("is_staff", True),
        ):
            if getattr(user, field) != value:
                setattr(user, field, value)
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
        self._sync_groups(user, claims)
        return user

    @staticmethod
    def _groups(claims) -> list[Group]:
        return list(Group.objects.filter(name__in=sso.claimed_groups(claims)))

    def _sync_groups(self, user, claims) -> None:
        """The mapped groups become the provider's; other groups stay."""
        wanted = {group.name: group for group in self._groups(claims)}
        managed = Group.objects.filter(name__in=set(sso.group_map().values()))
        current = {group.name: group for group in user.groups.filter(pk__in=managed)}
        if set(current) == set(wanted):
            return
        user.groups.remove(*[g for name, g in current.items() if name not in wanted])
        user.groups.add(*[g for name, g in wanted.items() if name not in current])
        audit_log(
            action="core.user.sso_groups_changed",
            obj=user,
            data={"groups": sorted(wanted)},
            source=SOURCE,
        )
