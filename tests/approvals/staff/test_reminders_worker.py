"""A real Celery worker on Redis runs the reminder sweep twice: one email per
reminder."""

import pytest
from django.core import mail

from approvals.models import ReminderLog
from tests.approvals.staff import factories_b
from tests.conftest import real_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_running_the_sweep_twice_sends_each_reminder_once(open_request, alice, dave):
    from approvals.tasks import send_approval_reminders

    steps = [factories_b.customer_step(open_request, days_ago=d) for d in (3, 7, 12)]
    mail.outbox = []
    with real_worker() as worker:
        finished = worker.finished
        first = send_approval_reminders.apply_async(queue=worker.queue)
        # The same sweep delivered again (a redelivery, or beat firing twice).
        second = send_approval_reminders.apply_async(queue=worker.queue)
        assert wait_for(lambda: first.id in finished and second.id in finished, timeout=30.0)

    assert finished[first.id] == {"sent": 3, "failed": 0}
    assert finished[second.id] == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 3
    assert sorted(
        ReminderLog.objects.filter(step__in=steps, sent_at__isnull=False).values_list(
            "kind", "sequence"
        )
    ) == [("escalation", 1), ("reminder", 1), ("reminder", 2)]
