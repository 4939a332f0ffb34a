"""A real Celery worker, consuming from Redis, runs the skeleton's task."""

import time
import uuid

import pytest
from celery.signals import task_postrun
from django.core import mail

from casestudies import services
from casestudies.models import CaseStudyState, StateChange
from tests import factories
from tests.conftest import celery_conf, require_redis

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_on_redis_notifies_the_owner_once(alice, bob):
    from celery.contrib.testing.worker import start_worker

    url = require_redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"  # never consume another run's messages
    cs = factories.case_study_in_state(CaseStudyState.CANDIDATE, actor=alice)
    mail.outbox = []
    finished: dict[str, object] = {}

    def record(task_id=None, retval=None, **kwargs):
        finished[task_id] = retval

    task_postrun.connect(record, weak=False)

    with (
        celery_conf(task_always_eager=False, broker_url=url, task_default_queue=queue) as app,
        start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
        ),
    ):
        # Autocommit (transactional test): on_commit enqueues at once.
        services.case_study_start_recruiting(case_study=cs, actor=bob)
        change = StateChange.objects.get(case_study=cs, to_state=CaseStudyState.RECRUITING)
        assert _wait_for(
            lambda: StateChange.objects.filter(pk=change.pk, notified_at__isnull=False).exists()
        )
        assert _wait_for(lambda: len(mail.outbox) == 1)

        # Deliver the same task again, as a redelivery would: it runs, and
        # finds the claim taken.
        from casestudies.tasks import send_state_change_notification

        result = send_state_change_notification.apply_async(args=[change.pk], queue=queue)
        assert _wait_for(lambda: result.id in finished)
        assert finished[result.id] is False

    task_postrun.disconnect(record)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
