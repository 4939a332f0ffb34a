"""Bounces, spam complaints and unsubscribes reported by the email service
(django-anymail's tracking webhooks) reach the suppression list by
themselves, signed and verified; soft bounces change nothing."""

import base64
import hashlib
import hmac
import json
import secrets
import time

import pytest
from django.core import mail
from django.test import Client

from core.models import AuditEntry
from distribution.models import Campaign, CampaignDelivery, Recipient, Suppression
from distribution.outreach import campaigns

SECRET = "storyline:" + secrets.token_urlsafe(16)
MAILGUN_KEY = "key-" + secrets.token_hex(16)


@pytest.fixture
def webhooks(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


def auth(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def post(url: str, payload, headers=None, **extra):
    client = Client(raise_request_exception=False)
    return client.post(
        url, data=json.dumps(payload), content_type="application/json", **(headers or {}), **extra
    )


# --- Mailgun: HMAC-signed, like Mailgun signs it ------------------------------


def mailgun_payload(recipient: str, *, event="failed", severity="permanent", key=MAILGUN_KEY):
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "severity": severity,
            "reason": "bounce" if severity == "permanent" else "generic",
            "recipient": recipient,
            "timestamp": time.time(),
            "id": secrets.token_hex(8),
            "message": {"headers": {"message-id": "20261201.1@mg.example.com"}},
            "delivery-status": {
                "code": 550 if severity == "permanent" else 421,
                "message": "5.1.1 The email account that you tried to reach does not exist",
                "description": "",
            },
        },
    }


MAILGUN = "/anymail/mailgun/tracking/"


@pytest.mark.django_db
def test_a_signed_mailgun_hard_bounce_suppresses_the_recipient(webhooks):
    response = post(MAILGUN, mailgun_payload("Ana.Lee@Prospect.example"), auth())
    assert response.status_code == 200
    row = Suppression.objects.get()
    assert (row.email, row.reason) == ("ana.lee@prospect.example", "bounced")
    assert row.note.startswith("Mailgun:")
    entry = AuditEntry.objects.get(action="distribution.suppression.added")
    assert entry.data == {"reason": "bounced"} and entry.source == "webhook:Mailgun"
    assert campaigns.is_suppressed("ana.lee@prospect.example")


@pytest.mark.django_db
def test_the_same_event_twice_is_one_row(webhooks):
    payload = mailgun_payload("ana@prospect.example")
    assert post(MAILGUN, payload, auth()).status_code == 200
    assert post(MAILGUN, payload, auth()).status_code == 200
    assert Suppression.objects.count() == 1
    assert AuditEntry.objects.filter(action="distribution.suppression.added").count() == 1


@pytest.mark.django_db
def test_an_address_already_suppressed_keeps_its_reason(webhooks):
    Suppression.objects.create(email="ana@prospect.example", reason="unsubscribed")
    assert post(MAILGUN, mailgun_payload("ana@prospect.example"), auth()).status_code == 200
    assert Suppression.objects.get().reason == "unsubscribed"


@pytest.mark.django_db
def test_a_temporary_failure_suppresses_nobody(webhooks):
    payload = mailgun_payload("ana@prospect.example", severity="temporary")
    assert post(MAILGUN, payload, auth()).status_code == 200
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_a_wrong_signature_is_refused(webhooks):
    payload = mailgun_payload("ana@prospect.example", key="key-not-ours")
    response = post(MAILGUN, payload, auth())
    assert response.status_code == 400
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_a_tampered_payload_is_refused(webhooks):
    payload = mailgun_payload("ana@prospect.example")
    payload["signature"]["timestamp"] = str(int(payload["signature"]["timestamp"]) + 1)
    assert post(MAILGUN, payload, auth()).status_code == 400
    assert not Suppression.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, auth("storyline:wrong")])
