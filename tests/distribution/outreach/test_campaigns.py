import pytest
from django.core import mail
from django.urls import reverse

from core.errors import TransitionError
from distribution.models import Campaign, CampaignDelivery, Recipient, Suppression
from distribution.outreach import campaigns
from distribution.outreach.tasks import send_campaign_batch
from tests import factories
from tests.conftest import real_worker, wait_for


@pytest.fixture
def audience(story):
    industry = story.customer.industry
    other = factories.IndustryFactory(name="Aerospace", slug="aerospace")
    people = {
        "ana": Recipient.objects.create(
            email="ana@prospect.example", name="Ana", kind="prospect", industry=industry
        ),
        "ben": Recipient.objects.create(
            email="ben@prospect.example", name="Ben", kind="prospect", industry=industry
        ),
        "gone": Recipient.objects.create(
            email="gone@prospect.example", kind="prospect", industry=industry, unsubscribed=True
        ),
        "bounced": Recipient.objects.create(
            email="Bounced@Prospect.example", kind="prospect", industry=industry
        ),
        "other_industry": Recipient.objects.create(
            email="doc@clinic.example", kind="prospect", industry=other
        ),
        "customer": Recipient.objects.create(
            email="peer@customer.example", kind="customer", industry=industry
        ),
    }
    Suppression.objects.create(email="bounced@prospect.example", reason="bounced")
    return people


@pytest.fixture
def campaign(story, audience, alice):
    c = Campaign.objects.create(
        name="Retail spring",
        slug="retail-spring",
        subject="How retailers close faster",
        intro="Three minutes of reading.",
        segment=Campaign.Segment.PROSPECTS,
        industry=story.customer.industry,
        created_by=alice,
    )
    c.stories.set([story])
    return c


