from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One thing that happened, by whom, to what: an append-only log.

    The actor's id and name are copied so the entry survives the user's removal
    (as readthedocs' ``AuditLog`` does); ``action`` is namespaced like pretix's
    log entries, e.g. ``casestudies.case_study.published``.
    """

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_user_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor name"), max_length=200, blank=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    data = models.JSONField(_("data"), default=dict, blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where it came from: admin, task, IP.")
    )

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "history of this object", newest first (admin change pages, evidence).
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="core_audit_object_idx"
            ),
            models.Index(fields=["action", "-created_at"], name="core_audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} · {self.object_repr}"


class OutboxEmail(models.Model):
    """An email a change has promised: written in the change's own transaction,
    sent after commit by a worker (``core.outbox``).

    The row holds what to send (its ``kind`` and the ids in ``payload``) and
    never a secret: a sender that needs one (a review link's token, a mailbox
    code) mints it when it sends and stores only its hash. ``key`` is unique,
    so the same promise made twice is one email. A worker claims a row by
    moving ``not_before`` past its lease (one conditional UPDATE) and marks it
    sent only after the message left; a worker that dies mid-send leaves the
    row to be picked up again once the lease is over.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        SKIPPED = "skipped", _("not needed any more")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=100)
    key = models.CharField(_("key"), max_length=200, unique=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    case_study_id = models.BigIntegerField(_("case study"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    not_before = models.DateTimeField(_("not before"), default=timezone.now)
    claimed_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipients = models.CharField(_("to"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: pending rows whose time has come, oldest first.
            models.Index(
                fields=["not_before"],
                condition=models.Q(status="pending"),
                name="core_outbox_due_idx",
            ),
            # A story's timeline: every email sent about it.
            models.Index(fields=["case_study_id", "-created_at"], name="core_outbox_story_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.get_status_display()}"
