"""A worker killed with ``kill -9`` (its whole process group: the main
process and its pool) in the middle of its work."""

import time

import httpx
import pytest

from distribution.models import Campaign, CampaignDelivery, Recipient, RenderedDocument
from tests import factories
from tests.faults.conftest import REPEAT, elapsed, measure
from tests.faults.scenarios import on_the_stack, program_manager, published_stories
from tests.processes import production_stack, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.production, pytest.mark.fault]

Doc = RenderedDocument
FAST_RECOVERY = {
    # Seconds, shortened so each round is quick; the defaults (45 / 60 / 15)
    # give the same behaviour a little later.
    "RENDER_LEASE_SECONDS": "6",
    "RENDER_QUEUE_STALE_SECONDS": "6",
    "RENDER_SWEEP_SECONDS": "2",
    "CELERY_CONCURRENCY": "1",
}


def _pdf_served(client: httpx.Client, url: str) -> bool:
    response = client.get(url)
    return response.headers.get("content-type", "").startswith("application/pdf")


def test_a_worker_killed_mid_render_renders_every_pdf_once(stack_urls, static_root):
    stories = published_stories(REPEAT)
    recoveries = []
    with (
        production_stack(
            **stack_urls, static_root=static_root, migrate=False, beat=True, extra_env=FAST_RECOVERY
        ) as stack,
        httpx.Client(base_url=stack.base_url, follow_redirects=True, timeout=30) as reader,
    ):
        for cs in stories:
            url = f"/case-studies/{cs.slug}/pdf/"
            reader.get(url)  # queues the render; the reader waits
            rendering = Doc.objects.filter(case_study=cs, kind="pdf", status="rendering")
            assert wait_until(rendering.exists, timeout=30, interval=0.02), stack.log_text()[-2000:]
            stack.kill("worker")
            assert Doc.objects.get(case_study=cs, kind="pdf").status == "rendering"
            stack.start("worker")
            stack.wait_worker()
            back = time.monotonic()
            assert wait_until(lambda u=url: _pdf_served(reader, u), timeout=60, interval=0.5), (
                stack.log_text()[-3000:]
            )
            recoveries.append(elapsed(back))
        for cs in stories:
            document = Doc.objects.get(case_study=cs, kind="pdf")
            # Rendered once to the end: the killed attempt stored nothing.
            assert document.status == Doc.Status.DONE
            assert document.attempts == 2, document.attempts
            stored = list((stack.workdir / "private-media").rglob(f"{cs.slug}-v*-pdf-*.pdf"))
            assert len(stored) == 1, (document.file.name, stored)
    measure(f"PDF served after the worker is back (max of {REPEAT})", max(recoveries))
    assert max(recoveries) <= 60


def test_a_worker_killed_mid_campaign_sends_each_recipient_one_email(stack_urls, static_root):
    alice = program_manager("alice")
    story = factories.case_study_in_state("published", actor=alice, title="Campaign story")
    recipients = [
        Recipient.objects.create(
            email=f"prospect{i}@prospect.example", kind="prospect", industry=story.customer.industry
        )
        for i in range(60)
    ]
    campaign = Campaign.objects.create(
        name="Kill test",
        slug="kill-test",
        subject="Stories like yours",
        segment="prospects",
        industry=story.customer.industry,
        language="en",
    )
    campaign.stories.add(story)
    env = {
        "CELERY_CONCURRENCY": "1",
        "CAMPAIGN_CLAIM_SECONDS": "3",
        "CAMPAIGN_RESUME_AFTER_SECONDS": "1",
        "CAMPAIGN_RESUME_SECONDS": "2",
    }
    from distribution.outreach import campaigns

    kills = 2
    with production_stack(
        **stack_urls, static_root=static_root, migrate=False, beat=True, extra_env=env
    ) as stack:
        stack.smtp.delay = 0.03  # a relay that takes its time: the kill lands mid-batch
        with on_the_stack(stack_urls["redis_url"]):
            campaigns.campaign_send(campaign=campaign, actor=alice)
        for round_ in range(1, kills + 1):
            assert wait_until(lambda r=round_: stack.smtp.count() >= 15 * r, timeout=60)
            stack.kill("worker")
            stack.start("worker")
            stack.wait_worker()
        assert wait_until(
            lambda: Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT, timeout=90
        ), stack.log_text()[-3000:]
        time.sleep(3)  # any late duplicate
        received = [m.to[0] for m in stack.smtp.messages]
    per_recipient = {r.email: received.count(r.email) for r in recipients}
    assert min(per_recipient.values()) == 1, "a recipient got nothing"
    duplicates = sum(n - 1 for n in per_recipient.values())
    # At most the one email in flight at each kill can arrive twice (the relay
    # had accepted it when the worker died; RFC 1047): it keeps its Message-ID.
    assert duplicates <= kills, per_recipient
    measure(f"campaign duplicates after {kills} kills of 60 recipients", duplicates)
    sent = CampaignDelivery.objects.filter(campaign=campaign, status="sent").count()
    assert sent == len(recipients)
    assert campaigns.progress(campaign)["sent"] == len(recipients)
