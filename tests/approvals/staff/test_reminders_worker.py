"""A real Celery worker on Redis runs the reminder sweep twice: one email per
reminder."""

import time
import uuid

import pytest
from celery.signals import task_postrun
from django.core import mail

from approvals.models import ReminderLog
from tests.approvals.staff import factories_b
from tests.conftest import celery_conf, require_redis

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_running_the_sweep_twice_sends_each_reminder_once(open_request, alice, dave):
    from celery.contrib.testing.worker import start_worker

    from approvals.tasks import send_approval_reminders

    url = require_redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    steps = [factories_b.customer_step(open_request, days_ago=d) for d in (3, 7, 12)]
    mail.outbox = []
    finished: dict[str, object] = {}

    def record(task_id=None, retval=None, **kwargs):
        finished[task_id] = retval

    task_postrun.connect(record, weak=False)
    try:
        with (
            celery_conf(task_always_eager=False, broker_url=url, task_default_queue=queue) as app,
            start_worker(
                app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
            ),
        ):
            first = send_approval_reminders.apply_async(queue=queue)
            # The same sweep delivered again (a redelivery, or beat firing twice).
            second = send_approval_reminders.apply_async(queue=queue)
            assert _wait_for(lambda: first.id in finished and second.id in finished)
    finally:
        task_postrun.disconnect(record)

    assert finished[first.id] == {"sent": 3, "failed": 0}
    assert finished[second.id] == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 3
    assert sorted(
        ReminderLog.objects.filter(step__in=steps, sent_at__isnull=False).values_list(
            "kind", "sequence"
        )
    ) == [("escalation", 1), ("reminder", 1), ("reminder", 2)]
