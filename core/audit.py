"""Writing audit entries. Services call :func:`audit_log` inside their
transaction so the entry exists if and only if the change does.

Later stages that must act in that same transaction (the webhook events of
``integrations``) are named by ``STORYLINE_AUDIT_HOOKS``: each is called with
the new entry and the object, so core imports none of them."""

from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.module_loading import import_string

from core.models import AuditEntry

SECRET_KEYS = {"token", "password", "code", "secret"}


def _mask(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ("***" if k.lower() in SECRET_KEYS else v) for k, v in data.items()}


def actor_name(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return full or actor.get_username()


def _entry(action: str, obj: models.Model, user, data, source: str) -> AuditEntry:
    return AuditEntry(
        action=action,
        actor=user,
        actor_user_id=user.pk if user else None,
        actor_name=actor_name(user),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        data=_mask(data or {}),
        source=source[:200],
    )


def _user(actor: Any):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def audit_log(
    *,
    action: str,
    obj: models.Model,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    source: str = "",
) -> AuditEntry:
    entry = _entry(action, obj, _user(actor), data, source)
    entry.save(force_insert=True)
    for hook in _hooks(tuple(getattr(settings, "STORYLINE_AUDIT_HOOKS", ()))):
        hook(entry, obj)
    return entry


def audit_log_many(
    entries: list[tuple[str, models.Model, dict[str, Any] | None]],
    *,
    actor: Any = None,
    source: str = "",
) -> list[AuditEntry]:
    """:func:`audit_log` for many changes made at once (``(action, obj, data)``
    each), written in one INSERT: call it inside the changes' transaction.
    The hooks see every entry, as they would one by one."""
    if not entries:
        return []
    user = _user(actor)
    rows = AuditEntry.objects.bulk_create(
        _entry(action, obj, user, data, source) for action, obj, data in entries
    )
    hooks = _hooks(tuple(getattr(settings, "STORYLINE_AUDIT_HOOKS", ())))
    for entry, (_action, obj, _data) in zip(rows, entries, strict=True):
        for hook in hooks:
            hook(entry, obj)
    return rows


@cache
def _hooks(paths: tuple[str, ...]) -> list:
    return [import_string(path) for path in paths]
