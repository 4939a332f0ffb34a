"""The first draft is assembled from the interview itself: the transcript's
passages by the guide's questions, order and timed sections; the quotes
taken (awaiting ones marked); the metrics. Unused passages are listed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casestudies import checker
from casestudies.checker import DRAFT_PLACEHOLDER
from interviews import draft_sources, drafting, services
from interviews.models import GuideSection
from tests import factories

pytestmark = pytest.mark.django_db

G = GuideSection

# A 60-minute call: the interviewer asks (paraphrases of) the guide's questions.
CALL = """WEBVTT

00:00:10.000 --> 00:00:20.000
Interviewer: Thanks for joining. What business challenge were you facing?

00:00:25.000 --> 00:01:30.000
Sari Wijaya: Closing the books took us 15 days every month, and the team worked every weekend of it.

00:01:35.000 --> 00:01:40.000
Interviewer: Can you give a specific example?

00:01:45.000 --> 00:02:30.000
Sari Wijaya: In March we missed the board deadline by four days because of manual reconciliations.

00:02:35.000 --> 00:02:40.000
Sari Wijaya: Yes, exactly.

00:15:00.000 --> 00:15:10.000
Interviewer: Which solutions did you evaluate before choosing?

00:15:20.000 --> 00:16:30.000
Budi Santoso: We compared three vendors over six weeks and picked the one that spoke to our ERP.

00:25:00.000 --> 00:25:10.000
Interviewer: How did the deployment go?

00:25:15.000 --> 00:26:30.000
Budi Santoso: The rollout took 8 weeks, with one integration sprint for the ledger export.

00:35:00.000 --> 00:35:10.000
Interviewer: What specific outcomes have you achieved since then?

00:35:15.000 --> 00:36:30.000
Sari Wijaya: We close in 5 days now, and nobody works the weekend any more.

00:36:35.000 --> 00:37:30.000
Dewi Lestari: I finish my reconciliations by noon instead of late at night, every single day.

00:55:00.000 --> 00:55:10.000
Interviewer: How will you expand your usage next year?

