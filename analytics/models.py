"""First-party events: one row per thing a reader, a prospect or a rep did
with a story. No raw IP address, no cookie identifier: only what the impact
measures need.

Other apps record through :func:`analytics.events.record`; this app turns the
rows into the measures of the guide's "Measuring Case Study Impact".
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casestudies.models import CompanySize
from core.models import TimeStampedModel


class EventKind(models.TextChoices):
    VIEW = "view", _("story view")
    ENGAGEMENT = "engagement", _("time on page")
    DOWNLOAD = "download", _("download")
    SHARE_VISIT = "share_visit", _("share-link visit")
    GALLERY_SEARCH = "gallery_search", _("gallery search or filter")
    SALES_USE = "sales_use", _("used by sales")
    CAMPAIGN_CLICK = "campaign_click", _("campaign click")
    # An embedded story shown on / clicked from another site's page
    # (utm_campaign: the embed's name, detail: the host page).
    EMBED_VIEW = "embed_view", _("shown in an embed")
    EMBED_CLICK = "embed_click", _("embed click")


class Event(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    # Staff actions (sales use): who; anonymous readers: nobody.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What exactly: "pdf" / "one_pager" / "slides" for downloads, "copy_quote",
    # "pack", "share_link" … for sales use, the search terms' facet for searches.
    detail = models.CharField(_("detail"), max_length=100, blank=True)
    referrer_host = models.CharField(_("referrer"), max_length=255, blank=True)
    utm_source = models.CharField(_("UTM source"), max_length=100, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=100, blank=True)
    value = models.PositiveIntegerField(_("value"), null=True, blank=True)
    # A daily-salted hash of address and browser: unique visitors per day and
    # rate limits, never the address itself (and unlinkable across days).
    visitor = models.CharField(_("visitor (daily hash)"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind", "created_at"], name="analytics_event_kind_idx"),
            models.Index(
                fields=["case_study", "kind", "created_at"], name="analytics_event_story_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------
# Lead generation: gated downloads
# --------------------------------------------------------------------------


class DownloadGate(TimeStampedModel):
    """A story whose documents are behind a short lead form (optional, per story)."""

    case_study = models.OneToOneField(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="download_gate",
    )
    enabled = models.BooleanField(_("ask for contact details before downloads"), default=True)

    class Meta:
        verbose_name = _("gated download")
        verbose_name_plural = _("gated downloads")

    def __str__(self) -> str:
        return str(self.case_study)


class Lead(TimeStampedModel):
    """A prospect who left their details to download a story, with where they
    came from (the page, the campaign, the sales rep's share link)."""

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="leads",
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("work email"))
    company = models.CharField(_("company"), max_length=160)
    role = models.CharField(_("role"), max_length=120)
    document = models.CharField(_("document"), max_length=20, blank=True)
    page = models.CharField(_("page"), max_length=500, blank=True)
    referrer_host = models.CharField(_("referrer"), max_length=255, blank=True)
    utm_source = models.CharField(_("UTM source"), max_length=100, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=100, blank=True)
    # From utm_campaign "share-<id>": the sales rep's tracked link.
    share_link_id = models.PositiveBigIntegerField(_("share link"), null=True, blank=True)
    # The claimed "sent" marker of the confirmation email (sent once).
    email_sent_at = models.DateTimeField(_("email sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        constraints = [
            # The same person asking twice for one story is one lead (email lower-cased).
            models.UniqueConstraint(
                fields=["case_study", "email"], name="analytics_lead_one_per_story_email"
            ),
        ]
        indexes = [
            # Leads per story over a period (measures.story_table).
            models.Index(fields=["case_study", "created_at"], name="analytics_lead_story_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


# --------------------------------------------------------------------------
# Influenced revenue: deals and the stories used in them
# --------------------------------------------------------------------------


class DealOutcome(models.TextChoices):
    OPEN = "open", _("open")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class Deal(TimeStampedModel):
    external_id = models.CharField(_("CRM id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    stage = models.CharField(_("stage"), max_length=60, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=4, choices=DealOutcome.choices, default=DealOutcome.OPEN
    )
    industry = models.ForeignKey(
        "casestudies.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    company_size = models.CharField(
        _("company size"), max_length=20, choices=CompanySize.choices, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stories = models.ManyToManyField(
        "casestudies.CaseStudy",
        through="DealStory",
        verbose_name=_("stories used"),
        related_name="deals",
        blank=True,
    )

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-opened_on", "external_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="analytics_deal_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="analytics_deal_closed_after_opened",
            ),
            # Won and lost deals have a close date; open ones do not.
            models.CheckConstraint(
                condition=models.Q(outcome="open", closed_on__isnull=True)
                | models.Q(outcome__in=["won", "lost"], closed_on__isnull=False),
                name="analytics_deal_closed_iff_decided",
            ),
        ]
        indexes = [
            # Deals closed in a period (measures.deal_figures).
            models.Index(fields=["closed_on", "outcome"], name="analytics_deal_closed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.outcome == DealOutcome.OPEN and self.closed_on:
            raise ValidationError({"closed_on": _("An open deal has no close date.")})
        if self.outcome != DealOutcome.OPEN and not self.closed_on:
            raise ValidationError({"closed_on": _("A won or lost deal needs its close date.")})
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": _("The close date is before the open date.")})


class DealStory(models.Model):
    class Source(models.TextChoices):
        PACK = "pack", _("proposal pack")
        SHARE_LINK = "share_link", _("tracked share link")
        LOGGED = "logged", _("logged by a rep")
        IMPORT = "import", _("CRM import")

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="deal_stories"
    )
    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="deal_stories",
    )

    class Feedback(models.TextChoices):
        HELPED = "helped", _("it helped")
        NEUTRAL = "neutral", _("no difference")
        DID_NOT_HELP = "did_not_help", _("it did not help")

    source = models.CharField(
        _("how it was used"), max_length=12, choices=Source.choices, default=Source.LOGGED
    )
    # The guide's sales-usage questions: what reps think of its effect and
    # how the customer reacted.
    rep_feedback = models.CharField(
        _("rep's verdict"), max_length=12, choices=Feedback.choices, blank=True
    )
    customer_reaction = models.CharField(_("customer reaction"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When the story reached the prospect, if whoever records the link knows
    # it (a rep logging a story they shared last month). Attribution timing
    # (analytics/measures.py) uses it, else the day the link was recorded.
    used_on = models.DateField(
        _("shared with the prospect on"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty if the story was shared today. A story counts for a deal only if "
            "it was shared on or before the close date."
        ),
    )

    class Meta:
        verbose_name = _("story used in a deal")
        verbose_name_plural = _("stories used in deals")
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "case_study"], name="analytics_dealstory_once_per_deal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal} · {self.case_study}"


# --------------------------------------------------------------------------
# SEO and the value given back to the customer
# --------------------------------------------------------------------------


class Backlink(TimeStampedModel):
    """Another site linking to a story (entered by hand or imported)."""

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="backlinks",
    )
    url = models.URLField(_("linking page"), max_length=500)
    domain = models.CharField(_("domain"), max_length=255, blank=True)
    found_on = models.DateField(_("found on"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("backlink")
        verbose_name_plural = _("backlinks")
        ordering = ["-found_on"]
        constraints = [
            models.UniqueConstraint(fields=["case_study", "url"], name="analytics_backlink_once"),
        ]

    def __str__(self) -> str:
        return self.url

    def save(self, *args, **kwargs):
        if not self.domain:
            from urllib.parse import urlsplit

            host = (urlsplit(self.url).hostname or "").lower()
            self.domain = host.removeprefix("www.")
        super().save(*args, **kwargs)


class CustomerValue(TimeStampedModel):
    """The value a story gave back to the customer (the guide: "value must
    flow both directions")."""

    class Kind(models.TextChoices):
        BACKLINK = "backlink", _("backlink to their site")
        SOCIAL_REACH = "social_reach", _("social reach")
        LEADS_REFERRED = "leads_referred", _("leads referred")
        RECOGNITION = "recognition", _("recognition")
        AWARD = "award", _("award")

    customer = models.ForeignKey(
        "casestudies.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="value_entries",
    )
    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer_value_entries",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.PositiveIntegerField(
        _("amount"), default=1, help_text=_("People reached, leads referred, links: a count.")
    )
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("value for the customer")
        verbose_name_plural = _("value for customers")
        ordering = ["-occurred_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.amount}"


# --------------------------------------------------------------------------
# The report sent to the program managers
# --------------------------------------------------------------------------


class ReportDispatch(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("monthly (scheduled)")
        MANUAL = "manual", _("sent on request")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The claimed "sent" marker: a dispatch is emailed once.
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("impact report")
        verbose_name_plural = _("impact reports")
        ordering = ["-created_at"]
        constraints = [
            # Beat may fire twice (restarts, two beat processes): one report a month.
            models.UniqueConstraint(
                fields=["period_start"],
                condition=models.Q(kind="monthly"),
                name="analytics_report_once_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m-%d}..{self.period_end:%Y-%m-%d}"
