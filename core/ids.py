"""Identifiers from URLs and forms."""

from typing import Any

# PostgreSQL's bigint holds 19 digits; anything longer is not one of our ids.
MAX_ID_DIGITS = 18


def is_id(value: Any) -> bool:
    """True for a positive-looking ASCII integer that fits a database id.

    ``str.isdigit`` alone accepts "²", which ``int()`` then refuses, and other
    scripts' digits, which databases do not expect:
    check ASCII first so such input is simply "not an id", never a 500.
    """
    text = str(value if value is not None else "")
    return text.isascii() and text.isdigit() and 0 < len(text) <= MAX_ID_DIGITS
