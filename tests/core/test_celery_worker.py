"""A real Celery worker, consuming from Redis, runs the skeleton's task."""

import pytest
from django.core import mail

from casestudies import services
from casestudies.models import CaseStudyState, StateChange
from tests import factories
from tests.conftest import real_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_on_redis_notifies_the_owner_once(alice, bob):
    cs = factories.case_study_in_state(CaseStudyState.CANDIDATE, actor=alice)
    mail.outbox = []

    with real_worker() as worker:
        finished = worker.finished
        # Autocommit (transactional test): on_commit enqueues at once.
        services.case_study_start_recruiting(case_study=cs, actor=bob)
        change = StateChange.objects.get(case_study=cs, to_state=CaseStudyState.RECRUITING)
        assert wait_for(
            lambda: StateChange.objects.filter(pk=change.pk, notified_at__isnull=False).exists()
        )
        assert wait_for(lambda: len(mail.outbox) == 1)

        # Deliver the same email again, as a redelivery would: it runs, and
        # finds it sent.
        from core.models import OutboxEmail
        from core.tasks import deliver_email

        row = OutboxEmail.objects.get(key=f"casestudies.state_change:{change.pk}")
        result = deliver_email.apply_async(args=[row.pk], queue=worker.queue)
        assert wait_for(lambda: result.id in finished)
        assert finished[result.id] is False

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
