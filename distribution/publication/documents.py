"""What the documents say and how they are drawn: the PDF, the one-page
summary (PDF) and the slides (.pptx).

Every document is built from one public story version (``public_version``)
and honours the usage rights: anonymised mode (no customer name, logo or
website; quotes attributed without naming the company) and percentages only
(no absolute figures in metric lines or the chart). Fixed labels follow the
version's language, not the visitor's.
"""

import hashlib
import io
import json
import re
from dataclasses import dataclass, field

import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from casestudies.models import SECTIONS, CaseStudy, Metric, Quote, StoryVersion
from core.markdown import render_markdown
from core.pdf import render_document
from core.templatetags.storyline import figure
from distribution.models import Branding
from distribution.publication.charts import before_after_svg

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def colour(value: str, default: str) -> str:
    """A colour safe to put into CSS (the admin validates it; data loaded
    another way might not be)."""
    return value if value and HEX.match(value) else default


@dataclass
class MetricLine:
    label: str
    improvement: str
    detail: str  # "from 15 to 5 days" or "" in percentage-only mode
    period: str


@dataclass
class QuoteLine:
    text: str
    attribution: str


@dataclass
class DocumentData:
    case_study: CaseStudy
    version: StoryVersion
    language: str
    branding: Branding
    primary: str
    accent: str
    title: str
    customer_name: str
    customer_line: str
    customer_website: str
    customer_logo_url: str
    brand_logo_url: str
    public_url: str
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # name, label, text
    metrics: list[MetricLine] = field(default_factory=list)
    metric_objects: list[Metric] = field(default_factory=list)
    quotes: list[QuoteLine] = field(default_factory=list)  # pull quotes first

    def section(self, name: str) -> str:
        return next((text for n, _label, text in self.sections if n == name), "")


# Bump when the documents' design changes, so stored files are redrawn.
DESIGN_REVISION = 1


