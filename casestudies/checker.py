"""The story checker: what the guide's "Writing Structure That Works" and
"Make Every Result Specific and Quantified" warn about, found in a draft.

Pure functions over plain text (the six framework sections), plus
:func:`check_case_study_story` which loads a case study's quotes and metrics
and calls them. Every finding names the exact place: the section, character
offsets into that section's text with the excerpt, and the paragraph number;
findings about the whole story or a whole section carry no offsets.

The vague-claim list is bilingual (English and Bahasa Indonesia, and both
are always checked: drafts mix them, as the guide itself does). "Near a
number" means: a digit in the same sentence.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, override

from casestudies.models import SECTION_FIELDS, SECTIONS, word_count

ERROR = "error"
WARNING = "warning"

# What the first draft puts in a section nobody answered: still empty.
DRAFT_PLACEHOLDER = gettext_noop("_No answers recorded for this section yet._")


def _is_placeholder(text: str) -> bool:
    text = text.strip()
    for code, _name in settings.LANGUAGES:
        with override(code):
            if text == _(DRAFT_PLACEHOLDER):
                return True
    return False


# code → (severity, title). The code is also the anchor on the advice page.
VAGUE_CLAIM = "vague-claim"
NO_BEFORE_AFTER = "no-before-after"
SUMMARY_LENGTH = "summary-length"
STORY_LENGTH = "story-length"
EMPTY_SECTION = "empty-section"
SUMMARY_NO_NUMBERS = "summary-no-numbers"
NO_CUSTOMER_VOICE = "no-customer-voice"
QUOTE_NOT_APPROVED = "quote-not-approved"
QUOTE_REFUSED = "quote-refused"
QUOTE_NOT_CAPTURED = "quote-not-captured"
UNSOURCED_FIGURE = "unsourced-figure"
NAMED_WITHOUT_PERMISSION = "named-without-permission"

CODES: dict[str, tuple[str, object]] = {
    VAGUE_CLAIM: (WARNING, gettext_lazy("Vague claim with no number")),
    NO_BEFORE_AFTER: (ERROR, gettext_lazy("Results without a before and after")),
    SUMMARY_LENGTH: (WARNING, gettext_lazy("Executive summary out of length")),
    STORY_LENGTH: (WARNING, gettext_lazy("Story out of length")),
    EMPTY_SECTION: (ERROR, gettext_lazy("Empty section")),
    SUMMARY_NO_NUMBERS: (WARNING, gettext_lazy("No numbers in the executive summary")),
    NO_CUSTOMER_VOICE: (WARNING, gettext_lazy("No customer voice")),
    QUOTE_NOT_APPROVED: (WARNING, gettext_lazy("Quote without approved permission")),
    QUOTE_REFUSED: (ERROR, gettext_lazy("Quote the customer refused")),
    QUOTE_NOT_CAPTURED: (WARNING, gettext_lazy("Quote not captured from the interview")),
    UNSOURCED_FIGURE: (WARNING, gettext_lazy("Unsourced figure")),
    NAMED_WITHOUT_PERMISSION: (ERROR, gettext_lazy("Named without permission")),
}

SECTION_LABELS = dict(SECTIONS)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    section: str  # "" when the finding is about the whole story
    message: str
    start: int | None = None  # character offsets into the section's text
    end: int | None = None
    excerpt: str = ""
    paragraph: int | None = None  # 1-based, paragraphs separated by a blank line
    fix_url: str = ""  # where to fix it, when that is a page of its own
    fix_label: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def title(self) -> str:
        return str(CODES[self.code][1])

    @property
    def section_label(self) -> str:
        return str(SECTION_LABELS.get(self.section, "")) if self.section else ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["title"] = self.title
        data["section_label"] = self.section_label
        return data


@dataclass(frozen=True)
class QuoteInfo:
    """What the checker needs of a captured quote (a ``Quote`` row fits)."""

    text: str
    permission: str
    speaker_name: str = ""


@dataclass(frozen=True)
class MetricInfo:
    label: str
    before: Decimal
    after: Decimal


@dataclass(frozen=True)
class FigureSource:
    """Where figures may come from: a metric, an ROI figure, a transcript
    line, the customer's description. ``values`` are the figures it gives
    (besides the numbers written in ``text``)."""

    where: str
    text: str = ""
    url: str = ""
    values: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class PersonInfo:
    """A person at the customer who may appear in the prose."""

    name: str
    may_be_named: bool
    title: str = ""
    url: str = ""  # where their permission is recorded


# --------------------------------------------------------------------------
# Vague claims
# --------------------------------------------------------------------------

# From the guide's "weak → strong" pairs ("Significantly reduced processing
# time", "Improved team productivity", "Improved efficiency", "meningkatkan
# performa") and the usual marketing vagueness, in both languages.
VAGUE_PHRASES_EN = [
    "significantly improved",
    "significantly reduced",
    "significantly increased",
    "significantly faster",
    "significantly better",
    "significantly",
    "significant improvement",
    "significant improvements",
    "significant savings",
    "significant time savings",
    "dramatically",
    "dramatic improvement",
    "dramatic improvements",
    "dramatic results",
    "impressive results",
    "remarkable results",
    "greatly enhanced",
    "greatly improved",
    "greatly reduced",
    "greatly",
    "substantially",
    "considerably",
    "tremendously",
    "massively",
    "vastly improved",
    "improved productivity",
    "improved team productivity",
    "increased productivity",
    "boosted productivity",
    "more productive",
    "improved efficiency",
    "increased efficiency",
    "more efficient",
    "improved performance",
    "better performance",
    "enhanced performance",
    "improved results",
    "better results",
    "reduced costs",
    "lower costs",
    "cost savings",
    "saved a lot of time",
    "save a lot of time",
    "saves a lot of time",
    "a lot of time",
    "lots of time",
    "much faster",
    "much better",
    "much more efficient",
    "huge improvement",
    "huge savings",
    "game changer",
    "game-changer",
    "game-changing",
    "world-class",
    "best-in-class",
    "skyrocketed",
    "exponential growth",
]
VAGUE_PHRASES_ID = [
    "meningkatkan performa",
    "meningkatkan kinerja",
    "meningkatkan produktivitas",
    "meningkatkan efisiensi",
    "meningkatkan hasil",
    "peningkatan performa",
    "peningkatan kinerja",
    "peningkatan produktivitas",
    "peningkatan efisiensi",
    "peningkatan signifikan",
    "peningkatan besar",
    "hasil yang luar biasa",
    "hasil dramatis",
    "secara signifikan",
    "signifikan",
    "secara dramatis",
    "dramatis",
    "secara drastis",
    "drastis",
    "jauh lebih baik",
    "jauh lebih cepat",
    "jauh lebih efisien",
    "lebih efisien",
    "lebih produktif",
    "kinerja lebih baik",
    "performa lebih baik",
    "hasil lebih baik",
    "sangat membantu",
    "sangat meningkat",
    "menghemat banyak waktu",
    "hemat banyak waktu",
    "banyak waktu",
    "menghemat biaya",
    "penghematan besar",
    "luar biasa",
    "berkelas dunia",
    "mengubah permainan",
    "meningkat pesat",
]
VAGUE_PHRASES = VAGUE_PHRASES_EN + VAGUE_PHRASES_ID


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern:
    # Longest first: at one position the fullest phrase wins, and finditer
    # never reports overlapping matches.
    ordered = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(word) for word in p.split()) for p in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


_VAGUE = _phrase_pattern(VAGUE_PHRASES)

# A sentence ends at . ! ? … (with closing quotes or brackets) before a space,
# at a blank line, or where a new list item, quote or heading starts.
_SENTENCE_END = re.compile(
    r"[.!?…]+[\"'”\u2019)\]*_]*(?=\s|$)|\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+[.)]|>|#)[ \t])"
)
_ABBREVIATION_END = re.compile(r"(?:^|[^\w.])(?:e\.g|i\.e|vs|approx|dr|mr|mrs|ms|no|dll|dsb)$")
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\d[\d,.]*")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()].lower()
        if match.group().startswith(".") and _ABBREVIATION_END.search(before):
            continue
        end = match.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def paragraph_number(text: str, offset: int) -> int:
    """1-based paragraph (blocks separated by a blank line) holding ``offset``."""
    return len(re.findall(r"\n[ \t]*\n", text[:offset])) + 1


def _excerpt(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].split())


def find_vague_claims(section: str, text: str) -> list[Finding]:
    findings = []
    for s_start, s_end in sentence_spans(text):
        sentence = text[s_start:s_end]
        if _DIGIT.search(sentence):
            continue
        for match in _VAGUE.finditer(sentence):
            start, end = s_start + match.start(), s_start + match.end()
            findings.append(
                Finding(
                    code=VAGUE_CLAIM,
                    severity=CODES[VAGUE_CLAIM][0],
                    section=section,
                    message=_(
                        "“%(phrase)s” with no number in the sentence: say by how much, "
                        "from what to what."
                    )
                    % {"phrase": _excerpt(text, start, end)},
                    start=start,
                    end=end,
                    excerpt=_excerpt(text, s_start, s_end),
                    paragraph=paragraph_number(text, start),
                )
            )
    return findings


# --------------------------------------------------------------------------
# Before / after in the results
# --------------------------------------------------------------------------

_FROM_TO = re.compile(
    r"(?<!\w)(?:from|dari)\s[^.!?\n]{0,60}?\d[^!?\n]{0,60}?"
    r"(?<!\w)(?:to|into|down\s+to|up\s+to|ke|menjadi|hingga|sampai)\s[^.!?\n]{0,40}?\d",
    re.IGNORECASE,
)
_COMPARISON_CUE = _phrase_pattern(
    [
        "before",
        "after",
        "previously",
        "prior",
        "used to",
        "compared",
        "vs",
        "versus",
        "down",
        "up",
        "cut",
        "reduced",
        "fell",
        "dropped",
        "rose",
        "grew",
        "climbed",
        "now",
        "sebelum",
        "sebelumnya",
        "sesudah",
        "setelah",
        "kini",
        "sekarang",
        "dibandingkan",
        "turun",
        "naik",
        "berkurang",
        "bertambah",
    ]
)


def _numbers(text: str) -> set[Decimal]:
    values = set()
    for raw in _NUMBER.findall(text):
        raw = raw.rstrip(".,").replace(",", "")
        try:
            values.add(Decimal(raw).normalize())
        except InvalidOperation:
            continue
    return values


def has_before_after(text: str, metrics: Sequence[MetricInfo] = ()) -> bool:
    """A "from X to Y" / "dari X menjadi Y", a sentence comparing two numbers,
    or a captured metric whose before and after figures both appear."""
    if _FROM_TO.search(text):
        return True
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        if len(_numbers(sentence)) >= 2 and _COMPARISON_CUE.search(sentence):
            return True
    present = _numbers(text)
    for metric in metrics:
        before, after = Decimal(metric.before).normalize(), Decimal(metric.after).normalize()
        if before != after and before in present and after in present:
            return True
    return False


# --------------------------------------------------------------------------
# Quotes in the text
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    text: str  # the quoted words, without markers or attribution


_BLOCKQUOTE_LINE = re.compile(r"^[ \t]*>[ \t]?(.*)$", re.MULTILINE)
_ATTRIBUTION = re.compile(r"^\s*(?:—|\u2013|--|-)\s*\S")
_INLINE_QUOTE = re.compile(r"“([^”]+)”|\"([^\"\n]+)\"")
_MIN_INLINE_QUOTE_WORDS = 4  # shorter quoted words are terms ("before state"), not quotes


def find_quoted_passages(text: str) -> list[Passage]:
    """Markdown blockquotes and “…”/"…" quotations of four words or more."""
    passages: list[Passage] = []
    block_start = block_end = None
    lines: list[str] = []

    def close_block():
        body = " ".join(line for line in lines if line and not _ATTRIBUTION.match(line))
        body = body.strip().strip("\"“”'\u2018\u2019").strip()
        if body:
            passages.append(Passage(block_start, block_end, body))

    for match in _BLOCKQUOTE_LINE.finditer(text):
        if block_end is not None and text[block_end : match.start()].strip() == "":
            # Only a newline between the two lines: the same block.
            lines.append(match.group(1).strip())
            block_end = match.end()
            continue
        if block_start is not None:
            close_block()
        block_start, block_end, lines = match.start(), match.end(), [match.group(1).strip()]
    if block_start is not None:
        close_block()

    blocks = list(passages)
    for match in _INLINE_QUOTE.finditer(text):
        if any(b.start <= match.start() < b.end for b in blocks):
            continue
        body = (match.group(1) or match.group(2) or "").strip()
        if len(body.split()) >= _MIN_INLINE_QUOTE_WORDS:
            passages.append(Passage(match.start(), match.end(), body))
    return sorted(passages, key=lambda p: p.start)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def match_quote(passage: str, quotes: Sequence[QuoteInfo]) -> QuoteInfo | None:
    """The captured quote this passage reproduces (exactly, as a part, or
    lightly edited), or None."""
    said = _norm(passage)
    if not said:
        return None
    best, best_score = None, 0.0
    for quote in quotes:
        captured = _norm(quote.text)
        if not captured:
            continue
        if captured in said or (len(said.split()) >= 4 and said in captured):
            score = 1.0
        else:
            score = difflib.SequenceMatcher(None, said, captured, autojunk=False).ratio()
        if score > best_score:
            best, best_score = quote, score
    return best if best_score >= 0.8 else None


def find_quote_problems(
    section: str, text: str, quotes: Sequence[QuoteInfo]
) -> tuple[list[Finding], int]:
    """Findings about the quotations in ``text`` and how many there are."""
    findings = []
    passages = find_quoted_passages(text)
    for passage in passages:
        quote = match_quote(passage.text, quotes)
        place = {
            "section": section,
            "start": passage.start,
            "end": passage.end,
            "excerpt": _excerpt(text, passage.start, passage.end)[:300],
            "paragraph": paragraph_number(text, passage.start),
        }
        if quote is None:
            findings.append(
                Finding(
                    code=QUOTE_NOT_CAPTURED,
                    severity=CODES[QUOTE_NOT_CAPTURED][0],
                    message=_(
                        "This quotation matches no quote captured for the story: capture it "
                        "with its speaker so its permission can be asked."
                    ),
                    **place,
                )
            )
        elif quote.permission == "refused":
            findings.append(
                Finding(
                    code=QUOTE_REFUSED,
                    severity=CODES[QUOTE_REFUSED][0],
                    message=_("%(speaker)s refused permission for this quote: remove it.")
                    % {"speaker": quote.speaker_name or _("The speaker")},
                    **place,
                )
            )
        elif quote.permission != "approved":
            findings.append(
                Finding(
                    code=QUOTE_NOT_APPROVED,
                    severity=CODES[QUOTE_NOT_APPROVED][0],
                    message=_(
                        "%(speaker)s has not approved this quote yet: ask before the draft "
                        "goes to the customer."
                    )
                    % {"speaker": quote.speaker_name or _("The speaker")},
                    **place,
                )
            )
    return findings, len(passages)


# --------------------------------------------------------------------------
# Figures and where they came from
# --------------------------------------------------------------------------

# A figure: digits with "," or "." groups (1,200 · 1.200 · 66,7 · 4.0 · the
# 1.5 of "1.5x"), not inside a word (Q3, B2B). Clock times (00:12:30) and
# ordered-list markers ("1. ") are not figures.
_FIGURE = re.compile(r"(?<![\w.,:])\d+(?:[.,]\d+)*(?![.,]?\d)(?!:\d)")
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
_LIST_MARKER = re.compile(r"^[ \t]*\d+[.)][ \t]", re.MULTILINE)


def figure_values(token: str) -> set[Decimal]:
    """What a written figure may mean, in English (1,200.5) or Indonesian
    (1.200,5) notation: every reading that is well formed."""
    readings = set()
    for thousands, decimal in ((",", "."), (".", ",")):
        body = token
        whole, sep, fraction = body.rpartition(decimal) if decimal in body else (body, "", "")
        if sep and thousands in fraction:
            continue
        groups = whole.split(thousands)
        if len(groups) > 1 and (
            not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])
        ):
            continue
        if sep and whole.count(decimal):
            continue
        try:
            readings.add(Decimal("".join(groups) + ("." + fraction if sep else "")))
        except InvalidOperation:
            continue
    return readings


def figures_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) of each figure in ``text``."""
    skip = [(m.start(), m.end()) for m in _CLOCK.finditer(text)]
    skip += [(m.start(), m.end()) for m in _LIST_MARKER.finditer(text)]
    found = []
    for match in _FIGURE.finditer(text):
        if any(a <= match.start() < b for a, b in skip):
            continue
        found.append((match.start(), match.end(), match.group()))
    return found


