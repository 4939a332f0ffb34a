"""Embeddable stories: what an embed shows, and for whom.

An embed reads the gallery's public query (``casestudies.selectors.
gallery_case_studies``: published, web channel allowed, rights not expired)
and shows it as the story page does (anonymised names, percentage-only
metrics, approved quotes only). Responses may be cached for
``EMBED_CACHE_SECONDS`` (300): a withdrawn story disappears from every embed
within that time.

Only the origins an embed key names may show it: the frame's CSP
``frame-ancestors`` lists them (browsers refuse any other parent), and a
request whose ``Origin`` or ``Referer`` names another site gets nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from casestudies import selectors
from casestudies.models import Quote
from core.audit import audit_log
from core.errors import TransitionError
from integrations.conf import conf
from integrations.models import EmbedKey

LAYOUTS = ("cards", "metrics", "quote")
MAX_LIMIT = 6


def cache_seconds() -> int:
    return int(conf("EMBED_CACHE_SECONDS"))


def normal_origin(value: str) -> str:
    """``https://www.example.com`` from an origin or a URL ("" if not one)."""
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    default = {"http": 80, "https": 443}[parts.scheme]
    try:
        port = parts.port
    except ValueError:
        return ""
    host = parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def origin_allowed(key: EmbedKey, origin: str) -> bool:
    return bool(origin) and origin in key.allowed_origins


def embed_key_create(*, name: str, allowed_origins: list[str], actor, source: str = "") -> EmbedKey:
    origins = [normal_origin(o) for o in allowed_origins]
    if not origins or "" in origins:
        raise TransitionError(_("Give each allowed site as https://www.example.com."))
    with transaction.atomic():
        key = EmbedKey.objects.create(
            key="ek_" + secrets.token_urlsafe(12),
            name=name,
            allowed_origins=sorted(set(origins)),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_log(
            action="integrations.embed_key.created",
            obj=key,
            actor=actor,
            data={"origins": key.allowed_origins},
            source=source,
        )
    return key


@dataclass
class Filters:
    product: str = ""
    industry: str = ""
    limit: int = 3
    layout: str = "cards"
    language: str = ""

    @classmethod
    def from_query(cls, query) -> Filters:
        """Unknown or malformed values fall back to the defaults (never a 500)."""
        try:
            limit = int(query.get("limit", 3))
        except (TypeError, ValueError):
            limit = 3
        layout = query.get("layout", "cards")
        languages = {code for code, _name in settings.LANGUAGES}
        language = (query.get("lang") or "")[:2].lower()
        return cls(
            product=(query.get("product") or "")[:100],
            industry=(query.get("industry") or "")[:100],
            limit=min(max(limit, 1), MAX_LIMIT),
            layout=layout if layout in LAYOUTS else "cards",
            language=language if language in languages else settings.LANGUAGE_CODE,
        )


def _public():
    return selectors.gallery_case_studies().prefetch_related(
        Prefetch(
            "quotes",
            queryset=Quote.objects.filter(permission=Quote.Permission.APPROVED)
            .select_related("speaker")
            .order_by("position", "id"),
            to_attr="approved_quotes",
        ),
        "translations__version",
    )


def stories_by_slug(slugs: list[str]) -> list:
    return list(_public().filter(slug__in=slugs))


def stories(filters: Filters) -> list:
    """The published stories matching ``filters``, as the gallery orders
    them (featured first, newest first), at most ``filters.limit``."""
    qs = _public()
    if filters.product:
        qs = qs.filter(products__slug=filters.product)
    if filters.industry:
        qs = qs.filter(customer__industry__slug=filters.industry)
    return list(qs.distinct()[: filters.limit])


def card(cs, *, language: str, utm: dict[str, str]) -> dict:
    """What one embedded story shows, in the visitor's language when the
    story has an approved version in it."""
    main = selectors.public_version(cs)
    version, lang_param = main, None
    for t in cs.translations.all():
        if t.language == language and language != main.language:
            version, lang_param = t.version, t.language
    query = {**({"lang": lang_param} if lang_param else {}), **utm}
    metrics = list(cs.metrics.all())
    headline = next((m for m in metrics if m.improvement_display), None)
    quotes = sorted(cs.approved_quotes, key=lambda q: q.kind != Quote.Kind.PULL)
    quote = quotes[0] if quotes else None
    return {
        "cs": cs,
        "version": version,
        "url": settings.SITE_URL.rstrip("/") + cs.get_absolute_url() + "?" + urlencode(query),
        "title": cs.anonymise_text(version.title),
        "summary": cs.anonymise_text(version.summary),
        "customer": cs.public_customer_name,
        "metric": headline.improvement_display if headline else "",
        "metric_label": cs.anonymise_text(headline.label) if headline else "",
        "quote": cs.anonymise_text(quote.text) if quote else "",
        "quote_by": cs.quote_attribution(quote) if quote else "",
    }


def snippet(key: EmbedKey, *, product: str = "", industry: str = "", limit: int = 3) -> str:
    """What a web editor pastes: the container, its no-JavaScript iframe, the script."""
    base = settings.SITE_URL.rstrip("/")
    attrs = {"product": product, "industry": industry, "limit": str(limit), "layout": "cards"}
    query = urlencode({k: v for k, v in attrs.items() if v})
    data = " ".join(f'data-{k}="{v}"' for k, v in attrs.items() if v)
    return (
        f'<div class="storyline-embed" data-key="{key.key}" {data}>\n'
        f'  <noscript><iframe src="{base}/embed/{key.key}/frame/?{query}" '
        f'title="Customer stories" width="100%" height="360" style="border:0">'
        f"</iframe></noscript>\n"
        f"</div>\n"
        f'<script src="{base}/embed/v1.js" async></script>'
    )
