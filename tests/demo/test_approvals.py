"""The demo chain: three customer reviewers and one printed link that works,
the same on every run."""

import io

import pytest

from approvals.models import ApprovalRequest
from core.models import AuditEntry
from demo.approvals import seed_approvals

pytestmark = pytest.mark.django_db


def test_the_demo_starts_a_chain_and_prints_a_working_link(client, story_at):
    cs = story_at("in_review")
    out = io.StringIO()
    url = seed_approvals(stdout=out)
    assert url in out.getvalue()
    request = ApprovalRequest.objects.get(case_study=cs)
    assert request.steps.filter(contact__isnull=False, status="pending").count() == 3
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200 and cs.title in response.content.decode()
    audits = AuditEntry.objects.count()
    assert seed_approvals() == url  # idempotent: same link, nothing written
    assert AuditEntry.objects.count() == audits