def source_values(source: FigureSource) -> set[Decimal]:
    values = {Decimal(v) for v in source.values}
    for _start, _end, token in figures_in(source.text):
        values |= figure_values(token)
    return values


def _decimals(value: Decimal) -> int:
    return max(0, -value.as_tuple().exponent)


def _same_figure(written: Decimal, given: Decimal) -> bool:
    """``written`` is ``given``, as is or rounded to the places written."""
    if written == given:
        return True
    places = _decimals(written)
    quantum = Decimal(1).scaleb(-places)
    try:
        return given.quantize(quantum) == written or abs(given).quantize(quantum) == written
    except InvalidOperation:
        return False


@dataclass(frozen=True)
class FigureTrace:
    """One figure of the story and the source it came from (None: unsourced)."""

    section: str
    start: int
    end: int
    figure: str
    excerpt: str
    source: FigureSource | None

    @property
    def section_label(self) -> str:
        return str(SECTION_LABELS.get(self.section, ""))


def trace_figures(sections: dict[str, str], sources: Sequence[FigureSource]) -> list[FigureTrace]:
    """Each figure in the story, in reading order, with its first source."""
    known = [(source, source_values(source)) for source in sources]
    traces = []
    for name in SECTION_FIELDS:
        text = sections.get(name) or ""
        spans = sentence_spans(text)
        for start, end, token in figures_in(text):
            readings = figure_values(token)
            found = next(
                (
                    source
                    for source, values in known
                    if any(_same_figure(r, v) for r in readings for v in values)
                ),
                None,
            )
            sentence = next(((a, b) for a, b in spans if a <= start < b), (start, end))
            traces.append(
                FigureTrace(
                    section=name,
                    start=start,
                    end=end,
                    figure=token,
                    excerpt=_excerpt(text, *sentence)[:200],
                    source=found,
                )
            )
    return traces


