"""Large imports run as jobs with a progress page; their files live in the
private shared import storage and leftovers are pruned daily."""

import os
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from casestudies.models import Customer
from core import import_files, import_jobs
from core.models import ImportJob
from core.tasks import prune_import_files, run_import_job
from tests import factories

CSV = b"name,slug,industry,company_size,region\nMedika,medika,Healthcare,smb,Asia-Pacific\n"


@pytest.fixture
def taxonomy(db):
    factories.IndustryFactory(name="Healthcare")
    factories.RegionFactory(name="Asia-Pacific")


def make_job(alice=None, *, status="pending", content=CSV, total=1, **fields):
    name = import_files.save(content, "csv")
    return ImportJob.objects.create(
        kind="casestudies.customers",
        resource="casestudies.customers.crm.CustomerResource",
        file_name=name,
        file_format="csv",
        original_name="crm.csv",
        created_by=alice,
        status=status,
        total_rows=total,
        **fields,
    )


def test_a_job_runs_once(taxonomy, alice):
    job = make_job(alice)
    assert run_import_job.delay(job.pk).get() == "done"
    assert run_import_job.delay(job.pk).get() == "skipped"  # a redelivery
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.result["new"]) == ("done", 1, 1)
    assert job.started_at and job.finished_at
    assert Customer.objects.count() == 1
    assert not import_files.read(job.file_name)  # deleted


def test_a_job_whose_file_is_gone_fails_with_a_message(taxonomy, alice):
    job = make_job(alice)
    import_files.delete(job.file_name)
    assert run_import_job.delay(job.pk).get() == "failed"
    job.refresh_from_db()
    assert "upload it again" in job.errors["message"]


def test_a_job_speaks_the_language_of_the_person_who_confirmed_it(taxonomy, alice):
    job = make_job(alice, language="id")
    import_files.delete(job.file_name)
    run_import_job.delay(job.pk)
    job.refresh_from_db()
    assert job.errors["message"] == "Berkas yang diunggah sudah tidak ada: unggah lagi."


def test_a_job_that_crashes_is_failed_and_reported(taxonomy, alice, monkeypatch):
    job = make_job(alice)

    def crash(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(import_jobs, "run_resource_import", crash)
    with pytest.raises(RuntimeError):  # a failed task: ADMINS / Sentry hear of it
        run_import_job.delay(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "unexpected error" in job.errors["message"]
    assert not import_files.read(job.file_name)


def test_the_progress_page_refreshes_itself_without_a_script(client, alice):
    job = make_job(alice, status="running", total=600)
    cache.set(f"import-job:{job.pk}:processed", 250)
    client.force_login(alice)
    response = client.get(reverse("admin:core_importjob_change", args=[job.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "250 of 600 rows" in html
    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress max="600" value="250">' in html
    # Scripts only from files: a CSP without 'unsafe-inline' allows the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " on" + "load=" not in html
    listing = client.get(reverse("admin:core_importjob_changelist")).content.decode()
    assert "250 / 600" in listing


def test_only_program_managers_see_import_jobs(client, alice, bob, charlie):
    job = make_job(alice)
    url = reverse("admin:core_importjob_change", args=[job.pk])
    for person in (bob, charlie):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(alice)
    assert client.get(reverse("admin:core_importjob_change", args=["nope"])).status_code == 404
    assert client.post(url).status_code in {200, 403, 405}  # never a change
    job.refresh_from_db()
    assert job.status == "pending"


def test_leftover_files_older_than_a_day_are_pruned(db, alice):
    storage = import_files.import_storage()
    old = import_files.save(b"a,b\n1,2\n", "csv")
    fresh = import_files.save(b"a,b\n1,2\n", "csv")
    waiting = make_job(alice).file_name
    two_days_ago = time.time() - 2 * 86400
    for name in (old, waiting):
        os.utime(storage.path(name), (two_days_ago, two_days_ago))
    storage.save("imports/not-ours.txt", ContentFile(b"x"))
    assert prune_import_files.delay().get() == 1
    assert import_files.read(old) is None
    assert import_files.read(fresh) is not None
    assert import_files.read(waiting) is not None  # its job still needs it


def test_a_job_lost_with_its_worker_is_failed_by_the_prune(db, alice):
    lost = make_job(alice, status="running", total=10)
    ImportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(days=2))
    recent = make_job(alice)
    prune_import_files.delay()
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.status == "failed" and "interrupted" in lost.errors["message"]
    assert recent.status == "pending"


def test_the_prune_runs_daily_under_a_pinned_name():
    entry = django_settings.CELERY_BEAT_SCHEDULE["prune-import-files"]
    assert entry["task"] == prune_import_files.name == "core.tasks.prune_import_files"
    assert run_import_job.name == "core.tasks.run_import_job"


def test_names_that_are_not_ours_are_never_read(db):
    for name in ("../settings.py", "imports/../../x.csv", "imports/abc.csv", "/etc/passwd"):
        assert import_files.read(name) is None


def make_check(alice, **fields):
    return make_job(alice, status="done", dry_run=True, result={"new": 1}, **fields)


def test_only_the_person_who_checked_may_confirm_once(client, alice, taxonomy, groups):
    from django.contrib.auth.models import Group

    from core.roles import PROGRAM_MANAGERS

    other = factories.UserFactory(username="erin", is_staff=True)
    other.groups.add(Group.objects.get(name=PROGRAM_MANAGERS))
    check = make_check(alice)
    confirm = reverse("admin:core_importjob_confirm", args=[check.pk])
    client.force_login(other)
    page = client.get(reverse("admin:core_importjob_change", args=[check.pk])).content.decode()
    assert confirm not in page
    response = client.post(confirm, follow=True)
    assert "Only the person who checked this file" in response.content.decode()
    assert ImportJob.objects.count() == 1
    client.force_login(alice)
    assert client.get(confirm).status_code == 405  # GET never acts
    assert client.post(confirm).status_code == 302
    assert ImportJob.objects.count() == 2
    response = client.post(confirm, follow=True)
    assert "already confirmed or cancelled" in response.content.decode()
    assert ImportJob.objects.count() == 2


def test_a_cancelled_check_deletes_its_file(client, alice, django_capture_on_commit_callbacks):
    check = make_check(alice)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:core_importjob_cancel", args=[check.pk]), follow=True)
    assert "cancelled" in response.content.decode()
    check.refresh_from_db()
    assert check.closed_at and check.import_job is None
    assert import_files.read(check.file_name) is None
    response = client.post(reverse("admin:core_importjob_confirm", args=[check.pk]), follow=True)
    assert "already confirmed or cancelled" in response.content.decode()
    assert ImportJob.objects.count() == 1


def test_sales_cannot_confirm(client, alice, bob):
    check = make_check(alice)
    client.force_login(bob)
    assert client.post(reverse("admin:core_importjob_confirm", args=[check.pk])).status_code == 403
    assert ImportJob.objects.count() == 1
