"""CRM import: customers, contacts and signals from CSV or XLSX, checked
first with row-level errors, then imported in one go, never half."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casestudies.customers import crm
from casestudies.models import Contact, Customer
from tests import factories

HEADER = (
    "name,slug,industry,company_size,region,nps_score,nps_recorded_on,"
    "implementation_status,renewal_date\n"
)


@pytest.fixture
def taxonomy(db):
    factories.IndustryFactory(name="Healthcare")
    factories.RegionFactory(name="Asia-Pacific")


def csv(text):
    return crm.load_dataset(text.encode(), "csv")


def test_a_clean_file_imports_customers_with_their_signals(taxonomy):
    data = csv(
        HEADER
        + "Medika Prima,,Healthcare,enterprise,Asia-Pacific,10,2026-05-01,live,2026-04-01\n"
        + "Klinik Sehat,klinik,healthcare,smb,asia-pacific,,,implementing,\n"
    )
    assert crm.run_import("customers", data, dry_run=True).ok
    assert not Customer.objects.exists()  # a dry run saves nothing
    outcome = crm.run_import("customers", data, dry_run=False)
    assert (outcome.new, outcome.updated, outcome.problems) == (2, 0, [])
    medika = Customer.objects.get(slug="medika-prima")
    assert medika.nps_score == 10 and str(medika.renewal_date) == "2026-04-01"
    assert Customer.objects.get(slug="klinik").implementation_status == "implementing"
    # The same file again updates nothing; a changed signal updates the row.
    again = csv(HEADER + "Medika Prima,,Healthcare,enterprise,Asia-Pacific,7,2026-06-01,live,\n")
    outcome = crm.run_import("customers", again, dry_run=False)
    assert outcome.updated == 1
    medika.refresh_from_db()
    assert medika.nps_score == 7


def test_bad_rows_are_named_and_nothing_is_imported(taxonomy):
    data = csv(
        HEADER
        + "Good Co,,Healthcare,enterprise,Asia-Pacific,9,2026-05-01,live,\n"
        + "Bad Size,,Healthcare,huge,Asia-Pacific,,,live,\n"
        + "Bad NPS,,Healthcare,smb,Asia-Pacific,11,,live,\n"
        + "Bad Industry,,Space mining,smb,Asia-Pacific,,,live,\n"
        + "Bad Date,,Healthcare,smb,Asia-Pacific,,31/02/2026,live,\n"
        + "Nul\x00 Co,nul-co,Healthcare,smb,Asia-Pacific,,,live,\n"
        + "Half NPS,,Healthcare,smb,Asia-Pacific,5.5,,live,\n"
    )
    outcome = crm.run_import("customers", data, dry_run=False)
    assert not outcome.ok
    rows = {p.row: " ".join(p.messages) for p in outcome.problems}
    assert set(rows) == {2, 3, 4, 5, 6, 7}
    assert "NUL character" in rows[6]
    assert "whole number" in rows[7]
    assert "huge" in rows[2]
    assert "between 0 and 10" in rows[3]
    assert "Unknown industry “Space mining”" in rows[4]
    assert "nps_recorded_on" in rows[5]
    assert not Customer.objects.exists()  # not even the good row


def test_contacts_import_by_customer_slug_and_email(taxonomy):
    customer = factories.CustomerFactory(slug="medika-prima")
    data = csv(
        "customer,name,email,title,role,may_contact,agreed_to_participate,left_company\n"
        "medika-prima,Sari Wijaya,sari@medika.example,CFO,executive_sponsor,1,0,0\n"
        "unknown-co,Budi,budi@x.example,,end_user,1,0,0\n"
    )
    outcome = crm.run_import("contacts", data, dry_run=False)
    assert [p.row for p in outcome.problems] == [2]
    assert not Contact.objects.exists()
    data = csv(
        "customer,name,email,title,role,may_contact,agreed_to_participate,left_company\n"
        "medika-prima,Sari Wijaya,sari@medika.example,CFO,executive_sponsor,1,0,0\n"
    )
    assert crm.run_import("contacts", data, dry_run=False).new == 1
    assert Contact.objects.get().customer == customer


def test_an_xlsx_export_imports_too(taxonomy):
    sheet = tablib.Dataset(headers=["name", "industry", "company_size", "region"])
    sheet.append(["Medika Prima", "Healthcare", "enterprise", "Asia-Pacific"])
    data = crm.load_dataset(sheet.export("xlsx"), "xlsx")
    assert crm.run_import("customers", data, dry_run=False).new == 1


def test_an_unreadable_file_is_a_message():
    with pytest.raises(crm.ImportFileError, match="not UTF-8"):
        crm.load_dataset(b"\xff\xfe\x00bad", "csv")
    with pytest.raises(crm.ImportFileError, match="could not be read as xlsx"):
        crm.load_dataset(b"not a spreadsheet", "xlsx")


@pytest.mark.django_db
def test_the_admin_checks_then_imports_on_confirmation(client, alice, taxonomy):
    client.force_login(alice)
    url = reverse("admin:casestudies_crm_import")
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("crm.csv", (HEADER + "X,,Nope,smb,Asia-Pacific,,,live,\n").encode())
    response = client.post(url, {"kind": "customers", "file": bad})
    assert response.status_code == 200
    assert "Unknown industry “Nope”" in response.content.decode()
    assert not Customer.objects.exists()

    good = SimpleUploadedFile(
        "crm.csv",
        (HEADER + "Medika Prima,,Healthcare,enterprise,Asia-Pacific,10,,live,\n").encode(),
    )
    response = client.post(url, {"kind": "customers", "file": good})
    token = response.context["token"]
    assert "1 new" in response.content.decode()
    assert not Customer.objects.exists()  # only checked so far
    response = client.post(url, {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert Customer.objects.filter(slug="medika-prima").exists()
    # The token is spent; a forged one is refused without a 500.
    response = client.post(url, {"confirm": "1", "token": token}, follow=True)
    assert "expired" in response.content.decode()
    response = client.post(url, {"confirm": "1", "token": "../../etc/passwd"}, follow=True)
    assert "expired" in response.content.decode()
    # Not a CSV/XLSX.
    response = client.post(url, {"kind": "customers", "file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    # An SVG or HTML file named .csv.
    svg = SimpleUploadedFile("crm.csv", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    response = client.post(url, {"kind": "customers", "file": svg})
    assert "is an SVG, HTML or XML file" in response.content.decode()
    assert not Customer.objects.filter(slug="x").exists()


@pytest.mark.django_db
def test_sales_cannot_import(client, bob):
    client.force_login(bob)
    assert client.get(reverse("admin:casestudies_crm_import")).status_code == 403


# --- Several web hosts, the row cap, large imports in Celery ----------------


def _customers_csv(count: int) -> bytes:
    rows = "".join(f"Customer {i},customer-{i},Healthcare,smb,Asia-Pacific\n" for i in range(count))
    return ("name,slug,industry,company_size,region\n" + rows).encode()


def _check(client, content: bytes, name="crm.csv", kind="customers"):
    url = reverse("admin:casestudies_crm_import")
    return client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def _stored_files(settings) -> list:
    from pathlib import Path

    root = Path(settings.STORAGES["imports"]["OPTIONS"]["location"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.django_db
def test_the_checked_file_waits_in_the_private_shared_storage(client, alice, taxonomy, settings):
    from pathlib import Path

    client.force_login(alice)
    response = _check(client, _customers_csv(2))
    token = response.context["token"]
    assert token.startswith("imports/") and token.endswith(".csv")
    files = _stored_files(settings)
    assert [f.name for f in files] == [token.removeprefix("imports/")]
    # Not under the public media root, not in this host's /tmp.
    media = Path(settings.MEDIA_ROOT).resolve()
    assert not any(media in f.resolve().parents for f in files)


@pytest.mark.django_db
def test_a_confirmation_on_another_web_host_still_imports(
    client, alice, taxonomy, settings, tmp_path
):
    import tempfile

    client.force_login(alice)
    token = _check(client, _customers_csv(3)).context["token"]
    # The "second host": its own, empty /tmp and its own media directory.
    other_tmp = tmp_path / "other-host-tmp"
    other_tmp.mkdir()
    old_tempdir, tempfile.tempdir = tempfile.tempdir, str(other_tmp)
    settings.MEDIA_ROOT = str(tmp_path / "other-host-media")
    try:
        response = client.post(
            reverse("admin:casestudies_crm_import"), {"confirm": "1", "token": token}
        )
    finally:
        tempfile.tempdir = old_tempdir
    assert response.status_code == 302
    assert Customer.objects.count() == 3
    assert _stored_files(settings) == []  # deleted once confirmed


@pytest.mark.django_db
def test_a_cancelled_check_deletes_the_file(client, alice, taxonomy, settings):
    client.force_login(alice)
    token = _check(client, _customers_csv(2)).context["token"]
    url = reverse("admin:casestudies_crm_import")
    response = client.post(url, {"cancel": "1", "token": token}, follow=True)
    assert "cancelled" in response.content.decode()
    assert _stored_files(settings) == []
    response = client.post(url, {"confirm": "1", "token": token}, follow=True)
    assert "expired" in response.content.decode()
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_a_second_check_replaces_the_first_file(client, alice, taxonomy, settings):
    client.force_login(alice)
    first = _check(client, _customers_csv(1)).context["token"]
    second = _check(client, _customers_csv(2)).context["token"]
    assert first != second
    assert [f.name for f in _stored_files(settings)] == [second.removeprefix("imports/")]


@pytest.mark.django_db
def test_a_file_above_the_row_cap_is_refused_before_anything_is_written(
    client, alice, taxonomy, settings
):
    settings.IMPORT_MAX_ROWS = 5
    client.force_login(alice)
    response = _check(client, _customers_csv(6))
    assert response.status_code == 200
    html = response.content.decode()
    assert "more than 5 rows" in html
    assert "token" not in response.context
    assert _stored_files(settings) == []
    assert not Customer.objects.exists()
    # At the cap is fine.
    assert "token" in _check(client, _customers_csv(5)).context


@pytest.mark.django_db
def test_a_small_import_stays_in_the_request(
    client, alice, taxonomy, django_capture_on_commit_callbacks
):
    from core.models import ImportJob

    client.force_login(alice)
    token = _check(client, _customers_csv(3)).context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:casestudies_crm_import"), {"confirm": "1", "token": token}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:casestudies_customer_changelist")
    assert Customer.objects.count() == 3
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_large_import_is_checked_then_imported_by_jobs_with_progress(
    client, alice, taxonomy, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from core import import_jobs
    from core.models import AuditEntry, ImportJob

    reported = []
    set_in_cache = import_jobs.cache.set

    def record(key, value, *args, **kwargs):
        if key.startswith("import-job:"):
            reported.append(value)
        return set_in_cache(key, value, *args, **kwargs)

    monkeypatch.setattr(import_jobs.cache, "set", record)
    settings.IMPORT_SYNC_ROWS = 40  # "large" starts lower here: the same path, fewer rows
    client.force_login(alice)
    # The check runs in Celery (eager here) and opens on its job's page.
    with django_capture_on_commit_callbacks(execute=True):
        response = _check(client, _customers_csv(60), name="big.csv")
    check = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:core_importjob_change", args=[check.pk])
    assert (check.dry_run, check.status, check.processed_rows) == (True, "done", 60)
    assert not Customer.objects.exists()  # only checked so far
    page = client.get(response["Location"]).content.decode()
    assert "Check passed: 60 new, 0 updated, 0 unchanged." in page
    confirm = reverse("admin:core_importjob_confirm", args=[check.pk])
    assert f'action="{confirm}"' in page
    # Confirmed: a second job imports the same file, all in one transaction.
    reported.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm)
    job = ImportJob.objects.exclude(pk=check.pk).get()
    assert response["Location"] == reverse("admin:core_importjob_change", args=[job.pk])
    assert (job.dry_run, job.status, job.total_rows, job.processed_rows) == (
        False,
        "done",
        60,
        60,
    )
    assert (job.kind, job.original_name, job.created_by) == (
        "casestudies.customers",
        "big.csv",
        alice,
    )
    assert job.result == {"new": 60, "updated": 0, "unchanged": 0}
    assert Customer.objects.count() == 60
    # Progress went out while the rows were being imported, every 25 rows.
    assert reported[:3] == [0, 25, 50] and reported[-1] == 60
    assert _stored_files(settings) == []
    assert AuditEntry.objects.filter(action="core.import_job.done", actor=alice).exists()
    html = client.get(response["Location"]).content.decode()
    assert "60 of 60 rows" in html
    assert "Imported: 60 new, 0 updated, 0 unchanged." in html
    assert 'http-equiv="refresh"' not in html  # done: no more refreshing
    # The check is spent.
    check.refresh_from_db()
    assert check.closed_at and check.import_job == job
    client.post(confirm)
    assert ImportJob.objects.count() == 2


@pytest.mark.django_db
def test_a_large_import_whose_data_changed_since_the_check_imports_nothing(
    client, alice, taxonomy, settings, django_capture_on_commit_callbacks
):
    from casestudies.models import Industry
    from core.models import ImportJob

    settings.IMPORT_SYNC_ROWS = 100
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        check = _check(client, _customers_csv(150))
    check_job = ImportJob.objects.get()
    Industry.objects.update(name="Health", slug="health")  # renamed meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:core_importjob_confirm", args=[check_job.pk]))
    job = ImportJob.objects.get(dry_run=False)
    assert (job.status, job.processed_rows) == ("failed", 150)
    assert not Customer.objects.exists()  # all or nothing
    assert "Nothing was imported" in job.errors["message"]
    assert len(job.errors["problems"]) == 100 and job.errors["omitted"] == 50
    html = client.get(response["Location"]).content.decode()
    assert "Unknown industry “Healthcare”" in html
    assert "…and 50 more rows." in html
    assert check.status_code == 302


@pytest.mark.django_db
def test_a_large_file_with_bad_rows_fails_its_check(
    client, alice, taxonomy, settings, django_capture_on_commit_callbacks
):
    from core.models import ImportJob

    settings.IMPORT_SYNC_ROWS = 2
    client.force_login(alice)
    bad = _customers_csv(3) + b"Bad Size,bad-size,Healthcare,huge,Asia-Pacific\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = _check(client, bad)
    job = ImportJob.objects.get()
    assert (job.dry_run, job.status) == (True, "failed")
    assert [p["row"] for p in job.errors["problems"]] == [4]
    assert _stored_files(settings) == []  # nothing to confirm: the file is gone
    html = client.get(response["Location"]).content.decode()
    assert "Fix these rows" in html and "huge" in html
    assert "Confirm the import" not in html
    assert not Customer.objects.exists()
