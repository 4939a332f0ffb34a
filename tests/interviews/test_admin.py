import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casestudies.models import Quote
from interviews import services
from interviews.models import FollowUpQuestion, Interview
from tests import factories
from tests.conftest import IN_CI, fresh
from tests.interviews.conftest import MP3_BYTES, consent_all, schedule_interview
from tests.interviews.test_transcripts import VTT

pytestmark = pytest.mark.django_db


def url(name, interview, *args):
    return reverse(f"admin:interviews_interview_{name}", args=[interview.pk, *args])


PAGES = [
    "change",
    "invitations",
    "guide_generate",
    "guide_pdf",
    "consent",
    "recording",
    "transcript_upload",
    "transcript",
    "draft",
]


class TestEveryPage:
    """One interview, made once for the class: who may open each of its pages."""

    @pytest.fixture(scope="class")
    @classmethod
    def shared_interview(cls, shared_db):
        return schedule_interview(factories.program_manager())

    @pytest.fixture
    def interview(self, shared_interview, db):
        return fresh(shared_interview)

    @pytest.mark.parametrize("page", PAGES)
    def test_sales_and_outsiders_are_refused(self, client, bob, charlie, interview, page):
        quotes = Quote.objects.count()
        for user in (bob, charlie):
            client.force_login(user)
            response = client.get(url(page, interview))
            assert response.status_code in (403, 302), (user, page)
            if response.status_code == 302:  # the admin's own change view redirects
                assert "/admin/" in response["Location"]
            response = client.post(url(page, interview), {})
            assert response.status_code in (403, 302)
        assert mail.outbox == []
        assert Quote.objects.count() == quotes
        assert interview.case_study.versions.count() == 0
        assert not interview.guide_questions.exists()

    @pytest.mark.parametrize("page", [p for p in PAGES if p != "guide_pdf"])
    def test_a_program_manager_opens_every_page(self, client, alice, interview, page):
        client.force_login(alice)
        assert client.get(url(page, interview)).status_code == 200


def test_sales_do_not_see_interviews_in_the_admin(client, bob, interview):
    client.force_login(bob)
    assert client.get(reverse("admin:interviews_interview_changelist")).status_code == 403
    assert client.get(reverse("admin:index")).content.decode().count("Interviews") == 0


def test_the_interview_list_has_a_constant_number_of_queries(
    client, alice, make_interview, django_assert_max_num_queries
):
    client.force_login(alice)
    make_interview()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:interviews_interview_changelist")).status_code == 200
    for _ in range(4):
        make_interview()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:interviews_interview_changelist")).status_code == 200