def find_unsourced_figures(
    sections: dict[str, str], sources: Sequence[FigureSource]
) -> list[Finding]:
    findings = []
    for trace in trace_figures(sections, sources):
        if trace.source is not None:
            continue
        text = sections.get(trace.section) or ""
        findings.append(
            Finding(
                code=UNSOURCED_FIGURE,
                severity=CODES[UNSOURCED_FIGURE][0],
                section=trace.section,
                message=_(
                    "“%(figure)s” comes from no metric and no transcript line: add the "
                    "metric, or check the figure against the interview."
                )
                % {"figure": trace.figure},
                start=trace.start,
                end=trace.end,
                excerpt=trace.excerpt,
                paragraph=paragraph_number(text, trace.start),
            )
        )
    return findings


def _name_pattern(name: str) -> re.Pattern | None:
    words = name.split()
    if not words or (len(words) == 1 and len(words[0]) < 4):
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)


def find_unpermitted_names(section: str, text: str, people: Sequence[PersonInfo]) -> list[Finding]:
    """The prose names a person who has not agreed to be named."""
    findings = []
    for person in people:
        if person.may_be_named:
            continue
        pattern = _name_pattern(person.name)
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            instead = person.title or _("their job title")
            findings.append(
                Finding(
                    code=NAMED_WITHOUT_PERMISSION,
                    severity=CODES[NAMED_WITHOUT_PERMISSION][0],
                    section=section,
                    message=_(
                        "%(name)s has not agreed to be named publicly: write “%(instead)s” "
                        "instead, or record their permission first."
                    )
                    % {"name": person.name, "instead": instead},
                    start=match.start(),
                    end=match.end(),
                    excerpt=_excerpt(
                        text,
                        *next(
                            ((a, b) for a, b in sentence_spans(text) if a <= match.start() < b),
                            (match.start(), match.end()),
                        ),
                    )[:300],
                    paragraph=paragraph_number(text, match.start()),
                    fix_url=person.url,
                    fix_label=_("Record %(name)s's permission") % {"name": person.name}
                    if person.url
                    else "",
                )
            )
    return findings


