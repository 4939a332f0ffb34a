from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import TransitionError
from interviews import services
from interviews.models import Transcript, TranscriptSegment
from interviews.transcripts import TranscriptError, parse

VTT = """WEBVTT

NOTE recorded on Zoom

1
00:00:01.000 --> 00:00:04.500
<v Sari Wijaya>Month-end close took us fifteen days.</v>

2
00:00:05.000 --> 00:00:09.000
Budi: The integration took two weeks.

00:01:10.250 --> 00:01:12.000
<v.loud Dewi>Now I finish by <i>noon</i>.
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
Sari Wijaya: We cut close from 15 days to 5.

2
00:00:04,500 --> 00:00:08,000
Interviewer: What numbers show that?
"""

TXT = """[00:00:05] Interviewer: What was the challenge?
[00:00:09] Sari: Fifteen days to close the books.
It was painful for the whole team.
[00:01:02] Budi Santoso: Integration went smoothly.
"""


def test_it_reads_webvtt_with_voice_tags_and_name_prefixes():
    fmt, segments = parse(VTT.encode(), "call.vtt")
    assert fmt == "vtt"
    assert [(s.speaker, s.start, s.end) for s in segments] == [
        ("Sari Wijaya", Decimal("1.000"), Decimal("4.500")),
        ("Budi", Decimal("5.000"), Decimal("9.000")),
        ("Dewi", Decimal("70.250"), Decimal("72.000")),
    ]
    assert segments[0].text == "Month-end close took us fifteen days."
    assert segments[2].text == "Now I finish by noon."


def test_it_reads_srt_with_name_prefixes():
    fmt, segments = parse(SRT.encode("utf-8"), "call.SRT")
    assert fmt == "srt"
    assert segments[0].speaker == "Sari Wijaya"
    assert segments[0].text == "We cut close from 15 days to 5."
    assert segments[1].start == Decimal("4.5")


def test_it_reads_plain_text_with_and_without_timestamps():
    _fmt, segments = parse(TXT.encode("utf-8-sig"), "notes.txt")  # with a BOM
    assert [s.speaker for s in segments] == ["Interviewer", "Sari", "Budi Santoso"]
    assert (
        segments[1].text == "Fifteen days to close the books.\nIt was painful for the whole team."
    )
    assert (segments[1].start, segments[1].end) == (Decimal(9), Decimal(62))
    _fmt, plain = parse(b"Ana: Hello\nBudi: Hi there", "x.txt")
    assert [(s.speaker, s.text, s.start) for s in plain] == [
        ("Ana", "Hello", None),
        ("Budi", "Hi there", None),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.vtt", "WEBVTT\n\n", "no cues"),
        ("a.vtt", "1\n00:00:01.000 --> 00:00:02.000\nHi\n", "Line 1"),
        ("a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:0x:02.000\nHi\n", "Line 3"),
        ("a.vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nHi\n", "ends before it starts"),
        ("a.vtt", "WEBVTT\n\nhello\nworld\n", "Line 4"),
        ("a.srt", "1\n00:00:01,000 -> 00:00:02,000\nHi\n", "Line 2"),
        ("a.srt", "", "no cues"),
        ("a.txt", "[00:61:00] Ana: hi\n", "Line 1"),
        ("a.txt", "Ana: hi\n[00:00:0x] Budi: hello\n", "Line 2"),
        ("a.txt", "just some words\nwithout speakers\n", "no speaker"),
        ("a.txt", "   \n\n", "no cues"),
        ("a.docx", "Ana: hi", ".txt, .vtt or .srt"),
        # More than 99 hours cannot be a recording (and would not fit the column).
        ("a.txt", "[300:00:00] Ana: hi\n", "Line 1"),
        ("a.vtt", "WEBVTT\n\n300:00:01.000 --> 300:00:02.000\nHi\n", "Line 3"),
    ],
)
def test_it_refuses_broken_files_naming_the_line(name, content, message):
    with pytest.raises(TranscriptError, match=message):
        parse(content.encode(), name)


def test_it_refuses_text_that_is_not_utf8():
    with pytest.raises(TranscriptError, match="Line 2 is not UTF-8"):
        parse("Ana: hi\nBudi: caf\xe9".encode("latin-1"), "a.txt")


@pytest.mark.django_db
def test_an_upload_is_parsed_stored_and_matched_to_stakeholders(interview, alice):
    upload = SimpleUploadedFile("call.vtt", VTT.encode(), content_type="text/vtt")
    transcript = services.transcript_upload(interview=interview, upload=upload, actor=alice)

    segments = list(transcript.segments.select_related("contact"))
    assert len(segments) == 3
    assert segments[0].contact.name == "Sari Wijaya"  # full name
    assert segments[1].contact.name == "Budi Santoso"  # first name
    assert segments[2].contact.name == "Dewi Lestari"
    assert segments[2].start_clock == "00:01:10"
    assert transcript.file.read() == VTT.encode()


@pytest.mark.django_db
def test_a_broken_upload_saves_nothing(interview, alice, settings):
    broken = SimpleUploadedFile("call.vtt", b"WEBVTT\n\n00:00:01.000 --> bad\nHi\n")
    with pytest.raises(TransitionError, match="Line 3"):
        services.transcript_upload(interview=interview, upload=broken, actor=alice)
    assert Transcript.objects.count() == 0
    assert TranscriptSegment.objects.count() == 0

    settings.STORYLINE = {**settings.STORYLINE, "INTERVIEW_TRANSCRIPT_MAX_MB": 1}
    big = SimpleUploadedFile("call.txt", b"Ana: " + b"a" * (1024 * 1024 + 1))
    with pytest.raises(TransitionError, match="larger than 1 MB"):
        services.transcript_upload(interview=interview, upload=big, actor=alice)
    assert Transcript.objects.count() == 0