def test_scheduling_from_the_admin_then_adding_stakeholders(client, alice, story_at):
    from tests import factories

    cs = story_at("interviewing")
    contact = factories.ContactFactory(customer=cs.customer, role="technical_leader")
    outsider = factories.ContactFactory()
    client.force_login(alice)
    response = client.post(
        reverse("admin:interviews_interview_add"),
        {
            "case_study": cs.pk,
            "date": "2026-05-04",
            "start_time": "09:00",
            "time_zone": "Mars/Olympus",
            "duration_minutes": "60",
            "meeting_link": "https://meet.example.com/x",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "is not a time zone" in response.content.decode()
    response = client.post(
        reverse("admin:interviews_interview_add"),
        {
            "case_study": cs.pk,
            "date": "2026-05-04",
            "start_time": "09:00",
            "time_zone": "Europe/Berlin",
            "duration_minutes": "75",
            "meeting_link": "https://meet.example.com/x",
            "language": "en",
        },
    )
    interview = Interview.objects.get(case_study=cs)
    assert response.status_code == 302
    assert response["Location"] == url("change", interview)

    page = client.get(url("change", interview)).content.decode()
    assert outsider.name not in page  # only this customer's contacts are offered
    base = {
        "date": "2026-05-04",
        "start_time": "09:00",
        "time_zone": "Europe/Berlin",
        "duration_minutes": "75",
        "meeting_link": "https://meet.example.com/x",
        "language": "en",
        "notes": "",
    }
    for prefix in ("guide_questions", "roi_figures", "files"):
        base |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    base |= {"stakeholders-TOTAL_FORMS": "1", "stakeholders-INITIAL_FORMS": "0"}
    refused = client.post(url("change", interview), {**base, "stakeholders-0-contact": outsider.pk})
    assert refused.status_code == 200
    assert interview.stakeholders.count() == 0
    client.post(url("change", interview), {**base, "stakeholders-0-contact": contact.pk})
    (stakeholder,) = interview.stakeholders.all()
    assert stakeholder.role == "technical_leader"


def test_transcript_upload_errors_are_shown_and_nothing_is_saved(client, alice, interview):
    client.force_login(alice)
    response = client.post(
        url("transcript_upload", interview),
        {"file": SimpleUploadedFile("call.vtt", b"WEBVTT\n\n00:00:01.000 --> nope\nHi\n")},
    )
    assert response.status_code == 200
    assert "Line 3" in response.content.decode()
    assert not interview.transcripts.exists()


def test_recording_upload_without_consent_says_why(client, alice, interview):
    client.force_login(alice)
    response = client.post(
        url("recording", interview), {"file": SimpleUploadedFile("call.mp3", MP3_BYTES)}
    )
    assert response.status_code == 200
    assert "needs everyone" in response.content.decode()
    consent_all(interview, alice)
    response = client.post(
        url("recording", interview), {"file": SimpleUploadedFile("call.mp3", MP3_BYTES)}
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.recording


def test_quote_and_follow_up_from_the_transcript_page_without_javascript(
    client, alice, interview, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    client.post(
        url("transcript_upload", interview), {"file": SimpleUploadedFile("c.vtt", VTT.encode())}
    )
    segment = interview.transcripts.get().segments.get(position=2)

    page = client.get(url("transcript", interview)).content.decode()
    assert "Sari Wijaya" in page and "00:00:01" in page
    assert f"?segment={segment.pk}#capture" in page
    prefilled = client.get(url("transcript", interview), {"segment": segment.pk}).content.decode()
    assert "The integration took two weeks.</textarea>" in prefilled

    response = client.post(
        url("transcript", interview),
        {
            "quote-text": "The integration took two weeks.",
            "quote-segment": segment.pk,
            "quote-speaker": "",
            "quote-kind": "inline",
            "quote-permission": "not_asked",
            "quote-section": "",
        },
    )
    assert response.status_code == 302
    quote = Quote.objects.get(interview_source__segment=segment)
    assert quote.speaker.name == "Budi Santoso"

    client.post(url("quote_permission", interview, quote.pk), {"permission": "approved"})
    quote.refresh_from_db()
    assert quote.permission == "approved"
    client.post(url("quote_permission", interview, quote.pk), {"permission": "bogus"})
    quote.refresh_from_db()
    assert quote.permission == "approved"

    client.post(
        url("transcript", interview),
        {
            "followup-contact": quote.speaker.pk,
            "followup-question": "How many weeks exactly?",
            "followup-segment": segment.pk,
        },
    )
    followup = FollowUpQuestion.objects.get()
    assert followup.segment == segment
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("followups_send", interview), {"contact": quote.speaker.pk})
        client.post(url("followups_send", interview), {"contact": quote.speaker.pk})
    assert len(mail.outbox) == 1
    client.post(url("followup_answer", interview, followup.pk), {"answer": "Two and a half."})
    followup.refresh_from_db()
    assert followup.answer == "Two and a half."


def test_bad_input_on_the_transcript_page_is_a_message_not_a_500(client, alice, interview):
    client.force_login(alice)
    for data in (
        {"quote-text": "", "quote-kind": "inline", "quote-permission": "not_asked"},
        {"quote-text": "x", "quote-kind": "nope", "quote-permission": "not_asked"},
        {
            "quote-text": "x",
            "quote-kind": "pull",
            "quote-permission": "approved",
            "quote-segment": "999999",
        },
        {"followup-question": "Q?", "followup-contact": "abc"},
        {"something": "else"},
    ):
        assert client.post(url("transcript", interview), data).status_code in (200, 302)
    assert client.post(url("followups_send", interview), {"contact": "x"}).status_code == 302
    assert client.get(url("transcript", interview), {"segment": "abc"}).status_code == 200
    assert client.get("/admin/interviews/interview/abc/transcript/").status_code == 404
    # Digits that str.isdigit() accepts but int() does not: still "not found".
    assert client.get("/admin/interviews/interview/²/transcript/").status_code == 404
    assert client.get(url("transcript", interview), {"segment": "²"}).status_code == 200
    assert client.post(url("followups_send", interview), {"contact": "²"}).status_code == 302


def test_the_draft_button_saves_a_version_and_opens_the_editor(client, alice, make_interview):
    interview = make_interview(state="drafting")
    services.guide_generate(interview=interview, actor=alice)
    client.force_login(alice)
    response = client.post(url("draft", interview))
    assert response.status_code == 302
    editor = reverse("admin:casestudies_casestudy_story", args=[interview.case_study_id])
    assert response["Location"] == f"{editor}?language=en"
    assert interview.case_study.versions.count() == 1


def test_the_case_study_page_links_to_its_interviews(client, alice, interview):
    client.force_login(alice)
    page = client.get(
        reverse("admin:casestudies_casestudy_change", args=[interview.case_study_id])
    ).content.decode()
    assert f"?case_study__id__exact={interview.case_study_id}" in page
    listing = client.get(
        reverse("admin:interviews_interview_changelist"),
        {"case_study__id__exact": interview.case_study_id},
    )
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1


def test_the_guide_prints_as_a_pdf_with_65_minutes(client, alice, make_interview, tmp_path):
    if not shutil.which("pdftotext"):
        if IN_CI:
            pytest.fail("CI=true requires pdftotext (poppler-utils)")
        pytest.skip("needs pdftotext")
    interview = make_interview(language="id")
    services.guide_generate(interview=interview, actor=alice)
    client.force_login(alice)
    response = client.get(url("guide_pdf", interview))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Tantangan bisnis apa yang Anda hadapi?" in text
    assert "Bisakah Anda berikan contoh spesifik?" in text
    assert "Sari Wijaya" in text
    for title, minutes in [("Tantangan / masalah", 15), ("Hasil", 20), ("Rencana ke depan", 10)]:
        assert f"{title} — {minutes}" in text
    assert "Total: 65" in text


def test_a_whole_passage_pasted_as_a_quote_is_refused_and_kept(client, alice, interview):
    # 20,000 characters used to be saved as a "quote" and made the page
    # 150,000 pixels wide.
    client.force_login(alice)
    client.post(
        url("transcript_upload", interview), {"file": SimpleUploadedFile("c.vtt", VTT.encode())}
    )
    segment = interview.transcripts.get().segments.get(position=2)
    passage = "We closed faster. " * 1200
    response = client.post(
        url("transcript", interview),
        {
            "quote-text": passage,
            "quote-segment": segment.pk,
            "quote-kind": "pull",
            "quote-permission": "not_asked",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A quote is at most 1000 characters and this one has 21599" in html
    assert passage.strip() in html  # nothing lost: the text is still in the form
    assert not Quote.objects.filter(interview_source__interview=interview).exists()
    # The quote table wraps long words instead of widening the page (the
    # page's stylesheet: the Content-Security-Policy allows no inline style).
    assert "css/interviews.css" in html
    stylesheet = Path(finders.find("css/interviews.css")).read_text()
    assert ".quote-table td" in stylesheet.split("overflow-wrap: anywhere")[0]


def test_status_buttons_and_follow_ups_say_what_happened(
    client, alice, interview, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    page = client.post(url("status", interview, "held"), follow=True).content.decode()
    assert "The interview is marked as held." in page
    interview.refresh_from_db()
    assert interview.status == "held"
    contact = interview.stakeholders.first().contact
    for question in ("How many weeks?", "Which team?"):
        services.followup_add(interview=interview, contact=contact, question=question, actor=alice)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            url("followups_send", interview), {"contact": contact.pk}, follow=True
        ).content.decode()
    assert f"2 questions queued for {contact.name}, in one email." in page
    assert "question(s)" not in page


def test_the_stakeholder_choice_shows_each_contacts_title_and_role(client, alice, interview):
    client.force_login(alice)
    page = client.get(
        reverse("admin:interviews_interview_change", args=[interview.pk])
    ).content.decode()
    contact = interview.stakeholders.select_related("contact").first().contact
    expected = f"{contact.name} — {contact.title} ({contact.get_role_display()})"
    assert expected in page