def test_a_missing_or_wrong_basic_auth_is_refused(webhooks, headers):
    response = post(MAILGUN, mailgun_payload("ana@prospect.example"), headers)
    assert response.status_code in {400, 401, 403}
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_without_a_webhook_secret_every_webhook_refuses(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "", "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    response = post(MAILGUN, mailgun_payload("ana@prospect.example"), auth())
    assert response.status_code == 403
    assert b"ANYMAIL_WEBHOOK_SECRET" in response.content
    response = post("/anymail/postmark/tracking/", postmark_complaint("ana@x.example"), auth())
    assert response.status_code == 403
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_mailgun_without_its_signing_key_refuses_without_a_500(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    response = post(MAILGUN, mailgun_payload("ana@prospect.example"), auth())
    assert response.status_code == 403
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_a_malformed_payload_is_a_400(webhooks):
    client = Client(raise_request_exception=False)
    response = client.post(
        "/anymail/postmark/tracking/", data="{not json", content_type="application/json", **auth()
    )
    assert response.status_code == 400
    assert client.get("/anymail/postmark/tracking/", **auth()).status_code == 405


@pytest.mark.django_db
def test_only_tracking_webhooks_are_mounted(webhooks):
    assert post("/anymail/mailgun/inbound/", {}, auth()).status_code == 404


# --- Postmark, SendGrid, Brevo, Amazon SES: basic auth ----------------------


def postmark_complaint(email):
    return {
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "ID": 42,
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Email": email,
        "From": "storyline@example.com",
        "BouncedAt": "2026-12-01T10:00:00Z",
        "Description": "The subscriber explicitly marked this message as spam.",
        "MessageStream": "broadcast",
    }


def postmark_bounce(email, kind):
    return {**postmark_complaint(email), "RecordType": "Bounce", "Type": kind, "TypeCode": 1}


def postmark_unsubscribe(email):
    return {
        "RecordType": "SubscriptionChange",
        "MessageID": "00000000-0000-0000-0000-000000000001",
        "Recipient": email,
        "ChangedAt": "2026-12-01T10:00:00Z",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "MessageStream": "broadcast",
    }


def sendgrid(email, event, **fields):
    return [
        {
            "email": email,
            "timestamp": int(time.time()),
            "event": event,
            "sg_event_id": secrets.token_hex(8),
            "sg_message_id": "abc.filter0001",
            **fields,
        }
    ]


def brevo(email, event):
    return {
        "event": event,
        "email": email,
        "id": 1,
        "message-id": "<20261201.1@smtp-relay.example>",
        "ts_epoch": int(time.time() * 1000),
        "reason": "550 user unknown" if "bounce" in event else None,
    }


def ses(email, notification):
    message = {
        "notificationType": notification["type"],
        "mail": {
            "timestamp": "2026-12-01T10:00:00.000Z",
            "messageId": "0100017" + secrets.token_hex(8),
            "destination": [email],
            "headers": [],
        },
        notification["type"].lower(): notification["body"],
    }
    message_id = secrets.token_hex(16)
    body = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:ses-events",
        "Message": json.dumps(message),
        "Timestamp": "2026-12-01T10:00:01.000Z",
        "SignatureVersion": "1",
        "Signature": "not-verified-by-anymail",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/cert.pem",
    }
    headers = {
        "HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification",
        "HTTP_X_AMZ_SNS_MESSAGE_ID": message_id,
    }
    return body, headers


def ses_bounce(email, bounce_type):
    return ses(
        email,
        {
            "type": "Bounce",
            "body": {
                "bounceType": bounce_type,
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": email, "diagnosticCode": "smtp; 550"}],
                "timestamp": "2026-12-01T10:00:00.000Z",
                "feedbackId": "x",
            },
        },
    )


def ses_complaint(email):
    return ses(
        email,
        {
            "type": "Complaint",
            "body": {
                "complainedRecipients": [{"emailAddress": email}],
                "complaintFeedbackType": "abuse",
                "timestamp": "2026-12-01T10:00:00.000Z",
                "feedbackId": "y",
            },
        },
    )


EMAIL = "rina@prospect.example"
CASES = {
    "postmark complaint": ("postmark", postmark_complaint(EMAIL), {}, "complaint"),
    "postmark hard bounce": ("postmark", postmark_bounce(EMAIL, "HardBounce"), {}, "bounced"),
    "postmark soft bounce": ("postmark", postmark_bounce(EMAIL, "SoftBounce"), {}, None),
    "postmark transient": ("postmark", postmark_bounce(EMAIL, "Transient"), {}, None),
    "postmark unsubscribe": ("postmark", postmark_unsubscribe(EMAIL), {}, "unsubscribed"),
    "sendgrid bounce": ("sendgrid", sendgrid(EMAIL, "bounce", type="bounce"), {}, "bounced"),
    "sendgrid blocked": ("sendgrid", sendgrid(EMAIL, "bounce", type="blocked"), {}, None),
    "sendgrid deferred": ("sendgrid", sendgrid(EMAIL, "deferred"), {}, None),
    "sendgrid spam report": ("sendgrid", sendgrid(EMAIL, "spamreport"), {}, "complaint"),
    "sendgrid unsubscribe": ("sendgrid", sendgrid(EMAIL, "unsubscribe"), {}, "unsubscribed"),
    "sendgrid delivered": ("sendgrid", sendgrid(EMAIL, "delivered"), {}, None),
    "brevo hard bounce": ("brevo", brevo(EMAIL, "hard_bounce"), {}, "bounced"),
    "brevo soft bounce": ("brevo", brevo(EMAIL, "soft_bounce"), {}, None),
    "brevo deferred": ("brevo", brevo(EMAIL, "deferred"), {}, None),
    "brevo spam": ("brevo", brevo(EMAIL, "spam"), {}, "complaint"),
    "brevo unsubscribe": ("brevo", brevo(EMAIL, "unsubscribe"), {}, "unsubscribed"),
    "ses permanent bounce": ("amazon_ses", *ses_bounce(EMAIL, "Permanent"), "bounced"),
    "ses transient bounce": ("amazon_ses", *ses_bounce(EMAIL, "Transient"), None),
    "ses complaint": ("amazon_ses", *ses_complaint(EMAIL), "complaint"),
}


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning")
@pytest.mark.parametrize("case", CASES)
def test_each_service_reports_into_the_suppression_list(webhooks, case):
    esp, payload, headers, reason = CASES[case]
    url = f"/anymail/{esp}/tracking/"
    assert post(url, payload, headers).status_code in {400, 401}  # no basic auth
    assert not Suppression.objects.exists()
    response = post(url, payload, {**headers, **auth()})
    assert response.status_code == 200, response.content
    row = Suppression.objects.filter(email=EMAIL).first()
    assert (row.reason if row else None) == reason


@pytest.mark.django_db
def test_a_complaint_keeps_the_next_campaign_away(webhooks, story, alice):
    Recipient.objects.create(email=EMAIL, name="Rina", kind="prospect")
    Recipient.objects.create(email="tono@prospect.example", name="Tono", kind="prospect")
    assert post("/anymail/postmark/tracking/", postmark_complaint(EMAIL), auth()).status_code == 200
    campaign = Campaign.objects.create(
        name="Winter", slug="winter", subject="Stories", segment="prospects", created_by=alice
    )
    campaign.stories.set([story])
    campaigns.campaign_send(campaign=campaign, actor=alice)
    for batch in campaigns.batches(campaign.pk):
        campaigns.send_batch(campaign_id=campaign.pk, delivery_ids=batch)
    statuses = dict(CampaignDelivery.objects.values_list("recipient__email", "status"))
    assert statuses == {EMAIL: "suppressed", "tono@prospect.example": "sent"}
    assert [m.to for m in mail.outbox] == [["tono@prospect.example"]]
