from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def impact_capture(story_slug: str = ""):
    """The beacon script tag for a public page (nothing when capture is off)."""
    if not settings.STORYLINE["ANALYTICS"]["CAPTURE"]:
        return ""
    if story_slug:
        return format_html(
            '<script src="{}" data-endpoint="{}" data-story="{}" defer></script>',
            static("js/impact.js"),
            reverse("analytics:beacon"),
            story_slug,
        )
    return format_html(
        '<script src="{}" data-endpoint="{}" defer></script>',
        static("js/impact.js"),
        reverse("analytics:beacon"),
    )


@register.filter
def percent(value):
    """0.4567 → "45.7 %"; no value → "—"."""
    if value is None or value == "":
        return "—"
    return f"{value * 100:.1f} %"


@register.filter
def points(value):
    """A difference of two rates in percentage points: +12.5 pp."""
    if value is None:
        return "—"
    return f"{value * 100:+.1f} pp"


@register.filter
def seconds(value):
    if value is None:
        return "—"
    value = round(value)
    return f"{value // 60} min {value % 60:02d} s" if value >= 60 else f"{value} s"


@register.filter
def days(value):
    return "—" if value is None else f"{value:.0f}"


@register.filter
def moneys(value):
    """{"USD": Decimal("1200.00")} → "USD 1,200"."""
    if not value:
        return "—"
    return " · ".join(f"{cur} {amount:,.0f}" for cur, amount in value.items())


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
