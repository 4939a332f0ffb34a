"""Recordings, transcripts and supplementary files are private: stored apart
from the public media, served only to program managers, as downloads."""

from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.views.static import serve

from core.storage import private_storage
from interviews import services
from interviews.models import SupplementaryFile
from tests.interviews.conftest import MP3_BYTES, consent_all

pytestmark = pytest.mark.django_db

TRANSCRIPT = b"Sari Wijaya: We close the books in five days now.\n"


@pytest.fixture
def files(interview, alice):
    """The interview with a recording, a transcript and a supplementary file."""
    consent_all(interview, alice)
    services.recording_upload(
        interview=interview, upload=SimpleUploadedFile("call.mp3", MP3_BYTES), actor=alice
    )
    transcript = services.transcript_upload(
        interview=interview, upload=SimpleUploadedFile("call.txt", TRANSCRIPT), actor=alice
    )
    extra = SupplementaryFile.objects.create(
        interview=interview,
        kind=SupplementaryFile.Kind.OTHER,
        file=SimpleUploadedFile("figures.pdf", b"%PDF-1.7 figures"),
        caption="Figures",
    )
    interview.refresh_from_db()
    return {
        "recording": (
            reverse("admin:interviews_interview_recording_download", args=[interview.pk]),
            interview.recording.name,
            MP3_BYTES,
        ),
        "transcript": (
            reverse(
                "admin:interviews_interview_transcript_download",
                args=[interview.pk, transcript.pk],
            ),
            transcript.file.name,
            TRANSCRIPT,
        ),
        "supplementary": (
            reverse("admin:interviews_interview_file_download", args=[interview.pk, extra.pk]),
            extra.file.name,
            b"%PDF-1.7 figures",
        ),
    }


KINDS = ["recording", "transcript", "supplementary"]


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_visitors_are_sent_to_the_login(client, files, kind):
    url, _name, _content = files[kind]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("kind", KINDS)
def test_staff_outside_the_program_get_403(client, files, charlie, kind):
    client.force_login(charlie)
    assert client.get(files[kind][0]).status_code == 403


@pytest.mark.parametrize("kind", KINDS)
def test_sales_reps_get_403_though_they_may_view_interviews(client, files, bob, kind):
    assert bob.has_perm("interviews.view_interview")
    client.force_login(bob)
    assert client.get(files[kind][0]).status_code == 403


@pytest.mark.parametrize("kind", KINDS)
def test_a_program_manager_downloads_it_as_an_attachment(client, files, alice, kind):
    url, name, content = files[kind]
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert Path(name).name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives and "public" not in directives


@pytest.mark.parametrize("kind", KINDS)
def test_the_file_is_not_under_the_public_media(client, files, settings, kind):
    _url, name, _content = files[kind]
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / name).is_file()
    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    assert client.get(f"/media/{name}").status_code == 404
    # Even where /media/ is served (DEBUG, or a proxy on the media volume).
    with pytest.raises(Http404):
        serve(RequestFactory().get(f"/media/{name}"), name, document_root=settings.MEDIA_ROOT)


def test_a_private_file_has_no_public_address(files):
    with pytest.raises(ValueError, match="no public address"):
        private_storage().url(files["recording"][1])


def test_another_interviews_file_is_not_found(client, files, alice, make_interview):
    other = make_interview()
    extra = SupplementaryFile.objects.get()
    client.force_login(alice)
    url = reverse("admin:interviews_interview_file_download", args=[other.pk, extra.pk])
    assert client.get(url).status_code == 404
    assert client.get("/admin/interviews/interview/999999/recording/download/").status_code == 404


def test_the_admin_links_point_at_the_download_views(client, files, alice, interview):
    client.force_login(alice)
    html = client.get(f"/admin/interviews/interview/{interview.pk}/change/").content.decode()
    for kind in KINDS:
        assert f'href="{files[kind][0]}"' in html
    assert "/media/" not in html


def test_private_files_must_not_live_under_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "media" / "private")
    errors = [e for e in run_checks() if e.id == "storyline.E001"]
    assert len(errors) == 1
    assert "MEDIA_ROOT" in errors[0].msg
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    assert not [e for e in run_checks() if e.id == "storyline.E001"]


def test_read_only_the_inline_still_links_to_the_download_view(client, files, interview, groups):
    from django.contrib.auth.models import Permission

    from tests import factories

    reader = factories.UserFactory(username="dana", is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="interviews",
            codename__in=["view_interview", "change_interview", "view_supplementaryfile"],
        )
    )
    client.force_login(reader)
    html = client.get(f"/admin/interviews/interview/{interview.pk}/change/").content.decode()
    assert f'href="{files["supplementary"][0]}"' in html
    assert client.get(files["supplementary"][0]).status_code == 200
