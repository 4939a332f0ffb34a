"""Multi-party approval of one exact story version.

An :class:`ApprovalRequest` asks for approval of one :class:`StoryVersion`
(its SHA-256 is copied so the evidence stands on its own). Its
:class:`ApprovalStep` rows are the people who must (or may) approve: steps
with the same ``stage`` run in parallel, a stage starts when every required
step of the stages before it has approved. Customer reviewers decide through a
:class:`ReviewLink` (the token itself is never stored, only its SHA-256);
every decision is an append-only :class:`Decision` that doubles as evidence.
:class:`ReminderLog` rows are the ledger that makes every reminder and
escalation go out once.

State changes live in ``approvals/services.py``; the guide's "Customer Review
and Approval", "Legal and PR Review" and "Final Approval and Sign-Off" are the
requirements.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.roles import CHAIN_ROLE_CHOICES, CHAIN_ROLES, CUSTOMER_STEP_KINDS, StepKind
from casestudies.models import SECTIONS, ImmutableError
from core.models import TimeStampedModel
from core.storage import private_storage


class ApprovalRequest(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("in progress")
        APPROVED = "approved", _("approved")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        SUPERSEDED = "superseded", _("replaced by a newer version")
        CANCELLED = "cancelled", _("cancelled")

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="approval_requests",
    )
    version = models.ForeignKey(
        "casestudies.StoryVersion",
        verbose_name=_("story version"),
        on_delete=models.PROTECT,
        related_name="approval_requests",
    )
    content_hash = models.CharField(_("SHA-256 of the version"), max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The request for an earlier version that this one replaces."),
    )
    message = models.TextField(_("message to reviewers"), blank=True)
    verify_email_for_approve = models.BooleanField(
        _("code by email before approving"),
        default=True,
        help_text=_("Reviewers prove they hold the invited mailbox before approving."),
    )
    verify_email_for_comments = models.BooleanField(
        _("code by email before commenting"), default=False
    )
    link_lifetime_days = models.PositiveSmallIntegerField(_("links valid for (days)"), default=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_name = models.CharField(_("started by (name)"), max_length=200, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-created_at"]
        constraints = [
            # One chain at a time per story: concurrent "start" clicks fail here.
            models.UniqueConstraint(
                fields=["case_study"],
                condition=Q(status="open"),
                name="approvals_one_open_request_per_story",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_study} · v{self.version.number}"


class ApprovalStep(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting for earlier steps")
        PENDING = "pending", _("awaiting decision")
        APPROVED = "approved", _("approved")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        SKIPPED = "skipped", _("not needed")

    request = models.ForeignKey(
        ApprovalRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="steps"
    )
    stage = models.PositiveSmallIntegerField(
        _("stage"),
        default=1,
        help_text=_("Steps with the same stage run in parallel; higher stages wait."),
    )
    kind = models.CharField(_("role"), max_length=30, choices=StepKind.choices)
    required = models.BooleanField(_("required"), default=True)
    contact = models.ForeignKey(
        "casestudies.Contact",
        verbose_name=_("customer reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_steps",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("internal reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_steps",
    )
    # Copied when the step is created: evidence names who was asked.
    reviewer_name = models.CharField(_("reviewer"), max_length=200)
    reviewer_email = models.EmailField(_("reviewer email"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WAITING
    )
    activated_at = models.DateTimeField(_("asked"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # The reviewer's answer to "may we name you?", kept until they decide;
    # their decision applies it to the contact (``PermissionEvidence``).
    naming_answer = models.CharField(
        _("may we name you?"),
        max_length=10,
        blank=True,
        choices=[("", _("not answered")), ("granted", _("granted")), ("refused", _("refused"))],
    )

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["request", "stage", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(user__isnull=False),
                name="approvals_step_has_reviewer",
            ),
        ]
        indexes = [
            # The reminder sweep: pending steps by when they were asked.
            models.Index(fields=["status", "activated_at"], name="approvals_step_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reviewer_name}"

    @property
    def is_customer(self) -> bool:
        return self.kind in CUSTOMER_STEP_KINDS

    @property
    def is_decided(self) -> bool:
        return self.status in {self.Status.APPROVED, self.Status.CHANGES_REQUESTED}


class ReviewLink(models.Model):
    """A customer reviewer's way in. The token (``secrets.token_urlsafe(32)``,
    256 bits) is minted by the worker that emails it, at that moment; only its
    SHA-256 is kept (``token_hash`` is empty until the email leaves). No raw
    token is ever in a task argument, the broker or a table."""

    step = models.ForeignKey(
        ApprovalStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="links"
    )
    token_hash = models.CharField(
        _("token hash"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by_name = models.CharField(_("revoked by"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last opened"), null=True, blank=True)
    # Mailbox check: a short code, minted and emailed by the worker, kept as a
    # keyed hash. Wrong codes count across codes (a new code does not reset
    # them); too many lock the check until ``code_locked_until``.
    code_hash = models.CharField(_("code hash"), max_length=64, blank=True, editable=False)
    code_requested_at = models.DateTimeField(_("code requested"), null=True, blank=True)
    code_requests = models.PositiveIntegerField(_("codes requested"), default=0)
    code_sent_at = models.DateTimeField(_("code sent"), null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    code_locked_until = models.DateTimeField(_("code check locked until"), null=True, blank=True)
    verified_at = models.DateTimeField(_("mailbox verified"), null=True, blank=True)
    verified_email = models.EmailField(_("verified mailbox"), blank=True)

    class Meta:
        verbose_name = _("review link")
        verbose_name_plural = _("review links")
        ordering = ["-created_at"]
        constraints = [
            # Re-sending revokes the old link first: one live link per step.
            models.UniqueConstraint(
                fields=["step"],
                condition=Q(revoked_at__isnull=True),
                name="approvals_one_live_link_per_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} · {self.created_at:%Y-%m-%d}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class ReviewComment(TimeStampedModel):
    """A comment on the story or one section, optionally with replacement text
    for that section that staff accept into a new version or reject."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    step = models.ForeignKey(
        ApprovalStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="comments"
    )
    version = models.ForeignKey(
        "casestudies.StoryVersion",
        verbose_name=_("on version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    section = models.CharField(
        _("section"), max_length=30, blank=True, choices=[("", _("The whole story")), *SECTIONS]
    )
    body = models.TextField(_("comment"), blank=True)
    suggested_text = models.TextField(_("suggested text"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by_name = models.CharField(_("resolved by"), max_length=200, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resulting_version = models.ForeignKey(
        "casestudies.StoryVersion",
        verbose_name=_("accepted into version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(body="", suggested_text=""), name="approvals_comment_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return (self.body or self.suggested_text)[:60]


class QuoteReview(models.Model):
    """One reviewer's verdict on one quote of the story."""

    class Verdict(models.TextChoices):
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    step = models.ForeignKey(
        ApprovalStep,
        verbose_name=_("step"),
        on_delete=models.CASCADE,
        related_name="quote_reviews",
    )
    quote = models.ForeignKey(
        "casestudies.Quote",
        verbose_name=_("quote"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("quote review")
        verbose_name_plural = _("quote reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["step", "quote"], name="approvals_one_verdict_per_quote"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote} · {self.get_verdict_display()}"


class ConfidentialFlag(TimeStampedModel):
    """A figure or phrase the customer wants kept out, or shown as a
    percentage only."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        APPLIED = "applied", _("applied")
        DISMISSED = "dismissed", _("dismissed")

    step = models.ForeignKey(
        ApprovalStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="flags"
    )
    section = models.CharField(
        _("section"), max_length=30, blank=True, choices=[("", _("The whole story")), *SECTIONS]
    )
    phrase = models.CharField(_("figure or phrase"), max_length=300, blank=True)
    metric = models.ForeignKey(
        "casestudies.Metric",
        verbose_name=_("metric"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="confidential_flags",
    )
    show_as_percentage = models.BooleanField(_("show as a percentage instead"), default=False)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    resolved_by_name = models.CharField(_("resolved by"), max_length=200, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    replacement = models.CharField(
        _("replace with"),
        max_length=300,
        blank=True,
        help_text=_("Applied to a phrase: the words that replace it in the next version."),
    )
    resolution_note = models.TextField(
        _("resolution"),
        blank=True,
        help_text=_("What was done, or why the flag was dismissed: the reviewer sees it."),
    )

    class Meta:
        verbose_name = _("confidential flag")
        verbose_name_plural = _("confidential flags")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phrase="") | Q(metric__isnull=False),
                name="approvals_flag_names_something",
            ),
        ]

    def __str__(self) -> str:
        return self.phrase or str(self.metric)


class Decision(models.Model):
    """Evidence: one step's decision, written once, never changed."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("approved")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")

    # One decision per step, enforced by the database: concurrent submits on
    # one link leave exactly one row.
    step = models.OneToOneField(
        ApprovalStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="decision"
    )
    request = models.ForeignKey(
        ApprovalRequest,
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    version = models.ForeignKey(
        "casestudies.StoryVersion",
        verbose_name=_("story version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_hash = models.CharField(_("SHA-256 of the version"), max_length=64)
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    message = models.TextField(_("message"), blank=True)
    reviewer_name = models.CharField(_("reviewer"), max_length=200)
    reviewer_email = models.EmailField(_("invited mailbox"))
    verified_email = models.EmailField(_("verified mailbox"), blank=True)
    decided_at = models.DateTimeField(_("decided (UTC)"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    # What the reviewer was shown (sections' hashes, quotes, usage rights) and
    # what they decided beyond the outcome (quote verdicts, flags, rights).
    seen = models.JSONField(_("what they saw"), default=dict, blank=True)
    decided = models.JSONField(_("what they decided"), default=dict, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reviewer_name}: {self.get_outcome_display()}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("Decisions are evidence; they are never rewritten.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Decisions are evidence; they are never deleted.")


class ReminderLog(models.Model):
    """The ledger that makes each reminder or escalation go out once: the row
    is inserted (unique) before the email is sent."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminder")
        ESCALATION = "escalation", _("escalation")

    step = models.ForeignKey(
        ApprovalStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(_("number"))
    created_at = models.DateTimeField(_("claimed"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipients = models.TextField(_("sent to"), blank=True)
    # Delivery of a claimed row (migration 0003): an unsent row is retried,
    # never re-inserted. ``retry_at`` is the sender's lease: a sweep may take
    # the row over (compare-and-set on ``attempts``) once it has passed.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    retry_at = models.DateTimeField(_("may be retried from"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["step", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "kind", "sequence"], name="approvals_reminder_once"
            ),
        ]
        indexes = [
            # The sweep's retry query: claimed rows not sent yet (a few at most).
            models.Index(
                fields=["retry_at"],
                condition=Q(sent_at__isnull=True),
                name="approvals_reminder_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sequence} · {self.step}"


# --- Reminders' delivery bookkeeping and the daily digest (migration 0003) ---


class ApprovalDigest(models.Model):
    """The ledger that makes each program manager's daily digest of overdue
    approvals go out once per day: claimed (unique insert) before sending."""

    day = models.DateField(_("day"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("program manager"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("claimed"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    retry_at = models.DateTimeField(_("may be retried from"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    recipients = models.TextField(_("sent to"), blank=True)
    steps = models.PositiveIntegerField(_("overdue steps"), default=0)

    class Meta:
        verbose_name = _("approval digest")
        verbose_name_plural = _("approval digests")
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(fields=["day", "user"], name="approvals_digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.user}"


class UsageRightsConfirmation(models.Model):
    """A customer reviewer's confirmation of the usage rights, as submitted:
    evidence next to the decision (the case study keeps the current rights)."""

    step = models.ForeignKey(
        ApprovalStep,
        verbose_name=_("step"),
        on_delete=models.CASCADE,
        related_name="rights_confirmations",
    )
    rights = models.JSONField(_("rights confirmed"), default=dict)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("usage rights confirmation")
        verbose_name_plural = _("usage rights confirmations")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.step} · {self.created_at:%Y-%m-%d}"


class ApprovalChainContact(TimeStampedModel):
    """Who at the customer must approve the story, captured up front (the
    guide's "Work Through the Approval Chain"): one row per role."""

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="approval_chain",
    )
    role = models.CharField(_("role"), max_length=30, choices=CHAIN_ROLE_CHOICES)
    contact = models.ForeignKey(
        "casestudies.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty while the person is not known yet."),
    )
    expected_review_days = models.PositiveSmallIntegerField(
        _("expected review (days)"), null=True, blank=True
    )
    completed_on = models.DateField(
        _("approved on"),
        null=True,
        blank=True,
        help_text=_("Set when this person has signed off; the expected date then moves."),
    )

    class Meta:
        # Captured at recruitment, where it lived first: its table kept its name.
        db_table = "recruitment_approvalchaincontact"
        verbose_name = _("approval chain member")
        verbose_name_plural = _("approval chain")
        ordering = ["case_study", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "role"], name="recruitment_chain_one_per_role"
            ),
            models.CheckConstraint(
                condition=Q(role__in=[kind.value for kind in CHAIN_ROLES]),
                name="recruitment_chain_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.contact.name if self.contact else '—'}"

    @property
    def review_days(self) -> int:
        if self.expected_review_days is not None:
            return self.expected_review_days
        return settings.STORYLINE["APPROVAL_REVIEW_DAYS"].get(self.role, 5)


class PermissionEvidence(models.Model):
    """What a customer's decision did to a quote's permission or to a
    person's "you may name me": one row per change, pointing at the
    decision that is its evidence. Written once, never changed."""

    class Subject(models.TextChoices):
        QUOTE = "quote", _("quote")
        NAMING = "naming", _("may be named")

    class Basis(models.TextChoices):
        VERDICT = "verdict", _("the reviewer's verdict")
        VERSION = "version", _("approved with the version, not refused")
        ANSWER = "answer", _("the person's own answer")

    subject = models.CharField(_("about"), max_length=10, choices=Subject.choices)
    quote = models.ForeignKey(
        "casestudies.Quote",
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="permission_evidence",
    )
    contact = models.ForeignKey(
        "casestudies.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="permission_evidence",
    )
    granted = models.BooleanField(_("granted"))
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    # The evidence: a reviewer's decision, or an approval recorded outside
    # Storyline with the customer's written confirmation.
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    outside = models.ForeignKey(
        "OutsideApproval",
        verbose_name=_("approval outside Storyline"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("permission evidence")
        verbose_name_plural = _("permission evidence")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject="quote") & Q(quote__isnull=False))
                | (Q(subject="naming") & Q(contact__isnull=False)),
                name="approvals_evidence_names_its_subject",
            ),
            models.CheckConstraint(
                condition=Q(decision__isnull=False) | Q(outside__isnull=False),
                name="approvals_evidence_has_its_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} · {self.granted} · {self.decision or self.outside}"


def confirmation_upload_to(instance, filename: str) -> str:
    from pathlib import PurePath

    from django.utils.text import get_valid_filename

    name = get_valid_filename(PurePath(filename).name)[-80:] or "confirmation"
    return f"approvals/outside/{timezone.now():%Y/%m}/{name}"


class OutsideApproval(models.Model):
    """An approval the customer gave outside Storyline (by email, on paper),
    recorded deliberately: the reason, and their written confirmation as an
    uploaded email or PDF kept in private storage."""

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="outside_approvals",
    )
    version = models.ForeignKey(
        "casestudies.StoryVersion",
        verbose_name=_("story version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_hash = models.CharField(_("SHA-256 of the version"), max_length=64)
    reason = models.TextField(_("why the customer approved outside Storyline"))
    approved_by = models.CharField(_("approved by (at the customer)"), max_length=200)
    confirmation = models.FileField(
        _("written confirmation"),
        upload_to=confirmation_upload_to,
        storage=private_storage,
    )
    confirmation_name = models.CharField(_("file name"), max_length=200)
    confirmation_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by_name = models.CharField(_("recorded by (name)"), max_length=200)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("approval outside Storyline")
        verbose_name_plural = _("approvals outside Storyline")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_study} · v{self.version.number}"
