import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casestudies.models import Quote
from core.errors import TransitionError
from core.models import AuditEntry
from interviews import drafting, services
from interviews.models import GuideSection, QuoteSource, RoiFigure
from tests import factories
from tests.interviews.test_transcripts import VTT

pytestmark = pytest.mark.django_db


def _transcript(interview, alice):
    upload = SimpleUploadedFile("call.vtt", VTT.encode())
    return services.transcript_upload(interview=interview, upload=upload, actor=alice)


def test_a_quote_captured_from_a_passage_remembers_it(interview, alice):
    segment = _transcript(interview, alice).segments.get(position=1)
    quote = services.quote_capture(
        interview=interview,
        text="  Month-end close took us   fifteen days. ",
        segment=segment,
        kind=Quote.Kind.PULL,
        actor=alice,
    )
    assert quote.text == "Month-end close took us fifteen days."
    assert quote.speaker.name == "Sari Wijaya"  # from the matched segment
    assert (quote.speaker_name, quote.speaker_title) == ("Sari Wijaya", "CFO")
    assert quote.permission == Quote.Permission.NOT_ASKED
    assert quote.interview_source.segment == segment
    assert quote.interview_source.interview == interview
    assert AuditEntry.objects.filter(action="interviews.quote.captured").count() == 1


def test_quote_capture_refuses_what_does_not_belong(interview, make_interview, alice):
    other = make_interview()
    foreign_segment = _transcript(other, alice).segments.first()
    with pytest.raises(TransitionError, match="another interview"):
        services.quote_capture(interview=interview, text="x", segment=foreign_segment, actor=alice)
    with pytest.raises(TransitionError, match="is not a contact at"):
        services.quote_capture(
            interview=interview, text="x", speaker=factories.ContactFactory(), actor=alice
        )
    with pytest.raises(TransitionError, match="Select or type"):
        services.quote_capture(interview=interview, text="   ", actor=alice)
    with pytest.raises(TransitionError, match="who said it"):
        services.quote_capture(interview=interview, text="words", actor=alice)


def test_permission_moves_through_its_states_and_is_audited(interview, alice):
    speaker = interview.stakeholders.first().contact
    quote = services.quote_capture(interview=interview, text="Great.", speaker=speaker, actor=alice)
    services.quote_permission_set(quote=quote, permission="asked", actor=alice)
    services.quote_permission_set(quote=quote, permission="refused", actor=alice)
    services.quote_permission_set(quote=quote, permission="asked", actor=alice)
    services.quote_permission_set(quote=quote, permission="approved", actor=alice)
    quote.refresh_from_db()
    assert quote.permission == "approved"
    moves = [
        (e.data["from"], e.data["to"])
        for e in AuditEntry.objects.filter(action="interviews.quote.permission").order_by("id")
    ]
    assert moves == [
        ("not_asked", "asked"),
        ("asked", "refused"),
        ("refused", "asked"),
        ("asked", "approved"),
    ]
    with pytest.raises(TransitionError, match="already"):
        services.quote_permission_set(quote=quote, permission="approved", actor=alice)
    with pytest.raises(TransitionError, match="not asked"):
        services.quote_permission_set(quote=quote, permission="not_asked", actor=alice)


def _answer(interview, section, text):
    question = interview.guide_questions.filter(section=section).first()
    question.answer = text
    question.save()


