"""First-party capture: who may be counted and how, without cookies or raw IP
addresses.

- Do Not Track (``DNT: 1``) and Global Privacy Control (``Sec-GPC: 1``) are
  honoured: nothing is stored (the script does not even send).
- Bots are filtered twice: page views arrive only from the beacon script (most
  crawlers run no JavaScript), and a user-agent list drops the rest, on the
  beacon and on server-side downloads alike.
- A visitor is a hash of address and browser keyed with a random salt of the
  day (kept in the cache, dropped after two days): unique visitors per day
  work, yesterday's hash cannot be linked to today's, the address
  is never kept, and once the salt is gone no one can test addresses against
  the stored hashes.
- Rate limits count the address alone (:func:`address_hash`, keyed the same
  way): a new User-Agent per request does not buy a new allowance.
- The address is :func:`core.http.client_ip` (``TRUSTED_PROXIES``), as for
  every other limit in Storyline.
"""

import contextlib
import hashlib
import hmac
import re
import secrets
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import DisallowedHost
from django.utils import timezone

from analytics.events import record
from analytics.models import EventKind
from core.http import client_ip, client_network

BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|quora link preview|"
    r"whatsapp|telegram|preview|headless|phantomjs|lighthouse|pagespeed|pingdom|uptime|"
    r"monitor|curl|wget|python-|httpx|aiohttp|go-http-client|java/|libwww|scrapy|okhttp|"
    r"axios|node-fetch|postman|insomnia",
    re.IGNORECASE,
)
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign")
SHARE_CAMPAIGN = re.compile(r"^share-(\d{1,18})$")


def conf(name: str):
    return settings.STORYLINE["ANALYTICS"][name]


def is_bot(request) -> bool:
    agent = request.headers.get("User-Agent", "")
    return not agent.strip() or bool(BOT_USER_AGENT.search(agent))


def opted_out(request) -> bool:
    """Do Not Track or Global Privacy Control."""
    return request.headers.get("DNT", "").strip() == "1" or (
        request.headers.get("Sec-GPC", "").strip() == "1"
    )


def countable(request) -> bool:
    return conf("CAPTURE") and not opted_out(request) and not is_bot(request)


def client_address(request) -> str:
    return client_ip(request)


_salts: dict[str, str] = {}


def daily_salt(day) -> str:
    """A random salt for ``day``, shared through the cache and dropped two
    days later: once it is gone, not even someone holding the secret key can
    test addresses against that day's hashes."""
    key = f"analytics:salt:{day.isoformat()}"
    if key not in _salts:
        cache.add(key, secrets.token_hex(16), 2 * 86400)
        salt = cache.get(key)
        if salt is None:  # no shared cache: this process's own
            return _salts.setdefault(key, secrets.token_hex(16))
        if len(_salts) > 4:
            _salts.clear()
        _salts[key] = salt
    return _salts[key]


def visitor_hash(request, day=None) -> str:
    """16 hex characters: HMAC(daily random salt, address | user agent)."""
    day = day or timezone.localdate()
    message = f"{client_address(request)}|{request.headers.get('User-Agent', '')}"
    key = f"analytics-visitor|{daily_salt(day)}".encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:16]


def address_hash(request, day=None) -> str:
    """16 hex characters: HMAC(daily random salt, address), what the rate
    limits count (IPv6: the /64, see core.http.client_network)."""
    day = day or timezone.localdate()
    key = f"analytics-address|{daily_salt(day)}".encode()
    return hmac.new(key, client_network(request).encode(), hashlib.sha256).hexdigest()[:16]


def claim_once(scope: str, value: str, *, timeout: int) -> bool:
    """True the first time ``value`` is claimed in ``scope`` within
    ``timeout`` seconds, False ever after (an atomic ``cache.add`` of its
    hash: one winner across every web process sharing the cache)."""
    digest = hashlib.sha256(str(value).encode()).hexdigest()
    return cache.add(f"analytics:once:{scope}:{digest}", 1, timeout)


def rate_limited(scope: str, visitor: str, *, limit: int, window: int) -> bool:
    """True once ``visitor`` went over ``limit`` hits of ``scope`` in the
    current ``window`` seconds (a fixed-window counter in the cache; on Redis
    one INCR + EXPIRE round trip)."""
    bucket = int(timezone.now().timestamp()) // window
    key = f"analytics:rate:{scope}:{visitor}:{bucket}"
    backend = getattr(cache, "_cache", None)
    if isinstance(cache, RedisCache) and backend is not None:
        full_key = cache.make_and_validate_key(key)
        pipe = backend.get_client(full_key, write=True).pipeline()
        pipe.incr(full_key)
        pipe.expire(full_key, window + 5)
        count = pipe.execute()[0]
    else:
        cache.add(key, 0, window + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window + 5)
            count = 1
    return count > limit


def own_hosts(request) -> set[str]:
    hosts = {urlsplit(settings.SITE_URL).hostname or ""}
    with contextlib.suppress(DisallowedHost):  # not ours either way
        hosts.add(request.get_host().split(":")[0])
    return {h.lower().removeprefix("www.") for h in hosts if h}


def referrer_host(url: str, request=None) -> str:
    """The referring site's host without "www.", or "" for none or our own site."""
    try:
        host = (urlsplit(str(url or "")).hostname or "").lower()
    except ValueError:
        return ""
    host = host.removeprefix("www.")[:255]
    if request is not None and host in own_hosts(request):
        return ""
    return host


def foreign_origin(request) -> bool:
    """A browser's Origin header naming another site (cross-site POST)."""
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return False
    return referrer_host(origin) not in own_hosts(request)


def is_search_engine(host: str) -> bool:
    host = (host or "").lower()
    return any(
        host.startswith(engine) or f".{engine}" in f".{host}" for engine in conf("SEARCH_ENGINES")
    )


def utm_from(params) -> dict[str, str]:
    return {name: str(params.get(name, "") or "")[:100] for name in UTM_FIELDS}


def utm_from_referer(request) -> dict[str, str]:
    """UTM parameters of the page the visitor came from, when it is ours: the
    story page opened from a campaign email or a share link."""
    referer = request.headers.get("Referer", "")
    try:
        parts = urlsplit(referer)
    except ValueError:
        return utm_from({})
    if (parts.hostname or "").lower().removeprefix("www.") not in own_hosts(request):
        return utm_from({})
    return utm_from(dict(parse_qsl(parts.query)))


def share_link_id(utm_campaign: str) -> int | None:
    match = SHARE_CAMPAIGN.match(utm_campaign or "")
    return int(match.group(1)) if match else None


def record_download(request, case_study, kind: str, response):
    """Count a served document (a 200, not a revalidation), then return the
    response unchanged. Called by distribution.publication.document_views."""
    if response.status_code == 200 and request.method == "GET" and countable(request):
        utm = utm_from(request.GET) if request.GET.get("utm_source") else utm_from_referer(request)
        record(
            EventKind.DOWNLOAD,
            case_study=case_study,
            detail=str(kind),
            referrer_host=referrer_host(request.headers.get("Referer", ""), request),
            visitor=visitor_hash(request),
            **utm,
        )
    return response
