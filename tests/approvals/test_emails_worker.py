"""A real Celery worker sends each review link and each code once, whatever
redeliveries happen (the outbox row is claimed before sending), and no raw
token or code ever travels through the broker."""

import json
import re

import pytest
from django.core import mail

from approvals import services
from approvals.models import ReviewLink, StepKind
from core.models import OutboxEmail
from core.tasks import deliver_email
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
        sent = OutboxEmail.objects.get(key=f"approvals.review_link:{link.pk}")
        assert sent.status == OutboxEmail.Status.SENT and sent.recipients == mail.outbox[0].to[0]
        # The same task delivered again finds the email already sent.
        again = deliver_email.apply_async(args=[sent.pk], queue=worker.queue)
        assert wait_for(lambda: again.id in finished)
        assert finished[again.id] is False

        services.code_send(link=link)
        assert wait_for(lambda: len(mail.outbox) == 3)
        code = re.search(r"\b(\d{6})\b", mail.outbox[2].body).group(1)
        code_row = OutboxEmail.objects.get(kind="approvals.review_code")
        again = deliver_email.apply_async(args=[code_row.pk], queue=worker.queue)
        assert wait_for(lambda: again.id in finished)
        assert finished[again.id] is False
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox[:2]) == [LEE, PAT]
    # What the broker carried and the tables hold: ids, never the secrets.
    rows = json.dumps(list(OutboxEmail.objects.values()), default=str)
    links = json.dumps(list(ReviewLink.objects.values()), default=str)
    for secret in (token, code):
        assert secret not in rows and secret not in links
