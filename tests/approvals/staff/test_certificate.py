"""The certificate of approval lists every decision of the request and of the
requests it replaced, with the version's SHA-256 (checked with pdftotext)."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from approvals.models import ApprovalStep, StepKind
from casestudies import services
from tests import factories
from tests.approvals.staff import factories_b
from tests.conftest import IN_CI


def _poppler(name):
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"CI=true requires {name} (poppler-utils).")
        pytest.skip(f"needs {name}")
    return path


def pdf_text(content: bytes) -> str:
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [_poppler("pdftotext"), "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return " ".join(out.split())


def pdf_pages(content: bytes, tmp_path) -> int:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    out = subprocess.run(  # noqa: S603
        [_poppler("pdfinfo"), str(path)], capture_output=True, check=True, text=True
    ).stdout
    return int(next(line.split(":")[1] for line in out.splitlines() if line.startswith("Pages")))


@pytest.fixture
def approved_chain(in_review, alice):
    """Three customer reviewers: one requested a change on v1; v2 approved by all."""
    first = factories_b.approval_request(in_review, actor=alice, status="superseded")
    people = [
        ("Sari Wijaya", StepKind.PARTICIPANT),
        ("Budi Santoso", StepKind.CUSTOMER_LEGAL),
        ("Dewi Lestari", StepKind.EXECUTIVE_SPONSOR),
    ]
    contacts = [
        factories.ContactFactory(customer=in_review.customer, name=name) for name, _k in people
    ]
    step = factories_b.customer_step(first, contact=contacts[1], kind=people[1][1])
    factories_b.decide(
        step,
        outcome="changes_requested",
        message="Please remove the revenue figure.",
        ip_address="198.51.100.23",
    )
    v2 = services.story_version_create(
        case_study=in_review,
        actor=alice,
        title="Faster month-end close",
        sections=factories.sections(summary="A new summary " * 20),
    )
    second = factories_b.approval_request(in_review, actor=alice, version=v2, previous=first)
    quote = factories.QuoteFactory(case_study=in_review)
    metric = factories.MetricFactory(case_study=in_review, label="Revenue per rep")
    rights = {
        "web": True,
        "pdf": True,
        "sales_decks": False,
        "social": False,
        "events": False,
        "paid": False,
        "logo_allowed": True,
        "anonymised": False,
        "percentage_only": True,
        "rights_expire_on": "2028-12-31",
    }
    for contact, (_name, kind) in zip(contacts, people, strict=True):
        step = factories_b.customer_step(second, contact=contact, kind=kind)
        factories_b.decide(
            step,
            quotes=[(quote, "refused" if kind == StepKind.CUSTOMER_LEGAL else "approved")],
            decided={
                "rights": rights,
                "checklist": {"facts_checked": True, "attribution_checked": True},
                "flags": [
                    {"section": "", "phrase": "", "metric": metric.pk, "show_as_percentage": True}
                ],
            },
        )
    factories_b.customer_step(
        second, kind=StepKind.CUSTOMER_PR, required=False, status=ApprovalStep.Status.SKIPPED
    )
    return first, second, contacts


def test_it_lists_every_decision_and_the_hash(client, alice, approved_chain, tmp_path):
    first, second, contacts = approved_chain
    client.force_login(alice)

    response = client.get(reverse("approvals_staff:certificate", args=[second.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "approval-certificate-" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Certificate of approval" in text
    assert second.content_hash in text and first.content_hash in text
    for contact in contacts:
        assert text.count(contact.name) >= 1
        assert contact.email in text
    assert text.count("Changes requested") == 1
    assert "Please remove the revenue figure." in text
    assert "198.51.100.23" in text and "iPhone" in text
    assert text.count("· Approved") == 3
    assert "refused" in text
    assert "Version 1" in text and "Version 2" in text
    # The approved version and its decisions lead; the replaced one follows.
    assert text.index("Version 2 — in progress") < text.index("Versions this one replaced")
    assert text.index("Versions this one replaced") < text.index("Version 1 —")
    assert text.index("· Approved") < text.index("Changes requested")
    # Rights, flags and the sign-off checks in words, not key dumps.
    assert "Allowed: public website and gallery, PDF and one-pager" in text
    assert "Not allowed: sales decks and proposal packs" in text
    assert "Percentages only" in text and "May be used until 2028-12-31" in text
    assert "Revenue per rep: show as a percentage" in text
    assert text.count("Facts and figures checked: yes") == 3
    assert text.count("Names and job titles correct: yes") == 3
    assert "metric:" not in text and "logo_allowed" not in text and "phrase: ;" not in text
    assert "UTC" in text
    assert 1 <= pdf_pages(response.content, tmp_path) <= 3


def test_it_is_for_program_managers_only(client, bob, charlie, approved_chain):
    _first, second, _contacts = approved_chain
    url = reverse("approvals_staff:certificate", args=[second.pk])
    assert client.get(url).status_code == 302  # to the login page
    for user in (bob, charlie):
        client.force_login(user)
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("bad", ["abc", "0", "99999999", "1" * 30, "²"])
def test_a_bad_id_is_a_404(client, alice, bad):
    client.force_login(alice)
    assert client.get(f"/admin/approvals/approvalrequest/{bad}/certificate/").status_code == 404
