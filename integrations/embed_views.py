"""The public side of embeds: the script a web editor pastes, the frame it
opens (also the ``<noscript>`` fallback), the view/click beacon and oEmbed.
No cookie is read or set; nothing here needs a session."""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from analytics import events as analytics_events
from analytics.models import EventKind
from casestudies import selectors
from integrations import embeds
from integrations.models import EmbedKey


def _key(key: str) -> EmbedKey:
    found = EmbedKey.objects.filter(key=key[:40], is_active=True).first()
    if found is None:
        raise Http404
    return found


def _request_origin(request) -> str:
    return embeds.normal_origin(
        request.headers.get("Origin") or request.headers.get("Referer") or ""
    )


@require_safe
def embed_js(request):
    response = render(
        request, "integrations/embed.js", {}, content_type="text/javascript; charset=utf-8"
    )
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_safe
@xframe_options_exempt
def frame(request, key: str):
    """The stories of one embed. Framed only by the key's origins (CSP
    ``frame-ancestors``); a request from another site gets an empty 403."""
    embed = _key(key)
    origin = _request_origin(request)
    if origin and not embeds.origin_allowed(embed, origin):
        return HttpResponseForbidden(b"", content_type="text/plain")
    filters = embeds.Filters.from_query(request.GET)
    page = request.GET.get("page", "")
    if not embeds.origin_allowed(embed, embeds.normal_origin(page)):
        page = ""
    utm = {"utm_source": "embed", "utm_medium": filters.layout, "utm_campaign": embed.name}
    with translation.override(filters.language):
        cards = [
            embeds.card(cs, language=filters.language, utm=utm) for cs in embeds.stories(filters)
        ]
        if filters.layout == "quote":  # a single pull quote: the first story that has one
            cards = [c for c in cards if c["quote"]][:1]
        response = render(
            request,
            "integrations/embed_frame.html",
            {
                "embed": embed,
                "cards": cards,
                "layout": filters.layout,
                "language": filters.language,
                "page": page,
                "beacon_url": reverse("embeds:event", args=[embed.key]),
            },
        )
    response._csp_replace = {"frame-ancestors": embed.allowed_origins or ["'none'"]}
    patch_cache_control(response, public=True, max_age=embeds.cache_seconds())
    patch_vary_headers(response, ["Referer", "Origin"])
    return response


@csrf_exempt
@require_POST
def event(request, key: str):
    """``{"kind": "view"|"click", "stories": [ids], "page": host page URL,
    "layout": …}`` from the frame (same origin as Storyline), for a host page
    the key allows. Recorded as first-party analytics events: no cookie, no
    IP address, the host page without its query string."""
    embed = _key(key)
    own = embeds.normal_origin(request.build_absolute_uri("/"))
    if embeds.normal_origin(request.headers.get("Origin", "")) != own:
        return HttpResponseForbidden(b"", content_type="text/plain")
    try:
        body = json.loads(request.body[:4096] or b"{}")
        kind = {"view": EventKind.EMBED_VIEW, "click": EventKind.EMBED_CLICK}[body["kind"]]
        ids = [int(i) for i in body.get("stories", [])][: embeds.MAX_LIMIT]
        page = str(body.get("page", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return HttpResponse(status=400)
    host = embeds.normal_origin(page)
    if not embeds.origin_allowed(embed, host):
        return HttpResponseForbidden(b"", content_type="text/plain")
    parts = urlsplit(page)
    layout = body.get("layout") if body.get("layout") in embeds.LAYOUTS else ""
    for pk in selectors.published_case_studies().filter(pk__in=ids).values_list("pk", flat=True):
        analytics_events.record(
            kind,
            case_study_id=pk,
            detail=f"{parts.hostname}{parts.path}",
            referrer_host=parts.hostname or "",
            utm_source="embed",
            utm_medium=layout,
            utm_campaign=embed.name,
        )
    return HttpResponse(status=204)


@require_safe
def oembed(request):
    """oEmbed (https://oembed.com/) for story URLs: a rich card, framed by
    the embed key named in the provider address (``?key=``)."""
    embed = _key(request.GET.get("key", ""))
    url = request.GET.get("url", "")
    if request.GET.get("format", "json") != "json":
        return HttpResponse(status=501)
    site = embeds.normal_origin(settings.SITE_URL)
    if embeds.normal_origin(url) not in (
        site,
        embeds.normal_origin(request.build_absolute_uri("/")),
    ):
        raise Http404
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404 as exc:
        raise Http404 from exc
    if match.view_name != "gallery:detail":
        raise Http404
    cs = selectors.published_case_studies().filter(slug=match.kwargs.get("slug")).first()
    if cs is None:
        raise Http404
    try:
        width = min(max(int(request.GET.get("maxwidth", 480)), 240), 960)
    except ValueError:
        width = 480
    height = 360
    src = (
        settings.SITE_URL.rstrip("/")
        + reverse("embeds:story", args=[embed.key, cs.slug])
        + "?"
        + urlencode({"lang": (request.GET.get("lang") or "")[:2]})
    )
    version = selectors.public_version(cs)
    response = JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": settings.SITE_NAME,
            "provider_url": settings.SITE_URL,
            "title": cs.anonymise_text(version.title),
            "width": width,
            "height": height,
            "cache_age": embeds.cache_seconds(),
            "html": (
                f'<iframe src="{src}" width="{width}" height="{height}" '
                f'style="border:0" loading="lazy" title="{settings.SITE_NAME}"></iframe>'
            ),
        }
    )
    patch_cache_control(response, public=True, max_age=embeds.cache_seconds())
    return response


@require_safe
@xframe_options_exempt
def story(request, key: str, slug: str):
    """One story's card (what oEmbed frames), under the same rules as a frame."""
    embed = _key(key)
    origin = _request_origin(request)
    if origin and not embeds.origin_allowed(embed, origin):
        return HttpResponseForbidden(b"", content_type="text/plain")
    filters = embeds.Filters.from_query(request.GET)
    found = embeds.stories_by_slug([slug])
    if not found:
        raise Http404
    cs = found[0]
    utm = {"utm_source": "embed", "utm_medium": "oembed", "utm_campaign": embed.name}
    with translation.override(filters.language):
        response = render(
            request,
            "integrations/embed_frame.html",
            {
                "embed": embed,
                "cards": [embeds.card(cs, language=filters.language, utm=utm)],
                "layout": "cards",
                "language": filters.language,
                "page": "",
                "beacon_url": reverse("embeds:event", args=[embed.key]),
            },
        )
    response._csp_replace = {"frame-ancestors": embed.allowed_origins or ["'none'"]}
    patch_cache_control(response, public=True, max_age=embeds.cache_seconds())
    patch_vary_headers(response, ["Referer", "Origin"])
    return response
