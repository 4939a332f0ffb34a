"""The domain core: taxonomy, customers and contacts, case studies and what a
story is made of (versions, metrics, quotes), plus the history of every state
change. State changes happen only in ``casestudies/services.py``."""

import hashlib
import json
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.uploads import validate_logo

# --------------------------------------------------------------------------
# Taxonomy
# --------------------------------------------------------------------------


class CompanySize(models.TextChoices):
    """The guide's segments; the values are the gallery's ``company_size`` slugs."""

    ENTERPRISE = "enterprise", _("Enterprise")
    MID_MARKET = "mid-market", _("Mid-market")
    SMB = "smb", _("SMB")


class TaxonomyTerm(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Industry(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class UseCase(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("use case")
        verbose_name_plural = _("use cases")


class Department(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")


class Region(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Product(TaxonomyTerm):
    class Kind(models.TextChoices):
        CORE = "core", _("Core platform")
        MODULE = "module", _("Module")
        ADD_ON = "add-on", _("Add-on")
        INTEGRATION = "integration", _("Integration")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORE)

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("product or module")
        verbose_name_plural = _("products and modules")


class Objection(TaxonomyTerm):
    """A buyer's objection a story answers, e.g. "too expensive"."""

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("objection")
        verbose_name_plural = _("objections")


class Competitor(TaxonomyTerm):
    website = models.URLField(_("website"), blank=True)

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")


# --------------------------------------------------------------------------
# Customers and contacts
# --------------------------------------------------------------------------


class Customer(TimeStampedModel):
    class Sentiment(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEUTRAL = "neutral", _("Neutral")
        NEGATIVE = "negative", _("Negative")

    class ImplementationStatus(models.TextChoices):
        NOT_STARTED = "not-started", _("Not started")
        IMPLEMENTING = "implementing", _("Implementing")
        LIVE = "live", _("Live")
        CHURNED = "churned", _("Churned")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(
        _("logo"), upload_to="logos/customers/", blank=True, validators=[validate_logo]
    )
    description = models.TextField(_("about the company"), blank=True)
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.PROTECT, related_name="customers"
    )
    company_size = models.CharField(_("company size"), max_length=20, choices=CompanySize.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="customers"
    )
    products = models.ManyToManyField(
        Product, verbose_name=_("products used"), blank=True, related_name="customers"
    )
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    well_known_brand = models.BooleanField(
        _("well-known brand"), default=False, help_text=_("A name our prospects know and respect.")
    )

    # Relationship signals (recruitment timing, freshness).
    renewal_date = models.DateField(_("last renewal"), null=True, blank=True)
    last_business_review_on = models.DateField(_("last business review"), null=True, blank=True)
    last_business_review_sentiment = models.CharField(
        _("business review sentiment"), max_length=10, choices=Sentiment.choices, blank=True
    )
    nps_score = models.PositiveSmallIntegerField(_("NPS score"), null=True, blank=True)
    nps_recorded_on = models.DateField(_("NPS recorded on"), null=True, blank=True)
    open_support_issues = models.PositiveIntegerField(_("open support issues"), default=0)
    last_support_issue_on = models.DateField(_("last support issue"), null=True, blank=True)
    implementation_status = models.CharField(
        _("implementation status"),
        max_length=20,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.LIVE,
    )
    last_milestone = models.CharField(_("last success milestone"), max_length=200, blank=True)
    last_milestone_on = models.DateField(_("milestone reached on"), null=True, blank=True)

    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nps_score__isnull=True) | Q(nps_score__lte=10),
                name="casestudies_customer_nps_range",
            ),
            models.CheckConstraint(
                condition=Q(company_size__in=CompanySize.values),
                name="casestudies_customer_company_size_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    class Role(models.TextChoices):
        EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")
        DEPARTMENT_LEADER = "department_leader", _("Department leader")
        END_USER = "end_user", _("End user")
        TECHNICAL_LEADER = "technical_leader", _("Technical leader")
        LEGAL = "legal", _("Legal")
        PR = "pr", _("PR / communications")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.OTHER)

    # Consent flags: what this person agreed to, each on its own.
    may_contact = models.BooleanField(
        _("may be contacted"), default=True, help_text=_("About case studies and advocacy.")
    )
    agreed_to_participate = models.BooleanField(_("agreed to take part"), default=False)
    may_be_named = models.BooleanField(_("may be named publicly"), default=False)
    available_as_reference = models.BooleanField(_("available for reference calls"), default=False)
    left_company = models.BooleanField(_("has left the company"), default=False)
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "email"], name="casestudies_contact_unique_email_per_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer})"


# --------------------------------------------------------------------------
# Case studies
# --------------------------------------------------------------------------


class CaseStudyState(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    RECRUITING = "recruiting", _("Recruiting")
    INTERVIEWING = "interviewing", _("Interviewing")
    DRAFTING = "drafting", _("Drafting")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")
    DECLINED = "declined", _("Declined")
    ON_HOLD = "on_hold", _("On hold")


# The main line, in order (the dashboard's columns).
PIPELINE = [
    CaseStudyState.CANDIDATE,
    CaseStudyState.RECRUITING,
    CaseStudyState.INTERVIEWING,
    CaseStudyState.DRAFTING,
    CaseStudyState.IN_REVIEW,
    CaseStudyState.APPROVED,
    CaseStudyState.PUBLISHED,
]
# States in which a story is being worked on (can wait, can be held or declined).
ACTIVE_STATES = PIPELINE[:-1]
# Once approved, the evidence (metrics, quotes) is what the customer signed off.
EVIDENCE_LOCKED_STATES = [
    CaseStudyState.APPROVED,
    CaseStudyState.PUBLISHED,
    CaseStudyState.ARCHIVED,
]


class UsageChannel(models.TextChoices):
    """The channels a customer can allow or forbid (issue: usage rights)."""

    WEB = "web", _("public website and gallery")
    PDF = "pdf", _("PDF and one-pager")
    SALES_DECKS = "sales_decks", _("sales decks and proposal packs")
    SOCIAL = "social", _("social media")
    EVENTS = "events", _("events and webinars")
    PAID = "paid", _("paid promotion")

    @property
    def field(self) -> str:
        return f"channel_{self.value}"


class CaseStudyQuerySet(models.QuerySet):
    def usable(self) -> "CaseStudyQuerySet":
        """Published stories whose usage rights have not expired (the daily
        sweep then archives expired ones): what reps may work with, each
        channel still checked with ``allows()``."""
        return self.filter(
            Q(rights_expire_on__isnull=True) | Q(rights_expire_on__gt=timezone.localdate()),
            state=CaseStudyState.PUBLISHED,
            published_version__isnull=False,
        )

    def published(self) -> "CaseStudyQuerySet":
        """What the public may see: usable stories whose customer allows the
        public website (it may be withdrawn after publication)."""
        return self.usable().filter(channel_web=True)

    def active(self) -> "CaseStudyQuerySet":
        return self.filter(state__in=ACTIVE_STATES)


class CaseStudy(TimeStampedModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="case_studies"
    )
    title = models.CharField(_("working title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=CaseStudyState.choices,
        default=CaseStudyState.CANDIDATE,
        editable=False,
    )
    state_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    held_from_state = models.CharField(
        _("held from"), max_length=20, choices=CaseStudyState.choices, blank=True, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("program owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_case_studies",
    )
    featured = models.BooleanField(_("featured"), default=False)

    use_cases = models.ManyToManyField(UseCase, verbose_name=_("use cases"), blank=True)
    departments = models.ManyToManyField(Department, verbose_name=_("departments"), blank=True)
    products = models.ManyToManyField(Product, verbose_name=_("products"), blank=True)
    objections = models.ManyToManyField(
        Objection, verbose_name=_("objections answered"), blank=True
    )
    competitors = models.ManyToManyField(
        Competitor, verbose_name=_("competitors displaced"), blank=True
    )

    approved_version = models.ForeignKey(
        "StoryVersion",
        verbose_name=_("approved version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    published_version = models.ForeignKey(
        "StoryVersion",
        verbose_name=_("published version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)

    # Usage rights: what the customer allowed. The approvals app records the
    # customer's confirmation; publication enforces them everywhere.
    anonymised = models.BooleanField(
        _("anonymised"),
        default=False,
        help_text=_("Hide the customer's name and logo on every page and document."),
    )
    percentage_only = models.BooleanField(
        _("percentages only"),
        default=False,
        help_text=_("Show improvements as percentages, never absolute figures."),
    )
    rights_expire_on = models.DateField(
        _("usage rights expire on"),
        null=True,
        blank=True,
        help_text=_("From this day the story leaves the gallery and every format by itself."),
    )
    # Where the customer allows the story to be used ("usage rights"); one
    # field per channel, read through ``allows(UsageChannel.X)``.
    channel_web = models.BooleanField(
        _("public website and gallery"),
        default=True,
        help_text=_("The story page, the gallery, search engines and the public API."),
    )
    channel_pdf = models.BooleanField(
        _("PDF and one-pager"), default=True, help_text=_("Downloadable PDF and one-page summary.")
    )
    channel_sales_decks = models.BooleanField(
        _("sales decks and proposal packs"),
        default=True,
        help_text=_("Slides, proposal packs and material reps send to prospects."),
    )
    channel_social = models.BooleanField(
        _("social media"), default=True, help_text=_("Posts on LinkedIn, X and similar networks.")
    )
    channel_events = models.BooleanField(
        _("events and webinars"), default=True, help_text=_("Talks, webinars and trade shows.")
    )
    channel_paid = models.BooleanField(
        _("paid promotion"),
        default=False,
        help_text=_("Advertising and sponsored content; off unless the customer agrees."),
    )
    logo_allowed = models.BooleanField(
        _("customer logo may be shown"),
        default=True,
        help_text=_("Ignored in anonymised mode, which never shows the logo."),
    )
    rights_confirmed_at = models.DateTimeField(
        _("usage rights confirmed"), null=True, blank=True, editable=False
    )
    rights_confirmed_by = models.CharField(
        _("usage rights confirmed by"), max_length=200, blank=True, editable=False
    )

    objects = CaseStudyQuerySet.as_manager()

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=CaseStudyState.values),
                name="casestudies_casestudy_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state=CaseStudyState.PUBLISHED)
                | Q(published_version__isnull=False, published_at__isnull=False),
                name="casestudies_casestudy_published_has_version",
            ),
            models.CheckConstraint(
                condition=~Q(state=CaseStudyState.APPROVED) | Q(approved_version__isnull=False),
                name="casestudies_casestudy_approved_has_version",
            ),
            models.CheckConstraint(
                condition=~Q(state=CaseStudyState.ON_HOLD) | ~Q(held_from_state=""),
                name="casestudies_casestudy_on_hold_remembers_state",
            ),
        ]
        indexes = [
            # Pipeline dashboard: count per state, "waiting longest" per state.
            models.Index(fields=["state", "state_changed_at"], name="casestudies_cs_state_idx"),
            # Gallery: published stories, featured first, newest first (the id
            # breaks ties, so the page is read straight off the index).
            models.Index(
                fields=["state", "-featured", "-published_at", "-id"],
                name="casestudies_cs_gallery_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("gallery:detail", kwargs={"slug": self.slug})

    @property
    def days_in_state(self) -> int:
        return (timezone.now() - self.state_changed_at).days

    @property
    def rights_expired(self) -> bool:
        return self.rights_expire_on is not None and self.rights_expire_on <= timezone.localdate()

    @property
    def public_customer_name(self) -> str:
        """The customer as a reader sees it: its name, or in anonymised mode a
        description ("A mid-market retail company")."""
        customer = self.customer
        if not self.anonymised:
            return customer.name
        phrases = {
            CompanySize.ENTERPRISE: gettext("An enterprise %(industry)s company"),
            CompanySize.MID_MARKET: gettext("A mid-market %(industry)s company"),
            CompanySize.SMB: gettext("A small %(industry)s business"),
        }
        phrase = phrases.get(customer.company_size) or gettext("A %(industry)s company")
        return phrase % {"industry": customer.industry.name.lower()}

    def allows(self, channel: str) -> bool:
        """Whether the usage rights allow ``channel`` (a :class:`UsageChannel`)
        today: expired rights allow nothing."""
        if self.rights_expired:
            return False
        return bool(getattr(self, UsageChannel(channel).field))

    @property
    def allowed_channels(self) -> list["UsageChannel"]:
        return [c for c in UsageChannel if self.allows(c)]

    @property
    def public_logo(self):
        """The customer's logo file, or None in anonymised mode, when the
        logo is not allowed, or without one."""
        if self.anonymised or not self.logo_allowed or not self.customer.logo:
            return None
        return self.customer.logo

    def anonymise_text(self, text: str) -> str:
        """Replace the customer's name in ``text`` when the story is anonymised."""
        if not self.anonymised or not text:
            return text
        replacement = self.public_customer_name
        pattern = re.compile(re.escape(self.customer.name), re.IGNORECASE)
        return pattern.sub(lambda _match: replacement, text)

    def quote_attribution(self, quote: "Quote") -> str:
        """Who said ``quote``, as a reader of this story sees it (page and
        documents alike): the name only if the person agreed to be named, and
        in anonymised mode nobody's name (it would give the company away),
        only the job title with the customer's name replaced."""
        if self.anonymised:
            return self.anonymise_text(quote.speaker_title) or gettext("A customer spokesperson")
        speaker = quote.public_speaker
        if quote.speaker_title and speaker != quote.speaker_title:
            return f"{speaker}, {quote.speaker_title}"
        return speaker


class StateChange(models.Model):
    """One row per transition (healthchecks' ``Flip``): old → new, who, why.

    Analytics time each stage from these; ``notified_at`` is the claimed
    "done" marker of the notification email.
    """

    case_study = models.ForeignKey(
        CaseStudy, verbose_name=_("case study"), on_delete=models.PROTECT, related_name="history"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    from_state = models.CharField(_("from"), max_length=20, choices=CaseStudyState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=CaseStudyState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("by (name)"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    version = models.ForeignKey(
        "StoryVersion",
        verbose_name=_("version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notified_at = models.DateTimeField(_("owner notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["-created_at", "-id"]
        indexes = [
            # A case study's timeline, and stage durations for analytics.
            models.Index(fields=["case_study", "created_at"], name="casestudies_statechange_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_study}: {self.get_from_state_display()} → {self.get_to_state_display()}"


# --------------------------------------------------------------------------
# The story: immutable numbered versions
# --------------------------------------------------------------------------


class ImmutableError(Exception):
    pass


class StoryVersionQuerySet(models.QuerySet):
    """Bulk writes would bypass the model's guard: refuse them too."""

    def update(self, **kwargs):
        raise ImmutableError("Story versions are immutable; save a new version instead.")

    def delete(self):
        raise ImmutableError("Story versions are never deleted.")


# The guide's standard framework, in reading order.
SECTIONS: list[tuple[str, str]] = [
    ("summary", _("Executive summary")),
    ("challenge", _("The challenge")),
    ("solution", _("The solution")),
    ("implementation", _("Implementation")),
    ("results", _("Results")),
    ("future_plans", _("Future plans")),
]
SECTION_FIELDS = [name for name, _label in SECTIONS]


def word_count(text: str) -> int:
    return len(text.split())


class StoryVersion(models.Model):
    """One saved state of the story. Never changed once written: a new edit is
    a new number. ``content_hash`` identifies exactly what was approved."""

    case_study = models.ForeignKey(
        CaseStudy, verbose_name=_("case study"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("executive summary"), blank=True)
    challenge = models.TextField(_("challenge"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    implementation = models.TextField(_("implementation"), blank=True)
    results = models.TextField(_("results"), blank=True)
    future_plans = models.TextField(_("future plans"), blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_name = models.CharField(_("saved by (name)"), max_length=200, blank=True)

    objects = StoryVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("story version")
        verbose_name_plural = _("story versions")
        ordering = ["case_study", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "number"], name="casestudies_storyversion_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="casestudies_storyversion_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_study} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        # The invariant, not business logic: a written version is never rewritten.
        if not self._state.adding:
            raise ImmutableError("Story versions are immutable; save a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Story versions are never deleted.")

    @staticmethod
    def compute_hash(*, language: str, title: str, sections: dict[str, str]) -> str:
        payload = {"language": language, "title": title}
        payload.update({name: sections.get(name, "") for name in SECTION_FIELDS})
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def sections(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in SECTION_FIELDS}

    def verify_hash(self) -> bool:
        return self.content_hash == self.compute_hash(
            language=self.language, title=self.title, sections=self.sections()
        )

    @property
    def summary_words(self) -> int:
        return word_count(self.summary)

    @property
    def total_words(self) -> int:
        return sum(word_count(text) for text in self.sections().values())


class StoryTranslation(models.Model):
    """An approved version of the story in another language than the main
    (approved/published) one. Each language version is approved on its own;
    it is public while the case study is published."""

    case_study = models.ForeignKey(
        CaseStudy,
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="translations",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    version = models.ForeignKey(
        StoryVersion, verbose_name=_("approved version"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), default=timezone.now)
    approved_by_name = models.CharField(_("approved by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("approved translation")
        verbose_name_plural = _("approved translations")
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "language"], name="casestudies_translation_one_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_study} [{self.language}] v{self.version.number}"


# --------------------------------------------------------------------------
# Evidence: metrics and quotes
# --------------------------------------------------------------------------


class Metric(TimeStampedModel):
    class Kind(models.TextChoices):
        COST_SAVING = "cost_saving", _("Cost saving")
        REVENUE = "revenue", _("Revenue")
        EFFICIENCY = "efficiency", _("Efficiency")
        TIME_SAVED = "time_saved", _("Time saved")
        ERROR_RATE = "error_rate", _("Error rate")
        OTHER = "other", _("Other")

    case_study = models.ForeignKey(
        CaseStudy, verbose_name=_("case study"), on_delete=models.PROTECT, related_name="metrics"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    label = models.CharField(_("what was measured"), max_length=200)
    before = models.DecimalField(_("before"), max_digits=18, decimal_places=4)
    after = models.DecimalField(_("after"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    period = models.CharField(_("period"), max_length=50, blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the figure comes from.")
    )
    higher_is_better = models.BooleanField(
        _("higher is better"),
        default=True,
        help_text=_("Untick for costs, durations and error rates, where lower is the win."),
    )
    percentage_only = models.BooleanField(
        _("publish as a percentage only"),
        default=False,
        help_text=_("The customer will not publish absolute figures."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["case_study", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(before__gte=0) & Q(after__gte=0),
                name="casestudies_metric_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    # Units that measure a duration: less is the win (a 5-day close beats 15).
    DURATION_UNITS = re.compile(
        r"\b(sec(ond)?s?|min(ute)?s?|h(ou)?rs?|days?|weeks?|months?|years?"
        r"|detik|menit|jam|hari|minggu|bulan|tahun)\b",
        re.IGNORECASE,
    )
    LOWER_IS_BETTER_KINDS = ("cost_saving", "time_saved", "error_rate")

    @classmethod
    def derive_higher_is_better(cls, *, kind: str, unit: str) -> bool:
        """Which way is a win, from what is measured: durations, costs and
        error rates are better lower; everything else higher."""
        if kind in cls.LOWER_IS_BETTER_KINDS:
            return False
        # "claims per day" is a rate (more is better); "hours per claim" a duration.
        amount = re.sub(r"(\bper\b|/)\s*\w+", " ", unit or "", flags=re.IGNORECASE)
        return not cls.DURATION_UNITS.search(amount)

    @property
    def change_percent(self) -> Decimal | None:
        """Signed relative change from before to after, in percent."""
        if self.before is None or self.after is None or self.before == 0:
            return None
        return ((self.after - self.before) / self.before * 100).quantize(Decimal("0.1"))

    @property
    def improvement_percent(self) -> Decimal | None:
        """How much better, in percent: positive is a win whatever the direction."""
        change = self.change_percent
        if change is None:
            return None
        return change if self.higher_is_better else -change

    @property
    def is_improvement(self) -> bool:
        improvement = self.improvement_percent
        return improvement is not None and improvement > 0

    @property
    def meets_guide_threshold(self) -> bool:
        """The guide's "strong results": cost -30 %, revenue +20 %, efficiency +40 %."""
        thresholds = settings.STORYLINE["STRONG_RESULT_THRESHOLDS"]
        threshold = thresholds.get(self.kind)
        improvement = self.improvement_percent
        if threshold is None or improvement is None:
            return False
        return improvement >= threshold

    @property
    def shows_absolute(self) -> bool:
        """False when this metric or its story is "percentages only"."""
        return not (self.percentage_only or self.case_study.percentage_only)

    @property
    def improvement_display(self) -> str:
        improvement = self.improvement_percent
        if improvement is None:
            return ""
        amount = abs(improvement)
        amount_text = formats.number_format(amount, decimal_pos=0 if amount % 1 == 0 else 1)
        if self.after < self.before:
            return _("%(amount)s%% reduction") % {"amount": amount_text}
        return _("%(amount)s%% increase") % {"amount": amount_text}


class Quote(TimeStampedModel):
    class Kind(models.TextChoices):
        PULL = "pull", _("Pull quote")
        INLINE = "inline", _("Inline quote")
        RESULT = "result", _("Results testimonial")
        RECOMMENDATION = "recommendation", _("Recommendation")

    class Permission(models.TextChoices):
        NOT_ASKED = "not_asked", _("Not asked")
        ASKED = "asked", _("Asked")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    case_study = models.ForeignKey(
        CaseStudy, verbose_name=_("case study"), on_delete=models.PROTECT, related_name="quotes"
    )
    speaker = models.ForeignKey(
        Contact,
        verbose_name=_("speaker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    speaker_name = models.CharField(_("speaker name as published"), max_length=200)
    speaker_title = models.CharField(_("speaker title as published"), max_length=200, blank=True)
    text = models.TextField(_("quote"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INLINE)
    permission = models.CharField(
        _("permission"), max_length=20, choices=Permission.choices, default=Permission.NOT_ASKED
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["case_study", "position", "id"]

    def __str__(self) -> str:
        return f"“{self.text[:60]}” — {self.speaker_name}"

    def clean(self) -> None:
        if (
            self.speaker_id
            and self.case_study_id
            and self.speaker.customer_id != self.case_study.customer_id
        ):
            raise ValidationError(
                {"speaker": _("The speaker must be a contact at this story's customer.")}
            )

    @property
    def public_speaker(self) -> str:
        """The attribution a reader sees: the name only if the person agreed to
        be named, otherwise their title (e.g. "VP of Finance, Acme")."""
        if self.speaker_id is None or self.speaker.may_be_named:
            return self.speaker_name
        return self.speaker_title or gettext("A customer spokesperson")


# --------------------------------------------------------------------------
# Internal review: product, marketing and legal sign off each version
# --------------------------------------------------------------------------

# Labels of the areas we know; ``STORYLINE["INTERNAL_REVIEW_AREAS"]`` says
# which of them (or others) are required.
REVIEW_AREA_LABELS = {
    "product": _("Product — technical accuracy"),
    "marketing": _("Marketing — messaging"),
    "legal": _("Legal — claims"),
}


def internal_review_areas() -> list[str]:
    """The areas that must approve the latest version, in order."""
    return list(settings.STORYLINE.get("INTERNAL_REVIEW_AREAS", REVIEW_AREA_LABELS))


def review_area_label(area: str) -> str:
    label = REVIEW_AREA_LABELS.get(area)
    return str(label) if label else area.replace("_", " ").capitalize()


class InternalReviewComment(TimeStampedModel):
    """A reviewer's remark on one section of one version (or on the whole
    story when ``section`` is blank). Kept with the version it was made on."""

    version = models.ForeignKey(
        StoryVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="internal_comments",
    )
    area = models.CharField(_("review area"), max_length=30)
    section = models.CharField(
        _("section"),
        max_length=30,
        blank=True,
        choices=[("", _("The whole story")), *SECTIONS],
    )
    body = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_name = models.CharField(_("author (name)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("internal review comment")
        verbose_name_plural = _("internal review comments")
        ordering = ["version", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} [{self.area}] {self.body[:40]}"

    @property
    def area_label(self) -> str:
        return review_area_label(self.area)


class InternalSignOff(TimeStampedModel):
    """One area's decision on one exact version. A newer version needs a new
    sign-off: this one then stays as history ("stale")."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    version = models.ForeignKey(
        StoryVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="sign_offs"
    )
    area = models.CharField(_("review area"), max_length=30)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewer_name = models.CharField(_("reviewer (name)"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("internal sign-off")
        verbose_name_plural = _("internal sign-offs")
        ordering = ["version", "area"]
        constraints = [
            # Concurrent sign-offs of one area: exactly one wins.
            models.UniqueConstraint(
                fields=["version", "area"], name="casestudies_internalsignoff_one_per_area"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["approved", "changes_requested"]),
                name="casestudies_internalsignoff_decision_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} [{self.area}] {self.decision}"

    @property
    def area_label(self) -> str:
        return review_area_label(self.area)

    @property
    def approved(self) -> bool:
        return self.decision == self.Decision.APPROVED


class InternalReviewer(TimeStampedModel):
    """Who signs off one review area (product, marketing, legal) of one
    story: a colleague, or a group of them (any member may sign off). They
    are emailed when assigned and see the draft in their "Needs me today"."""

    case_study = models.ForeignKey(
        CaseStudy,
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="internal_reviewers",
    )
    area = models.CharField(_("review area"), max_length=30)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    group = models.ForeignKey(
        "auth.Group",
        verbose_name=_("reviewing group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by_name = models.CharField(_("assigned by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("internal reviewer")
        verbose_name_plural = _("internal reviewers")
        ordering = ["case_study", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "area"], name="casestudies_internalreviewer_one_per_area"
            ),
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(group__isnull=True))
                | (Q(user__isnull=True) & Q(group__isnull=False)),
                name="casestudies_internalreviewer_user_or_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_study} [{self.area}] {self.assignee_name}"

    @property
    def choice_value(self) -> str:
        """How the workspace's reviewer picker names the assignee."""
        return f"user:{self.user_id}" if self.user_id else f"group:{self.group_id}"

    @property
    def assignee_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.get_username()
        return self.group.name if self.group_id else ""

    @property
    def area_label(self) -> str:
        return review_area_label(self.area)


# --------------------------------------------------------------------------
# Selection: nominations, portfolio targets, candidate scores, freshness
# (the guide's "Seleksi Case Study Strategis" and "Membangun Portfolio
# Beragam"; the logic lives in casestudies/selection.py, the state changes in
# casestudies/selection_services.py)
# --------------------------------------------------------------------------


class Nomination(TimeStampedModel):
    """A staff member (sales, customer success) proposes a customer; the
    program manager accepts (a candidate story is created) or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="nominations"
    )
    reason = models.TextField(
        _("why this customer"),
        help_text=_("Their results, their story, why now. The program manager decides on this."),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    nominated_by_name = models.CharField(
        _("nominated by (name)"), max_length=200, blank=True, editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        editable=False,
    )
    decided_by_name = models.CharField(_("decided by"), max_length=200, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decision_note = models.TextField(_("decision note"), blank=True, editable=False)
    case_study = models.ForeignKey(
        CaseStudy,
        verbose_name=_("candidate story"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
        editable=False,
    )

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two colleagues nominating the same customer: one open nomination.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="pending"),
                name="casestudies_nomination_one_pending_per_customer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "declined"]),
                name="casestudies_nomination_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(case_study__isnull=False),
                name="casestudies_nomination_accepted_has_story",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(customer)s, nominated by %(name)s") % {
            "customer": self.customer,
            "name": self.nominated_by_name or "—",
        }


class PortfolioTarget(TimeStampedModel):
    """How many stories the program wants for one cell of the portfolio: any
    combination of industry, company size, region, use case and product
    (e.g. "2 enterprise healthcare stories in Asia-Pacific"). Blank
    dimensions match everything."""

    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), null=True, blank=True, on_delete=models.PROTECT
    )
    company_size = models.CharField(
        _("company size"), max_length=20, choices=CompanySize.choices, blank=True
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    use_case = models.ForeignKey(
        UseCase, verbose_name=_("use case"), null=True, blank=True, on_delete=models.PROTECT
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product or module"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    target = models.PositiveSmallIntegerField(
        _("stories wanted"), default=1, help_text=_("Published and in-progress stories count.")
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=2, help_text=_("1 is the most important gap to fill.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("portfolio target")
        verbose_name_plural = _("portfolio targets")
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(industry__isnull=False)
                | ~Q(company_size="")
                | Q(region__isnull=False)
                | Q(use_case__isnull=False)
                | Q(product__isnull=False),
                name="casestudies_portfoliotarget_names_a_cell",
            ),
            models.CheckConstraint(
                condition=Q(target__gte=1), name="casestudies_portfoliotarget_target_positive"
            ),
            models.CheckConstraint(
                condition=Q(company_size="") | Q(company_size__in=CompanySize.values),
                name="casestudies_portfoliotarget_company_size_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def describe(self, *, terms: dict | None = None) -> str:
        """The cell in words: "enterprise healthcare story in Asia-Pacific"."""
        terms = terms or {}

        def name(attr: str, model) -> str:
            term_id = getattr(self, f"{attr}_id")
            if term_id is None:
                return ""
            if term_id in terms.get(attr, {}):
                return terms[attr][term_id].name
            return getattr(self, attr).name

        words = []
        if self.company_size:
            label = str(CompanySize(self.company_size).label)
            words.append(label if label.isupper() else label.lower())  # "SMB" stays
        industry = name("industry", Industry)
        if industry:
            words.append(industry.lower())
        what = " ".join(words)
        text = gettext("%(what)s story") % {"what": what} if what else gettext("story")
        region = name("region", Region)
        if region:
            text += " " + gettext("in %(region)s") % {"region": region}
        use_case = name("use_case", UseCase)
        if use_case:
            text += " " + gettext("about %(use_case)s") % {"use_case": use_case.lower()}
        product = name("product", Product)
        if product:
            text += " " + gettext("with %(product)s") % {"product": product}
        return text


class CandidateScore(models.Model):
    """The stored score of a candidate story (candidate or recruiting), with
    its breakdown. Recomputed by ``casestudies.selection.recompute_scores``
    whenever an input changes (metrics, contacts, customer signals, taxonomy,
    targets, other stories' states). What is known of the story arc is input
    the program manager records here."""

    case_study = models.OneToOneField(
        CaseStudy,
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="candidate_score",
        primary_key=True,
    )
    # Story arc: what we already know (the guide's "Story Arc yang Jelas").
    arc_challenge = models.BooleanField(_("a significant challenge is known"), default=False)
    arc_selection = models.BooleanField(_("their evaluation and selection is known"), default=False)
    arc_implementation = models.BooleanField(_("implementation details are known"), default=False)
    arc_results = models.BooleanField(_("lasting results are known"), default=False)
    arc_future_plans = models.BooleanField(_("future plans are known"), default=False)

    # Computed (0-100 each, the total weighted by STORYLINE["SELECTION_WEIGHTS"]).
    results = models.PositiveSmallIntegerField(_("results strength"), default=0, editable=False)
    arc = models.PositiveSmallIntegerField(_("story arc"), default=0, editable=False)
    willingness = models.PositiveSmallIntegerField(_("willingness"), default=0, editable=False)
    appeal = models.PositiveSmallIntegerField(_("target buyer appeal"), default=0, editable=False)
    gap_fill = models.PositiveSmallIntegerField(_("fills a gap"), default=0, editable=False)
    total = models.PositiveSmallIntegerField(_("score"), default=0, editable=False)
    breakdown = models.JSONField(_("breakdown"), default=dict, editable=False)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("candidate score")
        verbose_name_plural = _("candidate scores")
        ordering = ["-total"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__lte=100)
                & Q(results__lte=100)
                & Q(arc__lte=100)
                & Q(willingness__lte=100)
                & Q(appeal__lte=100)
                & Q(gap_fill__lte=100),
                name="casestudies_candidatescore_bounds",
            ),
        ]
        indexes = [
            # Ranked candidates: highest score first.
            models.Index(fields=["-total"], name="casestudies_score_total_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_study}: {self.total}"

    ARC_FIELDS = (
        "arc_challenge",
        "arc_selection",
        "arc_implementation",
        "arc_results",
        "arc_future_plans",
    )


class ProductRename(models.Model):
    """A product or module's earlier name, recorded when it is renamed: stories
    published before the rename name the old product (freshness)."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="renames"
    )
    old_name = models.CharField(_("old name"), max_length=100)
    new_name = models.CharField(_("new name"), max_length=100)
    renamed_at = models.DateTimeField(_("renamed"), default=timezone.now)

    class Meta:
        verbose_name = _("product rename")
        verbose_name_plural = _("product renames")
        ordering = ["-renamed_at"]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name}"


# --------------------------------------------------------------------------
# The customer's relationship: signals that make asking natural, and the
# ledger of every ask (so nobody is over-used)
# --------------------------------------------------------------------------


class RelationshipSignal(TimeStampedModel):
    """A moment that makes asking natural and that the customer record does
    not hold: an enthusiastic message, enrolment in the advocacy program."""

    class Kind(models.TextChoices):
        ENTHUSIASM = "enthusiasm", _("Shared enthusiasm")
        ADVOCACY = "advocacy", _("Joined the advocacy program")

    customer = models.ForeignKey(
        "casestudies.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="relationship_signals",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    noted_on = models.DateField(_("on"), default=timezone.localdate)
    note = models.TextField(_("what happened"), blank=True)

    class Meta:
        # It lived in recruitment first: its table kept its name.
        db_table = "recruitment_relationshipsignal"
        verbose_name = _("relationship signal")
        verbose_name_plural = _("relationship signals")
        ordering = ["-noted_on", "-id"]
        indexes = [
            models.Index(fields=["customer", "noted_on"], name="recruitment_signal_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer}: {self.get_kind_display()}"


class AskKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    REFERENCE = "reference", _("Reference call")
    CASE_STUDY = "case_study", _("Case study participation")
    PR = "pr", _("PR / press")
    EVENT = "event", _("Event or webinar")
    OTHER = "other", _("Other")


class CustomerAsk(models.Model):
    """The fatigue ledger: one row per thing we asked of a customer (an
    interview, a reference call, a press quote, a talk…), whoever asked, so
    nobody is over-used. Written through ``casestudies.customers.asks.record_ask``."""

    customer = models.ForeignKey(
        "casestudies.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="asks",
    )
    contact = models.ForeignKey(
        "casestudies.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asks",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AskKind.choices)
    asked_at = models.DateTimeField(_("asked on"), default=timezone.now)
    source = models.CharField(_("what was asked"), max_length=300, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    asked_by_name = models.CharField(_("asked by (name)"), max_length=200, blank=True)

    class Meta:
        # It lived in distribution first: its table kept its name.
        db_table = "distribution_customerask"
        verbose_name = _("ask of a customer")
        verbose_name_plural = _("asks of customers (fatigue ledger)")
        ordering = ["-asked_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AskKind.values), name="distribution_customerask_kind"
            ),
        ]
        indexes = [
            # "Asked N times in 90 days" for one customer.
            models.Index(fields=["customer", "asked_at"], name="distribution_ask_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_kind_display()} · {self.asked_at:%Y-%m-%d}"
