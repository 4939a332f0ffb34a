"""Keep review-link tokens out of the logs: Django logs the path of 4xx/5xx
responses ("Not Found: /review/<token>/") and runserver logs every request
line. This filter rewrites such records with the token replaced."""

import logging
import re

TOKEN_IN_PATH = re.compile(r"/review/[^/\s\"']+")


class RedactReviewTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix
            return True
        if "/review/" in message:
            record.msg = TOKEN_IN_PATH.sub("/review/<redacted>", message)
            record.args = ()
        return True


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub("/review/<redacted>", text) if "/review/" in text else text


try:  # the production web server; absent where only the tests run
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's access log with review-link tokens redacted from the
        path and request line (``--logger-class approvals.logging.GunicornLogger``)."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            # The path, the request line and any environ or header atom.
            return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}
