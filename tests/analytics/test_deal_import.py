"""Deals from a CRM export (CSV / XLSX): stories linked by slug, bad rows
reported with their row, nothing half-imported."""

import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from analytics.models import Deal, DealStory
from analytics.resources import DealResource
from tests import factories

HEADER = (
    "external_id,name,amount,currency,stage,opened_on,closed_on,outcome,"
    "industry,company_size,owner,stories"
)


@pytest.fixture
def finance(db):
    return factories.IndustryFactory(name="Finance", slug="finance")


def dataset(text: str) -> tablib.Dataset:
    return tablib.Dataset().load(text, format="csv")


def run(text: str, dry_run=False):
    return DealResource().import_data(
        dataset(text), dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
    )


def test_a_clean_file_imports_deals_and_links_their_stories(story_at, finance, bob):
    a, b = story_at("published"), story_at("published")
    result = run(
        f"{HEADER}\n"
        "CRM-1,Acme renewal,12000.50,usd,Closed Won,2026-01-05,2026-03-01,Closed Won,"
        f'finance,smb,bob,"{a.slug}, {b.slug}"\n'
        f"CRM-2,Beta new,8000,USD,Negotiation,2026-02-01,,open,finance,enterprise,,\n"
    )
    assert not result.has_errors() and not result.has_validation_errors()
    won = Deal.objects.get(external_id="CRM-1")
    assert (won.outcome, won.currency, won.owner, won.industry) == ("won", "USD", bob, finance)
    assert set(won.deal_stories.values_list("case_study", "source")) == {
        (a.pk, "import"),
        (b.pk, "import"),
    }
    assert Deal.objects.get(external_id="CRM-2").closed_on is None


def test_importing_again_updates_and_does_not_duplicate(story_at, finance):
    a = story_at("published")
    text = f"{HEADER}\nCRM-1,Acme,100,USD,,2026-01-05,,open,finance,smb,,{a.slug}\n"
    run(text)
    run(text.replace(",open,", ",won,").replace("2026-01-05,,", "2026-01-05,2026-02-01,"))
    assert Deal.objects.count() == 1
    assert Deal.objects.get().outcome == "won"
    assert DealStory.objects.count() == 1


def test_bad_rows_are_reported_and_nothing_is_imported(story_at, finance):
    a = story_at("published")
    result = run(
        f"{HEADER}\n"
        f"OK-1,Fine,100,USD,,2026-01-05,,open,finance,smb,,{a.slug}\n"
        "BAD-1,Unknown story,100,USD,,2026-01-05,,open,finance,smb,,no-such-story\n"
        "BAD-2,Closed before opened,100,USD,,2026-03-05,2026-01-01,won,finance,smb,,\n"
        "BAD-3,Won without a date,100,USD,,2026-03-05,,won,finance,smb,,\n"
        "BAD-4,Bad outcome,100,USD,,2026-03-05,,maybe,finance,smb,,\n"
        "BAD-5,Bad date,100,USD,,yesterday,,open,finance,smb,,\n"
        "BAD-6,Unknown industry,100,USD,,2026-01-05,,open,mining,smb,,\n"
    )
    assert result.has_validation_errors()
    invalid = {r.number: r for r in result.invalid_rows}
    assert sorted(invalid) == [2, 3, 4, 5, 6, 7]
    messages = {n: str(r.error_dict) for n, r in invalid.items()}
    assert "no-such-story" in messages[2]
    assert "before the open date" in messages[3]
    assert "needs its close date" in messages[4]
    assert "Unknown outcome" in messages[5]
    assert "Unknown industry" in messages[7]
    assert not Deal.objects.exists()
    assert not DealStory.objects.exists()


def test_the_admin_import_shows_row_errors_and_imports_nothing(client, alice, story_at, finance):
    client.force_login(alice)
    url = reverse("admin:analytics_deal_import")
    upload = SimpleUploadedFile(
        "deals.csv",
        f"{HEADER}\nBAD-1,x,100,USD,,2026-01-05,,open,finance,smb,,ghost-story\n".encode(),
        content_type="text/csv",
    )
    response = client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ghost-story" in html
    assert "Confirm import" not in html
    assert not Deal.objects.exists()


