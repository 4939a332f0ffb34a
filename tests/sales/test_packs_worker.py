"""A real Celery worker, consuming from Redis, renders a proposal pack while
the rep watches its page; a redelivered task renders nothing twice."""

import time
import uuid

import pytest

from distribution import sales_services
from distribution.models import ProposalPack
from tests.conftest import celery_conf, require_redis
from tests.distribution.conftest import pdf_text

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_a_worker_on_redis_renders_the_pack(client, bob, make_story, terms):
    from celery.contrib.testing.worker import start_worker

    url = require_redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    cs = make_story("Retailer live in six weeks", objections=[terms["slow"]])
    client.force_login(bob)
    with celery_conf(task_always_eager=False, broker_url=url, task_default_queue=queue) as app:
        response = client.post(
            "/sales/packs/new/",
            {
                "objections": "implementation-time",
                "prospect_company": "Bluebird Stores",
                "story": [str(cs.pk)],
            },
        )
        pack = ProposalPack.objects.get()
        status_url = f"/sales/packs/{pack.pk}/status/"
        assert response["Location"] == f"/sales/packs/{pack.pk}/"
        assert client.get(status_url).json()["status"] == "queued"
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
        ):
            assert _wait_for(lambda: client.get(status_url).json()["ready"])
    pack.refresh_from_db()
    assert pack.status == ProposalPack.Status.DONE
    # A redelivery of the same task finds nothing to claim.
    assert sales_services.proposal_pack_render(pack_id=pack.pk) is False
    response = client.get(f"/sales/packs/{pack.pk}/pdf/")
    text = pdf_text(b"".join(response.streaming_content))
    assert "Customer stories for Bluebird Stores" in text
    assert "Retailer live in six weeks" in text
