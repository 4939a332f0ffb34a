"""Webhook endpoints, the events they subscribe to, and each delivery with
its attempts (the per-endpoint log).

An event is written in the transaction of the business change (through the
audit hook, like an outbox row); one delivery per subscribed endpoint holds
the exact body that is signed and sent, so every retry sends the same bytes
under the same ``webhook-id``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class EventType(models.TextChoices):
    STORY_PUBLISHED = "story.published", _("Story published")
    STORY_WITHDRAWN = "story.withdrawn", _("Story withdrawn")
    STORY_RIGHTS_EXPIRING = "story.rights_expiring", _("Story usage rights expiring")
    APPROVAL_STEP_DECIDED = "approval.step_decided", _("Approval step decided")
    APPROVAL_REQUEST_COMPLETED = "approval.request_completed", _("Approval request completed")
    LEAD_CREATED = "lead.created", _("Lead created")
    REFERENCE_CALL_REQUESTED = "reference_call.requested", _("Reference call requested")
    REFERENCE_CALL_APPROVED = "reference_call.approved", _("Reference call approved")
    SHARE_LINK_FIRST_OPENED = "share_link.first_opened", _("Share link first opened")
    DEAL_LINKED = "deal.linked", _("Deal linked to a story")
    APPROVAL_STEP_OVERDUE = "approval.step_overdue", _("Approval step overdue")


# What a chat endpoint can announce (integrations/chat.py has a message for each).
CHAT_EVENTS = [
    EventType.SHARE_LINK_FIRST_OPENED,
    EventType.REFERENCE_CALL_APPROVED,
    EventType.APPROVAL_STEP_DECIDED,
    EventType.APPROVAL_STEP_OVERDUE,
    EventType.STORY_PUBLISHED,
]


class WebhookEndpoint(TimeStampedModel):
    """A receiver staff registered: where to post, which events, how to sign."""

    class Format(models.TextChoices):
        STANDARD = "standard", _("Standard Webhooks (signed JSON)")
        SLACK = "slack", _("Slack incoming webhook (Block Kit)")
        TEAMS = "teams", _("Microsoft Teams incoming webhook (Adaptive Card)")

    class Audience(models.TextChoices):
        ALL = "all", _("Everything (a team channel)")
        MINE = "mine", _("Only what concerns me (my share links, my requests, my stories)")

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.STANDARD
    )
    # The event types (EventType values) it receives: a JSON list, so SQLite works too.
    events = models.JSONField(_("events"), default=list, blank=True)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    # Chat messages are written in this language (settings.LANGUAGES).
    language = models.CharField(_("language"), max_length=10, default="en")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="webhook_endpoints",
        help_text=_("Emailed when the endpoint is disabled after repeated failures."),
    )
    # The signing secrets ("whsec_" + base64). The previous one still signs
    # until ``previous_secret_expires_at`` (the rotation's overlap).
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(
        _("why disabled"), max_length=300, blank=True, editable=False
    )
    consecutive_failures = models.PositiveIntegerField(
        _("failed attempts in a row"), default=0, editable=False
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]
        indexes = [
            # events.record: the active endpoints subscribed to an event type.
            models.Index(fields=["is_active"], name="integrations_endpoint_active"),
        ]

    def __str__(self) -> str:
        return self.name

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets that sign a message now: the current one, and the
        previous one during the rotation's overlap."""
        now = now or timezone.now()
        secrets = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > now
        ):
            secrets.append(self.previous_secret)
        return secrets


class WebhookEvent(models.Model):
    """One thing that happened, as receivers see it (the versioned payload)."""

    event_id = models.CharField(_("event id"), max_length=40, unique=True, editable=False)
    # What makes the event unique ("audit:<entry>", "rights:<story>:<date>"):
    # the same key again is the same event.
    key = models.CharField(max_length=120, unique=True, editable=False)
    type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    version = models.PositiveSmallIntegerField(_("payload version"), default=1)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: claimed before each attempt (like the
    email outbox), so a redelivered task or a concurrent sweep never posts
    it twice at once, and never again once it succeeded."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("delivered")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        WebhookEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    body = models.TextField(_("body"), editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    not_before = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], name="integrations_delivery_once_per_endpoint"
            ),
        ]
        indexes = [
            # The sweep: pending deliveries whose time has come.
            models.Index(
                fields=["status", "not_before"],
                name="integrations_delivery_due",
                condition=models.Q(status="pending"),
            ),
            # The endpoint's log, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="integrations_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class DeliveryAttempt(models.Model):
    """One HTTP request (or a refusal before it): the log's lines."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("delivery"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"


class EmbedKey(TimeStampedModel):
    """One placement family a web editor pastes: which sites may show it."""

    key = models.CharField(_("embed key"), max_length=40, unique=True, editable=False)
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("Shown in the impact dashboard, e.g. “product pages”."),
    )
    # "https://www.example.com" entries: the only pages that may frame the embed.
    allowed_origins = models.JSONField(_("allowed origins"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("embed key")
        verbose_name_plural = _("embed keys")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class TokenScope(models.TextChoices):
    READ_STORIES = "stories:read", _("Read stories")
    READ_MATCHES = "matches:read", _("Read deal matches")
    WRITE_DEALS = "deals:write", _("Write deals")


class IntegrationToken(TimeStampedModel):
    """An API token for an integration (a CRM panel): stored as its SHA-256,
    shown once, scoped, expiring, revocable. It acts as ``user``."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="integration_tokens",
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
