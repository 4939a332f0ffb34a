"""Staff register endpoints in the admin, read the log and resend; sales
reps and outsiders cannot."""

import pytest
from django.urls import reverse

from casestudies import services as cs_services
from integrations.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_a_program_manager_registers_an_endpoint_and_sees_its_secret_once_asked(
    client, alice, allow_loopback, receiver
):
    client.force_login(alice)
    response = client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {
            "name": "HubSpot",
            "url": receiver.url,
            "format": "standard",
            "events": ["story.published", "lead.created"],
            "audience": "all",
            "language": "en",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:integrations_webhookendpoint_secret", args=[endpoint.pk]
    )
    assert endpoint.owner == alice
    assert endpoint.events == ["lead.created", "story.published"]
    assert endpoint.secret.startswith("whsec_")
    page = client.get(response["Location"])
    assert endpoint.secret in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    listing = client.get(reverse("admin:integrations_webhookendpoint_changelist"))
    assert endpoint.secret not in listing.content.decode()


def test_plain_http_is_refused_with_a_message(client, alice, settings):
    client.force_login(alice)
    response = client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {
            "name": "x",
            "url": "http://hooks.example/",
            "format": "standard",
            "events": [],
            "audience": "all",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "https://" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_sales_and_outsiders_cannot_see_endpoints(client, bob, charlie, endpoint_for, receiver):
    endpoint = endpoint_for(receiver, ["story.published"])
    for user in (bob, charlie):
        client.force_login(user)
        for name in ("change", "secret", "log"):
            url = reverse(f"admin:integrations_webhookendpoint_{name}", args=[endpoint.pk])
            assert client.get(url).status_code in (403, 302), (user, name)
        assert (
            endpoint.secret
            not in client.get(
                reverse("admin:integrations_webhookendpoint_secret", args=[endpoint.pk])
            ).content.decode()
        )


def test_the_log_shows_attempts_in_constant_queries_and_resends(
    client,
    alice,
    endpoint_for,
    receiver,
    story_at,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    endpoint = endpoint_for(receiver, ["story.published", "story.withdrawn"])
    client.force_login(alice)
    url = reverse("admin:integrations_webhookendpoint_log", args=[endpoint.pk])
    receiver.replies = [(500, 0, {})]
    with django_capture_on_commit_callbacks(execute=True):
        cs_services.case_study_publish(case_study=story_at("approved"), actor=alice)
    client.get(url)  # warm the session and content types
    with django_assert_max_num_queries(12) as small:
        body = client.get(url).content.decode()
    assert "500" in body and "ms" in body
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            cs_services.case_study_publish(case_study=story_at("approved"), actor=alice)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)

    row = WebhookDelivery.objects.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:integrations_webhookendpoint_resend", args=[endpoint.pk, row.pk])
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "succeeded"
    assert row.attempt_log.count() == 2


def test_rotate_and_enable_go_through_a_confirmation(client, alice, endpoint_for, receiver):
    endpoint = endpoint_for(receiver, ["story.published"])
    client.force_login(alice)
    rotate = reverse("admin:integrations_webhookendpoint_rotate", args=[endpoint.pk])
    assert client.get(rotate).status_code == 200
    endpoint.refresh_from_db()
    old = endpoint.secret
    client.post(rotate)
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    enable = reverse("admin:integrations_webhookendpoint_enable", args=[endpoint.pk])
    response = client.post(enable, follow=True)
    assert "already active" in response.content.decode()


def test_a_program_manager_creates_an_embed_key_and_gets_the_snippet(client, alice, bob):
    from integrations.models import EmbedKey

    client.force_login(alice)
    response = client.post(
        reverse("admin:integrations_embedkey_add"),
        {
            "name": "Product pages",
            "origins": "https://www.example.com/\nnot a site",
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and "not a site" in response.content.decode()
    response = client.post(
        reverse("admin:integrations_embedkey_add"),
        {"name": "Product pages", "origins": "https://www.example.com/pricing", "is_active": "on"},
    )
    key = EmbedKey.objects.get()
    assert key.allowed_origins == ["https://www.example.com"]
    assert key.key.startswith("ek_") and key.created_by == alice
    page = client.get(reverse("admin:integrations_embedkey_change", args=[key.pk])).content.decode()
    assert "storyline-embed" in page and key.key in page and "/embed/v1.js" in page
    client.force_login(bob)
    assert client.get(reverse("admin:integrations_embedkey_add")).status_code == 403
