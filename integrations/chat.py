"""Chat notifications: the same events and the same signed, guarded
delivery as the webhooks, written as a message in the network's own format
(Slack Block Kit, a Microsoft Teams Adaptive Card) and in the endpoint's
language.

A rep's endpoint "for what concerns me" gets "your shared story was opened
by {company}" and "your reference call was approved"; a program manager's
gets "legal at {customer} approved" and "step overdue" for the stories they
own; a team channel's (audience "everything") announces each newly
published story with its headline metric, a quote and the link.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from integrations.models import EventType, WebhookEndpoint, WebhookEvent

E = EventType


@dataclass
class Message:
    headline: str
    lines: list[str] = field(default_factory=list)
    quote: str = ""
    quote_by: str = ""
    link_label: str = ""
    link_url: str = ""


def _role(step: dict) -> str:
    from approvals.roles import StepKind

    try:
        return str(StepKind(step["role"]).label)
    except ValueError:
        return step["role"]


def _admin_request_url(request_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "admin:approvals_approvalrequest_change", args=[request_id]
    )


def message(event: WebhookEvent) -> Message | None:
    """The message for ``event`` in the active language (None: no message)."""
    data = event.payload
    story = data.get("story", {})
    title = story.get("title", "")
    read = _("Open the story")
    if event.type == E.SHARE_LINK_FIRST_OPENED:
        link = data["share_link"]
        return Message(
            headline=_("Your shared story “%(title)s” was opened by %(company)s.")
            % {"title": title, "company": link["prospect_company"]},
            link_label=read,
            link_url=story["url"],
        )
    if event.type == E.REFERENCE_CALL_APPROVED:
        call = data["reference_call"]
        return Message(
            headline=_("Your reference call with %(customer)s was approved.")
            % {"customer": story["customer"]},
            lines=[_("Prospect: %(company)s") % {"company": call["prospect_company"]}],
            link_label=read,
            link_url=story["url"],
        )
    if event.type == E.APPROVAL_STEP_DECIDED:
        step = data["step"]
        values = {"role": _role(step), "customer": data["customer_name"], "title": title}
        if step["customer_side"]:
            headline = (
                _("%(role)s at %(customer)s approved “%(title)s”.")
                if step["outcome"] == "approved"
                else _("%(role)s at %(customer)s asked for changes to “%(title)s”.")
            )
        else:
            headline = (
                _("%(role)s approved “%(title)s”.")
                if step["outcome"] == "approved"
                else _("%(role)s asked for changes to “%(title)s”.")
            )
        return Message(
            headline=(headline % values)[0].upper() + (headline % values)[1:],
            lines=[_("Reviewer: %(name)s") % {"name": step["reviewer"]}],
            link_label=_("Open the approval"),
            link_url=_admin_request_url(data["approval_request"]["id"]),
        )
    if event.type == E.APPROVAL_STEP_OVERDUE:
        step = data["step"]
        due = parse_date(step["due_on"])
        return Message(
            headline=_("Step overdue: %(role)s at %(customer)s for “%(title)s”.")
            % {"role": _role(step), "customer": data["customer_name"], "title": title},
            lines=[
                _("%(name)s was due to decide on %(date)s.")
                % {"name": step["reviewer"], "date": formats.date_format(due, "DATE_FORMAT")}
            ],
            link_label=_("Open the approval"),
            link_url=_admin_request_url(data["approval_request"]["id"]),
        )
    if event.type == E.STORY_PUBLISHED:
        highlights = data.get("highlights") or {}
        return Message(
            headline=_("New story published: %(title)s") % {"title": title},
            lines=[
                line for line in [story.get("customer", ""), highlights.get("metric", "")] if line
            ],
            quote=highlights.get("quote", ""),
            quote_by=highlights.get("quote_by", ""),
            link_label=_("Read the story"),
            link_url=story["url"],
        )
    return None


def _mrkdwn(text: str) -> str:
    """Slack's three escapes (its markup is otherwise taken literally)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(m: Message) -> dict:
    """Block Kit, with ``text`` as the notification's fallback."""
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_mrkdwn(m.headline)}*"}}
    ]
    if m.lines:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "\n".join(_mrkdwn(x) for x in m.lines)},
            }
        )
    if m.quote:
        quoted = "> " + _mrkdwn(m.quote).replace("\n", "\n> ")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": quoted[:2900]}})
        if m.quote_by:
            blocks.append(
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": "— " + _mrkdwn(m.quote_by)}],
                }
            )
    if m.link_url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": m.link_label[:75]},
                        "url": m.link_url,
                    }
                ],
            }
        )
    return {"text": m.headline, "blocks": blocks}


def teams(m: Message) -> dict:
    """A message carrying one Adaptive Card (Teams' incoming webhooks and Workflows)."""
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": m.headline,
            "wrap": True,
            "weight": "Bolder",
            "size": "Medium",
        }
    ]
    body += [{"type": "TextBlock", "text": line, "wrap": True} for line in m.lines]
    if m.quote:
        body.append({"type": "TextBlock", "text": f"“{m.quote}”", "wrap": True, "isSubtle": True})
        if m.quote_by:
            body.append(
                {"type": "TextBlock", "text": f"— {m.quote_by}", "wrap": True, "size": "Small"}
            )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if m.link_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": m.link_label, "url": m.link_url}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def render(endpoint: WebhookEndpoint, event: WebhookEvent) -> str:
    """The body for a chat endpoint ("" when the event has no message)."""
    with translation.override(endpoint.language or settings.LANGUAGE_CODE):
        m = message(event)
        if m is None:
            return ""
        payload = slack(m) if endpoint.format == WebhookEndpoint.Format.SLACK else teams(m)
    return json.dumps(payload, ensure_ascii=False)