@pytest.mark.django_db
def test_each_recipient_of_the_segment_gets_one_email_and_the_suppressed_none(
    campaign, audience, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        total = campaigns.campaign_send(campaign=campaign, actor=alice)
    assert total == 4  # the prospects of this industry, suppressed ones included
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@prospect.example", "ben@prospect.example"]
    statuses = dict(CampaignDelivery.objects.values_list("recipient__email", "status"))
    assert statuses["gone@prospect.example"] == "suppressed"
    assert statuses["Bounced@Prospect.example"] == "suppressed"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.finished_at
    assert campaigns.progress(campaign) == {
        "sent": 2,
        "sending": 0,
        "suppressed": 2,
        "failed": 0,
        "pending": 0,
        "total": 4,
    }
    # Retried or redelivered batches send nothing more; a second send is refused.
    ids = list(CampaignDelivery.objects.values_list("pk", flat=True))
    assert send_campaign_batch(campaign.pk, ids) == 0
    assert campaigns.campaigns_resume() == 0
    with pytest.raises(TransitionError, match="already sent"):
        campaigns.campaign_send(campaign=campaign, actor=alice)
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_email_carries_the_story_card_utm_links_and_one_click_unsubscribe(
    campaign, story, audience, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(campaign=campaign, actor=alice)
    message = next(m for m in mail.outbox if m.to == ["ana@prospect.example"])
    html = message.alternatives[0][0]
    link = "utm_source=email&amp;utm_medium=campaign&amp;utm_campaign=retail-spring"
    assert link in html
    assert "utm_source=email&utm_medium=campaign&utm_campaign=retail-spring" in message.body
    assert "Acme closes the books faster" in message.body
    assert "66.7% reduction · Month-end close (15 → 5 days)" in message.body
    assert "We cut month-end close from 15 days to 5." in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body
    assert message.subject == "How retailers close faster"


@pytest.mark.django_db
def test_anonymised_and_percentage_only_stories_keep_their_promise(
    campaign, story, audience, alice, django_capture_on_commit_callbacks
):
    type(story).objects.filter(pk=story.pk).update(anonymised=True, percentage_only=True)
    story.refresh_from_db()
    story.quotes.update(text="Acme Retail cut month-end close by two thirds.")
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(campaign=campaign, actor=alice)
    body = mail.outbox[0].body
    assert "Acme Retail" not in body
    assert "A mid-market" in body
    assert "15 → 5" not in body and "66.7% reduction" in body


@pytest.mark.django_db
def test_a_story_not_allowed_on_the_web_cannot_be_sent(campaign, story, alice):
    type(story).objects.filter(pk=story.pk).update(channel_web=False)
    with pytest.raises(TransitionError, match="may not be shown"):
        campaigns.campaign_send(campaign=campaign, actor=alice)
    assert not CampaignDelivery.objects.exists()


@pytest.mark.django_db
def test_unsubscribe_is_one_click_and_suppresses_the_address(client, audience):
    ana = audience["ana"]
    url = campaigns.unsubscribe_url(ana)
    page = client.get(url)
    assert page.status_code == 200 and "ana@prospect.example" in page.content.decode()
    assert page.headers["Referrer-Policy"] == "no-referrer"
    ana.refresh_from_db()
    assert not ana.unsubscribed  # GET changes nothing
    # RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click", no CSRF token.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    ana.refresh_from_db()
    assert ana.unsubscribed and ana.unsubscribed_at
    assert Suppression.objects.get(email="ana@prospect.example").reason == "unsubscribed"
    assert client.post(url).status_code == 200  # twice is fine
    assert campaigns.is_suppressed("ANA@prospect.example")


@pytest.mark.django_db
def test_tampered_unsubscribe_tokens_are_a_neutral_404(client, audience):
    token = campaigns.unsubscribe_token(audience["ana"])
    for bad in (token[:-2] + "xx", "nope", "x" * 300):
        response = client.get(reverse("outreach_public:unsubscribe", args=[bad]))
        assert response.status_code == 404
        assert "ana@" not in response.content.decode()


@pytest.mark.django_db
def test_the_admin_shows_progress_sent_over_total(
    client, campaign, alice, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(campaign=campaign, actor=alice)
    for i in range(3):
        Campaign.objects.create(name=f"C{i}", slug=f"c{i}", subject="S", segment="newsletter")
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:distribution_campaign_changelist"))
    assert "2 / 4" in page.content.decode()
    detail = client.get(reverse("admin:distribution_campaign_change", args=[campaign.pk]))
    assert "2 sent, 2 suppressed, 0 failed, 0 waiting, of 4" in detail.content.decode()


@pytest.mark.django_db
def test_the_admin_action_sends_and_refuses_an_empty_audience(
    client, campaign, alice, django_capture_on_commit_callbacks
):
    empty = Campaign.objects.create(name="E", slug="e", subject="S", segment="newsletter")
    empty.stories.set(campaign.stories.all())
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:distribution_campaign_changelist"),
            {"action": "send", "_selected_action": [campaign.pk, empty.pk]},
            follow=True,
        )
    text = response.content.decode()
    assert "sending to 4 recipients" in text
    assert "Nobody is in this audience yet." in text
    assert len(mail.outbox) == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_one_email_per_recipient_even_when_a_batch_is_redelivered(
    campaign, audience, alice, settings
):
    settings.STORYLINE = {**settings.STORYLINE, "CAMPAIGN_BATCH_SIZE": 1}
    for i in range(6):
        Recipient.objects.create(
            email=f"extra{i}@prospect.example",
            kind="prospect",
            industry=campaign.industry,
        )
    mail.outbox = []
    with real_worker() as worker:
        finished = worker.finished
        campaigns.campaign_send(campaign=campaign, actor=alice)
        assert wait_for(lambda: len(mail.outbox) == 8, timeout=30.0)
        # Every batch delivered again (a worker lost after sending): nothing more.
        ids = list(CampaignDelivery.objects.values_list("pk", flat=True))
        again = send_campaign_batch.apply_async(args=[campaign.pk, ids], queue=worker.queue)
        assert wait_for(lambda: again.id in finished, timeout=30.0)
        assert finished[again.id] == 0
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == 8
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT


@pytest.mark.django_db
def test_segments_pick_prospects_by_industry_or_use_case_and_customers(story, audience):
    use_case = factories.UseCaseFactory(name="Finance automation")
    Recipient.objects.filter(email="ben@prospect.example").update(use_case=use_case)
    by_use_case = Campaign(segment="prospects", use_case=use_case, slug="u")
    assert [r.email for r in campaigns.segment_recipients(by_use_case)] == ["ben@prospect.example"]
    peers = Campaign(segment="customers", slug="p")
    assert [r.email for r in campaigns.segment_recipients(peers)] == ["peer@customer.example"]


@pytest.mark.django_db
def test_recipient_lists_import_from_csv_without_duplicates(story):
    import tablib

    from distribution.outreach.admin import RecipientResource

    industry = story.customer.industry
    Recipient.objects.create(email="ana@prospect.example", kind="prospect", unsubscribed=True)
    data = tablib.Dataset(headers=["email", "name", "kind", "industry", "use_case", "language"])
    data.append([" ANA@prospect.example", "Ana", "prospect", industry.slug, "", "id"])
    data.append(["new@prospect.example", "New", "newsletter", "", "", "en"])
    result = RecipientResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    ana = Recipient.objects.get(email="ana@prospect.example")
    assert (ana.name, ana.industry, ana.language, ana.unsubscribed) == ("Ana", industry, "id", True)
    assert Recipient.objects.count() == 2

    bad = tablib.Dataset(headers=["email", "kind", "industry"])
    bad.append(["not-an-email", "prospect", "no-such-industry"])
    result = RecipientResource().import_data(bad, dry_run=True)
    assert result.has_errors() or result.has_validation_errors()
    assert Recipient.objects.count() == 2


@pytest.mark.django_db
def test_the_recipient_admin_offers_import_and_export(client, alice):
    client.force_login(alice)
    assert client.get(reverse("admin:distribution_recipient_changelist")).status_code == 200
    assert client.get(reverse("admin:distribution_recipient_import")).status_code == 200


@pytest.mark.django_db
def test_a_campaign_left_sending_by_a_lost_worker_is_resumed_once(
    campaign, audience, alice, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    campaigns.campaign_send(campaign=campaign, actor=alice)  # batches never queued
    assert len(mail.outbox) == 0
    assert campaigns.campaigns_resume() == 0  # too recent: may still be in the queue
    Campaign.objects.filter(pk=campaign.pk).update(queued_at=timezone.now() - timedelta(minutes=30))
    assert campaigns.campaigns_resume() == 1
    assert len(mail.outbox) == 2
    assert campaigns.campaigns_resume() == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_on_the_same_batches_send_each_email_once(campaign, audience, alice):
    import threading

    from django.db import connections

    from tests.conftest import require_postgres

    require_postgres()
    for i in range(30):
        Recipient.objects.create(
            email=f"more{i}@prospect.example", kind="prospect", industry=campaign.industry
        )
    campaigns.campaign_send(campaign=campaign, actor=alice)  # transaction=True: batches ran
    mail.outbox = []
    CampaignDelivery.objects.update(status="pending", claimed_at=None, sent_at=None)
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")
    ids = list(CampaignDelivery.objects.values_list("pk", flat=True))
    barrier = threading.Barrier(4)
    sent = []

    def work():
        barrier.wait()
        try:
            sent.append(campaigns.send_batch(campaign_id=campaign.pk, delivery_ids=ids))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recipients = [m.to[0] for m in mail.outbox]
    assert sum(sent) == len(recipients) == len(set(recipients)) == 32


@pytest.mark.django_db
def test_staff_preview_the_email_before_sending(client, campaign, alice, charlie):
    url = reverse("admin:distribution_campaign_preview", args=[campaign.pk])
    client.force_login(charlie)
    assert client.get(url).status_code in (302, 403, 404)
    client.force_login(alice)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme closes the books faster" in html and "utm_campaign=retail-spring" in html
    assert "Hello Alice," in html
    assert not CampaignDelivery.objects.exists() and len(mail.outbox) == 0
    for bad in ("x", "999999"):
        bad_url = reverse("admin:distribution_campaign_preview", args=[bad])
        assert client.get(bad_url).status_code == 404
    change = client.get(reverse("admin:distribution_campaign_change", args=[campaign.pk]))
    assert url in change.content.decode()