00:55:15.000 --> 00:56:30.000
Sari Wijaya: Next we roll it out to the 3 entities in Singapore and Malaysia.
"""


def upload(interview, alice, text=CALL, name="call.vtt"):
    return services.transcript_upload(
        interview=interview, upload=SimpleUploadedFile(name, text.encode()), actor=alice
    )


@pytest.fixture
def drafted(make_interview, alice):
    interview = make_interview(state="drafting")
    services.guide_generate(interview=interview, actor=alice)
    transcript = upload(interview, alice)
    segment = transcript.segments.get(text__startswith="We close in 5 days")
    quote = services.quote_capture(
        interview=interview,
        text=segment.text,
        segment=segment,
        kind="result",
        actor=alice,
    )
    return interview, quote


def test_with_a_transcript_and_a_quote_no_section_is_empty(drafted, alice):
    interview, _quote = drafted
    version = services.draft_assemble(interview=interview, actor=alice)
    sections = version.sections()
    assert all(DRAFT_PLACEHOLDER not in text for text in sections.values())
    assert "Closing the books took us 15 days every month" in version.challenge
    assert "missed the board deadline by four days" in version.challenge  # after a probe
    assert "We compared three vendors over six weeks" in version.solution
    assert "The rollout took 8 weeks" in version.implementation
    assert "I finish my reconciliations by noon" in version.results
    assert "the 3 entities in Singapore" in version.future_plans
    # The summary opens with the challenge, from the transcript when nothing was typed.
    assert "**The challenge:** Closing the books took us 15 days every month" in version.summary


def test_a_quote_taken_is_placed_and_marked_awaiting_permission(drafted, alice):
    interview, _quote = drafted
    version = services.draft_assemble(interview=interview, actor=alice)
    block = "> “We close in 5 days now, and nobody works the weekend any more.”"
    assert block in version.results
    assert "_Awaiting permission: not asked yet." in version.results
    # The passage is there once: as the quote, not again as a paragraph.
    assert version.results.count("We close in 5 days now") == 1


def test_refused_quotes_stay_out_and_approved_ones_carry_no_mark(drafted, alice):
    interview, quote = drafted
    services.quote_permission_set(quote=quote, permission="asked", actor=alice)
    assert "Awaiting permission: asked, no answer yet." in drafting.assemble(interview)["results"]
    services.quote_permission_set(quote=quote, permission="approved", actor=alice)
    results = drafting.assemble(interview)["results"]
    assert "We close in 5 days now" in results and "Awaiting permission" not in results
    services.quote_permission_set(quote=quote, permission="refused", actor=alice)
    assert "We close in 5 days now" not in "\n".join(drafting.assemble(interview).values())


def test_unused_passages_are_listed_with_their_reason(drafted, alice):
    interview, _quote = drafted
    plan = drafting.build(interview).plan
    unused = {p.segment.text: p.unused_reason for p in plan.unused}
    assert unused == {
        "Yes, exactly.": "too short to stand alone",
        "We close in 5 days now, and nobody works the weekend any more.": (
            "captured as a quote: the quote is used"
        ),
    }
    # Interviewer turns are never passages.
    assert not [p for p in plan.placed if p.segment.speaker == "Interviewer"]


def test_the_guide_question_decides_and_its_reason_is_given(drafted):
    interview, _quote = drafted
    plan = drafting.build(interview).plan
    rollout = next(p for p in plan.placed if p.segment.text.startswith("The rollout"))
    assert rollout.section == G.IMPLEMENTATION
    assert rollout.reason == "answers “How did the deployment go?”"


def test_without_recognised_questions_the_timed_sections_decide(make_interview, alice):
    interview = make_interview(state="drafting")
    services.guide_generate(interview=interview, actor=alice)
    # 65 minutes of answers, none after a recognisable guide question.
    lines = ["WEBVTT", ""]
    said = {
        1: "The old process meant fifteen days of manual work each month.",
        20: "We looked at a few tools and this one fitted how we work.",
        30: "Getting it live was mostly about training the accountants.",
        45: "Our close is now done in a third of the time it used to take.",
        62: "We want to bring the procurement team onto it as well.",
    }
    for minute, text in said.items():
        clock = f"{minute // 60:02d}:{minute % 60:02d}"
        lines += [f"{clock}:00.000 --> {clock}:30.000", f"Sari Wijaya: {text}", ""]
    upload(interview, alice, "\n".join(lines))
    placed = {p.segment.text: p.section for p in drafting.build(interview).plan.placed}
    assert list(placed.values()) == [
        G.CHALLENGE,  # 0-15 of 65 minutes
        G.SOLUTION_SELECTION,  # 15-25
        G.IMPLEMENTATION,  # 25-35
        G.RESULTS,  # 35-55
        G.FUTURE_PLANS,  # 55-65
    ]
    reasons = {p.reason for p in drafting.build(interview).plan.placed}
    assert "in the guide's time for “Results”" in reasons


def test_a_probe_keeps_the_section_but_the_clock_moves_it_on(make_interview, alice):
    interview = make_interview(state="drafting")
    services.guide_generate(interview=interview, actor=alice)
    call = """WEBVTT

00:00:10.000 --> 00:00:20.000
Interviewer: What business challenge were you facing?

00:00:30.000 --> 00:01:00.000
Sari Wijaya: Every month-end was a scramble across four spreadsheets and two teams.

00:40:00.000 --> 00:40:10.000
Interviewer: And then?

00:40:20.000 --> 00:41:00.000
Sari Wijaya: Now the numbers reconcile themselves and the close is calm and predictable.

00:59:00.000 --> 00:59:10.000
Interviewer: Anything else?

