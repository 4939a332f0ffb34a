"""No secret of a tokenized address reaches a log line (core/redaction.py)."""

import logging
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.redaction import REDACTED, SECRET_PATH_PREFIXES, RedactSecrets, redact

# Fixed (not secret here): test ids must be the same in every xdist worker.
TOKEN = "Zq3mK8vY2bN5xR1tL7wP4cH9dF6gJ0sA-_eUiOoWkMn"


@pytest.mark.parametrize(
    "line",
    [
        f'127.0.0.1 [01/Dec/2026] "GET /review/{TOKEN}/ HTTP/1.1" 200',
        f"Not Found: /review/{TOKEN}/code/",
        f'"POST /recruitment/respond/{TOKEN}/ HTTP/1.1" 200',
        f"GET /preferences/{TOKEN}/",
        f"GET /unsubscribe/{TOKEN}/",
        f"GET /s/{TOKEN}/",
        f"https://stories.example.com/review/{TOKEN}/",
        f"GET /admin/password_reset/reset/MQ/{TOKEN}/",
        f"GET /case-studies/x/pdf/?lang=id&dl={TOKEN}",
    ],
)
def test_it_redacts_every_secret_route(line):
    clean = redact(line)
    assert TOKEN not in clean
    assert REDACTED in clean


def test_it_leaves_ordinary_paths_alone():
    for line in ("GET /case-studies/acme-cuts-costs/ 200", "GET /sales/stories/s/ 200", "plain"):
        assert redact(line) == line


def test_the_filter_rewrites_the_record_and_its_arguments():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/review/{TOKEN}/",),
        None,
    )
    assert RedactSecrets().filter(record)
    assert TOKEN not in record.getMessage()
    assert REDACTED in record.getMessage()


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def test_every_route_opened_by_a_secret_is_redacted():
    """A new route with a token or code in its path must be added to
    SECRET_PATH_PREFIXES: this walks the URLconf and fails for one that is not."""
    secret = re.compile(r"<(?:str:)?(token|code)>")
    routes = [route for route in _patterns(get_resolver()) if secret.search(route)]
    assert routes, "the URLconf has tokenized routes"
    for route in routes:
        path = "/" + secret.sub(TOKEN, route).replace("^", "")
        path = re.sub(r"<[^>]+>", "x", path)
        assert TOKEN not in redact(f"GET {path} 200"), route
    assert all(p.startswith("/") and p.endswith("/") for p in SECRET_PATH_PREFIXES)
