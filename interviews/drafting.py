"""The first draft, assembled from an interview by a deterministic template
(no external service): the answers of each guide section go to the story
section they feed, then the transcript's passages that answer that section
(``interviews/draft_sources.py``: by the guide's questions, its order and its
timed sections), the quotes taken as attributed blockquotes (those still
awaiting permission marked so, refused ones left out), metrics and ROI in
the results, and a summary naming the customer, the challenge in one line
and the headline metrics. Apart from what was typed into the guide's
answers, every figure comes from a metric, an ROI figure, a transcript line
(in the speaker's words) or the customer's record, so the checker can trace
each one. The writer then rewrites it in the editor.
"""

import re
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from casestudies.checker import DRAFT_PLACEHOLDER
from casestudies.models import Metric, Quote
from interviews import draft_sources
from interviews.models import GuideSection, Interview, QuoteSource, RoiFigure

G = GuideSection

# Guide section → story section (casestudies.models.SECTIONS).
STORY_SECTION = {
    G.CHALLENGE: "challenge",
    G.SOLUTION_SELECTION: "solution",
    G.IMPLEMENTATION: "implementation",
    G.RESULTS: "results",
    G.FUTURE_PLANS: "future_plans",
}
# Where a quote goes when nobody said: by its kind.
QUOTE_SECTION_BY_KIND = {
    Quote.Kind.PULL: "challenge",
    Quote.Kind.INLINE: "solution",
    Quote.Kind.RESULT: "results",
    Quote.Kind.RECOMMENDATION: "future_plans",
}
HEADLINE_METRICS = 3


def _number(value, decimals: int = 0) -> str:
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _trim(value) -> str:
    """A decimal without trailing zeros: 15.0000 → 15, 2.5000 → 2,5 (localised)."""
    normalized = value.normalize()
    decimals = max(0, -normalized.as_tuple().exponent)
    return _number(normalized, decimals)


def metric_line(metric: Metric) -> str:
    improvement = metric.improvement_display
    if not metric.shows_absolute:
        return f"- **{metric.label}**: {improvement}" if improvement else ""
    unit = f" {metric.unit}" if metric.unit else ""
    line = f"- **{metric.label}**: {_trim(metric.before)}{unit} → {_trim(metric.after)}{unit}"
    if metric.period:
        line += f" ({metric.period})"
    if improvement:
        line += f" — {improvement}"
    return line


def roi_line(roi: RoiFigure, *, percentage_only: bool) -> str:
    parts = []
    if roi.roi_percent is not None:
        parts.append(_("%(roi)s%% first-year ROI") % {"roi": _number(roi.roi_percent)})
    if roi.payback_months is not None:
        parts.append(
            _("paid back in %(months)s months") % {"months": _number(roi.payback_months, 1)}
        )
    if not percentage_only:
        parts.append(
            _("%(currency)s %(investment)s invested, %(currency)s %(benefit)s returned %(period)s")
            % {
                "currency": roi.currency,
                "investment": _number(roi.investment),
                "benefit": _number(roi.benefit),
                "period": roi.get_period_display(),
            }
        )
    return f"- **{roi.label}**: " + "; ".join(parts)


def quote_block(quote: Quote) -> str:
    lines = "\n".join(f"> {line}" for line in quote.text.splitlines() if line.strip())
    return f"> “{lines[2:]}”\n>\n> — {quote.public_speaker}" if lines else ""


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", flat)
    return match.group(1) if match else flat


AWAITING = {
    Quote.Permission.NOT_ASKED: gettext_noop(
        "_Awaiting permission: not asked yet. Ask the speaker before the draft goes out._"
    ),
    Quote.Permission.ASKED: gettext_noop("_Awaiting permission: asked, no answer yet._"),
}


def quote_section(quote: Quote, chosen: dict[int, str]) -> str:
    section = chosen.get(quote.pk)
    return STORY_SECTION.get(section) if section else QUOTE_SECTION_BY_KIND[quote.kind]


