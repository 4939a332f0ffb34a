"""Redis (cache and broker) stopped while customers decide: every decision
commits, nobody sees an error page, and every email those decisions promised
is sent once Redis is back (the outbox and its sweep)."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.core import mail

from approvals.models import ApprovalRequest, Decision
from casestudies.models import CaseStudy, CaseStudyState
from core.models import OutboxEmail
from tests.faults.conftest import elapsed, measure
from tests.faults.scenarios import program_manager, review_chain
from tests.processes import production_stack, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.production, pytest.mark.fault]

DECISIONS = 200
STORIES = 20  # 20 stories of 10 reviewers: decisions on one request queue on its row lock
APPROVE = {"outcome": "approved", "facts_checked": "on", "attribution_checked": "on"}
LINK = re.compile(r"/review/([A-Za-z0-9_-]{43})/")


def test_decisions_made_while_redis_is_down_commit_and_their_emails_follow(
    stack_urls, static_root, own_redis
):
    urls = {**stack_urls, "redis_url": own_redis.url}
    env = {"GUNICORN_WORKERS": "4", "CELERY_CONCURRENCY": "4"}
    # The review links are minted and emailed before the stack starts, in
    # this process (the smoke test covers them through a production worker):
    # what is under test is what happens to decisions and their receipts.
    mail.outbox.clear()
    owner = program_manager()
    chains = [
        review_chain(DECISIONS // STORIES, owner=owner, first=i * DECISIONS // STORIES)
        for i in range(STORIES)
    ]
    tokens = [LINK.search(m.body).group(1) for m in mail.outbox if LINK.search(m.body)]
    assert len(set(tokens)) == DECISIONS
    with production_stack(
        **urls, static_root=static_root, migrate=False, beat=True, extra_env=env
    ) as stack:
        sent_before = stack.smtp.count()

        own_redis.stop()
        statuses: list[int] = []

        def decide(token: str) -> int:
            with httpx.Client(base_url=stack.base_url, timeout=60) as customer:
                response = customer.post(
                    f"/review/{token}/decide/",
                    data=APPROVE,
                )
                return response.status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(decide, tokens))
        assert all(code < 500 for code in statuses), sorted(set(statuses))
        assert Decision.objects.count() == DECISIONS
        for cs, request in chains:
            assert ApprovalRequest.objects.get(pk=request.pk).status == "approved"
            assert CaseStudy.objects.get(pk=cs.pk).state == CaseStudyState.APPROVED
        promised = OutboxEmail.objects.filter(
            kind="approvals.decision_receipt", status=OutboxEmail.Status.PENDING
        ).count()
        assert promised == DECISIONS  # written with each decision, waiting
        assert stack.smtp.count() == sent_before  # nothing left while the broker was down

        own_redis.start()
        back = time.monotonic()
        receipts = lambda: [m for m in stack.smtp.messages if "recorded" in m.subject]  # noqa: E731
        # The worker reconnects with a growing back-off: on a loaded machine
        # the last receipt has taken over 60 s (32.5 s is the README's figure).
        assert wait_until(lambda: len(receipts()) >= DECISIONS, timeout=120, interval=0.5), (
            len(receipts()),
            stack.log_text()[-3000:],
        )
        delivered_in = elapsed(back)
        time.sleep(4)  # two more sweeps: any duplicate would show now
        per_reviewer = {}
        for message in receipts():
            per_reviewer[message.to[0]] = per_reviewer.get(message.to[0], 0) + 1
    assert len(per_reviewer) == DECISIONS and set(per_reviewer.values()) == {1}
    assert (
        not OutboxEmail.objects.exclude(status=OutboxEmail.Status.SENT)
        .exclude(status=OutboxEmail.Status.SKIPPED)
        .exists()
    )
    measure(f"{DECISIONS} decision receipts delivered after Redis returned", delivered_in)
    assert delivered_in <= 60
