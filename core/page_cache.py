"""Caching of the public pages: conditional GET and a server-side copy of the
rendered page for anonymous visitors.

Every public page depends on one "generation" number kept in the cache. It is
bumped whenever anything a public page shows changes (a story published,
withdrawn, archived or edited, its customer, metrics, quotes, translations,
the taxonomy, the branding — see :mod:`distribution.signals`), both at once
and again after the transaction commits, so no reader can cache the state
before the commit under the new number. The ETag and the cache key are built
from the generation, today's date (usage rights expire at midnight), the
language and the full path, so a 304 is answered without touching the
database or rendering anything.
"""

import hashlib
import time
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

GENERATION_KEY = "distribution:pages:generation"  # unchanged: survives the move
PAGE_TIMEOUT = 3600


def generation() -> int:
    """The current generation: a microsecond timestamp of the last change."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns() // 1000, None)
        value = cache.get(GENERATION_KEY) or time.time_ns() // 1000
    return int(value)


def _bump() -> None:
    now = time.time_ns() // 1000
    current = cache.get(GENERATION_KEY) or 0
    cache.set(GENERATION_KEY, max(now, int(current) + 1), None)


def bump_generation() -> None:
    """Invalidate every cached public page, now and once the current
    transaction (if any) commits."""
    _bump()
    transaction.on_commit(_bump, robust=True)


def derived(name: str, parts, compute):
    """``compute()``, cached for the current generation and day under ``name``
    and ``parts`` (a repr-able description of the inputs): data derived from
    the public stories (facet counts, the ranked matches of a search) that
    several pages share — the pages of one search, its languages. A change
    to any public story bumps the generation, so nothing stale is served."""
    today = timezone.localdate().isoformat()
    digest = hashlib.sha256(repr((generation(), today, parts)).encode()).hexdigest()
    key = f"distribution:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, PAGE_TIMEOUT)
    return value


def _is_anonymous(request) -> bool:
    # Read cookies rather than request.user: touching the session would make
    # every response vary on Cookie for nothing. Staff (a session) and anyone
    # with a pending message get a freshly rendered page.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


# Only addresses made of these parameters are stored: "?x=<random>" must not
# fill the cache with copies of one page (the page is still rendered).
CACHEABLE_PARAMETERS = frozenset(
    {"q", "industry", "company_size", "use_case", "region", "product", "sort", "page", "lang"}
)


def _cacheable_address(request) -> bool:
    return set(request.GET).issubset(CACHEABLE_PARAMETERS) and all(
        len(values) == 1 for _name, values in request.GET.lists()
    )


def public_page(view):
    """Decorate a public GET view: ETag/Last-Modified with 304s, and for
    anonymous visitors a server-side copy of the rendered 200 response."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not _is_anonymous(request):
            return view(request, *args, **kwargs)
        gen = generation()
        today = timezone.localdate().isoformat()
        path = request.get_full_path()
        digest = hashlib.sha256(f"{gen}|{today}|{get_language()}|{path}".encode()).hexdigest()
        etag = quote_etag(digest[:32])
        modified = datetime.fromtimestamp(gen / 1_000_000, tz=UTC).replace(microsecond=0)
        midnight = datetime.fromisoformat(today).replace(tzinfo=timezone.get_current_timezone())
        last_modified = int(max(modified, midnight).timestamp())

        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            response = not_modified
        else:
            key = f"distribution:page:{digest}"
            stored = cache.get(key)
            if stored is not None:
                response = HttpResponse(stored["content"], content_type=stored["content_type"])
                if stored.get("content_language"):
                    response.headers["Content-Language"] = stored["content_language"]
            else:
                response = view(request, *args, **kwargs)
                if response.status_code != 200:
                    return response
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                if not response.cookies and _cacheable_address(request):
                    cache.set(
                        key,
                        {
                            "content": response.content,
                            "content_type": response["Content-Type"],
                            "content_language": response.headers.get("Content-Language", ""),
                        },
                        PAGE_TIMEOUT,
                    )
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
        # The language comes from the cookie or the Accept-Language header.
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    return wrapped