def unpermitted_names(sections: dict[str, str], people: Sequence[PersonInfo]) -> list[Finding]:
    """Every place the story names someone who has not agreed (publishing refuses)."""
    found = []
    for name in SECTION_FIELDS:
        found += find_unpermitted_names(name, sections.get(name) or "", people)
    return found


# --------------------------------------------------------------------------
# Word counts
# --------------------------------------------------------------------------


def word_counts(sections: dict[str, str]) -> dict:
    """Words per section and in all, against the guide's targets."""
    limits = settings.STORYLINE
    summary_min, summary_max = limits["SUMMARY_WORDS"]
    story_min, story_max = limits["STORY_WORDS"]
    per_section = {name: word_count(sections.get(name) or "") for name in SECTION_FIELDS}
    total = sum(per_section.values())
    return {
        "sections": per_section,
        "total": total,
        "summary_min": summary_min,
        "summary_max": summary_max,
        "story_min": story_min,
        "story_max": story_max,
        "summary_ok": summary_min <= per_section["summary"] <= summary_max,
        "total_ok": story_min <= total <= story_max,
    }


# --------------------------------------------------------------------------
# The whole story
# --------------------------------------------------------------------------


def check_story(
    sections: dict[str, str],
    *,
    quotes: Sequence[QuoteInfo] = (),
    metrics: Sequence[MetricInfo] = (),
    figure_sources: Sequence[FigureSource] | None = None,
    people: Sequence[PersonInfo] = (),
) -> list[Finding]:
    """Every finding for a story given as ``{section: text}``. Figures are
    traced only when ``figure_sources`` is given (a story's own check)."""
    texts = {name: sections.get(name) or "" for name in SECTION_FIELDS}
    counts = word_counts(texts)
    story: list[Finding] = []
    per_section: list[Finding] = []

    total = counts["total"]
    if not counts["total_ok"]:
        story.append(
            Finding(
                code=STORY_LENGTH,
                severity=CODES[STORY_LENGTH][0],
                section="",
                message=_(
                    "The story has %(n)d words; aim for %(min)d-%(max)d: shorter feels "
                    "superficial, longer loses people."
                )
                % {"n": total, "min": counts["story_min"], "max": counts["story_max"]},
            )
        )

    quotations = 0
    for name in SECTION_FIELDS:
        text = texts[name]
        if not text.strip() or _is_placeholder(text):
            per_section.append(
                Finding(
                    code=EMPTY_SECTION,
                    severity=CODES[EMPTY_SECTION][0],
                    section=name,
                    message=_("“%(section)s” is empty: every section of the framework is needed.")
                    % {"section": SECTION_LABELS[name]},
                )
            )
            continue
        if name == "summary":
            n = counts["sections"]["summary"]
            if not counts["summary_ok"]:
                per_section.append(
                    Finding(
                        code=SUMMARY_LENGTH,
                        severity=CODES[SUMMARY_LENGTH][0],
                        section=name,
                        message=_("The executive summary has %(n)d words; aim for %(min)d-%(max)d.")
                        % {"n": n, "min": counts["summary_min"], "max": counts["summary_max"]},
                    )
                )
            if not _DIGIT.search(text):
                per_section.append(
                    Finding(
                        code=SUMMARY_NO_NUMBERS,
                        severity=CODES[SUMMARY_NO_NUMBERS][0],
                        section=name,
                        message=_(
                            "The executive summary has no numbers: give the key results "
                            "with their metrics."
                        ),
                    )
                )
        if name == "results" and not has_before_after(text, metrics):
            per_section.append(
                Finding(
                    code=NO_BEFORE_AFTER,
                    severity=CODES[NO_BEFORE_AFTER][0],
                    section=name,
                    message=_(
                        "The results show no before and after: write “from 8 hours to "
                        "45 minutes” or “dari 15 hari menjadi 5 hari”."
                    ),
                )
            )
        per_section.extend(find_vague_claims(name, text))
        per_section.extend(find_unpermitted_names(name, text, people))
        quote_findings, found = find_quote_problems(name, text, quotes)
        per_section.extend(quote_findings)
        quotations += found

    if quotations == 0:
        story.append(
            Finding(
                code=NO_CUSTOMER_VOICE,
                severity=CODES[NO_CUSTOMER_VOICE][0],
                section="",
                message=_(
                    "No customer quote in the story: add the customer's own words as a "
                    "> blockquote or “inline quotation”."
                ),
            )
        )

    if figure_sources is not None:
        filled = {
            name: text for name, text in texts.items() if text.strip() and not _is_placeholder(text)
        }
        per_section.extend(find_unsourced_figures(filled, figure_sources))

    order = {name: i for i, name in enumerate(SECTION_FIELDS)}
    per_section.sort(key=lambda f: (order[f.section], f.start if f.start is not None else -1))
    return story + per_section


