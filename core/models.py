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


class ImportJob(models.Model):
    """A spreadsheet too large to check or import inside a request (more than
    ``IMPORT_SYNC_ROWS`` rows): Celery runs it, the admin shows its progress
    (``core/import_jobs.py``). A *check* job is the dry run; once it passed,
    its person confirms it, which starts the *import* job of the same file.
    The file waits in the private import storage (``core/import_files.py``)
    and is deleted once the import ends (or the check fails or is cancelled)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=100, help_text=_("What is imported."))
    dry_run = models.BooleanField(
        _("check only"), default=False, help_text=_("A dry run: nothing is saved.")
    )
    resource = models.CharField(_("importer"), max_length=200)
    file_name = models.CharField(_("file"), max_length=200)
    file_format = models.CharField(_("format"), max_length=10)
    original_name = models.CharField(_("uploaded file"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_name = models.CharField(_("started by (name)"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"))
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    done_url = models.CharField(_("imported rows"), max_length=300, blank=True)
    # The confirming person's language: the job's messages are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # A passed check is closed once: confirmed (then import_job is set) or cancelled.
    closed_at = models.DateTimeField(_("confirmed or cancelled"), null=True, blank=True)
    import_job = models.OneToOneField(
        "self",
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="check_job",
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(processed_rows__lte=models.F("total_rows")),
                name="core_importjob_processed_within_total",
            ),
        ]
        indexes = [
            # The daily prune: unfinished jobs older than a day, and the files
            # they still need.
            models.Index(fields=["status", "created_at"], name="core_importjob_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.original_name or self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class SSOIdentity(models.Model):
    """A staff account's identity at the OpenID provider (core/accounts/sso.py):
    the provider's ``iss`` and ``sub`` find the account at every SSO login.
    ``created_by_sso``: the login made the account (it has no usable password,
    and ``OIDC_DISABLE_PASSWORD_FOR_SSO_USERS`` refuses it any password)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="sso_identity",
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    created_by_sso = models.BooleanField(_("created by single sign-on"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="sso_identity_unique_subject"
            )
        ]

    def __str__(self):
        return f"{self.issuer} {self.subject}"
