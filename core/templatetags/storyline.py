from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    return render_markdown(text)


@register.filter
def figure(value) -> str:
    """A measured figure for people: no trailing zeros, grouped thousands in the
    reader's locale (2700000.0000 → "2,700,000"; 7.40 → "7.4")."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(value).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return formats.number_format(number, force_grouping=True)


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (pagination links
    keep the filters)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def list_description(opts) -> str:
    """The one line saying what a list page is for, from
    ``STORYLINE_ADMIN_DESCRIPTIONS`` (a dotted path to a function of
    "app_label.model_name"); empty without one."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    provider = getattr(settings, "STORYLINE_ADMIN_DESCRIPTIONS", "")
    if not provider or opts is None:
        return ""
    return import_string(provider)(f"{opts.app_label}.{opts.model_name}")
