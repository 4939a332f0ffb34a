"""View decorators shared by every stage."""

from functools import wraps

from django.utils.cache import add_never_cache_headers, patch_cache_control


def secret_headers(response):
    """The headers of a page opened by a secret in its address: the address
    never leaves in a Referer, no cache or proxy keeps the page, no search
    engine lists it."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


def secret_page(view):
    """For every view whose URL carries a token or code (review, answer,
    preference, unsubscribe and share links): every response it gives, the
    neutral "not found" page and redirects included, gets
    :func:`secret_headers`. The route's secret is also redacted from every
    log (``core/redaction.py``)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return secret_headers(view(request, *args, **kwargs))

    wrapped.secret_page = True
    return wrapped
