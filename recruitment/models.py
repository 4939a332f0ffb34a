"""Asking a customer to take part (the guide's "Proses Rekrutmen Pelanggan"):
outreach framed as an opportunity, its follow-ups (a ledger: each sent
once), and the concerns playbook and the concerns raised. The customer's approval
chain (captured here, up front) is an approvals model
(``approvals.ApprovalChainContact``); relationship signals belong to the
customer (``casestudies.RelationshipSignal``). State changes live in
``recruitment/services.py``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class OutreachTemplate(TimeStampedModel):
    """An invitation to take part, with ``{placeholders}`` filled from the
    customer, the contact and the story's metrics (see
    ``recruitment.templating.PLACEHOLDERS``)."""

    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    is_default = models.BooleanField(
        _("default for its language"), default=False, help_text=_("Offered first when composing.")
    )
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("outreach template")
        verbose_name_plural = _("outreach templates")
        ordering = ["language", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["language"],
                condition=Q(is_default=True),
                name="recruitment_outreachtemplate_one_default_per_language",
            ),
            models.UniqueConstraint(
                fields=["name", "language"], name="recruitment_outreachtemplate_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(language__in=LANGUAGE_CODES),
                name="recruitment_outreachtemplate_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"


class Outreach(TimeStampedModel):
    """One request to one contact to take part in one story, as sent."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        NO_ANSWER = "no_answer", _("No answer")

    OPEN_STATUSES = (Status.SENT, Status.OPENED)

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="outreaches",
    )
    contact = models.ForeignKey(
        "casestudies.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="outreaches",
    )
    template = models.ForeignKey(
        OutreachTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body as sent"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENT
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    email_sent_at = models.DateTimeField(
        _("email delivered to the mail server"), null=True, blank=True
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    # The customer's own yes/no link in the email: only its SHA-256 is kept;
    # set when the email is sent (a resend makes a new one).
    response_token_hash = models.CharField(
        _("response link (hash)"), max_length=64, blank=True, db_index=True, editable=False
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_by_name = models.CharField(_("sent by (name)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("outreach")
        verbose_name_plural = _("outreach")
        ordering = ["-sent_at", "-id"]
        constraints = [
            # One open request per story: a second click, or a colleague, waits.
            models.UniqueConstraint(
                fields=["case_study"],
                condition=Q(status__in=["sent", "opened"]),
                name="recruitment_outreach_one_open_per_story",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["sent", "opened", "accepted", "declined", "no_answer"]),
                name="recruitment_outreach_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="recruitment_outreach_declined_has_reason",
            ),
        ]
        indexes = [
            # The follow-up sweep: open outreach by when it was sent.
            models.Index(fields=["status", "sent_at"], name="recruitment_outreach_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_study} → {self.contact.name}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class OutreachFollowUp(models.Model):
    """The ledger of follow-ups: the row is inserted (claimed) before the email
    goes out; the unique (outreach, number) makes a second send impossible."""

    outreach = models.ForeignKey(
        Outreach, verbose_name=_("outreach"), on_delete=models.CASCADE, related_name="followups"
    )
    number = models.PositiveSmallIntegerField(_("follow-up number"))
    claimed_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["outreach", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["outreach", "number"], name="recruitment_followup_once_per_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="recruitment_followup_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outreach} #{self.number}"


class Concern(TimeStampedModel):
    """A common concern of the guide's "Address Common Concerns Upfront"
    (time, approval complexity, confidentiality, company policy)."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("concern"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns playbook")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ConcernAnswer(models.Model):
    """The playbook's answer to a concern, per language, ready to insert."""

    concern = models.ForeignKey(
        Concern, verbose_name=_("concern"), on_delete=models.CASCADE, related_name="answers"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    text = models.TextField(_("answer"))

    class Meta:
        verbose_name = _("concern answer")
        verbose_name_plural = _("concern answers")
        ordering = ["concern", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "language"], name="recruitment_concernanswer_one_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concern} [{self.language}]"


class RaisedConcern(TimeStampedModel):
    """A concern the customer raised on one outreach, and how it was resolved."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        UNRESOLVED = "unresolved", _("Not resolved")

    outreach = models.ForeignKey(
        Outreach, verbose_name=_("outreach"), on_delete=models.PROTECT, related_name="concerns"
    )
    concern = models.ForeignKey(
        Concern, verbose_name=_("concern"), on_delete=models.PROTECT, related_name="raised"
    )
    customer_words = models.TextField(_("what they said"), blank=True)
    answer = models.TextField(_("our answer"), blank=True)
    status = models.CharField(
        _("resolution"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("raised concern")
        verbose_name_plural = _("raised concerns")
        ordering = ["outreach", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.outreach}: {self.concern}"
