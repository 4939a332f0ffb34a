"""Transcript parsers: WebVTT, SRT and plain text → segments (speaker, start,
end, text).

Each parser raises :class:`TranscriptError` naming the line that is wrong, so
a person can fix the file; nothing is saved from a file that fails.

- WebVTT: ``WEBVTT`` header, cues with ``00:01:02.500 --> 00:01:05.000``;
  speakers as ``<v Name>`` voice tags or a ``Name:`` prefix.
- SRT: numbered cues with ``00:01:02,500 --> 00:01:05,000``; ``Name:`` prefix.
- Plain text: ``Name: text`` or ``[00:01:02] Name: text`` lines; other lines
  continue the previous speaker's turn.
"""

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _


class TranscriptError(ValueError):
    """The file cannot be read as a transcript; the message says where."""


@dataclass
class Segment:
    speaker: str
    start: Decimal | None
    end: Decimal | None
    text: str


FORMATS = {"vtt": "vtt", "srt": "srt", "txt": "txt"}

_TIMESTAMP = re.compile(r"^(?:(\d{1,2}):)?([0-5]\d):([0-5]\d)(?:[.,](\d{1,3}))?$")
_ARROW = "-->"
_SPEAKER_PREFIX = re.compile(r"^(?P<name>[^\s:\[\]<>][^:\[\]<>]{0,79}?):\s+(?P<text>\S.*)$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>", re.IGNORECASE)
_TAG = re.compile(r"</?[^>]+>")
_TXT_TIME = re.compile(r"^\[(?P<time>[^\]]*)\]\s*(?P<rest>.*)$")


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), or a clear refusal."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TranscriptError(
            _("Line %(line)d is not UTF-8 text. Save the transcript as UTF-8 and upload it again.")
            % {"line": line}
        ) from exc
    if "\x00" in text:
        raise TranscriptError(_("This is not a text file. Upload a .txt, .vtt or .srt transcript."))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_timestamp(value: str, line: int) -> Decimal:
    match = _TIMESTAMP.match(value.strip())
    if not match:
        raise TranscriptError(
            _("Line %(line)d: “%(value)s” is not a timestamp like 00:01:02.500.")
            % {"line": line, "value": value.strip()[:40]}
        )
    hours, minutes, seconds, millis = match.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return Decimal(total) + Decimal(int((millis or "0").ljust(3, "0"))) / 1000


def _timing(line_text: str, line: int) -> tuple[Decimal, Decimal]:
    left, _sep, right = line_text.partition(_ARROW)
    right = right.strip().split()[0] if right.strip() else ""
    start = parse_timestamp(left, line)
    end = parse_timestamp(right, line)
    if end < start:
        raise TranscriptError(_("Line %(line)d: the cue ends before it starts.") % {"line": line})
    return start, end


def _split_speaker(text: str) -> tuple[str, str]:
    match = _SPEAKER_PREFIX.match(text)
    if match:
        return match["name"].strip(), match["text"].strip()
    return "", text


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks, each with the number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _no_cues() -> TranscriptError:
    return TranscriptError(_("The file has no cues: no line of the transcript could be read."))


def parse_vtt(text: str) -> list[Segment]:
    blocks = _blocks(text)
    if not blocks or not blocks[0][1][0].lstrip("\ufeff").startswith("WEBVTT"):
        raise TranscriptError(_("Line 1: a WebVTT file starts with “WEBVTT”."))
    segments: list[Segment] = []
    for first_line, lines in blocks[1:]:
        head = lines[0]
        if head.startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_index = 0 if _ARROW in head else 1
        if timing_index >= len(lines) or _ARROW not in lines[timing_index]:
            raise TranscriptError(
                _("Line %(line)d: expected a cue timing like 00:00:01.000 --> 00:00:04.000.")
                % {"line": first_line + timing_index}
            )
        start, end = _timing(lines[timing_index], first_line + timing_index)
        raw = " ".join(line.strip() for line in lines[timing_index + 1 :])
        voice = _VOICE.search(raw)
        body = _TAG.sub("", raw).strip()
        if voice:
            speaker = voice.group(1).strip()
        else:
            speaker, body = _split_speaker(body)
        if body:
            segments.append(Segment(speaker, start, end, body))
    if not segments:
        raise _no_cues()
    return segments


def parse_srt(text: str) -> list[Segment]:
    segments: list[Segment] = []
    for first_line, lines in _blocks(text):
        timing_index = 1 if lines[0].strip().isdigit() else 0
        if timing_index >= len(lines) or _ARROW not in lines[timing_index]:
            raise TranscriptError(
                _("Line %(line)d: expected a cue timing like 00:00:01,000 --> 00:00:04,000.")
                % {"line": first_line + timing_index}
            )
        start, end = _timing(lines[timing_index], first_line + timing_index)
        body = _TAG.sub("", " ".join(line.strip() for line in lines[timing_index + 1 :])).strip()
        speaker, body = _split_speaker(body)
        if body:
            segments.append(Segment(speaker, start, end, body))
    if not segments:
        raise _no_cues()
    return segments


def parse_txt(text: str) -> list[Segment]:
    segments: list[Segment] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        start = None
        timed = _TXT_TIME.match(line)
        if timed:
            start = parse_timestamp(timed["time"], number)
            line = timed["rest"].strip()
            if not line:
                raise TranscriptError(
                    _("Line %(line)d: a timestamp with nothing said after it.") % {"line": number}
                )
        speaker, body = _split_speaker(line)
        if speaker or start is not None or not segments:
            segments.append(Segment(speaker, start, None, body))
        else:  # a continuation of the previous turn
            segments[-1].text = f"{segments[-1].text}\n{body}"
    if not segments:
        raise _no_cues()
    if not any(segment.speaker for segment in segments):
        raise TranscriptError(
            _("Line 1: no speaker found. Write each turn as “Name: what they said”.")
        )
    # A turn ends when the next one starts.
    for current, following in itertools.pairwise(segments):
        if current.start is not None and following.start is not None:
            if following.start < current.start:
                raise TranscriptError(
                    _("A timestamp goes back in time after “%(text)s”.")
                    % {"text": current.text[:40]}
                )
            current.end = following.start
    return segments


PARSERS = {"vtt": parse_vtt, "srt": parse_srt, "txt": parse_txt}


def detect_format(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in PARSERS:
        raise TranscriptError(_("Upload a transcript as a .txt, .vtt or .srt file."))
    return extension


def parse(data: bytes, filename: str) -> tuple[str, list[Segment]]:
    """Decode and parse an uploaded transcript: (format, segments)."""
    fmt = detect_format(filename)
    text = decode(data)
    if fmt == "txt" and text.lstrip().startswith("WEBVTT"):
        fmt = "vtt"
    return fmt, PARSERS[fmt](text)
