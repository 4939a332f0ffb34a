"""The sales portal: proposal packs."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.storage import private_storage

# Sales: proposal packs (issue 7, "Proposal packs")
# --------------------------------------------------------------------------


def pack_upload_to(pack: "ProposalPack", filename: str) -> str:
    return f"packs/{pack.pk}/{filename}"


class ProposalPack(TimeStampedModel):
    """A bundle a rep builds for one prospect: a cover page and the chosen
    stories' one-pagers in one PDF, plus one combined slide deck.

    Saved for reuse: the prospect profile (``profile``: the slugs the rep
    picked, see :mod:`distribution.sales.packs`) and the chosen stories in order.
    Rendered in Celery like the story documents: *queued* → *rendering* (the
    task claims the row) → *done* or *failed*.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="proposal_packs",
    )
    rep_name = models.CharField(_("sales rep name"), max_length=200, blank=True)
    prospect_name = models.CharField(_("prospect contact"), max_length=200, blank=True)
    prospect_company = models.CharField(_("prospect company"), max_length=200)
    # The prospect as the rep described it: taxonomy slugs (see packs.Profile).
    profile = models.JSONField(_("prospect profile"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    stories = models.ManyToManyField(
        "casestudies.CaseStudy",
        through="ProposalPackStory",
        verbose_name=_("stories"),
        related_name="proposal_packs",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Private (core.storage): only the rep's own pack views serve them.
    pdf = models.FileField(
        _("PDF"), upload_to=pack_upload_to, storage=private_storage, blank=True, max_length=300
    )
    slides = models.FileField(
        _("slides"), upload_to=pack_upload_to, storage=private_storage, blank=True, max_length=300
    )
    started_at = models.DateTimeField(_("render started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("render finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal pack")
        verbose_name_plural = _("proposal packs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="distribution_proposalpack_progress_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | (~models.Q(pdf="") & ~models.Q(slides="")),
                name="distribution_proposalpack_done_has_files",
            ),
        ]
        indexes = [
            # "My packs": a rep's packs, newest first.
            models.Index(fields=["rep", "-created_at"], name="distribution_pack_rep_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.prospect_company} ({self.created_at:%Y-%m-%d})" if self.created_at else ""

    def file_name(self, extension: str) -> str:
        from django.utils.text import slugify

        return f"proposal-{slugify(self.prospect_company) or 'pack'}-{self.pk}.{extension}"


class ProposalPackStory(models.Model):
    """One chosen story of a pack, in the rep's order, with the reason it was
    ranked for this prospect."""

    pack = models.ForeignKey(
        ProposalPack,
        verbose_name=_("proposal pack"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    reason = models.CharField(_("why it was suggested"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("story in a pack")
        verbose_name_plural = _("stories in a pack")
        ordering = ["pack", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "case_study"], name="distribution_packstory_once_per_pack"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pack} · {self.case_study}"


# --------------------------------------------------------------------------
# Sales: the portal's full-text index (issue 18)
# --------------------------------------------------------------------------


class SalesSearchEntry(models.Model):
    """The sales portal's search index: one row per usable story (published,
    web or sales-only), built by :mod:`distribution.sales.index`.

    Two tsvectors, each with a GIN index:

    - ``strong``: what a rep searches for first: the title, the objections
      answered, the competitors displaced, the approved quotes, the metric
      labels and values, the summary, the customer, industry and region;
    - ``document``: ``strong`` plus the story's sections.

    Each is built in the text search configuration of every public language
    version (``english``, ``indonesian``), quotes and metrics included in
    each, since they appear in every version. The order columns are copied
    from the story so that ordering needs no join; ``rights_expire_on`` is
    checked at query time (a story leaves by itself when its rights expire).
    On SQLite the vectors stay empty and the portal uses its simple search.
    """

    case_study = models.OneToOneField(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="sales_search_entry",
    )
    featured = models.BooleanField(_("featured"), default=False)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    rights_expire_on = models.DateField(_("usage rights expire on"), null=True, blank=True)
    configs = models.CharField(_("search configurations"), max_length=60, blank=True)
    strong = SearchVectorField(null=True, editable=False)
    document = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("sales search entry")
        verbose_name_plural = _("sales search entries")
        indexes = [
            models.Index(
                fields=["-featured", "-published_at", "-case_study"],
                name="distribution_sales_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"sales search entry {self.case_study_id}"
