"""Server-side SVG charts, so the story page and the PDF draw the same thing
without JavaScript.

The before/after chart draws one pair of bars per metric. Metrics have
different units, so each pair is scaled to its own larger value; the labels
carry the figures. A metric shown as a percentage only (the customer will not
publish absolute figures) is drawn as "before = 100" and labelled with the
relative change alone.
"""

from decimal import Decimal

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 640
ROW = 64
BAR = 18
TOP = 8


def _number(value: Decimal) -> str:
    """Up to two decimals, none when whole: 8 → "8", 0.75 → "0.75", 1250000 → "1,250,000"."""
    value = Decimal(value).quantize(Decimal("0.01")).normalize()
    decimals = max(0, -value.as_tuple().exponent)
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _figure(metric, value: Decimal) -> str:
    unit = f" {metric.unit}" if metric.unit else ""
    return f"{_number(value)}{unit}"


def before_after_svg(
    metrics,
    *,
    primary: str = "#1f4e79",
    muted: str = "#6b7280",
    title: str = "",
    id_prefix: str = "chart",
    label=None,
) -> SafeString:
    """An accessible SVG (``role="img"`` with a title and description) of the
    metrics' before and after values; empty when no metric can be drawn."""

    # ``label`` maps a metric to the text shown (an anonymised story passes
    # its ``anonymise_text``, so the chart never names the customer).
    def label_of(metric) -> str:
        return label(metric.label) if label is not None else metric.label

    rows = [m for m in metrics if m.before is not None and m.after is not None]
    rows = [m for m in rows if m.before > 0 or m.after > 0]
    if not rows:
        return mark_safe("")
    height = TOP + ROW * len(rows) + 8
    bar_space = WIDTH - 180
    title = title or _("Before and after")
    parts: list[str] = []
    descriptions: list[str] = []
    for i, metric in enumerate(rows):
        y = TOP + i * ROW
        if metric.shows_absolute:
            before, after = metric.before, metric.after
            before_label = _figure(metric, before)
            after_label = _figure(metric, after)
        else:
            before = Decimal(100)
            after = (metric.after / metric.before * 100) if metric.before else Decimal(100)
            before_label = _("baseline")
            after_label = metric.improvement_display
        top = max(before, after) or Decimal(1)
        w_before = max(2, int(bar_space * float(before / top)))
        w_after = max(2, int(bar_space * float(after / top)))
        shown = escape(label_of(metric))
        change = escape(metric.improvement_display)
        parts.append(
            f'<text x="0" y="{y + 12}" class="chart-label" font-size="13" '
            f'font-weight="600" fill="#1a1a1a">{shown}'
            + (f' <tspan fill="{primary}">({change})</tspan>' if change else "")
            + "</text>"
            f'<rect x="0" y="{y + 18}" width="{w_before}" height="{BAR}" fill="{muted}" rx="2"/>'
            f'<text x="{w_before + 6}" y="{y + 31}" font-size="12" fill="#333">'
            f"{escape(_('Before'))}: {escape(before_label)}</text>"
            f'<rect x="0" y="{y + 40}" width="{w_after}" height="{BAR}" fill="{primary}" rx="2"/>'
            f'<text x="{w_after + 6}" y="{y + 53}" font-size="12" fill="#333">'
            f"{escape(_('After'))}: {escape(after_label)}</text>"
        )
        descriptions.append(
            _("%(label)s: before %(before)s, after %(after)s")
            % {"label": label_of(metric), "before": before_label, "after": after_label}
        )
    desc = escape("; ".join(descriptions))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-before-after" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">'
        f'<title id="{id_prefix}-title">{escape(title)}</title>'
        f'<desc id="{id_prefix}-desc">{desc}</desc>' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # every interpolated text is escaped above
