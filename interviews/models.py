"""Interviews: scheduling, stakeholders and their consent, the generated
guide, recording and transcript, quotes and follow-ups captured from it, and
the supplementary data (ROI, files) that backs the story.

State changes happen only in ``interviews/services.py``."""

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casestudies.models import CaseStudy, CaseStudyState, Contact, Quote
from core.models import TimeStampedModel
from core.storage import private_storage
from core.uploads import validate_no_markup

# The guide: "Interview (60-90 menit)".
MIN_DURATION, MAX_DURATION = 60, 90
# A case study can get an interview while it is being recruited, interviewed or drafted.
SCHEDULABLE_STATES = [
    CaseStudyState.RECRUITING,
    CaseStudyState.INTERVIEWING,
    CaseStudyState.DRAFTING,
]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone; use a name like Asia/Jakarta or Europe/Berlin."),
            params={"value": value},
        )


class StakeholderRole(models.TextChoices):
    """The guide's "Identify the Right Stakeholders"."""

    EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")
    DEPARTMENT_LEADER = "department_leader", _("Department leader")
    END_USER = "end_user", _("End user")
    TECHNICAL_LEADER = "technical_leader", _("Technical leader")

    @classmethod
    def from_contact_role(cls, role: str) -> str:
        return role if role in cls.values else cls.DEPARTMENT_LEADER


class GuideSection(models.TextChoices):
    """The guide's timed sections ("Develop Your Interview Guide")."""

    CHALLENGE = "challenge", _("Challenge / problem")
    SOLUTION_SELECTION = "solution_selection", _("Solution selection")
    IMPLEMENTATION = "implementation", _("Implementation")
    RESULTS = "results", _("Results")
    FUTURE_PLANS = "future_plans", _("Future plans")


