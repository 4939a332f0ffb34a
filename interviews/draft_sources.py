"""Which transcript passage answers which section of the guide: the first
draft's sources, worked out offline and deterministically.

The latest transcript of an interview is read turn by turn:

- an interviewer's turn (a speaker who is not a stakeholder, or, when no
  speaker was matched to a stakeholder, a turn ending with “?”) that shares
  enough words with a question of the interview's guide *opens* that
  question's section;
- each customer turn after it answers that section. After an interviewer's
  turn that matches no guide question (a probe, a paraphrase), the guide's
  order and the clock decide: the passage stays in the section of the last
  matched question unless the guide's timed sections say the interview has
  moved on to a later one;
- before any guide question is recognised, the timed sections alone decide:
  each section's minutes in the guide, spread over the transcript's length
  (by the cue times, or by the turns' order when there are none).

A passage is *used* in the draft unless it is too short to stand alone, its
section already has :data:`MAX_PASSAGES_PER_SECTION` passages, or it was
captured as a quote (the quote goes in instead). The others are listed for
the writer, with the reason.

:func:`figure_sources` gives the checker every figure a story may cite: the
transcript lines of the story's interviews (``STORYLINE_FIGURE_SOURCES``).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from interviews import guide
from interviews.models import (
    GuideQuestion,
    Interview,
    RoiFigure,
    Transcript,
    TranscriptSegment,
)

MIN_PASSAGE_WORDS = 5
MAX_PASSAGES_PER_SECTION = 6
SECTION_ORDER = [section for section, _minutes in guide.SECTION_MINUTES]

# Words that say nothing about a section, in English and Bahasa Indonesia.
_STOPWORDS_TEXT = """
    a about after again all also am an and any are as at be been before being but by can
    could did do does doing for from had has have having he her here him his how i if in
    into is it its just me more most my no not now of on once only or other our out over
    own same she so some such than that the their them then there these they this those
    to too under until up very was we were what when where which while who whom why will
    with would you your yours us did done go went get got make made really kind sort well
    yes yeah okay ok thanks thank think know like
    ada adalah agar akan anda apa apakah atau bagaimana bagi bahwa banyak begitu belum
    bisa dalam dan dari dengan di dia hal ini itu jadi juga kami kamu karena ke kita
    lebih mana mengapa mereka oleh pada para saat saja sangat saya sebagai sudah tadi
    tapi telah tentang tidak untuk yang ya
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_WORD = re.compile(r"\w+", re.UNICODE)


def content_words(text: str) -> set[str]:
    """Lower-case words of three letters or more, without stop words, a plural
    “s” taken off (“solutions” meets “solution”)."""
    flat = unicodedata.normalize("NFKC", text).lower()
    words = set()
    for word in _WORD.findall(flat):
        if len(word) < 3 or word in STOPWORDS or word.isdigit():
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return words


@dataclass
class Placed:
    """One customer turn of the transcript and where the draft puts it."""

    segment: TranscriptSegment
    section: str  # a GuideSection value
    reason: str
    used: bool = True
    unused_reason: str = ""

    @property
    def words(self) -> int:
        return len(self.segment.text.split())


@dataclass
class Plan:
    """The draft's transcript sources for one interview."""

    transcript: Transcript | None
    placed: list[Placed] = field(default_factory=list)

    def used(self, section: str) -> list[Placed]:
        return [p for p in self.placed if p.used and p.section == section]

    @property
    def unused(self) -> list[Placed]:
        return [p for p in self.placed if not p.used]

    def sections_covered(self) -> set[str]:
        return {p.section for p in self.placed if p.used}


def latest_transcript(interview: Interview) -> Transcript | None:
    return interview.transcripts.order_by("-uploaded_at", "-id").first()


def _matcher(questions: list[GuideQuestion]):
    """A function: interviewer's words → (guide question, score) or None."""
    bank = [(q, content_words(q.question)) for q in questions]

    def match(text: str):
        said = content_words(text)
        best, best_score = None, 0.0
        for question, words in bank:
            if not words:
                continue
            common = len(words & said)
            score = common / len(words)
            if common >= min(2, len(words)) and score >= 0.5 and score > best_score:
                best, best_score = question, score
        return best

    return match


def _section_windows(questions: list[GuideQuestion]) -> list[tuple[str, float, float]]:
    """(section, start, end) as fractions of the interview, from the guide's
    minutes (the generated guide's, else the bank's)."""
    minutes = dict.fromkeys(SECTION_ORDER, 0)
    for q in questions:
        if q.section in minutes:
            minutes[q.section] += q.minutes
    if not sum(minutes.values()):
        minutes = dict(guide.SECTION_MINUTES)
    total = sum(minutes.values())
    windows, start = [], 0.0
    for section in SECTION_ORDER:
        end = start + minutes[section] / total
        windows.append((section, start, end))
        start = end
    return windows


