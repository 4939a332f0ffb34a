"""Private storage: existing files move out of the public media (data
migration and ``move_private_files``), and a private file is always served as
a sandboxed download (core.files)."""

from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command

from core.files import private_file_response, safe_content_type
from core.private_files import migration_for
from core.storage import private_storage
from interviews.models import Interview
from tests.interviews.conftest import MP3_BYTES, make_interview  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

OLD_NAME = "interviews/recordings/2026/03/interview-old.mp3"


@pytest.fixture
def old_recording(make_interview):  # noqa: F811
    """A recording saved before private storage: in the public media."""
    interview = make_interview()
    stored = storages["default"].save(OLD_NAME, ContentFile(MP3_BYTES))
    Interview.objects.filter(pk=interview.pk).update(recording=stored)
    return interview


def test_the_command_moves_old_files_out_of_the_public_media(old_recording, settings):
    out = StringIO()
    call_command("move_private_files", stdout=out)
    assert "Moved 1 file(s)" in out.getvalue()
    assert not (Path(settings.MEDIA_ROOT) / OLD_NAME).exists()
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / OLD_NAME).read_bytes() == MP3_BYTES
    old_recording.refresh_from_db()
    assert old_recording.recording.name == OLD_NAME
    assert old_recording.recording.read() == MP3_BYTES

    again = StringIO()
    call_command("move_private_files", stdout=again)
    assert "Moved 0 file(s); 1 already private; 0 missing." in again.getvalue()


def test_a_dry_run_moves_nothing(old_recording, settings):
    out = StringIO()
    call_command("move_private_files", "--dry-run", stdout=out)
    assert f"Would move: {OLD_NAME}" in out.getvalue()
    assert (Path(settings.MEDIA_ROOT) / OLD_NAME).exists()
    assert not private_storage().exists(OLD_NAME)


def test_a_public_copy_of_an_already_private_file_is_removed(old_recording, settings):
    private_storage().save(OLD_NAME, ContentFile(MP3_BYTES))
    call_command("move_private_files", stdout=StringIO())
    assert not (Path(settings.MEDIA_ROOT) / OLD_NAME).exists()
    assert private_storage().exists(OLD_NAME)


def test_a_missing_file_is_reported(make_interview):  # noqa: F811
    interview = make_interview()
    Interview.objects.filter(pk=interview.pk).update(recording="interviews/recordings/gone.mp3")
    err = StringIO()
    call_command("move_private_files", stdout=StringIO(), stderr=err)
    assert "Missing in both storages: interviews/recordings/gone.mp3" in err.getvalue()


def test_the_data_migration_moves_its_apps_files(old_recording, settings):
    from django.apps import apps

    migration_for("distribution")(apps, None)
    assert (Path(settings.MEDIA_ROOT) / OLD_NAME).exists()  # not distribution's
    migration_for("interviews")(apps, None)
    assert not (Path(settings.MEDIA_ROOT) / OLD_NAME).exists()
    assert private_storage().exists(OLD_NAME)


def test_markup_is_never_named_as_such():
    assert safe_content_type("page.html") == "application/octet-stream"
    assert safe_content_type("logo.svg") == "application/octet-stream"
    assert safe_content_type("x.bin", "image/svg+xml") == "application/octet-stream"
    assert safe_content_type("data.xml") == "application/octet-stream"
    assert safe_content_type("call.mp3", "audio/mpeg") == "audio/mpeg"
    assert safe_content_type("figures.pdf") == "application/pdf"


class FakeS3:
    bucket_name = "stories"
    querystring_auth = True

    def __init__(self):
        self.asked = {}

    def url(self, name, parameters=None, expire=None):
        self.asked = {"name": name, "parameters": parameters, "expire": expire}
        return f"https://stories.s3.example/private/{name}?X-Amz-Signature=abc"


def test_on_s3_it_redirects_to_a_short_signed_download_address():
    storage = FakeS3()
    response = private_file_response(
        SimpleNamespace(name="interviews/files/x.svg", storage=storage)
    )
    assert response.status_code == 302
    assert response["Location"].startswith("https://stories.s3.example/private/")
    assert storage.asked["expire"] == 300
    assert storage.asked["parameters"]["ResponseContentDisposition"] == (
        'attachment; filename="x.svg"'
    )
    assert storage.asked["parameters"]["ResponseContentType"] == "application/octet-stream"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "sandbox"


def test_the_private_storage_on_s3_signs_and_hides_under_a_prefix():
    from tests.core.test_settings import settings_value

    options = settings_value(
        "settings.STORAGES['private']['OPTIONS']",
        AWS_STORAGE_BUCKET_NAME="stories",
        AWS_S3_CUSTOM_DOMAIN="media.example.com",
    )
    assert "'location': 'private'" in options
    assert "'querystring_auth': True" in options
    assert "'custom_domain': None" in options
    assert "'default_acl': 'private'" in options