00:59:20.000 --> 01:05:00.000
Sari Wijaya: We are talking about rolling it out to the regional offices next.
"""
    upload(interview, alice, call)
    placed = [p.section for p in drafting.build(interview).plan.placed]
    assert placed == [G.CHALLENGE, G.RESULTS, G.FUTURE_PLANS]


def test_a_plain_text_transcript_without_times_goes_by_order(make_interview, alice):
    interview = make_interview(state="drafting")
    services.guide_generate(interview=interview, actor=alice)
    text = (
        "Interviewer: What business challenge were you facing?\n"
        "Sari Wijaya: Closing took fifteen days and everyone was exhausted by it.\n"
        "Interviewer: Why did you choose us over the alternatives?\n"
        "Budi Santoso: The integration with our ledger was the only one that worked.\n"
    )
    upload(interview, alice, text, name="call.txt")
    sections = drafting.assemble(interview)
    assert "Closing took fifteen days" in sections["challenge"]
    assert "The integration with our ledger" in sections["solution"]
    assert sections["implementation"] == "_No answers recorded for this section yet._"


def test_the_latest_transcript_is_the_one_used(drafted, alice):
    interview, _quote = drafted
    upload(
        interview,
        alice,
        "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nSari Wijaya: A corrected transcript, "
        "one long answer about the challenge.\n",
    )
    sections = drafting.assemble(interview)
    assert "A corrected transcript" in sections["challenge"]
    assert "Closing the books took us 15 days" not in sections["challenge"]


def test_the_draft_is_deterministic(drafted):
    interview, _quote = drafted
    assert drafting.assemble(interview) == drafting.assemble(interview)


def test_the_draft_page_shows_what_goes_where_and_the_unused_passages(client, alice, drafted):
    interview, _quote = drafted
    client.force_login(alice)
    url = reverse("admin:interviews_interview_draft", args=[interview.pk])
    page = client.get(url).content.decode()
    assert "What goes where" in page
    assert "answers “How did the deployment go?”" in page
    assert "Passages not used" in page and "too short to stand alone" in page
    response = client.post(url, follow=True)
    assert "Transcript passages not used in the draft: 2." in response.content.decode()


def test_figure_sources_name_the_transcript_line(drafted):
    interview, _quote = drafted
    sources = draft_sources.figure_sources(interview.case_study)
    texts = [s["text"] for s in sources]
    assert any("15 days" in t for t in texts)
    assert all("line" in s["where"] and "?segment=" in s["url"] for s in sources)
    assert not any("Yes, exactly." in t for t in texts)  # no digit, no figure


def test_an_empty_story_without_transcript_still_works(make_interview, alice):
    interview = make_interview(state="drafting")
    services.guide_generate(interview=interview, actor=alice)
    factories.MetricFactory(case_study=interview.case_study)
    draft = drafting.build(interview)
    assert draft.plan.transcript is None and draft.plan.placed == []
    assert "**Month-end close**" in draft.sections["results"]


FIGURES_CALL = """WEBVTT

00:00:10.000 --> 00:00:20.000
Interviewer: What business challenge were you facing?

00:00:25.000 --> 00:01:30.000
Sari Wijaya: Closing the books took us 15 days, with 12 people on it every month.

00:35:00.000 --> 00:35:10.000
Interviewer: What specific outcomes have you achieved?

00:35:15.000 --> 00:36:30.000
Sari Wijaya: We close in 5 days now and 4 of those people moved to analysis work.
"""


def test_every_figure_of_the_first_draft_traces_to_a_metric_or_a_transcript_line(
    make_interview, alice
):
    interview = make_interview(state="drafting")
    cs = interview.case_study
    cs.customer.description = ""
    # A name without a number ("Customer 12" would be where a 12 comes from).
    cs.customer.name = "Meridian Health"
    cs.customer.save()
    services.guide_generate(interview=interview, actor=alice)
    services.transcript_upload(
        interview=interview,
        upload=SimpleUploadedFile("call.vtt", FIGURES_CALL.encode()),
        actor=alice,
    )
    version = services.draft_assemble(interview=interview, actor=alice)
    traces = checker.trace_figures(version.sections(), checker.case_study_figure_sources(cs))
    assert traces and all(t.source is not None for t in traces), [
        t.figure for t in traces if t.source is None
    ]
    kinds = {t.figure: t.source.where for t in traces}
    assert kinds["12"].startswith("transcript of") and "line 2 (00:00:25)" in kinds["12"]
    assert kinds["66.7"] == "metric “Month-end close”"  # the factory's metric, 15 → 5 days
    codes = [f.code for f in checker.check_version(version)]
    assert checker.UNSOURCED_FIGURE not in codes
