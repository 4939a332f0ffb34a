import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import TransitionError
from core.models import AuditEntry
from interviews import services
from interviews.forms import SupplementaryFileForm
from tests.interviews.conftest import MP3_BYTES, PNG_BYTES, consent_all

pytestmark = pytest.mark.django_db


def test_it_stores_a_recording_once_everyone_consented(interview, alice):
    consent_all(interview, alice)
    upload = SimpleUploadedFile("call.bin", MP3_BYTES, content_type="application/octet-stream")
    services.recording_upload(interview=interview, upload=upload, actor=alice)

    interview.refresh_from_db()
    assert interview.recording_mime == "audio/mpeg"
    assert interview.recording.name.endswith(".mp3")
    assert interview.recording_uploaded_at is not None
    assert AuditEntry.objects.filter(action="interviews.recording.uploaded").count() == 1


def test_it_refuses_a_recording_without_everyones_consent(interview, alice):
    sari = interview.stakeholders.get(contact__name="Sari Wijaya")
    services.consent_record(stakeholder=sari, actor=alice, wording="OK to record.", method="email")
    upload = SimpleUploadedFile("call.mp3", MP3_BYTES, content_type="audio/mpeg")
    with pytest.raises(TransitionError, match="Not consented: Budi Santoso, Dewi Lestari"):
        services.recording_upload(interview=interview, upload=upload, actor=alice)
    interview.refresh_from_db()
    assert not interview.recording


def test_a_withdrawn_consent_blocks_the_recording_again(interview, alice):
    consent_all(interview, alice)
    budi = interview.stakeholders.get(contact__name="Budi Santoso")
    record = services.consent_record(stakeholder=budi, actor=alice, given=False, method="email")
    assert record.given is False
    assert record.wording == "I agree to be recorded."  # what was withdrawn
    upload = SimpleUploadedFile("call.mp3", MP3_BYTES)
    with pytest.raises(TransitionError, match="Budi Santoso"):
        services.recording_upload(interview=interview, upload=upload, actor=alice)
    assert AuditEntry.objects.filter(action="interviews.consent.withdrawn").count() == 1


def test_it_checks_the_recording_by_content_not_name(interview, alice):
    consent_all(interview, alice)
    fake = SimpleUploadedFile("call.mp3", b"%PDF-1.7 not audio" * 50, content_type="audio/mpeg")
    with pytest.raises(TransitionError, match="not an audio or video file"):
        services.recording_upload(interview=interview, upload=fake, actor=alice)
    interview.refresh_from_db()
    assert not interview.recording


def test_it_refuses_a_recording_over_the_size_limit(interview, alice, settings):
    consent_all(interview, alice)
    settings.STORYLINE = {**settings.STORYLINE, "INTERVIEW_RECORDING_MAX_MB": 1}
    big = SimpleUploadedFile("call.mp3", MP3_BYTES + b"\x00" * (1024 * 1024))
    with pytest.raises(TransitionError, match="larger than 1 MB"):
        services.recording_upload(interview=interview, upload=big, actor=alice)


def test_a_screenshot_must_be_an_image_by_content(interview):
    fake = SimpleUploadedFile(
        "before.png", b"MZ\x90\x00 not an image" * 10, content_type="image/png"
    )
    form = SupplementaryFileForm(data={"kind": "before", "caption": "Old"}, files={"file": fake})
    assert not form.is_valid()
    assert "not an image" in form.errors["file"][0]

    real = SimpleUploadedFile("before.bin", PNG_BYTES, content_type="application/octet-stream")
    form = SupplementaryFileForm(data={"kind": "after", "caption": "New"}, files={"file": real})
    assert form.is_valid(), form.errors


def test_consent_keeps_the_exact_wording_and_needs_it(interview, alice):
    sari = interview.stakeholders.get(contact__name="Sari Wijaya")
    with pytest.raises(TransitionError, match="wording"):
        services.consent_record(stakeholder=sari, actor=alice, wording="  ", method="verbal")
    record = services.consent_record(
        stakeholder=sari, actor=alice, wording=services.DEFAULT_CONSENT_WORDING["id"], method="form"
    )
    assert record.wording.startswith("Saya setuju wawancara ini direkam")
    assert sari.has_consented


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
    b"<script>alert(1)</script></svg>"
)


@pytest.mark.parametrize("kind", ["other", "before"])
@pytest.mark.parametrize("name", ["diagram.svg", "diagram.pdf", "notes.txt"])
def test_a_supplementary_file_is_never_svg_html_or_xml(interview, kind, name):
    upload = SimpleUploadedFile(name, SVG_WITH_SCRIPT, content_type="image/svg+xml")
    form = SupplementaryFileForm(data={"kind": kind, "caption": "Diagram"}, files={"file": upload})
    assert not form.is_valid()
    assert "is an SVG, HTML or XML file" in form.errors["file"][0]


def test_an_other_supplementary_file_may_be_a_pdf(interview):
    upload = SimpleUploadedFile("figures.pdf", b"%PDF-1.7\n1 0 obj", content_type="application/pdf")
    form = SupplementaryFileForm(
        data={"kind": "other", "caption": "Figures"}, files={"file": upload}
    )
    assert form.is_valid(), form.errors


def test_the_inline_refuses_an_svg_in_the_admin(client, interview, alice):
    client.force_login(alice)
    url = f"/admin/interviews/interview/{interview.pk}/change/"
    page = client.get(url)
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for field in management:
            data[field.html_name] = field.value()
        data[f"{formset.formset.prefix}-TOTAL_FORMS"] = (
            "1" if formset.formset.model.__name__ == "SupplementaryFile" else "0"
        )
        for index, form in enumerate(formset.formset.initial_forms):
            data[f"{formset.formset.prefix}-{index}-id"] = form.instance.pk
    data.update({"files-0-kind": "other", "files-0-caption": "Diagram"})
    data["files-0-file"] = SimpleUploadedFile("diagram.svg", SVG_WITH_SCRIPT)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "is an SVG, HTML or XML file" in response.content.decode()
    assert not interview.files.exists()


def test_a_transcript_in_html_is_refused(interview, alice):
    page = SimpleUploadedFile("call.txt", b"<html><body>Sari: hello</body></html>")
    with pytest.raises(TransitionError, match="SVG, HTML or XML"):
        services.transcript_upload(interview=interview, upload=page, actor=alice)
    assert not interview.transcripts.exists()


def test_a_recording_named_html_is_refused(interview, alice):
    consent_all(interview, alice)
    with pytest.raises(TransitionError, match="SVG, HTML or XML"):
        services.recording_upload(
            interview=interview, upload=SimpleUploadedFile("call.html", MP3_BYTES), actor=alice
        )