def metric_values(metric) -> tuple[Decimal, ...]:
    """The figures a metric gives: before, after, the difference, the change
    in percent and the ratio (“3x faster”)."""
    before, after = Decimal(metric.before), Decimal(metric.after)
    values = [before, after, abs(after - before)]
    if before:
        values.append(abs((after - before) / before * 100))
        values.append(after / before)
    if after:
        values.append(before / after)
    return tuple(values)


def case_study_figure_sources(case_study) -> list[FigureSource]:
    """The story's metrics, its customer's description, and what the later
    stages give (``STORYLINE_FIGURE_SOURCES``: dotted paths to functions of
    the case study returning ``{"where", "text", "url", "values"}`` dicts,
    e.g. the interviews' transcript lines and ROI figures)."""
    from django.urls import reverse
    from django.utils.module_loading import import_string

    sources = [
        FigureSource(
            where=_("metric “%(label)s”") % {"label": metric.label},
            text=" ".join([metric.label, metric.unit, metric.period]),
            url=reverse("admin:casestudies_metric_change", args=[metric.pk]),
            values=metric_values(metric),
        )
        for metric in case_study.metrics.all()
    ]
    customer_url = reverse("admin:casestudies_customer_change", args=[case_study.customer_id])
    sources.append(
        FigureSource(
            where=_("the customer's name"),
            text=f"{case_study.customer.name} {case_study.public_customer_name}",
            url=customer_url,
        )
    )
    if case_study.customer.description:
        sources.append(
            FigureSource(
                where=_("the customer's description"),
                text=case_study.customer.description,
                url=customer_url,
            )
        )
    for path in getattr(settings, "STORYLINE_FIGURE_SOURCES", ()):
        for item in import_string(path)(case_study):
            sources.append(
                FigureSource(
                    where=item["where"],
                    text=item.get("text", ""),
                    url=item.get("url", ""),
                    values=tuple(Decimal(v) for v in item.get("values", ())),
                )
            )
    return sources


