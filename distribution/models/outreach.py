"""Outreach: references and the fatigue ledger, campaigns, social posts,
tracked share links, the log of use at events."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

# --------------------------------------------------------------------------
# Outreach: references and the fatigue ledger, campaigns, social posts,
# tracked share links, the log of use at events (issue 7, part B)
# --------------------------------------------------------------------------


class ReferencePreference(TimeStampedModel):
    """What a contact told us about reference calls, on their own preference
    page (tokenized link; only the token's hash is stored)."""

    contact = models.OneToOneField(
        "casestudies.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="reference_preference",
    )
    available = models.BooleanField(_("available for reference calls"), default=True)
    max_calls_per_quarter = models.PositiveSmallIntegerField(
        _("at most this many calls per quarter"), null=True, blank=True
    )
    preferred_days = models.CharField(_("preferred days and times"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    token_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    set_by_contact_at = models.DateTimeField(
        _("last set by the contact"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("reference preference")
        verbose_name_plural = _("reference preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_calls_per_quarter__isnull=True)
                | models.Q(max_calls_per_quarter__lte=20),
                name="distribution_referencepreference_max_calls_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.contact)


class ReferenceRequest(TimeStampedModel):
    """A rep's request for a reference call with a story's customer. The
    account owner consents first; the per-contact cap is checked when they do."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Awaiting the account owner")
        OWNER_APPROVED = "owner_approved", _("Approved by the account owner")
        OWNER_DECLINED = "owner_declined", _("Declined by the account owner")
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="reference_requests",
    )
    customer = models.ForeignKey(
        "casestudies.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="reference_requests",
    )
    contact = models.ForeignKey(
        "casestudies.Contact",
        verbose_name=_("reference contact"),
        on_delete=models.PROTECT,
        related_name="reference_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="reference_requests",
    )
    prospect_company = models.CharField(_("prospect company"), max_length=200)
    purpose = models.TextField(_("what the prospect wants to hear about"))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REQUESTED, editable=False
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    scheduled_for = models.DateTimeField(_("call scheduled for"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    # "Done" markers of the two emails, claimed before sending.
    owner_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    requester_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    # States in which a call uses up the contact's quota.
    COUNTED_STATES = (State.OWNER_APPROVED, State.SCHEDULED, State.DONE)

    class Meta:
        verbose_name = _("reference request")
        verbose_name_plural = _("reference requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    state__in=[
                        "requested",
                        "owner_approved",
                        "owner_declined",
                        "scheduled",
                        "done",
                        "cancelled",
                    ]
                ),
                name="distribution_referencerequest_state_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="scheduled") | models.Q(scheduled_for__isnull=False),
                name="distribution_referencerequest_scheduled_has_date",
            ),
        ]
        indexes = [
            # The cap: a contact's counted calls decided in this quarter.
            models.Index(
                fields=["contact", "state", "decided_at"], name="distribution_refreq_cap_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact.name} → {self.prospect_company}"


class Recipient(TimeStampedModel):
    """Someone a campaign may be sent to."""

    class Kind(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        CUSTOMER = "customer", _("Customer")
        NEWSLETTER = "newsletter", _("Newsletter subscriber")

    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    company = models.CharField(_("company"), max_length=200, blank=True)
    industry = models.ForeignKey(
        "casestudies.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    use_case = models.ForeignKey(
        "casestudies.UseCase",
        verbose_name=_("use case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    unsubscribed = models.BooleanField(_("unsubscribed"), default=False)
    unsubscribed_at = models.DateTimeField(_("unsubscribed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["email"]
        indexes = [
            # Segment selection: kind, then industry / use case.
            models.Index(
                fields=["kind", "industry", "use_case"], name="distribution_recip_seg_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class Suppression(models.Model):
    """Addresses we never email: unsubscribed, bounced, marked as spam, or
    added by staff. The email service's webhooks add the bounces, complaints
    and unsubscribes they report (``campaigns.suppression_from_esp_event``)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINT = "complaint", _("Marked as spam")
        MANUAL = "manual", _("Added by staff")

    email = models.EmailField(_("email"), unique=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Campaign(TimeStampedModel):
    """An email built from story cards, sent to one segment in batches."""

    class Segment(models.TextChoices):
        PROSPECTS = "prospects", _("Prospects (by industry or use case)")
        CUSTOMERS = "customers", _("Customers (peer stories)")
        NEWSLETTER = "newsletter", _("Newsletter")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("Used as utm_campaign in every link.")
    )
    subject = models.CharField(_("subject"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    segment = models.CharField(_("audience"), max_length=20, choices=Segment.choices)
    industry = models.ForeignKey(
        "casestudies.Industry",
        verbose_name=_("only this industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    use_case = models.ForeignKey(
        "casestudies.UseCase",
        verbose_name=_("only this use case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stories = models.ManyToManyField(
        "casestudies.CaseStudy", verbose_name=_("stories"), related_name="campaigns"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    total = models.PositiveIntegerField(_("recipients"), default=0, editable=False)
    queued_at = models.DateTimeField(_("sending started"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("email campaign")
        verbose_name_plural = _("email campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CampaignDelivery(models.Model):
    """One recipient of one campaign: claimed (*sending*) just before its
    email is sent and *sent* just after, so retries and redelivered batches
    never send it twice and "sent" counts only emails that left."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        SUPPRESSED = "suppressed", _("Suppressed")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        Recipient, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("campaign delivery")
        verbose_name_plural = _("campaign deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "recipient"], name="distribution_delivery_once_per_recipient"
            ),
        ]
        indexes = [
            # Progress (sent / total) and the batches' pending scan.
            models.Index(fields=["campaign", "status"], name="distribution_delivery_prog_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.recipient_id}"


class CustomerSocial(models.Model):
    """How to tag a customer on social networks."""

    customer = models.OneToOneField(
        "casestudies.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="social",
    )
    linkedin_name = models.CharField(
        _("LinkedIn page name"),
        max_length=100,
        blank=True,
        help_text=_("As typed after @ on LinkedIn, e.g. Acme Retail."),
    )
    x_handle = models.CharField(
        _("X handle"),
        max_length=15,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_]{1,15}$", _("Letters, digits and _ only."))],
        help_text=_("Without the @."),
    )

    class Meta:
        verbose_name = _("customer social handles")
        verbose_name_plural = _("customer social handles")

    def __str__(self) -> str:
        return str(self.customer)


class SocialPost(TimeStampedModel):
    """A post published about a story (its link, for the impact measures)."""

    class Network(models.TextChoices):
        LINKEDIN = "linkedin", _("LinkedIn")
        X = "x", _("X")
        OTHER = "other", _("Other")

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="social_posts",
    )
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    url = models.URLField(_("post URL"), max_length=500)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    posted_at = models.DateTimeField(_("posted on"), default=timezone.now)
    reach = models.PositiveIntegerField(_("reach"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("social post")
        verbose_name_plural = _("social posts")
        ordering = ["-posted_at"]
        constraints = [
            models.UniqueConstraint(fields=["url"], name="distribution_socialpost_unique_url"),
        ]

    def __str__(self) -> str:
        return f"{self.get_network_display()} · {self.case_study}"


class ShareLink(TimeStampedModel):
    """A rep's personal link to a story for one prospect: ``/s/<code>/``."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.PROTECT,
        related_name="share_links",
    )
    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="share_links",
    )
    # 128 random bits (secrets.token_urlsafe(16)): unguessable, and shown to
    # the rep again whenever they need the link.
    code = models.CharField(_("code"), max_length=32, unique=True, editable=False)
    prospect_name = models.CharField(_("prospect name"), max_length=200)
    prospect_email = models.EmailField(_("prospect email"), blank=True)
    prospect_company = models.CharField(_("prospect company"), max_length=200)
    revoked = models.BooleanField(_("revoked"), default=False)
    first_visited_at = models.DateTimeField(_("first visit"), null=True, blank=True)
    visit_count = models.PositiveIntegerField(_("visits"), default=0)
    # The "first visit" email's done marker, claimed before sending.
    rep_notified_at = models.DateTimeField(_("rep notified"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["rep", "created_at"], name="distribution_share_rep_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_study} → {self.prospect_company}"


class ShareLinkVisit(models.Model):
    """One (non-bot) visit of a share link. No IP address: only a keyed,
    truncated hash of the network prefix, enough to tell repeat visitors."""

    link = models.ForeignKey(
        ShareLink, verbose_name=_("share link"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_at = models.DateTimeField(_("when"), default=timezone.now)
    visitor_hash = models.CharField(_("visitor"), max_length=16, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("share link visit")
        verbose_name_plural = _("share link visits")
        ordering = ["-visited_at"]
        indexes = [
            models.Index(fields=["link", "visited_at"], name="distribution_visit_link_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.link} · {self.visited_at:%Y-%m-%d %H:%M}"


class StoryUse(TimeStampedModel):
    """A story used at an event, a webinar or an internal meeting."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Conference or trade show")
        WEBINAR = "webinar", _("Webinar")
        INTERNAL = "internal", _("Internal meeting (kickoff, all-hands, training)")
        OTHER = "other", _("Other external use")

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="uses",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("event or meeting"), max_length=200)
    date = models.DateField(_("date"))
    audience_size = models.PositiveIntegerField(_("audience size"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("story use")
        verbose_name_plural = _("story uses (events, webinars, meetings)")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.name} · {self.case_study}"

    @property
    def is_external(self) -> bool:
        return self.kind != self.Kind.INTERNAL
