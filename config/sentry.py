"""Error reports to Sentry or a self-hosted GlitchTip (the same SDK and DSN).

``init_sentry()`` is called from the settings; it does nothing without
``SENTRY_DSN``, so the settings load whether or not error reporting is set
up. Only the plain DSN is used (no Sentry-only feature), which is what
GlitchTip accepts.

No secret leaves in a report: no personal data (``send_default_pii=False``:
no cookies, users or client addresses), no request bodies, no local variables
of the frames (a view's ``token`` argument would be one), and ``before_send``
runs every string of the event — request URL, query string, headers such as
Referer, breadcrumbs, log and exception messages — through
:func:`core.redaction.redact`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


def redact_event(event: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    """``before_send``: the event with every tokenized address redacted."""
    from core.redaction import redact, redact_query_string

    request = event.get("request")
    if isinstance(request, dict) and isinstance(request.get("query_string"), str):
        # A bare "dl=…&x=1" has no "?" for redact() to anchor on.
        request["query_string"] = redact_query_string(request["query_string"])
    return _walk(event, redact)


def _walk(value: Any, redact) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _walk(item, redact) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(item, redact) for item in value]
    return value


def init_sentry(environ: Mapping[str, str] | None = None) -> bool:
    """Start the SDK when ``SENTRY_DSN`` is set; True when it did."""
    environ = os.environ if environ is None else environ
    dsn = environ.get("SENTRY_DSN", "").strip()
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=environ.get("SENTRY_ENVIRONMENT") or None,
        release=environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(environ.get("SENTRY_TRACES_SAMPLE_RATE") or 0),
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=redact_event,
        before_send_transaction=redact_event,
    )
    from sentry_sdk.integrations.logging import ignore_logger

    # Forged or misconfigured email-webhook posts are answered 400 and logged;
    # they are not errors of ours.
    ignore_logger("django.security.AnymailWebhookValidationFailure")
    return True
