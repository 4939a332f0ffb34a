"""Secrets in addresses never reach a log line.

Several pages are opened through a secret in their path: the customer's
review link, the outreach answer link, the reference preference page, the
campaign unsubscribe link, a tracked share link, and Django's password reset
confirmation. Some download links carry a signed token in the query string.
Whoever reads a log must not be able to open any of them.

``redact(text)`` replaces each such secret with ``<redacted>``. It is applied
by

- the ``RedactSecrets`` logging filter, set on every handler in
  ``config/settings/base.py`` (Django's request log, runserver, the Celery
  worker's log: the worker uses Django's logging, see ``config/celery_app.py``);
- ``GunicornLogger``, gunicorn's logger class in ``docker/entrypoint.sh``
  (access log and error log);
- the error reports sent to ``ADMINS`` (``core/error_reports.py``) or to
  Sentry / GlitchTip (``config/sentry.py``).

Add a route here when you add a page opened by a secret in its address;
``tests/core/test_redaction.py`` lists every secret route the URLconf has and
fails for one that is missing.
"""

from __future__ import annotations

import logging
import re

REDACTED = "<redacted>"

# The first path segment after each prefix is the secret.
SECRET_PATH_PREFIXES = (
    "/review/",
    "/recruitment/respond/",
    "/preferences/",
    "/unsubscribe/",
    "/s/",
)
# Django's password reset confirmation: /…/reset/<uidb64>/<token>/.
_RESET = r"(?P<reset>/reset/[^/\s\"'?#]+/)[^/\s\"'?#]+"
# Query-string parameters that carry a signed token (gated download ``dl``).
SECRET_QUERY_PARAMETERS = ("dl", "token", "code")

_BOUNDARY = r"(?P<lead>^|[\s\"'(=,]|https?://[^/\s\"']+)"
_PREFIXES = "|".join(re.escape(p) for p in SECRET_PATH_PREFIXES)
_PATH_RE = re.compile(rf"{_BOUNDARY}(?P<prefix>{_PREFIXES})[^/\s\"'?#]+")
_RESET_RE = re.compile(_RESET)
_QUERY_RE = re.compile(r"(?P<key>[?&](?:" + "|".join(SECRET_QUERY_PARAMETERS) + r")=)[^&\s\"'#]+")
_MARKERS = (*SECRET_PATH_PREFIXES, "/reset/", *(f"{p}=" for p in SECRET_QUERY_PARAMETERS))


def redact(text: str) -> str:
    """``text`` with every secret of a tokenized address replaced."""
    if not isinstance(text, str) or not any(marker in text for marker in _MARKERS):
        return text
    text = _PATH_RE.sub(lambda m: f"{m['lead']}{m['prefix']}{REDACTED}", text)
    text = _RESET_RE.sub(lambda m: f"{m['reset']}{REDACTED}", text)
    return _QUERY_RE.sub(lambda m: f"{m['key']}{REDACTED}", text)


def redact_query_string(query: str) -> str:
    """A bare query string (``dl=…&lang=id``, as in ``QUERY_STRING``) with
    its secret parameters redacted."""
    if not isinstance(query, str) or not query:
        return query
    return redact("?" + query)[1:]


class RedactSecrets(logging.Filter):
    """Rewrite a record whose message holds a tokenized address."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix
            return True
        clean = redact(message)
        if clean != message:
            record.msg = clean
            record.args = ()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


try:  # the production web server; absent where only the tests run
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's logs with tokenized addresses redacted
        (``--logger-class core.redaction.GunicornLogger``): every atom of the
        access log (path, request line, headers such as Referer) and the
        error log's messages."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}

        def setup(self, cfg):
            super().setup(cfg)
            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                handler.addFilter(RedactSecrets())