def passage_text(text: str) -> str:
    """A transcript turn as a paragraph of the draft, in the speaker's words."""
    return " ".join(text.split())


@dataclass
class Draft:
    """The assembled sections and what they were assembled from."""

    sections: dict[str, str]
    plan: draft_sources.Plan
    quotes: list[tuple[Quote, str]]  # (quote, story section), refused ones left out


def build(interview: Interview) -> Draft:
    """The draft's sections, in the interview's language, and their sources."""
    case_study = interview.case_study
    with translation.override(interview.language):
        answers: dict[str, list[str]] = {name: [] for name in STORY_SECTION.values()}
        for question in interview.guide_questions.all():
            if question.answer.strip():
                answers[STORY_SECTION[question.section]].append(question.answer.strip())

        chosen = dict(
            QuoteSource.objects.filter(quote__case_study=case_study).values_list(
                "quote_id", "section"
            )
        )
        quoted_segments = set(
            QuoteSource.objects.filter(
                quote__case_study=case_study, segment__isnull=False
            ).values_list("segment_id", flat=True)
        )
        plan = draft_sources.plan(interview, quoted_segment_ids=quoted_segments)
        passages: dict[str, list[str]] = {name: [] for name in STORY_SECTION.values()}
        for guide_section, story_section in STORY_SECTION.items():
            passages[story_section] = [
                passage_text(p.segment.text) for p in plan.used(guide_section)
            ]

        quotes: dict[str, list[str]] = {name: [] for name in STORY_SECTION.values()}
        placed_quotes: list[tuple[Quote, str]] = []
        usable = (
            case_study.quotes.exclude(permission=Quote.Permission.REFUSED)
            .select_related("speaker")
            .order_by("position", "id")
        )
        for quote in usable:
            target = quote_section(quote, chosen)
            block = quote_block(quote)
            if not block:
                continue
            if quote.permission in AWAITING:
                block += "\n\n" + _(AWAITING[quote.permission])
            quotes[target].append(block)
            placed_quotes.append((quote, target))

        metrics = list(case_study.metrics.select_related("case_study").all())
        metric_lines = [line for line in (metric_line(m) for m in metrics) if line]
        rois = list(RoiFigure.objects.filter(interview__case_study=case_study).order_by("id"))
        roi_lines = [roi_line(r, percentage_only=case_study.percentage_only) for r in rois]

        placeholder = _(DRAFT_PLACEHOLDER)
        sections: dict[str, str] = {}
        for name in STORY_SECTION.values():
            parts = [*answers[name], *passages[name]]
            if name == "results" and metric_lines:
                parts.append(_("**Key results**") + "\n\n" + "\n".join(metric_lines))
            if name == "results" and roi_lines:
                parts.append(_("**Return on investment**") + "\n\n" + "\n".join(roi_lines))
            parts += quotes[name]
            sections[name] = "\n\n".join(parts) if parts else placeholder

        customer = case_study.public_customer_name
        opening = answers["challenge"] or passages["challenge"]
        challenge = _first_sentence(opening[0]) if opening else ""
        summary = [
            _("**%(customer)s** — %(about)s")
            % {"customer": customer, "about": case_study.customer.description.strip() or "…"}
            if not case_study.anonymised
            else f"**{customer}**"
        ]
        if challenge:
            summary.append(_("**The challenge:** %(challenge)s") % {"challenge": challenge})
        headline = [
            f"- {m.label}: {m.improvement_display}" for m in metrics if m.improvement_display
        ][:HEADLINE_METRICS]
        if headline:
            summary.append(_("**Key results:**") + "\n\n" + "\n".join(headline))
        sections["summary"] = "\n\n".join(summary)
    return Draft(sections=sections, plan=plan, quotes=placed_quotes)


def assemble(interview: Interview) -> dict[str, str]:
    """The draft's sections, in the interview's language."""
    return build(interview).sections
