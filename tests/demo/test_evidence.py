"""The demo program shows an approval request with evidence, suggestions and
a due reminder; seeding twice adds nothing."""

from django.core import mail

from approvals import reminders
from approvals.certificate import certificate_html
from approvals.models import ApprovalRequest, ReviewComment
from demo.evidence import DEMO_NOTE, seed_approval_evidence


def test_seed_demo_adds_one_approval_request_once(seeded, db, groups):
    assert seed_approval_evidence() == 0
    request = ApprovalRequest.objects.get(message=DEMO_NOTE)
    assert request.case_study.state == "in_review"
    assert ReviewComment.objects.filter(step__request=request, status="open").count() == 2
    participant = request.steps.get(kind="participant")
    assert participant.reviewer_name in certificate_html(request)

    mail.outbox = []
    assert reminders.reminders_sweep().sent == 1
    assert mail.outbox[0].to == [request.steps.get(kind="customer_legal").reviewer_email]
