"""Each subscribed business event becomes one event that matches the JSON
Schema, written by the service that makes the change."""

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from django.utils import timezone

from analytics import services as analytics_services
from analytics.models import Deal
from approvals import services as approval_services
from approvals.models import ReviewLink
from distribution.outreach import references, sharing
from integrations import delivery, events
from integrations.models import EventType, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "integrations/schemas/webhook-event.v1.json").read_text()
)
ALL = list(EventType.values)


def posted(receiver) -> list[dict]:
    bodies = [r.json for r in receiver.requests]
    for body in bodies:
        jsonschema.validate(
            body, SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
    return bodies


def test_the_schema_lists_every_event_type():
    assert set(SCHEMA["properties"]["type"]["enum"]) == set(ALL)


def test_lead_share_link_reference_and_deal_events(
    receiver, endpoint_for, story, bob, dave, sari, django_capture_on_commit_callbacks
):
    endpoint_for(receiver, ALL)
    with django_capture_on_commit_callbacks(execute=True):
        analytics_services.lead_submit(
            case_study=story,
            data={"name": "Ana", "email": "ana@globex.example", "company": "Globex", "role": "CFO"},
            attribution={"utm_source": "embed"},
        )
    link = sharing.share_link_create(
        rep=bob, case_study=story, prospect_name="Pat Lee", prospect_company="Globex"
    )
    with django_capture_on_commit_callbacks(execute=True):
        sharing.share_visit_record(link=link, user_agent="Mozilla/5.0 Firefox", ip="203.0.113.5")
        sharing.share_visit_record(link=link, user_agent="Mozilla/5.0 Firefox", ip="203.0.113.6")
    with django_capture_on_commit_callbacks(execute=True):
        request = references.reference_request_create(
            case_study=story, contact=sari, prospect_company="Globex", purpose="Rollout", actor=bob
        )
    with django_capture_on_commit_callbacks(execute=True):
        references.reference_request_decide(request=request, approve=True, actor=dave)
    deal = Deal.objects.create(external_id="HS-42", name="Globex", opened_on=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        analytics_services.deal_story_link(deal=deal, case_study=story, source="crm")
        analytics_services.deal_story_link(deal=deal, case_study=story, source="crm")  # again

    bodies = posted(receiver)
    assert [b["type"] for b in bodies] == [
        "lead.created",
        "share_link.first_opened",  # the second visit is no event
        "reference_call.requested",
        "reference_call.approved",
        "deal.linked",  # linked once
    ]
    lead, share, asked, approved, deal_body = (b["data"] for b in bodies)
    assert lead["lead"]["company"] == "Globex" and lead["story"]["id"] == story.pk
    assert share["share_link"]["prospect_company"] == "Globex"
    assert share["share_link"]["first_opened_at"]
    assert link.code not in json.dumps(bodies)  # the link's secret never leaves
    assert asked["reference_call"]["requested_by"]
    assert approved["reference_call"]["state"] == "owner_approved"
    assert deal_body["deal"]["external_id"] == "HS-42"
    assert len({b["id"] for b in bodies}) == 5


def test_approval_step_and_request_events(
    receiver, endpoint_for, in_review, start_chain, django_capture_on_commit_callbacks
):
    endpoint_for(receiver, ["approval.step_decided", "approval.request_completed"])
    start_chain(in_review, verify_email_for_approve=False)
    links = ReviewLink.objects.order_by("pk")
    for link in links:
        with django_capture_on_commit_callbacks(execute=True):
            approval_services.review_decision_record(link=link, outcome="approved")
    bodies = posted(receiver)
    assert [b["type"] for b in bodies] == ["approval.step_decided"] * 3 + [
        "approval.request_completed"
    ]
    first = bodies[0]["data"]
    assert first["step"]["outcome"] == "approved"
    assert first["step"]["customer_side"] is True
    assert bodies[-1]["data"]["approval_request"]["id"] == first["approval_request"]["id"]


def test_rights_expiring_is_announced_once_per_story_and_date(
    receiver, endpoint_for, story_at, django_capture_on_commit_callbacks
):
    endpoint_for(receiver, ["story.rights_expiring"])
    today = timezone.localdate()
    soon = story_at("published", rights_expire_on=today + timedelta(days=10))
    story_at("published", rights_expire_on=today + timedelta(days=90))  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert events.rights_expiring_record(today=today) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert events.rights_expiring_record(today=today + timedelta(days=1)) == 0
    (body,) = posted(receiver)
    assert body["type"] == "story.rights_expiring"
    assert body["data"]["story"]["id"] == soon.pk
    assert body["data"]["days_left"] == 10


def test_an_address_refused_at_send_time_is_logged_as_a_failed_attempt(
    receiver, endpoint_for, story_at, alice, settings, django_capture_on_commit_callbacks
):
    from casestudies import services as cs_services

    endpoint_for(receiver, ["story.published"])
    settings.STORYLINE = {
        **settings.STORYLINE,
        "INTEGRATIONS": {**settings.STORYLINE["INTEGRATIONS"], "WEBHOOK_ALLOWED_NETWORKS": []},
    }
    with django_capture_on_commit_callbacks(execute=True):
        cs_services.case_study_publish(case_study=story_at("approved"), actor=alice)
    row = WebhookDelivery.objects.get()
    assert row.status == "pending"
    assert row.attempt_log.get().error.startswith("refused:")
    assert receiver.requests == []
    assert WebhookEvent.objects.count() == 1
    assert delivery.due_ids() == []  # waits for its backoff
