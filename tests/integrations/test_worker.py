"""A real Celery worker delivers each webhook once, whatever redeliveries
happen, and retries a failed one with its backoff."""

import json
import time

import pytest

from casestudies import services as cs_services
from integrations.models import WebhookDelivery
from integrations.tasks import deliver_webhook
from tests.conftest import real_worker, require_postgres, wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_posts_each_event_exactly_once(receiver, endpoint_for, story_at, alice):
    require_postgres()
    endpoint_for(receiver, ["story.published"])
    cs = story_at("approved")
    with real_worker() as worker:
        finished = worker.finished
        cs_services.case_study_publish(case_study=cs, actor=alice)  # commits: hands off
        assert receiver.wait_for(1)
        row = WebhookDelivery.objects.get()
        assert wait_for(lambda: WebhookDelivery.objects.get(pk=row.pk).status == "succeeded")
        # The broker redelivers the task, twice, and a second worker runs the sweep.
        again = [deliver_webhook.apply_async(args=[row.pk], queue=worker.queue) for _ in range(2)]
        assert wait_for(lambda: all(a.id in finished for a in again))
        assert [finished[a.id] for a in again] == [False, False]
        time.sleep(0.5)
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0].body)["data"]["story"]["id"] == cs.pk
