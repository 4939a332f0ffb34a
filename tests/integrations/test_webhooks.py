"""Signed webhooks against a real local receiver: signatures checked by the
Standard Webhooks reference library, retries after 500s and timeouts, one
delivery across redelivered tasks, and the events written with their change."""

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from casestudies import services as cs_services
from integrations import delivery, services
from integrations.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.tasks import deliver_webhook
from tests.conftest import deliver_outbox
from tests.integrations.conftest import set_integrations

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "integrations/schemas/webhook-event.v1.json").read_text()
)


def verify(endpoint_or_secret, request):
    """What a receiver does, with the reference implementation."""
    secret = getattr(endpoint_or_secret, "secret", endpoint_or_secret)
    return Webhook(secret).verify(request.body, request.headers)


def valid(payload: dict) -> dict:
    jsonschema.validate(
        payload, SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return payload


def publish(cs, alice, capture):
    with capture(execute=True):
        cs_services.case_study_publish(case_study=cs, actor=alice)


def due_now(delivery_row):
    WebhookDelivery.objects.filter(pk=delivery_row.pk).update(
        not_before=timezone.now() - timedelta(seconds=10)
    )


def test_it_posts_one_signed_versioned_event_when_a_story_is_published(
    receiver, endpoint_for, story_at, alice, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver, ["story.published", "lead.created"])
    cs = story_at("approved")
    publish(cs, alice, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = valid(verify(endpoint, request))
    assert payload["type"] == "story.published"
    assert payload["version"] == 1
    assert payload["data"]["story"]["id"] == cs.pk
    assert payload["data"]["story"]["url"].endswith(cs.get_absolute_url())
    event = WebhookEvent.objects.get()
    assert request.headers["webhook-id"] == payload["id"] == event.event_id
    assert request.path == "/hooks/storyline"
    row = WebhookDelivery.objects.get()
    assert row.status == "succeeded"
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.status_code, attempt.succeeded) == (200, True)
    assert attempt.duration_ms is not None


def test_a_wrong_secret_or_a_changed_body_does_not_verify(
    receiver, endpoint_for, story_at, alice, django_capture_on_commit_callbacks
):
    from standardwebhooks.webhooks import WebhookVerificationError

    endpoint_for(receiver, ["story.published"])
    publish(story_at("approved"), alice, django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    other = WebhookEndpoint(secret="whsec_" + "A" * 43 + "=")
    with pytest.raises(WebhookVerificationError):
        verify(other.secret, request)
    tampered = type(request)(request.path, request.headers, request.body.replace("1", "2", 1))
    with pytest.raises(WebhookVerificationError):
        verify(WebhookEndpoint.objects.get(), tampered)


def test_an_event_exists_only_if_its_change_does(
    receiver, endpoint_for, story_at, alice, django_capture_on_commit_callbacks
):
    endpoint_for(receiver, ["story.published"])
    cs = story_at("approved")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        cs_services.case_study_publish(case_study=cs, actor=alice)
        assert WebhookEvent.objects.count() == 1  # written in the change's transaction
        raise RuntimeError("the change fails after the event was written")
    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_nothing_is_written_without_a_subscriber(story_at, alice, endpoint_for, receiver):
    endpoint_for(receiver, ["lead.created"])
    cs_services.case_study_publish(case_study=story_at("approved"), actor=alice)
    assert WebhookEvent.objects.count() == 0


def test_it_retries_a_500_with_exponential_backoff_and_the_same_id(
    receiver, endpoint_for, story_at, alice, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver, ["story.published"])
    receiver.replies = [(500, 0, {}), (503, 0, {})]
    before = timezone.now()
    publish(story_at("approved"), alice, django_capture_on_commit_callbacks)
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
    assert timedelta(seconds=29) < row.not_before - before < timedelta(seconds=40)

    assert delivery.deliver(row.pk) is False  # not due yet: nothing posted
    assert len(receiver.requests) == 1

    due_now(row)
    assert delivery.deliver_due(inline=True) == 0  # 503 this time
    row.refresh_from_db()
    second_wait = row.not_before - timezone.now()
    assert timedelta(seconds=55) < second_wait < timedelta(seconds=61)  # 30 s, doubled

    due_now(row)
    assert delivery.deliver_due(inline=True) == 1
    row.refresh_from_db()
    assert row.status == "succeeded"
    assert [r.headers["webhook-id"] for r in receiver.requests] == [row.event.event_id] * 3
    assert all(verify(endpoint, r) for r in receiver.requests)
    codes = list(row.attempt_log.order_by("number").values_list("number", "status_code"))
    assert codes == [(1, 500), (2, 503), (3, 200)]
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_a_receiver_that_times_out_is_retried(
    receiver, endpoint_for, story_at, alice, django_capture_on_commit_callbacks, settings
):
    set_integrations(settings, WEBHOOK_TIMEOUT_SECONDS=0.3)
    endpoint_for(receiver, ["story.published"])
    receiver.replies = [(200, 1.0, {})]  # answers too late
    publish(story_at("approved"), alice, django_capture_on_commit_callbacks)
    row = WebhookDelivery.objects.get()
    assert row.status == "pending"
    attempt = row.attempt_log.get()
    assert attempt.status_code is None
    assert "timed out" in attempt.error.lower() or "Timeout" in attempt.error
    assert 250 <= attempt.duration_ms < 1000

    due_now(row)
    assert delivery.deliver(row.pk) is True
    assert len(receiver.requests) == 2


def test_a_redelivered_task_posts_nothing_twice(
    receiver, endpoint_for, story_at, alice, django_capture_on_commit_callbacks
):
    endpoint_for(receiver, ["story.published"])
    publish(story_at("approved"), alice, django_capture_on_commit_callbacks)
    row = WebhookDelivery.objects.get()
    results = [deliver_webhook.apply(args=[row.pk]).get() for _ in range(3)]
    assert results == [False, False, False]
    assert delivery.deliver_due(inline=True) == 0
    assert len(receiver.requests) == 1


def test_a_delivery_claimed_by_a_worker_is_not_posted_by_another(
    receiver, endpoint_for, story_at, alice
):
    """A second worker (or the sweep) while the first one is still posting."""
    endpoint_for(receiver, ["story.published"])
    cs_services.case_study_publish(case_study=story_at("approved"), actor=alice)
    row = WebhookDelivery.objects.get()  # no commit in this test: nothing sent yet
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=row.pk).update(
        claimed_at=now, not_before=now + timedelta(seconds=60), attempts=1
    )
    assert delivery.deliver(row.pk) is False
    assert delivery.due_ids() == []
    assert receiver.requests == []


def test_secret_rotation_signs_with_both_secrets_during_the_overlap(
    receiver, endpoint_for, story_at, alice, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver, ["story.published", "story.withdrawn"])
    old = endpoint.secret
    rotated = services.endpoint_rotate_secret(endpoint_id=endpoint.pk, actor=alice)
    assert rotated.secret != old
    cs = story_at("approved")
    publish(cs, alice, django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    assert len(request.headers["webhook-signature"].split()) == 2
    assert verify(old, request) and verify(rotated.secret, request)

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        cs_services.case_study_archive(case_study=cs, actor=alice, reason="Customer asked")
    withdrawn = receiver.requests[1]
    assert valid(verify(rotated.secret, withdrawn))["type"] == "story.withdrawn"
    assert len(withdrawn.headers["webhook-signature"].split()) == 1
    assert withdrawn.json["data"]["reason"] == "Customer asked"


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_owner_emailed(
    receiver, endpoint_for, story_at, alice, django_capture_on_commit_callbacks, settings
):
    set_integrations(settings, WEBHOOK_DISABLE_AFTER=3)
    endpoint = endpoint_for(receiver, ["story.published"])
    receiver.replies = [(500, 0, {})] * 10
    publish(story_at("approved"), alice, django_capture_on_commit_callbacks)
    row = WebhookDelivery.objects.get()
    for _ in range(2):
        due_now(row)
        with django_capture_on_commit_callbacks(execute=True):
            delivery.deliver_due(inline=True)
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "3 failed attempts in a row" in endpoint.disabled_reason
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert endpoint.name in mail.outbox[0].subject
    # Disabled: nothing more is posted, and the delivery waits.
    due_now(row)
    assert delivery.deliver_due(inline=True) == 0
    assert len(receiver.requests) == 3

    receiver.replies = []
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_enable(endpoint_id=endpoint.pk, actor=alice)
    row.refresh_from_db()
    assert row.status == "succeeded"
    assert len(receiver.requests) == 4
    assert deliver_outbox() == 0  # one email per disabling


def test_resend_posts_the_same_event_again(
    receiver, endpoint_for, story_at, alice, django_capture_on_commit_callbacks
):
    endpoint_for(receiver, ["story.published"])
    publish(story_at("approved"), alice, django_capture_on_commit_callbacks)
    row = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_resend(delivery_id=row.pk, actor=alice)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    assert list(row.attempt_log.values_list("number", flat=True)) == [1, 2]
