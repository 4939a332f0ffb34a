"""Template helpers of the public pages: branding colours, JSON-LD, language
links and what anonymised stories may show."""

import json
import re

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_BRAND = "#2b3fbf"
DEFAULT_ACCENT = "#0f766e"
SOFT = "#f3f4fa"


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(colour: str, *, on: str = "#ffffff", ratio: float = 4.5, default: str) -> str:
    """``colour`` if valid, darkened until it reads at ``ratio`` on ``on``
    (WCAG AA): staff pick the brand colour, the pages stay accessible."""
    if not isinstance(colour, str) or not HEX.match(colour):
        colour = default
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for _step in range(40):
        candidate = f"#{r:02x}{g:02x}{b:02x}"
        if contrast(candidate, on) >= ratio:
            return candidate
        r, g, b = int(r * 0.9), int(g * 0.9), int(b * 0.9)
    return "#000000"


def brand_colours(branding) -> tuple[str, str]:
    """The branding's primary and accent colours, validated and readable."""
    brand = readable(getattr(branding, "primary_colour", ""), on=SOFT, default=DEFAULT_BRAND)
    accent = readable(getattr(branding, "accent_colour", ""), on=SOFT, default=DEFAULT_ACCENT)
    return brand, accent


def brand_css(branding) -> str:
    """The branding colours as CSS custom properties. Only #rrggbb values
    reach this text, so nothing can break out of the stylesheet."""
    brand, accent = brand_colours(branding)
    return f":root{{--brand:{brand};--accent:{accent}}}\n"


@register.simple_tag
def brand_style(branding):
    """The stylesheet of the branding colours (served by ``branding_css``; an
    inline <style> would need 'unsafe-inline' in the Content-Security-Policy).
    Its address names the colours, so a change is a new address."""
    brand, accent = brand_colours(branding)
    version = f"{brand[1:]}{accent[1:]}"
    return format_html(
        '<link rel="stylesheet" href="{}?v={}">', reverse("branding_css"), version.lower()
    )


_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def ld_json(data) -> str:
    """A schema.org JSON-LD block, escaped so no text can close the script."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    text = text.translate(_JSON_ESCAPES).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def language_url(context, code: str) -> str:
    """The link of the header's language switcher: the page's own version in
    that language when it has one, else the same page; ``?language=`` makes
    the middleware remember the choice."""
    from django.http import QueryDict

    request = context["request"]
    links = context.get("language_links") or {}
    if code in links:
        path, _sep, query = links[code].partition("?")
        params = QueryDict(query, mutable=True)
    else:
        path = request.path
        params = request.GET.copy()
        params.pop("lang", None)
    params["language"] = code
    return f"{path}?{params.urlencode()}"


@register.filter
def anonymised(text, case_study) -> str:
    """``text`` without the customer's name when the story is anonymised."""
    return case_study.anonymise_text(text or "")


@register.filter
def attribution(quote, case_study) -> str:
    """Who said it, as a reader may see it (see ``CaseStudy.quote_attribution``)."""
    return case_study.quote_attribution(quote)


@register.filter
def safe_href(url) -> str:
    """Only http(s), mailto and site-relative links; anything else is dropped."""
    url = (url or "").strip()
    if re.match(r"^(https?://|mailto:|/(?!/))", url, re.IGNORECASE):
        return url
    return ""