def test_an_xlsx_export_can_be_imported_back(story_at, finance):
    a = story_at("published")
    run(f"{HEADER}\nCRM-9,Gamma,500,USD,,2026-01-05,2026-01-20,lost,finance,smb,,{a.slug}\n")
    exported = DealResource().export()
    xlsx = exported.export("xlsx")
    Deal.objects.all().delete()
    data = tablib.Dataset().load(io.BytesIO(xlsx).read(), format="xlsx")
    result = DealResource().import_data(data, dry_run=False, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors(), [
        r.error_dict for r in result.invalid_rows
    ]
    deal = Deal.objects.get()
    assert deal.outcome == "lost"
    assert list(deal.stories.all()) == [a]


def test_exported_deals_cannot_run_formulas(db):
    Deal.objects.create(
        external_id="F1", name='=HYPERLINK("http://evil.example")', opened_on="2026-01-01"
    )
    exported = DealResource().export()
    assert exported.dict[0]["name"].startswith("'=HYPERLINK")


# --- The admin import on several web hosts, capped, large ones in Celery ---


def _deals_csv(count: int) -> bytes:
    rows = "".join(
        f"D-{i},Deal {i},100,USD,,2026-01-05,,open,finance,smb,,\n" for i in range(count)
    )
    return f"{HEADER}\n{rows}".encode()


def _check(client, content: bytes, name="deals.csv"):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(
        reverse("admin:analytics_deal_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )


def _confirm(client, response, **overrides):
    data = {**response.context["confirm_form"].initial, **overrides}
    return client.post(reverse("admin:analytics_deal_process_import"), data)


def _stored(settings) -> list:
    from pathlib import Path

    root = Path(settings.STORAGES["imports"]["OPTIONS"]["location"])
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_admin_import_confirms_on_another_web_host(client, alice, finance, settings, tmp_path):
    import tempfile

    client.force_login(alice)
    checked = _check(client, _deals_csv(3))
    assert "Confirm import" in checked.content.decode()
    assert len(_stored(settings)) == 1  # in the private shared storage
    other_tmp = tmp_path / "other-host-tmp"
    other_tmp.mkdir()
    old_tempdir, tempfile.tempdir = tempfile.tempdir, str(other_tmp)
    settings.MEDIA_ROOT = str(tmp_path / "other-host-media")
    try:
        response = _confirm(client, checked)
    finally:
        tempfile.tempdir = old_tempdir
    assert response.status_code == 302
    assert Deal.objects.count() == 3
    assert _stored(settings) == []


def test_a_failed_check_keeps_no_file(client, alice, finance, settings):
    client.force_login(alice)
    bad = f"{HEADER}\nBAD-1,x,100,USD,,2026-01-05,,open,finance,smb,,ghost\n".encode()
    assert "ghost" in _check(client, bad).content.decode()
    assert _stored(settings) == []


def test_a_confirmation_of_a_file_not_checked_here_is_refused(client, alice, finance, bob):
    client.force_login(alice)
    checked = _check(client, _deals_csv(2))
    for name in ("0" * 32, "../../../etc/passwd"):
        response = _confirm(client, checked, import_file_name=name)
        assert response.status_code == 302
        assert "/import/" in response["Location"]
    assert not Deal.objects.exists()
    # Another person cannot confirm alice's file either.
    other = factories.UserFactory(username="ops", is_superuser=True, is_staff=True)
    client.force_login(other)
    assert _confirm(client, checked).status_code == 302
    assert not Deal.objects.exists()


def test_a_file_above_the_row_cap_is_refused(client, alice, finance, settings):
    settings.IMPORT_MAX_ROWS = 3
    client.force_login(alice)
    response = _check(client, _deals_csv(4))
    assert response.status_code == 200
    assert "more than 3 rows" in response.content.decode()
    assert "confirm_form" not in response.context
    assert _stored(settings) == []
    assert not Deal.objects.exists()


def test_a_large_admin_import_is_checked_and_imported_by_jobs(
    client, alice, finance, settings, django_capture_on_commit_callbacks
):
    from core.models import ImportJob

    settings.IMPORT_SYNC_ROWS = 20
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = _check(client, _deals_csv(30), name="q4-deals.csv")
    check = ImportJob.objects.get()
    assert response["Location"] == reverse("admin:core_importjob_change", args=[check.pk])
    assert (check.kind, check.dry_run, check.status, check.processed_rows) == (
        "analytics.deal",
        True,
        "done",
        30,
    )
    assert check.resource == "analytics.resources.DealResource"
    assert not Deal.objects.exists()
    assert len(_stored(settings)) == 1  # waiting for the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:core_importjob_confirm", args=[check.pk]))
    job = ImportJob.objects.get(dry_run=False)
    assert (job.status, job.processed_rows, job.total_rows) == ("done", 30, 30)
    assert job.original_name == "q4-deals.csv"
    assert Deal.objects.count() == 30
    assert _stored(settings) == []
    page = client.get(response["Location"]).content.decode()
    assert "30 of 30 rows" in page
    assert reverse("admin:analytics_deal_changelist") in page


def test_the_admin_import_refuses_an_html_file_named_csv(client, alice, finance):
    client.force_login(alice)
    url = reverse("admin:analytics_deal_import")
    upload = SimpleUploadedFile(
        "deals.csv", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "text/csv"
    )
    response = client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
    assert response.status_code == 200
    assert "is an SVG, HTML or XML file" in response.content.decode()
    assert not Deal.objects.exists()
