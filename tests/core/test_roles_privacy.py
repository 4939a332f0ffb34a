"""Sales reps read stories, not other people's personal data: prospects'
leads, mailing lists and the addresses kept as approval evidence."""

import pytest

PRIVATE_PAGES = [
    "/admin/analytics/lead/",
    "/admin/distribution/recipient/",
    "/admin/distribution/suppression/",
    "/admin/distribution/campaigndelivery/",
    "/admin/approvals/decision/",
    "/admin/approvals/reviewlink/",
]


@pytest.mark.parametrize("url", PRIVATE_PAGES)
def test_sales_cannot_read_personal_data(client, bob, url):
    client.force_login(bob)
    assert client.get(url).status_code in {403, 404}


def test_program_managers_can_read_leads(client, alice):
    client.force_login(alice)
    assert client.get("/admin/analytics/lead/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/analytics/deal/import/",
        "/admin/analytics/backlink/import/",
        "/admin/distribution/recipient/import/",
    ],
)
def test_sales_cannot_import_into_what_they_only_read(client, bob, url):
    client.force_login(bob)
    assert client.get(url).status_code == 403
    assert client.post(url.replace("/import/", "/process_import/")).status_code in {403, 405}


def test_program_managers_can_import_deals(client, alice):
    client.force_login(alice)
    assert client.get("/admin/analytics/deal/import/").status_code == 200


@pytest.mark.django_db
def test_every_spreadsheet_export_neutralises_formulas():
    """Names and notes are other people's text: an exported cell never starts
    a formula, whichever model it comes from."""
    from analytics.resources import BacklinkResource, DealResource
    from casestudies.customers.crm import ContactResource, CustomerResource
    from core.imports import SafeExportMixin
    from distribution.models import Recipient
    from distribution.outreach.admin import RecipientResource

    for resource in (
        RecipientResource,
        CustomerResource,
        ContactResource,
        DealResource,
        BacklinkResource,
    ):
        assert issubclass(resource, SafeExportMixin), resource
    Recipient.objects.create(email="a@b.example", name='=HYPERLINK("http://x")', kind="prospect")
    exported = RecipientResource().export().csv
    assert "'=HYPERLINK" in exported