def test_the_first_draft_puts_each_answer_quote_and_metric_in_its_place(make_interview, alice):
    interview = make_interview(state="drafting")
    cs = interview.case_study
    cs.customer.description = "A regional retailer with 40 stores. Founded 1990."
    cs.customer.save()
    services.guide_generate(interview=interview, actor=alice)
    _answer(interview, GuideSection.CHALLENGE, "Closing the books took 15 days. It hurt.")
    _answer(interview, GuideSection.SOLUTION_SELECTION, "We compared three vendors.")
    _answer(interview, GuideSection.IMPLEMENTATION, "Go-live took six weeks.")
    _answer(interview, GuideSection.RESULTS, "The team got its evenings back.")
    _answer(interview, GuideSection.FUTURE_PLANS, "Next year: the APAC entities.")
    sari = interview.stakeholders.get(contact__name="Sari Wijaya").contact
    sari.may_be_named = True
    sari.save()
    approved = services.quote_capture(
        interview=interview,
        text="We close in five days now.",
        speaker=sari,
        kind="result",
        permission="approved",
        actor=alice,
    )
    services.quote_capture(
        interview=interview,
        text="Secret refused words.",
        speaker=sari,
        kind="result",
        permission="refused",
        actor=alice,
    )
    services.quote_capture(
        interview=interview,
        text="Not yet asked words.",
        speaker=sari,
        kind="pull",
        permission="asked",
        actor=alice,
    )
    budi = interview.stakeholders.get(contact__name="Budi Santoso").contact  # not named
    services.quote_capture(
        interview=interview,
        text="Integration was painless.",
        speaker=budi,
        kind="pull",
        permission="approved",
        section=GuideSection.IMPLEMENTATION,
        actor=alice,
    )
    factories.MetricFactory(
        case_study=cs,
        label="Revenue per store",
        kind="revenue",
        before=100,
        after=130,
        unit="k USD",
        higher_is_better=True,
        percentage_only=True,
    )
    RoiFigure.objects.create(
        interview=interview,
        label="Finance automation",
        investment=10000,
        benefit=2500,
        period="month",
        currency="USD",
    )

    version = services.draft_assemble(interview=interview, actor=alice)

    assert version.note.startswith("First draft assembled from interview")
    assert version.language == "en"
    assert "Closing the books took 15 days. It hurt." in version.challenge
    assert "We compared three vendors." in version.solution
    assert "Go-live took six weeks." in version.implementation
    assert "> “Integration was painless.”\n>\n> — IT Lead" in version.implementation
    assert "The team got its evenings back." in version.results
    assert "> “We close in five days now.”\n>\n> — Sari Wijaya" in version.results
    assert "Next year: the APAC entities." in version.future_plans
    whole = "\n".join(version.sections().values())
    assert "Secret refused words." not in whole
    # A quote taken but not approved yet is in, marked as awaiting permission.
    assert "> “Not yet asked words.”\n>\n> — Sari Wijaya\n\n_Awaiting permission: asked" in whole
    # Metrics: the factory's absolute one, and the percentage-only one without figures.
    assert "**Month-end close**: 15 days → 5 days — 66.7% reduction" in version.results
    assert "**Revenue per store**: 30% increase" in version.results
    assert "100" not in version.results.split("Revenue per store")[1].split("\n")[0]
    assert "200% first-year ROI" in version.results
    assert "paid back in 4.0 months" in version.results
    # The summary: customer, the challenge in one line, headline metrics.
    assert version.summary.startswith("**" + cs.customer.name + "** — A regional retailer")
    assert "**The challenge:** Closing the books took 15 days." in version.summary
    assert "It hurt." not in version.summary
    assert "- Month-end close: 66.7% reduction" in version.summary
    assert approved.interview_source.section == ""


def test_the_draft_is_written_in_the_interviews_language(make_interview, alice):
    interview = make_interview(state="drafting", language="id")
    services.guide_generate(interview=interview, actor=alice)
    version = services.draft_assemble(interview=interview, actor=alice)
    assert version.language == "id"
    assert version.note.startswith("Draf pertama")
    assert "Belum ada jawaban" in version.implementation


def test_quote_sources_never_add_fields_to_quote():
    assert {f.name for f in Quote._meta.concrete_fields}.isdisjoint({"segment", "interview"})
    assert QuoteSource._meta.get_field("quote").remote_field.model is Quote


def test_a_quote_block_keeps_every_line_quoted():
    quote = factories.QuoteFactory.build(text="Line one.\nLine two.", speaker=None)
    assert drafting.quote_block(quote) == "> “Line one.\n> Line two.”\n>\n> — Sarah Chen"


@pytest.mark.parametrize("language", ["en", "id"])
def test_a_section_the_interview_left_unanswered_is_an_error_for_the_checker(
    make_interview, alice, language
):
    # The first draft's "no answers recorded yet" placeholder used to pass
    # the checker: a story with three such sections had 0 errors.
    from casestudies import checker

    interview = make_interview(state="drafting", language=language)
    services.guide_generate(interview=interview, actor=alice)
    version = services.draft_assemble(interview=interview, actor=alice)
    empty = {f.section for f in checker.check_version(version) if f.code == "empty-section"}
    unanswered = {"solution", "implementation", "future_plans"}
    assert empty == unanswered


def test_an_interview_in_the_future_cannot_be_marked_held(make_interview, alice):
    import datetime

    from django.utils import timezone

    from core.errors import TransitionError
    from interviews import services as interview_services

    future = make_interview(date=timezone.localdate() + datetime.timedelta(days=3))
    with pytest.raises(TransitionError, match="once it has started"):
        interview_services.interview_mark_held(interview=future, actor=alice)
    past = make_interview(date=timezone.localdate() - datetime.timedelta(days=3))
    assert interview_services.interview_mark_held(interview=past, actor=alice).status == "held"


def test_an_interview_with_consent_and_a_transcript_can_be_marked_held_early(make_interview, alice):
    # Friction (issue 15): "Mark as held" was refused before the scheduled
    # start although consent and a transcript were already in.
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from core.errors import TransitionError
    from interviews import services as interview_services

    interview = make_interview(date=timezone.localdate() + datetime.timedelta(days=3))
    for stakeholder in interview.stakeholders.all():
        interview_services.consent_record(
            stakeholder=stakeholder, actor=alice, wording="We record this call.", method="verbal"
        )
    with pytest.raises(TransitionError, match="consent and a transcript"):
        interview_services.interview_mark_held(interview=interview, actor=alice)
    interview_services.transcript_upload(
        interview=interview,
        upload=SimpleUploadedFile("call.txt", b"Sari Wijaya: We closed the books in five days.\n"),
        actor=alice,
    )
    held = interview_services.interview_mark_held(interview=interview, actor=alice)
    assert held.status == "held"
