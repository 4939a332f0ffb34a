"""CRM import: customers, contacts and signals from CSV or XLSX, checked
first with row-level errors, then imported in one go, never half."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casestudies.models import Contact, Customer
from recruitment import crm
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
    url = reverse("admin:recruitment_crm_import")
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
    assert client.get(reverse("admin:recruitment_crm_import")).status_code == 403