def case_study_people(case_study) -> list[PersonInfo]:
    """The customer's contacts (and the speakers of its quotes, as their
    names are published) with whether each may be named."""
    from django.urls import reverse

    people = []
    for contact in case_study.customer.contacts.all():
        url = reverse("admin:casestudies_contact_change", args=[contact.pk])
        people.append(PersonInfo(contact.name, contact.may_be_named, contact.title, url))
    for quote in case_study.quotes.select_related("speaker"):
        speaker = quote.speaker
        if speaker is not None and quote.speaker_name.strip() != speaker.name.strip():
            url = reverse("admin:casestudies_contact_change", args=[speaker.pk])
            people.append(
                PersonInfo(quote.speaker_name, speaker.may_be_named, quote.speaker_title, url)
            )
    return people


def check_case_study_story(
    case_study, sections: dict[str, str], *, figure_sources: Sequence[FigureSource] | None = None
) -> list[Finding]:
    """Check ``sections`` with ``case_study``'s captured quotes and metrics,
    where its figures came from (``figure_sources``, read when not given)
    and who may be named."""
    quotes = [
        QuoteInfo(text=q.text, permission=q.permission, speaker_name=q.speaker_name)
        for q in case_study.quotes.all()
    ]
    metrics = [
        MetricInfo(label=m.label, before=m.before, after=m.after) for m in case_study.metrics.all()
    ]
    return check_story(
        sections,
        quotes=quotes,
        metrics=metrics,
        figure_sources=(
            case_study_figure_sources(case_study) if figure_sources is None else figure_sources
        ),
        people=case_study_people(case_study),
    )


def check_version(version) -> list[Finding]:
    return check_case_study_story(version.case_study, version.sections())


def summarise(findings: Sequence[Finding]) -> dict[str, int]:
    errors = sum(1 for f in findings if f.is_error)
    return {"errors": errors, "warnings": len(findings) - errors}
