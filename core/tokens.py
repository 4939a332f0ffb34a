"""Review-link tokens and mailbox codes: generated with :mod:`secrets`,
stored only as hashes, compared in constant time."""

import hashlib
import hmac
import secrets

from django.conf import settings

TOKEN_BYTES = 32  # 256 bits
CODE_DIGITS = 6


def new_token() -> tuple[str, str]:
    """A fresh token and the hash to store: ``(token, token_hash)``."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(link_id: int, code: str) -> str:
    """Keyed with SECRET_KEY and the link, so a leaked table reveals nothing."""
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"{link_id}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(link_id: int, code: str, stored_hash: str) -> bool:
    if not stored_hash or not code:
        return False
    return hmac.compare_digest(hash_code(link_id, code.strip()), stored_hash)
