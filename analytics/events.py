"""The one door other apps use to record what happened to a story."""

from typing import Any

from analytics.models import Event, EventKind

_TEXT_LIMITS = {
    "detail": 100,
    "referrer_host": 255,
    "utm_source": 100,
    "utm_medium": 100,
    "utm_campaign": 100,
    "visitor": 16,
}


def record(
    kind: str,
    *,
    case_study: Any = None,
    case_study_id: int | None = None,
    user: Any = None,
    **fields: Any,
) -> Event:
    """Record one event of ``kind`` (an :class:`EventKind`). Text fields are
    cut to their column size; a user is stored only if authenticated."""
    kind = EventKind(kind)
    unknown = set(fields) - {*_TEXT_LIMITS, "value", "created_at"}
    if unknown:
        raise TypeError(f"record() got unknown fields: {', '.join(sorted(unknown))}")
    for name, limit in _TEXT_LIMITS.items():
        if name in fields:
            fields[name] = str(fields[name] or "")[:limit]
    return Event.objects.create(
        kind=kind,
        case_study_id=case_study.pk if case_study is not None else case_study_id,
        user=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )
