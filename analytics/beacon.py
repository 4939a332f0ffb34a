"""The beacon: ``POST /a/e`` from static/js/impact.js on the (cached) public
pages. Strictly validated, never a 500:

- at most ``MAX_BODY`` bytes of UTF-8 JSON, one object, no unknown keys;
- ``k`` is one of the kinds a page may report (view, engagement, gallery search);
- ``s`` (story slug) names a *published* story; ``t`` (seconds) is an integer
  in 0..86400; ``c`` a boolean; ``r`` (referrer) and ``u`` (UTM) short strings;
- requests from another origin are refused; 120 beacons a minute per address.

Opted-out visitors (DNT/GPC) and bots get 204 and nothing is stored.
"""

import json
import re

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from analytics import capture
from analytics.events import record
from analytics.models import EventKind
from casestudies.models import CaseStudy

MAX_BODY = 2048
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,255}$")
FACET_NAMES = ("q", "industry", "company_size", "use_case", "region", "product", "sort")
KEYS = {
    EventKind.VIEW: {"k", "s", "r", "u"},
    EventKind.ENGAGEMENT: {"k", "s", "t", "c"},
    EventKind.GALLERY_SEARCH: {"k", "f", "r", "u"},
}
REQUIRED = {
    EventKind.VIEW: {"k", "s"},
    EventKind.ENGAGEMENT: {"k", "s", "t"},
    EventKind.GALLERY_SEARCH: {"k", "f"},
}


class Invalid(ValueError):
    pass


def _text(value, limit: int, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid(f"'{name}' must be a string of at most {limit} characters.")
    if "\x00" in value:
        raise Invalid(f"'{name}' contains a null character.")
    return value


def _story_id(slug: str) -> int | None:
    """The published story's id, cached with the page generation it was read
    under (one cache round trip; a publication change bumps the generation)."""
    from core.page_cache import GENERATION_KEY, generation

    key = f"analytics:story:{slug}"
    found = cache.get_many([GENERATION_KEY, key])
    current = found.get(GENERATION_KEY) or generation()
    stored = found.get(key)
    if stored is not None and stored[0] == current:
        return stored[1] or None
    story_id = (
        CaseStudy.objects.published().filter(slug=slug).values_list("pk", flat=True).first() or 0
    )
    cache.set(key, (current, story_id), 300)
    return story_id or None


def parse(body: bytes) -> dict:
    """The validated payload as keyword arguments for :func:`record`, or Invalid."""
    if len(body) > MAX_BODY:
        raise Invalid("Payload too large.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Invalid("Not JSON.") from exc
    if not isinstance(data, dict):
        raise Invalid("Expected a JSON object.")
    kind = data.get("k")
    if not isinstance(kind, str) or kind not in KEYS:
        raise Invalid("Unknown kind.")
    kind = EventKind(kind)
    unknown = set(data) - KEYS[kind]
    if unknown:
        raise Invalid(f"Unknown keys: {', '.join(sorted(map(str, unknown)))[:200]}.")
    missing = REQUIRED[kind] - set(data)
    if missing:
        raise Invalid(f"Missing keys: {', '.join(sorted(missing))}.")
    fields: dict = {"kind": kind}
    if kind in (EventKind.VIEW, EventKind.ENGAGEMENT):
        slug = data["s"]
        if not isinstance(slug, str) or not SLUG.match(slug):
            raise Invalid("'s' must be a story slug.")
        fields["slug"] = slug
    if kind == EventKind.ENGAGEMENT:
        seconds = data["t"]
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= 86400:
            raise Invalid("'t' must be whole seconds between 0 and 86400.")
        continued = data.get("c", False)
        if not isinstance(continued, bool):
            raise Invalid("'c' must be true or false.")
        fields["value"] = seconds
        fields["detail"] = "continued" if continued else ""
    if kind == EventKind.GALLERY_SEARCH:
        facets = data["f"]
        if not isinstance(facets, list) or len(facets) > len(FACET_NAMES):
            raise Invalid("'f' must be a list of gallery filter names.")
        if not all(isinstance(f, str) and f in FACET_NAMES for f in facets):
            raise Invalid("'f' must only name gallery filters.")
        fields["detail"] = ",".join(sorted(set(facets)))
    if kind in (EventKind.VIEW, EventKind.GALLERY_SEARCH):
        fields["referrer"] = _text(data.get("r"), 1000, "r")
        utm = data.get("u") or {}
        if not isinstance(utm, dict) or set(utm) - {"source", "medium", "campaign"}:
            raise Invalid("'u' must be an object with source, medium and campaign.")
        for name in ("source", "medium", "campaign"):
            fields[f"utm_{name}"] = _text(utm.get(name), 100, f"u.{name}")
    return fields


def _bad(message: str, status: int = 400):
    response = JsonResponse({"error": message}, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt
@never_cache
@require_POST
def beacon(request):
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
            return _bad("Payload too large.", 413)
    except ValueError:
        return _bad("Bad Content-Length.")
    if capture.foreign_origin(request):
        return _bad("Cross-site beacons are not accepted.", 403)
    if not capture.countable(request):
        return HttpResponse(status=204)
    try:
        fields = parse(request.body)
    except Invalid as exc:
        return _bad(str(exc))
    limit = capture.conf("BEACON_RATE_PER_MINUTE")
    if capture.rate_limited("beacon", capture.address_hash(request), limit=limit, window=60):
        return _bad("Too many events.", 429)
    kind = fields.pop("kind")
    story_id = None
    slug = fields.pop("slug", None)
    if slug is not None:
        story_id = _story_id(slug)
        if story_id is None:
            return _bad("No published story with this slug.")
    referrer = fields.pop("referrer", None)
    if referrer is not None:
        fields["referrer_host"] = capture.referrer_host(referrer, request)
    visitor = capture.visitor_hash(request)
    record(kind, case_study_id=story_id, visitor=visitor, **fields)
    return HttpResponse(status=204)
