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
