from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
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
