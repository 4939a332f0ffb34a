"""A real Celery worker sends each review link and each code once, whatever
redeliveries happen (the task claims its "done" marker before sending)."""

import re

import pytest
from django.core import mail

from approvals import services
from approvals.emails import send_review_code, send_review_link
from approvals.models import ReviewLink, StepKind
from tests.conftest import real_worker, wait_for

PAT, LEE = "pat@customer.example", "lee@customer.example"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_link_and_code_once(in_review, alice):
    mail.outbox = []
    with real_worker() as worker:
        finished = worker.finished
        services.approval_request_start(
            case_study=in_review,
            steps=[
                services.StepSpec(
                    kind=StepKind.PARTICIPANT,
                    contact=in_review.customer.contacts.get(email=PAT),
                ),
                services.StepSpec(
                    kind=StepKind.CUSTOMER_LEGAL,
                    contact=in_review.customer.contacts.get(email=LEE),
                ),
            ],
            actor=alice,
        )
        assert wait_for(lambda: len(mail.outbox) == 2)
        token = re.search(r"/review/([A-Za-z0-9_-]{43})/", mail.outbox[0].body).group(1)
        link = ReviewLink.objects.get(step__reviewer_email=mail.outbox[0].to[0])
        # The same task delivered again finds the link already sent.
        again = send_review_link.apply_async(args=[link.pk, token], queue=worker.queue)
        assert wait_for(lambda: again.id in finished)
        assert finished[again.id] is False

        services.code_send(link=link)
        assert wait_for(lambda: len(mail.outbox) == 3)
        code = re.search(r"\b(\d{6})\b", mail.outbox[2].body).group(1)
        again = send_review_code.apply_async(args=[link.pk, code], queue=worker.queue)
        assert wait_for(lambda: again.id in finished)
        assert finished[again.id] is False
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox[:2]) == [LEE, PAT]