def source_fingerprint(case_study: CaseStudy, version: StoryVersion) -> str:
    """A hash of everything a document is drawn from besides its kind and
    paper: the version, the usage rights, metrics, approved quotes, the
    customer's public facts and our branding. A stored file whose fingerprint
    differs (say the story was switched to anonymised) is rendered again."""
    customer = case_study.customer
    branding = Branding.current()
    metrics = Metric.objects.filter(case_study=case_study).order_by("position", "id")
    quotes = Quote.objects.filter(
        case_study=case_study, permission=Quote.Permission.APPROVED
    ).order_by("position", "id")
    payload = [
        DESIGN_REVISION,
        settings.SITE_URL,
        version.pk,
        version.content_hash,
        case_study.slug,
        case_study.published_version_id,
        case_study.anonymised,
        case_study.percentage_only,
        customer.name,
        customer.logo.name if customer.logo else "",
        customer.website,
        customer.industry.name,
        customer.company_size,
        customer.region.name,
        [
            branding.company_name,
            branding.logo.name if branding.logo else "",
            branding.primary_colour,
            branding.accent_colour,
            branding.website,
        ],
        list(
            metrics.values_list(
                "label", "before", "after", "unit", "period", "percentage_only", "higher_is_better"
            )
        ),
        list(
            quotes.values_list(
                "text", "kind", "speaker_name", "speaker_title", "speaker__may_be_named"
            )
        ),
    ]
    encoded = json.dumps(payload, default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def metric_line(metric: Metric) -> MetricLine:
    detail = ""
    if metric.shows_absolute:
        unit = f" {metric.unit}" if metric.unit else ""
        detail = _("from %(before)s to %(after)s%(unit)s") % {
            "before": figure(metric.before),
            "after": figure(metric.after),
            "unit": unit,
        }
    return MetricLine(
        label=metric.label,
        improvement=metric.improvement_display or "—",
        detail=detail,
        period=metric.period,
    )


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


def document_data(case_study: CaseStudy, version: StoryVersion) -> DocumentData:
    """Everything a document shows, read once, in the version's language.
    Call inside ``translation.override(version.language)``."""
    cs = case_study
    customer = cs.customer
    branding = Branding.current()
    anonymise = cs.anonymise_text
    metrics = list(Metric.objects.filter(case_study=cs).order_by("position", "id"))
    for metric in metrics:
        metric.case_study = cs  # shows_absolute reads the story's mode: no query each
    quotes = list(
        Quote.objects.filter(case_study=cs, permission=Quote.Permission.APPROVED)
        .select_related("speaker")
        .order_by("position", "id")
    )
    quotes.sort(key=lambda q: q.kind != Quote.Kind.PULL)  # stable: pull quotes first
    customer_logo = cs.public_logo
    brand_logo = branding.logo
    facts = [customer.industry.name, customer.get_company_size_display(), customer.region.name]
    data = DocumentData(
        case_study=cs,
        version=version,
        language=version.language,
        branding=branding,
        primary=colour(branding.primary_colour, "#1f4e79"),
        accent=colour(branding.accent_colour, "#c2410c"),
        title=anonymise(version.title),
        customer_name=cs.public_customer_name,
        customer_line=" · ".join([cs.public_customer_name, *facts] if not cs.anonymised else facts),
        customer_website="" if cs.anonymised else customer.website,
        customer_logo_url=customer_logo.url if customer_logo else "",
        brand_logo_url=brand_logo.url if brand_logo else "",
        public_url=_absolute(cs.get_absolute_url())
        + (f"?lang={version.language}" if version != cs.published_version else ""),
        sections=[
            (name, str(label), anonymise(getattr(version, name))) for name, label in SECTIONS
        ],
        metrics=[metric_line(m) for m in metrics],
        metric_objects=metrics,
        quotes=[QuoteLine(anonymise(q.text), cs.quote_attribution(q)) for q in quotes],
    )
    for metric in metrics:  # labels may name the customer too
        metric.label = anonymise(metric.label)
    for line in data.metrics:
        line.label = anonymise(line.label)
    return data


def _plain(markdown_text: str) -> str:
    """Markdown → plain text (for slides and the one-pager's briefs)."""
    html = render_markdown(markdown_text)
    text = strip_tags(nh3.clean(str(html), tags={"p", "li", "br"}))
    return re.sub(r"\s+", " ", text.replace("\n", " ")).strip()


def brief(markdown_text: str, words: int) -> str:
    """The first sentences of a section, at most ``words`` words, cut at a
    sentence end when one is near."""
    text = _plain(markdown_text)
    short = Truncator(text).words(words, truncate="…")
    if short == text:
        return text
    body = short.rstrip("…")
    cut = max(body.rfind(". "), body.rfind("! "), body.rfind("? "))
    if cut > len(body) * 0.7:
        return body[: cut + 1]
    return short


# --------------------------------------------------------------------------
# PDF and one-pager (HTML → WeasyPrint)
# --------------------------------------------------------------------------


def _html_context(data: DocumentData, paper: str) -> dict:
    return {
        "d": data,
        "paper_size": "letter" if paper == "letter" else "A4",
        "lang": data.language,
        "chart": before_after_svg(
            data.metric_objects,
            primary=data.primary,
            title=_("Before and after"),
            id_prefix="doc-chart",
        ),
        "page_counter": _page_counter_css(),
        "company_name": data.branding.company_name,
        "company_website": data.branding.website,
    }


def _page_counter_css() -> str:
    """ "Page 2 of 5" for the page footer, as CSS ``content`` (no HTML escaping
    inside <style>: the labels are filtered to plain characters)."""
    page = _css_string(pgettext("page 2 of 5", "Page"))
    of = _css_string(pgettext("page 2 of 5", "of"))
    return mark_safe(f'"{page} " counter(page) " {of} " counter(pages)')


def _css_string(text: str) -> str:
    """Text inside a CSS string literal."""
    text = re.sub(r"[^\w .,:;!?'()/-]", "", text, flags=re.UNICODE)
    return text


def render_story_pdf(data: DocumentData, paper: str, progress=None) -> bytes:
    context = _html_context(data, paper)
    context["footer_text"] = " · ".join(
        filter(None, [data.branding.company_name, data.branding.website])
    )
    context["sections"] = [
        (name, label, render_markdown(text)) for name, label, text in data.sections if text
    ]
    html = render_to_string("distribution/documents/pdf.html", context)
    if progress:
        progress(50)
    document = render_document(html)
    if progress:
        progress(85)
    return document.write_pdf()


# Word budgets for the one-pager, tightened until the page holds everything.
ONE_PAGER_BUDGETS = [
    {"summary": summary, "challenge": words, "solution": words, "quote": quote, "title": title}
    for summary, words, quote, title in [
        (60, 75, 45, 200),
        (50, 65, 40, 200),
        (40, 55, 35, 200),
        (30, 45, 30, 160),
        (20, 38, 25, 140),
        (0, 30, 20, 120),
        (0, 18, 15, 90),
    ]
]


def render_one_pager(data: DocumentData, paper: str, progress=None) -> bytes:
    """A one-page PDF: shorter briefs until the layout fits on one page."""
    return one_pager_document(data, paper, progress).write_pdf()


def one_pager_document(data: DocumentData, paper: str, progress=None):
    """The one-pager as a laid-out WeasyPrint document of one page (proposal
    packs bundle several of these behind a cover)."""
    document = None
    for step, budget in enumerate(ONE_PAGER_BUDGETS):
        quote = data.quotes[0] if data.quotes else None
        context = _html_context(data, paper)
        context.update(
            {
                "title": Truncator(data.title).chars(budget["title"]),
                "summary": brief(data.section("summary"), budget["summary"])
                if budget["summary"]
                else "",
                "challenge": brief(data.section("challenge"), budget["challenge"]),
                "solution": brief(data.section("solution"), budget["solution"]),
                "metrics": data.metrics[:4],
                "quote": QuoteLine(
                    Truncator(quote.text).words(budget["quote"], truncate="…"), quote.attribution
                )
                if quote
                else None,
                "compact": step >= 5,
            }
        )
        html = render_to_string("distribution/documents/one_pager.html", context)
        document = render_document(html)
        if progress:
            progress(min(85, 30 + 15 * (step + 1)))
        if len(document.pages) == 1:
            break
    # The last budget always fits (short texts, fixed-size blocks); keep the
    # first page regardless, so the promise "one page" holds.
    return document.copy(document.pages[:1])


# --------------------------------------------------------------------------
# Slides (python-pptx)
# --------------------------------------------------------------------------


def rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _image_stream(file_field) -> io.BytesIO | None:
    """The logo's bytes from storage (local disk or S3), or None."""
    if not file_field:
        return None
    try:
        with file_field.storage.open(file_field.name, "rb") as handle:
            return io.BytesIO(handle.read())
    except OSError:
        return None


def new_deck():
    """An empty 16:9 presentation."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    return deck


def render_slides(data: DocumentData, progress=None) -> bytes:
    deck = new_deck()
    props = deck.core_properties
    props.title = data.title
    props.author = props.last_modified_by = data.branding.company_name
    props.subject = data.customer_line
    props.language = data.language
    add_story_slides(deck, data, progress)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def add_story_slides(deck, data: DocumentData, progress=None) -> None:
    """Append the story's slides to ``deck`` (proposal packs put several
    stories in one deck)."""
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    primary, accent = rgb(data.primary), rgb(data.accent)
    dark, muted, white = rgb("#1a1a1a"), rgb("#4b5563"), rgb("#ffffff")
    blank = deck.slide_layouts[6]
    width = deck.slide_width

    def text_box(
        slide,
        left,
        top,
        box_width,
        height,
        text,
        *,
        size,
        colour=dark,
        bold=False,
        align=None,
        italic=False,
    ):
        box = slide.shapes.add_textbox(left, top, box_width, height)
        frame = box.text_frame
        frame.word_wrap = True
        paragraphs = text if isinstance(text, list) else [text]
        for i, line in enumerate(paragraphs):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.space_after = Pt(8)
            if align is not None:
                paragraph.alignment = align
            for run in paragraph.runs:
                run.font.size = Pt(size)
                run.font.bold = bold
                run.font.italic = italic
                run.font.color.rgb = colour
        return box

    def band(slide, height=None, colour=primary):
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, width, height or Inches(0.35))
        shape.fill.solid()
        shape.fill.fore_color.rgb = colour
        shape.line.fill.background()
        return shape

    def footer(slide):
        text_box(
            slide,
            Inches(0.6),
            Inches(6.9),
            Inches(12),
            Inches(0.4),
            " · ".join(filter(None, [data.branding.company_name, data.customer_name])),
            size=11,
            colour=muted,
        )

    def logo(slide, file_field, left, top, height):
        stream = _image_stream(file_field)
        if stream is None:
            return
        try:
            slide.shapes.add_picture(stream, left, top, height=height)
        except Exception:  # an unreadable logo must not sink the deck
            return

    def content_slide(heading, paragraphs):
        slide = deck.slides.add_slide(blank)
        band(slide)
        text_box(
            slide,
            Inches(0.6),
            Inches(0.6),
            Inches(12),
            Inches(1),
            heading,
            size=32,
            colour=primary,
            bold=True,
        )
        text_box(slide, Inches(0.6), Inches(1.7), Inches(12), Inches(5), paragraphs, size=18)
        footer(slide)
        return slide

    # Title slide: both logos, title, customer.
    slide = deck.slides.add_slide(blank)
    band(slide, Inches(4.6))
    text_box(
        slide,
        Inches(0.8),
        Inches(0.6),
        Inches(11.5),
        Inches(0.5),
        _("Customer story"),
        size=16,
        colour=white,
    )
    text_box(
        slide,
        Inches(0.8),
        Inches(1.3),
        Inches(11.5),
        Inches(2.4),
        Truncator(data.title).chars(90),
        size=40 if len(data.title) <= 60 else 32,
        colour=white,
        bold=True,
    )
    text_box(
        slide,
        Inches(0.8),
        Inches(3.7),
        Inches(11.5),
        Inches(0.6),
        data.customer_line,
        size=18,
        colour=white,
    )
    logo(slide, data.branding.logo, Inches(0.8), Inches(5.4), Inches(1))
    if data.customer_logo_url:
        logo(slide, data.case_study.public_logo, Inches(10.3), Inches(5.4), Inches(1))
    if progress:
        progress(30)

    content_slide(_("The challenge"), [brief(data.section("challenge"), 90)])
    content_slide(_("The solution"), [brief(data.section("solution"), 90)])

    # Results: metric call-outs (up to four) and a table of all.
    slide = deck.slides.add_slide(blank)
    band(slide)
    text_box(
        slide,
        Inches(0.6),
        Inches(0.6),
        Inches(12),
        Inches(1),
        _("Results"),
        size=32,
        colour=primary,
        bold=True,
    )
    callouts = data.metrics[:4]
    if callouts:
        gap = Inches(0.3)
        box_width = Emu(int((Inches(12) - gap * (len(callouts) - 1)) / len(callouts)))
        for i, metric in enumerate(callouts):
            left = Inches(0.6) + (box_width + gap) * i
            card = slide.shapes.add_shape(
                MSO_SHAPE.ROUNDED_RECTANGLE, left, Inches(1.8), box_width, Inches(2.2)
            )
            card.fill.solid()
            card.fill.fore_color.rgb = rgb("#f3f4f6")
            card.line.color.rgb = accent
            text_box(
                slide,
                left + Inches(0.15),
                Inches(1.95),
                box_width - Inches(0.3),
                Inches(0.9),
                metric.improvement,
                size=26 if len(callouts) <= 2 else 22,
                colour=accent,
                bold=True,
            )
            text_box(
                slide,
                left + Inches(0.15),
                Inches(2.85),
                box_width - Inches(0.3),
                Inches(1.1),
                [Truncator(metric.label).chars(50), *filter(None, [metric.detail])],
                size=14,
            )
        rows = data.metrics[:5]  # what fits above the footer
        table = slide.shapes.add_table(
            len(rows) + 1, 3, Inches(0.6), Inches(4.3), Inches(12), Inches(0.38) * (len(rows) + 1)
        ).table
        for col, heading in enumerate([_("What was measured"), _("Improvement"), _("Figures")]):
            table.cell(0, col).text = heading
        for row, metric in enumerate(rows, start=1):
            table.cell(row, 0).text = metric.label
            table.cell(row, 1).text = metric.improvement
            table.cell(row, 2).text = metric.detail or _("shared as a percentage")
        for cell in (c for r in table.rows for c in r.cells):
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(12)
    else:
        text_box(
            slide,
            Inches(0.6),
            Inches(1.8),
            Inches(12),
            Inches(4),
            [brief(data.section("results"), 90)],
            size=18,
        )
    footer(slide)
    if progress:
        progress(60)

    # One slide per approved quote, pull quotes first, at most three.
    for quote in data.quotes[:3]:
        slide = deck.slides.add_slide(blank)
        band(slide, colour=accent)
        text_box(
            slide,
            Inches(1.2),
            Inches(1.4),
            Inches(11),
            Inches(3.8),
            f"“{Truncator(quote.text).words(50, truncate='…')}”",
            size=28,
            colour=dark,
            italic=True,
        )
        text_box(
            slide,
            Inches(1.2),
            Inches(5.3),
            Inches(11),
            Inches(0.8),
            f"— {quote.attribution}",
            size=18,
            colour=primary,
            bold=True,
        )
        footer(slide)

    # Closing: where to read the whole story.
    slide = deck.slides.add_slide(blank)
    band(slide, deck.slide_height)
    text_box(
        slide,
        Inches(0.8),
        Inches(2.2),
        Inches(11.5),
        Inches(1),
        _("Read the full story"),
        size=36,
        colour=white,
        bold=True,
        align=PP_ALIGN.LEFT,
    )
    text_box(
        slide,
        Inches(0.8),
        Inches(3.3),
        Inches(11.5),
        Inches(0.8),
        data.public_url,
        size=20,
        colour=white,
    )
    contact = data.branding.website or data.branding.company_name
    text_box(
        slide, Inches(0.8), Inches(4.3), Inches(11.5), Inches(0.8), contact, size=16, colour=white
    )
    if progress:
        progress(85)


def render(
    kind: str, case_study: CaseStudy, version: StoryVersion, paper: str, progress=None
) -> bytes:
    """The bytes of one document (``kind`` of RenderedDocument.Kind)."""
    with translation.override(version.language):
        data = document_data(case_study, version)
        if progress:
            progress(20)
        if kind == "pdf":
            return render_story_pdf(data, paper, progress)
        if kind == "one_pager":
            return render_one_pager(data, paper, progress)
        if kind == "slides":
            return render_slides(data, progress)
    raise ValueError(f"Unknown document kind {kind!r}")