class Interview(TimeStampedModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    case_study = models.ForeignKey(
        CaseStudy, verbose_name=_("case study"), on_delete=models.PROTECT, related_name="interviews"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), help_text=_("In the interview's time zone."))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Jakarta",
        validators=[validate_time_zone],
        help_text=_("An IANA name, e.g. Asia/Jakarta, Europe/London, America/New_York."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=MIN_DURATION,
        validators=[MinValueValidator(MIN_DURATION), MaxValueValidator(MAX_DURATION)],
        help_text=_("60 to 90 minutes."),
    )
    meeting_link = models.URLField(_("meeting link"), max_length=500)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED, editable=False
    )
    # Bumped when invitations are re-sent: calendar apps update the same event.
    ics_sequence = models.PositiveIntegerField(_("calendar revision"), default=0, editable=False)
    # Private files (core.storage): served only through the admin's
    # permission-checked download views, never from /media/.
    recording = models.FileField(
        _("recording"),
        upload_to="interviews/recordings/%Y/%m/",
        storage=private_storage,
        validators=[validate_no_markup],
        blank=True,
        editable=False,
    )
    recording_mime = models.CharField(
        _("recording type"), max_length=100, blank=True, editable=False
    )
    recording_uploaded_at = models.DateTimeField(
        _("recording uploaded"), null=True, blank=True, editable=False
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-date", "-start_time", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_DURATION)
                & Q(duration_minutes__lte=MAX_DURATION),
                name="interviews_interview_duration_range",
            ),
        ]
        indexes = [
            # A case study's interviews, newest first (case study page, drafting).
            models.Index(fields=["case_study", "date"], name="interviews_interview_cs_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_study} — {self.date:%Y-%m-%d}"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.date, self.start_time, zoneinfo.ZoneInfo(self.time_zone))

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def clean(self) -> None:
        adding = self.case_study_id and self._state.adding
        if adding and self.case_study.state not in SCHEDULABLE_STATES:
            raise ValidationError(
                {
                    "case_study": _(
                        "Interviews are scheduled while a story is recruiting, "
                        "interviewing or drafting; this one is %(state)s."
                    )
                    % {"state": self.case_study.get_state_display()}
                }
            )


class Stakeholder(models.Model):
    interview = models.ForeignKey(
        Interview,
        verbose_name=_("interview"),
        on_delete=models.CASCADE,
        related_name="stakeholders",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(
        _("role in the interview"),
        max_length=30,
        choices=StakeholderRole.choices,
        blank=True,
        help_text=_("Leave empty to use the contact's role."),
    )
    invitation_sent_at = models.DateTimeField(
        _("invitation sent"), null=True, blank=True, editable=False
    )
    cancellation_sent_at = models.DateTimeField(
        _("cancellation sent"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["interview", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "contact"], name="interviews_stakeholder_unique_contact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact.name} ({self.get_role_display()})"

    def clean(self) -> None:
        if not self.role and self.contact_id:
            self.role = StakeholderRole.from_contact_role(self.contact.role)
        if (
            self.contact_id
            and self.interview_id
            and self.contact.customer_id != self.interview.case_study.customer_id
        ):
            raise ValidationError(
                {"contact": _("Pick a contact at this story's customer.")}, code="other_customer"
            )

    def consent(self) -> "ConsentRecord | None":
        """The latest consent record: whether recording is agreed now."""
        records = getattr(self, "_consents", None)
        if records is not None:
            return records[0] if records else None
        return self.consents.order_by("-recorded_at", "-id").first()

    @property
    def has_consented(self) -> bool:
        latest = self.consent()
        return latest is not None and latest.given


class ConsentRecord(models.Model):
    """Consent to record, as given or withdrawn: append-only. The wording is
    copied, so a later change of the standard text does not change what a
    person agreed to."""

    class Method(models.TextChoices):
        VERBAL = "verbal", _("Verbally, on the call")
        EMAIL = "email", _("By email")
        FORM = "form", _("On a form")

    stakeholder = models.ForeignKey(
        Stakeholder,
        verbose_name=_("stakeholder"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    given = models.BooleanField(_("consent given"), default=True)
    wording = models.TextField(_("wording agreed to"))
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    recorded_at = models.DateTimeField(_("when"))
    recorded_by_name = models.CharField(_("recorded by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["stakeholder", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.stakeholder}: {'given' if self.given else 'withdrawn'}"


class GuideQuestion(models.Model):
    interview = models.ForeignKey(
        Interview,
        verbose_name=_("interview"),
        on_delete=models.CASCADE,
        related_name="guide_questions",
    )
    section = models.CharField(_("section"), max_length=30, choices=GuideSection.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    question = models.TextField(_("question"))
    probes = models.TextField(_("follow-up probes"), blank=True, help_text=_("One per line."))
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=0)
    for_role = models.CharField(
        _("asked of"), max_length=30, choices=StakeholderRole.choices, blank=True
    )
    answer = models.TextField(_("answer / notes"), blank=True)

    class Meta:
        verbose_name = _("guide question")
        verbose_name_plural = _("guide questions")
        ordering = ["interview", "position", "id"]

    def __str__(self) -> str:
        return self.question[:80]

    def probe_list(self) -> list[str]:
        return [line.strip() for line in self.probes.splitlines() if line.strip()]


class Transcript(models.Model):
    class Format(models.TextChoices):
        VTT = "vtt", "WebVTT"
        SRT = "srt", "SRT"
        TXT = "txt", _("Plain text")

    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.PROTECT, related_name="transcripts"
    )
    file = models.FileField(
        _("file"),
        upload_to="interviews/transcripts/%Y/%m/",
        storage=private_storage,
        validators=[validate_no_markup],
    )
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    uploaded_at = models.DateTimeField(_("uploaded"))
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")
        ordering = ["interview", "-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.interview} ({self.get_format_display()})"


class TranscriptSegment(models.Model):
    transcript = models.ForeignKey(
        Transcript, verbose_name=_("transcript"), on_delete=models.PROTECT, related_name="segments"
    )
    position = models.PositiveIntegerField(_("position"))
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    start = models.DecimalField(_("start (s)"), max_digits=9, decimal_places=3, null=True)
    end = models.DecimalField(_("end (s)"), max_digits=9, decimal_places=3, null=True)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("transcript segment")
        verbose_name_plural = _("transcript segments")
        ordering = ["transcript", "position"]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.text[:60]}"

    @staticmethod
    def clock(seconds: Decimal | None) -> str:
        if seconds is None:
            return ""
        total = int(seconds)
        return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"

    @property
    def start_clock(self) -> str:
        return self.clock(self.start)

    @property
    def end_clock(self) -> str:
        return self.clock(self.end)


class QuoteSource(models.Model):
    """Where a quote came from: the interview and transcript passage."""

    quote = models.OneToOneField(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="interview_source"
    )
    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.PROTECT, related_name="quotes"
    )
    segment = models.ForeignKey(
        TranscriptSegment,
        verbose_name=_("transcript segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quote_sources",
    )
    section = models.CharField(
        _("use in section"),
        max_length=30,
        choices=GuideSection.choices,
        blank=True,
        help_text=_("Where the first draft places the quote; empty: by its kind."),
    )

    class Meta:
        verbose_name = _("quote source")
        verbose_name_plural = _("quote sources")

    def __str__(self) -> str:
        return str(self.quote)


class FollowUpQuestion(TimeStampedModel):
    """A gap found while reviewing the transcript, asked by email; all unsent
    questions for a contact go out in one email, never twice."""

    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.PROTECT, related_name="followups"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("ask"), on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("question"))
    segment = models.ForeignKey(
        TranscriptSegment,
        verbose_name=_("transcript segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    guide_question = models.ForeignKey(
        GuideQuestion,
        verbose_name=_("guide question"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    sent_batch = models.UUIDField(_("sent in email"), null=True, blank=True, editable=False)
    answer = models.TextField(_("answer"), blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("follow-up question")
        verbose_name_plural = _("follow-up questions")
        ordering = ["interview", "contact", "created_at", "id"]
        indexes = [
            # "send follow-ups": the unsent questions of one contact.
            models.Index(
                fields=["interview", "contact", "sent_at"], name="interviews_followup_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.question[:80]


class RoiFigure(TimeStampedModel):
    """Return on investment: computed ROI % (first year) and payback months."""

    class Period(models.TextChoices):
        MONTH = "month", _("per month")
        QUARTER = "quarter", _("per quarter")
        YEAR = "year", _("per year")

    PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}

    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.PROTECT, related_name="roi_figures"
    )
    label = models.CharField(_("what"), max_length=200)
    investment = models.DecimalField(
        _("investment"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    benefit = models.DecimalField(
        _("return / benefit"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ROI figure")
        verbose_name_plural = _("ROI figures")
        ordering = ["interview", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(investment__gt=0) & Q(benefit__gte=0),
                name="interviews_roifigure_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def annual_benefit(self) -> Decimal | None:
        if self.benefit is None or not self.period:
            return None
        return self.benefit * self.PERIODS_PER_YEAR[self.period]

    @property
    def roi_percent(self) -> Decimal | None:
        """First-year ROI: (annual benefit - investment) / investment."""
        annual = self.annual_benefit
        if annual is None or not self.investment:
            return None
        return ((annual - self.investment) / self.investment * 100).quantize(Decimal("1"))

    @property
    def payback_months(self) -> Decimal | None:
        annual = self.annual_benefit
        if annual is None or not annual or self.investment is None:
            return None
        return (self.investment / (annual / 12)).quantize(Decimal("0.1"))


class SupplementaryFile(TimeStampedModel):
    class Kind(models.TextChoices):
        BEFORE = "before", _("Before (screenshot)")
        AFTER = "after", _("After (screenshot)")
        OTHER = "other", _("Other file")

    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.PROTECT, related_name="files"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(
        _("file"),
        upload_to="interviews/files/%Y/%m/",
        storage=private_storage,
        validators=[validate_no_markup],
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("supplementary file")
        verbose_name_plural = _("supplementary files")
        ordering = ["interview", "kind", "id"]

    def __str__(self) -> str:
        return self.caption or self.file.name
