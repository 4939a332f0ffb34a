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
import logging
import time
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

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


def _address(request, language: str) -> tuple[str, str, int]:
    """The page's cache digest, ETag and Last-Modified (a timestamp)."""
    gen = generation()
    today = timezone.localdate().isoformat()
    path = request.get_full_path()
    digest = hashlib.sha256(f"{gen}|{today}|{language}|{path}".encode()).hexdigest()
    modified = datetime.fromtimestamp(gen / 1_000_000, tz=UTC).replace(microsecond=0)
    midnight = datetime.fromisoformat(today).replace(tzinfo=timezone.get_current_timezone())
    return digest, quote_etag(digest[:32]), int(max(modified, midnight).timestamp())


def _finish(response, etag: str, last_modified: int):
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(last_modified)
    response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
    # The language comes from the cookie or the Accept-Language header.
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


# Headers the stored copy does not keep: set again for every answer.
_NOT_STORED = {"etag", "last-modified", "cache-control", "content-length", "set-cookie", "date"}


class PageCacheMiddleware:
    """Answer an anonymous visitor's request for a public page from its
    stored copy before sessions, locale, CSRF, authentication and the other
    middleware below this one run (issue 16): the copy holds the headers
    they added (Content-Language, Content-Security-Policy, X-Frame-Options,
    Vary…), stored once the first answer came back through them. The key is
    the one :func:`public_page` uses (generation, day, language, address):
    the language is read from the request as LocaleMiddleware reads it.
    A miss goes on as usual and the page decorated with :func:`public_page`
    tells this middleware that its answer may be stored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or not _is_anonymous(request)
            or not _cacheable_address(request)
        ):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        try:
            digest, etag, last_modified = _address(request, language)
            key = f"distribution:page:{digest}"
            stored = cache.get(key)
        except Exception:  # a cache that does not answer holds no copy
            logger.warning("page cache unavailable; rendering", exc_info=True)
            return self.get_response(request)
        if stored is None:
            request.page_cache_miss = True  # public_page leaves the storing to us
            response = self.get_response(request)
            if (
                getattr(response, "public_page_storable", False)
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
            ):
                headers = [
                    (k, v) for k, v in response.headers.items() if k.lower() not in _NOT_STORED
                ]
                entry = {
                    "content": response.content,
                    "content_type": response["Content-Type"],
                    "content_language": response.headers.get("Content-Language", ""),
                    "headers": headers,
                }
                try:
                    cache.set(key, entry, PAGE_TIMEOUT)
                except Exception:  # the page is answered; only its copy is lost
                    logger.warning("page cache unavailable; not stored", exc_info=True)
            return response
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = HttpResponse(stored["content"], content_type=stored["content_type"])
            for name, value in stored.get("headers", ()):
                response.headers[name] = value
        return _finish(response, etag, last_modified)


def public_page(view):
    """Decorate a public GET view: ETag/Last-Modified with 304s, and for
    anonymous visitors a server-side copy of the rendered 200 response
    (stored by :class:`PageCacheMiddleware` when it runs, else here)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not _is_anonymous(request):
            return view(request, *args, **kwargs)
        digest, etag, last_modified = _address(request, get_language())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            response = not_modified
        elif getattr(request, "page_cache_miss", False):
            # The middleware looked for the copy and will store this answer.
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            response.public_page_storable = _cacheable_address(request)
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
        return _finish(response, etag, last_modified)

    return wrapped
