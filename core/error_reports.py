"""Error reports by email to ``ADMINS``, used when no Sentry / GlitchTip is
configured (``config/sentry.py`` otherwise).

- A 500 is mailed by :class:`RedactingAdminEmailHandler` on the
  ``django.request`` logger (``LOGGING`` in ``config/settings/base.py``).
- A failed Celery task is mailed by :func:`mail_admins_on_task_failure`,
  connected to ``task_failure`` in ``config/celery_app.py`` (imported by every
  worker): the task's name, id and exception, never its arguments.

No secret leaves in either: every subject and body goes through
:func:`core.redaction.redact`, the report's GET parameters that carry a token
are masked, and :class:`SafeReporterFilter` hides credentials inside URL-like
settings and request headers (``DATABASE_URL``, ``REDIS_URL``, a DSN…),
which Django's own filter shows.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.mail import mail_admins
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from core.redaction import REDACTED, SECRET_QUERY_PARAMETERS, redact, redact_query_string

# scheme://user:password@host → scheme://********@host
_URL_CREDENTIALS = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


class SafeReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: a DSN setting is hidden, the user:password of
    any URL in a setting or header is masked, and a query string's tokens
    are redacted."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DSN", flags=re.IGNORECASE
    )

    def cleanse_setting(self, key, value):
        value = super().cleanse_setting(key, value)
        if isinstance(value, str):
            # A lazy object (django-csp's nonce) passes isinstance(str): make
            # it a real string before the regular expressions read it.
            value = str(value)
            if key == "QUERY_STRING":
                value = redact_query_string(value)
            value = _URL_CREDENTIALS.sub(
                lambda m: f"{m['scheme']}{self.cleansed_substitute}@", value
            )
            value = redact(value)
        return value


class RedactingExceptionReporter(ExceptionReporter):
    """The report of a 500 without the secrets of tokenized addresses."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if "request_GET_items" in data:
            data["request_GET_items"] = [
                (key, REDACTED if key in SECRET_QUERY_PARAMETERS else value)
                for key, value in data["request_GET_items"]
            ]
        return data

    def get_traceback_text(self):
        return redact(super().get_traceback_text())

    def get_traceback_html(self):
        return redact(super().get_traceback_html())


class RedactingAdminEmailHandler(AdminEmailHandler):
    """Django's mail to ADMINS, subject and body redacted."""

    def __init__(self, include_html=False, email_backend=None, reporter_class=None):
        super().__init__(
            include_html=include_html,
            email_backend=email_backend,
            reporter_class=reporter_class or "core.error_reports.RedactingExceptionReporter",
        )

    def emit(self, record):
        if not settings.ADMINS:  # nobody to tell: do not even build the report
            return
        super().emit(record)

    def send_mail(self, subject, message, *args, **kwargs):
        if kwargs.get("html_message"):
            kwargs["html_message"] = redact(kwargs["html_message"])
        super().send_mail(redact(subject), redact(message), *args, **kwargs)


def mail_admins_on_task_failure(
    sender=None, task_id=None, exception=None, einfo=None, **kwargs
) -> None:
    """``task_failure``: which task failed (name, id) and why (the exception
    and its traceback). Never the task's args or kwargs: they may be email
    addresses or tokens. Sentry reports it instead when it is configured."""
    if getattr(settings, "SENTRY_ENABLED", False) or not settings.ADMINS:
        return
    name = getattr(sender, "name", None) or str(sender)
    error = f"{type(exception).__name__}: {exception}" if exception is not None else "?"
    trace = getattr(einfo, "traceback", "") or ""
    body = f"Task: {name}\nTask id: {task_id}\nException: {error}\n\n{trace}"
    mail_admins(
        redact(f"Task failed: {name} ({type(exception).__name__})"),
        redact(body),
        fail_silently=True,
    )