def _clock_section(windows, fraction: float) -> str:
    for section, _start, end in windows:
        if fraction < end:
            return section
    return windows[-1][0]


def plan(interview: Interview, *, quoted_segment_ids: set[int] | frozenset = frozenset()) -> Plan:
    """Place each customer turn of the interview's latest transcript."""
    transcript = latest_transcript(interview)
    if transcript is None:
        return Plan(transcript=None)
    segments = list(transcript.segments.order_by("position"))
    questions = list(interview.guide_questions.order_by("position", "id"))
    if not segments:
        return Plan(transcript=transcript)
    match = _matcher(questions)
    windows = _section_windows(questions)
    titles = {s: t.get(interview.language) for s, t in guide.SECTION_TITLES.items()}
    order = {section: i for i, section in enumerate(SECTION_ORDER)}

    any_contact = any(s.contact_id for s in segments)

    def is_interviewer(segment: TranscriptSegment) -> bool:
        if any_contact:
            return segment.contact_id is None
        return segment.text.rstrip().endswith("?")

    timed = [s for s in segments if s.start is not None]
    first = timed[0].start if timed else None
    last = max((s.end if s.end is not None else s.start) for s in timed) if timed else None

    def fraction(index: int, segment: TranscriptSegment) -> float:
        if first is not None and last is not None and last > first and segment.start is not None:
            return float((segment.start - first) / (last - first))
        return index / len(segments)

    result = Plan(transcript=transcript)
    asked: GuideQuestion | None = None  # the last guide question recognised
    probed = False  # an unrecognised question was asked since
    for index, segment in enumerate(segments):
        if is_interviewer(segment):
            question = match(segment.text)
            if question is not None:
                asked, probed = question, False
            else:
                probed = True
            continue
        by_clock = _clock_section(windows, fraction(index, segment))
        clock_reason = _("in the guide's time for “%(section)s”") % {"section": titles[by_clock]}
        if asked is None or (probed and order[by_clock] > order[asked.section]):
            section, reason = by_clock, clock_reason
        else:
            section = asked.section
            reason = _("answers “%(question)s”") % {"question": asked.question}
        result.placed.append(Placed(segment=segment, section=section, reason=reason))

    counts = dict.fromkeys(SECTION_ORDER, 0)
    for placed in result.placed:
        if placed.segment.pk in quoted_segment_ids:
            placed.used, placed.unused_reason = False, _("captured as a quote: the quote is used")
        elif placed.words < MIN_PASSAGE_WORDS:
            placed.used, placed.unused_reason = False, _("too short to stand alone")
        elif counts[placed.section] >= MAX_PASSAGES_PER_SECTION:
            placed.used = False
            placed.unused_reason = _("its section already has %(n)d passages") % {
                "n": MAX_PASSAGES_PER_SECTION
            }
        else:
            counts[placed.section] += 1
    return result


def figure_sources(case_study) -> list[dict]:
    """Every transcript line of the story's interviews that holds a digit,
    and every ROI figure, as ``{"where", "text", "url", "values"}``: what
    the checker traces a story's figures to (``STORYLINE_FIGURE_SOURCES``)."""
    segments = (
        TranscriptSegment.objects.filter(transcript__interview__case_study=case_study)
        .filter(text__regex=r"[0-9]")
        .select_related("transcript__interview")
        .order_by("transcript__interview__date", "transcript_id", "position")
    )
    sources = []
    for segment in segments:
        where = _("transcript of %(date)s, line %(n)d%(clock)s") % {
            "date": formats.date_format(segment.transcript.interview.date, "DATE_FORMAT"),
            "n": segment.position,
            "clock": f" ({segment.start_clock})" if segment.start is not None else "",
        }
        url = reverse(
            "admin:interviews_interview_transcript", args=[segment.transcript.interview_id]
        )
        sources.append({"where": where, "text": segment.text, "url": f"{url}?segment={segment.pk}"})
    rois = RoiFigure.objects.filter(interview__case_study=case_study).order_by("id")
    for roi in rois:
        values = [roi.investment, roi.benefit, roi.annual_benefit, roi.roi_percent]
        values.append(roi.payback_months)
        sources.append(
            {
                "where": _("ROI figure “%(label)s”") % {"label": roi.label},
                "text": roi.label,
                "url": reverse("admin:interviews_interview_change", args=[roi.interview_id]),
                "values": [v for v in values if v is not None],
            }
        )
    return sources
