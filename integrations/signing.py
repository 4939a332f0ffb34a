"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

A secret is ``whsec_`` + base64 of 32 random bytes. The signature of a
message is ``v1,`` + base64(HMAC-SHA256(secret bytes, "{id}.{timestamp}.{body}")),
sent in ``webhook-signature``; during a rotation's overlap the message
carries one signature per live secret, separated by spaces, and a receiver
accepts any of them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, *, msg_id: str, timestamp: int, body: str) -> str:
    content = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secrets_: list[str], *, msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets_
        ),
    }


def verify(
    secret: str, *, headers_: dict[str, str], body: str, now: int, tolerance: int = 300
) -> bool:
    """What a receiver does (documented in the README, used by the tests):
    the timestamp is recent and one of the signatures matches."""
    try:
        timestamp = int(headers_["webhook-timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, msg_id=headers_.get("webhook-id", ""), timestamp=timestamp, body=body)
    return any(
        hmac.compare_digest(expected, candidate)
        for candidate in headers_.get("webhook-signature", "").split()
    )
