"""Many at once: 50 approve POSTs on one link, one reminder task delivered
ten times. One decision, one transition, one email each."""

import re
import threading
import time
from datetime import timedelta

import httpx
import pytest
from celery import Celery
from django.utils import timezone

from approvals.models import ApprovalStep, Decision, ReminderLog
from casestudies.models import CaseStudyState, StateChange
from tests.faults.scenarios import on_the_stack, review_chain
from tests.processes import production_stack, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.production, pytest.mark.fault]

APPROVE = {"outcome": "approved", "facts_checked": "on", "attribution_checked": "on"}
LINK = re.compile(r"/review/([A-Za-z0-9_-]{43})/")
REVIEWER = "reviewer0@customer.example"


def test_fifty_simultaneous_approvals_on_one_link_make_one_decision(stack_urls, static_root):
    env = {"GUNICORN_WORKERS": "8", "CELERY_CONCURRENCY": "2"}
    with production_stack(
        **stack_urls, static_root=static_root, migrate=False, extra_env=env
    ) as stack:
        with on_the_stack(stack_urls["redis_url"]):
            cs, request = review_chain(1)
        (invitation,) = stack.smtp.wait_for(REVIEWER)
        token = LINK.search(invitation.text).group(1)
        barrier = threading.Barrier(50)
        statuses: list[int] = []

        def approve() -> None:
            with httpx.Client(base_url=stack.base_url, timeout=60) as client:
                barrier.wait()
                response = client.post(f"/review/{token}/decide/", data=APPROVE)
                statuses.append(response.status_code)

        threads = [threading.Thread(target=approve) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(statuses) == 50 and all(code < 500 for code in statuses), statuses
        assert Decision.objects.filter(request=request).count() == 1
        assert (
            StateChange.objects.filter(case_study=cs, to_state=CaseStudyState.APPROVED).count() == 1
        )
        receipts = stack.smtp.wait_for(REVIEWER, count=2)  # invitation + receipt
        time.sleep(3)
        assert len(stack.smtp.to(REVIEWER)) == 2, [m.subject for m in stack.smtp.to(REVIEWER)]
        assert "recorded" in receipts[1].subject
        owner_mail = stack.smtp.to("pm@storyline.example")
        assert len([m for m in owner_mail if cs.title in m.subject]) == 1, [
            m.subject for m in owner_mail
        ]
    print(
        "FAULT FIGURE 50 simultaneous approvals on one link: "
        f"{Decision.objects.filter(request=request).count()} decision, "
        f"{StateChange.objects.filter(case_study=cs, to_state=CaseStudyState.APPROVED).count()} "
        f"transition, {len(stack.smtp.to(REVIEWER)) - 1} receipt, "
        f"{sorted(set(statuses))} statuses"
    )


def test_one_reminder_task_delivered_ten_times_sends_one_email(stack_urls, static_root):
    env = {"CELERY_CONCURRENCY": "4"}
    with production_stack(
        **stack_urls, static_root=static_root, migrate=False, web=False, extra_env=env
    ) as stack:
        with on_the_stack(stack_urls["redis_url"]):
            _cs, request = review_chain(1)
        stack.smtp.wait_for(REVIEWER)
        # Asked four days ago: the first reminder (day 3) is due.
        four_days_ago = timezone.now() - timedelta(days=4)
        ApprovalStep.objects.filter(request=request).update(activated_at=four_days_ago)
        request.steps.get().links.update(sent_at=four_days_ago, created_at=four_days_ago)
        client = Celery(broker=stack_urls["redis_url"], set_as_current=False)
        for _ in range(10):
            client.send_task("approvals.tasks.send_approval_reminders")
        assert wait_until(lambda: len(stack.smtp.to(REVIEWER)) >= 2, timeout=60), stack.log_text()[
            -3000:
        ]
        time.sleep(4)  # the other nine have run by now
        assert len(stack.smtp.to(REVIEWER)) == 2
        assert ReminderLog.objects.filter(step__request=request).count() == 1
        print(
            "FAULT FIGURE one reminder task delivered 10 times: "
            f"{len(stack.smtp.to(REVIEWER)) - 1} reminder email"
        )
