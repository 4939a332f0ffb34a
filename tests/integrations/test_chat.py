"""Chat notifications in Slack's and Teams' own formats, in the endpoint's
language, to whom they concern, through the signed, guarded delivery; a
local receiver checks each payload's shape."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from approvals import services as approval_services
from approvals.models import ApprovalStep, ReviewLink
from casestudies import services as cs_services
from distribution.outreach import references, sharing
from integrations import events, services
from integrations.models import WebhookEndpoint
from tests import factories

pytestmark = pytest.mark.django_db


def slack_shape(body: dict) -> list[str]:
    """Block Kit as Slack accepts it; returns the texts, in order."""
    assert isinstance(body["text"], str) and body["text"]
    texts = []
    assert 1 <= len(body["blocks"]) <= 50
    for block in body["blocks"]:
        assert block["type"] in {"section", "context", "actions"}
        if block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn"
            assert 0 < len(block["text"]["text"]) <= 3000
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            assert all(e["type"] == "mrkdwn" for e in block["elements"])
            texts += [e["text"] for e in block["elements"]]
        else:
            (button,) = block["elements"]
            assert button["type"] == "button"
            assert button["text"]["type"] == "plain_text" and len(button["text"]["text"]) <= 75
            assert button["url"].startswith("http")
            texts.append(button["url"])
    return texts


def teams_shape(body: dict) -> list[str]:
    """A Teams message with one Adaptive Card; returns the texts, in order."""
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert all(b["type"] == "TextBlock" and b["text"] for b in card["body"])
    (action,) = card["actions"]
    assert action["type"] == "Action.OpenUrl" and action["url"].startswith("http")
    return [b["text"] for b in card["body"]] + [action["title"], action["url"]]


@pytest.fixture
def chat_for(allow_loopback):
    def make(receiver, owner, network, audience, events_, language="en"):
        return services.endpoint_create(
            name=f"{owner.username} {network}",
            url=receiver.url,
            events=events_,
            owner=owner,
            format=network,
            audience=audience,
            language=language,
        )

    return make


def test_a_channel_announces_a_new_story_in_slack_with_metric_quote_and_link(
    receiver, chat_for, alice, story_at, django_capture_on_commit_callbacks
):
    endpoint = chat_for(receiver, alice, "slack", "all", ["story.published"])
    cs = story_at("approved")
    metric = cs.metrics.first()
    quote = cs.quotes.first()
    quote.permission = "approved"
    quote.save()
    with django_capture_on_commit_callbacks(execute=True):
        cs_services.case_study_publish(case_study=cs, actor=alice)
    (request,) = receiver.requests
    Webhook(endpoint.secret).verify(request.body, request.headers)  # signed like any webhook
    texts = slack_shape(request.json)
    assert texts[0].startswith("*New story published: ")
    assert metric.label in texts[1]
    assert any(t.startswith("> ") and quote.text[:20] in t for t in texts)
    assert texts[-1].endswith(cs.get_absolute_url())


def test_a_teams_channel_gets_an_adaptive_card_in_its_language(
    receiver, chat_for, alice, story_at, django_capture_on_commit_callbacks
):
    chat_for(receiver, alice, "teams", "all", ["story.published"], language="id")
    cs = story_at("approved")
    with django_capture_on_commit_callbacks(execute=True):
        cs_services.case_study_publish(case_study=cs, actor=alice)
    texts = teams_shape(receiver.requests[0].json)
    assert texts[0].startswith("Kisah baru diterbitkan: ")
    assert "Baca kisahnya" in texts
    assert texts[-1].endswith(cs.get_absolute_url())


def test_a_rep_hears_only_about_their_own_share_links_and_reference_calls(
    receiver, chat_for, bob, dave, story, sari, django_capture_on_commit_callbacks
):
    chat_for(receiver, bob, "slack", "mine", ["share_link.first_opened", "reference_call.approved"])
    mine = sharing.share_link_create(
        rep=bob, case_study=story, prospect_name="Pat", prospect_company="Globex & Co"
    )
    theirs = sharing.share_link_create(
        rep=dave, case_study=story, prospect_name="Kim", prospect_company="Initech"
    )
    with django_capture_on_commit_callbacks(execute=True):
        sharing.share_visit_record(link=theirs, user_agent="Mozilla/5.0", ip="203.0.113.9")
        sharing.share_visit_record(link=mine, user_agent="Mozilla/5.0", ip="203.0.113.8")
    with django_capture_on_commit_callbacks(execute=True):
        call = references.reference_request_create(
            case_study=story, contact=sari, prospect_company="Globex", purpose="Rollout", actor=bob
        )
        references.reference_request_decide(request=call, approve=True, actor=dave)
    first, second = (slack_shape(r.json) for r in receiver.requests)
    assert len(receiver.requests) == 2
    title = story.published_version.title
    assert first[0] == f"*Your shared story “{title}” was opened by Globex &amp; Co.*"
    assert second[0] == "*Your reference call with Acme Retail was approved.*"
    assert "Prospect: Globex" in second[1]


def test_the_program_manager_hears_legal_approved_and_steps_overdue(
    receiver, chat_for, alice, in_review, start_chain, django_capture_on_commit_callbacks
):
    chat_for(receiver, alice, "teams", "mine", ["approval.step_decided", "approval.step_overdue"])
    request, _tokens = start_chain(in_review, verify_email_for_approve=False)
    legal = ReviewLink.objects.get(step__reviewer_email="lee@customer.example")
    with django_capture_on_commit_callbacks(execute=True):
        approval_services.review_decision_record(link=legal, outcome="approved")
    texts = teams_shape(receiver.requests[0].json)
    assert (
        texts[0]
        == f"Customer legal at {in_review.customer.name} approved “{request.version.title}”."
    )
    assert texts[-1].endswith(reverse("admin:approvals_approvalrequest_change", args=[request.pk]))

    late = ApprovalStep.objects.get(request=request, reviewer_email="pat@customer.example")
    ApprovalStep.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert events.steps_overdue_record() == 1
        assert events.steps_overdue_record() == 0  # once per step and due date
    texts = teams_shape(receiver.requests[1].json)
    assert texts[0].startswith("Step overdue: interview participant at ")
    assert "Pat Participant was due to decide on" in texts[1]
    assert len(receiver.requests) == 2


def test_another_managers_story_is_not_announced_to_me(
    receiver, chat_for, bob, story_at, alice, django_capture_on_commit_callbacks
):
    chat_for(receiver, bob, "slack", "mine", ["story.published"])
    with django_capture_on_commit_callbacks(execute=True):
        cs_services.case_study_publish(case_study=story_at("approved"), actor=alice)
    assert receiver.requests == []


def test_a_chat_endpoint_takes_only_events_it_has_messages_for(alice, allow_loopback):
    from core.errors import TransitionError

    with pytest.raises(TransitionError):
        services.endpoint_create(
            name="x",
            url="http://127.0.0.1:9/",
            events=["lead.created"],
            owner=alice,
            format="slack",
        )


def test_a_rep_turns_notifications_on_and_off_on_their_page(
    client, bob, charlie, allow_loopback, receiver
):
    url = reverse("integrations:chat")
    client.force_login(bob)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "network": "slack",
            "name": "Me",
            "url": receiver.url,
            "audience": "mine",
            "events": ["share_link.first_opened"],
            "language": "id",
        },
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.owner, endpoint.format, endpoint.language) == (bob, "slack", "id")
    page = client.get(url).content.decode()
    assert "Me" in page and endpoint.secret not in page
    client.post(reverse("integrations:chat_toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.is_active

    bad = client.post(
        url,
        {
            "network": "slack",
            "name": "x",
            "url": "https://10.0.0.1/hook",
            "audience": "all",
            "events": ["story.published"],
            "language": "en",
        },
    )
    assert bad.status_code == 400
    assert "internal network" in bad.content.decode()

    other = factories.UserFactory(username="eve", is_staff=True)
    other.groups.add(*bob.groups.all())
    client.force_login(other)
    assert client.post(reverse("integrations:chat_toggle", args=[endpoint.pk])).status_code == 404
    client.force_login(charlie)
    assert client.get(url).status_code == 403
