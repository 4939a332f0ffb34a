"""A real Celery worker, consuming from Redis, renders a proposal pack while
the rep watches its page; a redelivered task renders nothing twice."""

import pytest

from distribution.models import ProposalPack
from distribution.sales import services as sales_services
from tests.conftest import real_worker, wait_for
from tests.distribution.publication.conftest import pdf_text

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_on_redis_renders_the_pack(client, bob, make_story, terms):
    cs = make_story("Retailer live in six weeks", objections=[terms["slow"]])
    client.force_login(bob)
    with real_worker(start=False) as worker:
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
        with worker.running():
            assert wait_for(
                lambda: client.get(status_url).json()["ready"], timeout=90.0, interval=0.3
            )
    pack.refresh_from_db()
    assert pack.status == ProposalPack.Status.DONE
    # A redelivery of the same task finds nothing to claim.
    assert sales_services.proposal_pack_render(pack_id=pack.pk) is False
    response = client.get(f"/sales/packs/{pack.pk}/pdf/")
    text = pdf_text(b"".join(response.streaming_content))
    assert "Customer stories for Bluebird Stores" in text
    assert "Retailer live in six weeks" in text
