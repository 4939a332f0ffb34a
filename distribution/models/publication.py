"""Publication: the branding, the search index of public stories, rendered documents."""

from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.storage import private_storage
from core.uploads import validate_logo

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, for example #1f4e79.")
)


class Branding(TimeStampedModel):
    """Our own brand, set by staff: one row (pk=1), read through :meth:`current`.

    Pages, PDFs, one-pagers and slides all take their colours, logo and name
    from here, so a change applies everywhere.
    """

    CACHE_KEY = "distribution:branding:v1"

    company_name = models.CharField(_("company name"), max_length=200, default="Storyline")
    logo = models.ImageField(
        _("logo"), upload_to="logos/brand/", blank=True, validators=[validate_logo]
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1f4e79", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#c2410c", validators=[hex_colour]
    )
    website = models.URLField(_("website"), blank=True)
    sales_contact_url = models.CharField(
        _("“Talk to sales” link"),
        max_length=300,
        blank=True,
        help_text=_("A URL or mailto: link for the call to action on story pages."),
    )

    class Meta:
        verbose_name = _("branding")
        verbose_name_plural = _("branding")

    def __str__(self) -> str:
        return self.company_name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # a singleton
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    def delete(self, *args, **kwargs):
        cache.delete(self.CACHE_KEY)
        return super().delete(*args, **kwargs)

    @classmethod
    def for_request(cls, request) -> "Branding":
        """:meth:`current`, read once per request (the view and the context
        processor share it)."""
        if request is None:
            return cls.current()
        branding = getattr(request, "_storyline_branding", None)
        if branding is None:
            branding = request._storyline_branding = cls.current()
        return branding

    @classmethod
    def current(cls) -> "Branding":
        """The branding row (cached); an unsaved default when none was set."""
        branding = cache.get(cls.CACHE_KEY)
        if branding is None:
            branding = cls.objects.filter(pk=1).first() or cls()
            cache.set(cls.CACHE_KEY, branding, 300)
        return branding


class StorySearchEntry(models.Model):
    """The gallery's full-text index: one row per public language version of
    a published story, rebuilt by :mod:`distribution.publication.search` whenever the
    story, its customer or its translations change (and by the
    ``rebuild_search_index`` command after bulk loads).

    The text is stored as the public sees it (anonymised stories without the
    customer's name), so search can never reveal what the page hides.
    ``document`` is a weighted tsvector on PostgreSQL (title A, customer and
    summary B, sections C) with a GIN index created by migration 0002; on
    SQLite the text columns serve a simple ``icontains`` fallback.

    ``head`` is the ranking vector: the title (A), customer facts and summary
    (B) only, a sixth of ``document``'s size, so that a search ranks its
    thousands of matches without reading their documents (migration 0013).
    ``document`` still decides what matches.
    """

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="search_entries",
    )
    version = models.ForeignKey(
        "casestudies.StoryVersion",
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10)
    # A PostgreSQL text search configuration: "english" stems, "simple" for Indonesian.
    config = models.CharField(_("search configuration"), max_length=20)
    title = models.TextField(_("title"))
    facts = models.TextField(_("customer and industry"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("sections"), blank=True)
    document = SearchVectorField(null=True, editable=False)
    head = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "language"], name="distribution_search_one_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"


def document_upload_to(document: "RenderedDocument", filename: str) -> str:
    return f"documents/{document.case_study.slug}/{filename}"


class RenderedDocument(TimeStampedModel):
    """One rendered file of one public story version: a PDF, a one-pager or
    slides, in one language and paper size.

    A cache with a lifecycle: the row is created when a visitor first asks
    for the document (status *queued*), a Celery task claims it (*rendering*),
    then stores the file (*done*) or the error (*failed*). A new published
    version or translation is a new row; ``prune_documents`` removes the files
    of versions that are no longer public.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        ONE_PAGER = "one_pager", _("One-page summary")
        SLIDES = "slides", _("Slides")

    class Paper(models.TextChoices):
        A4 = "a4", _("A4")
        LETTER = "letter", _("Letter")
        NONE = "", _("Not applicable")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    case_study = models.ForeignKey(
        "casestudies.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    version = models.ForeignKey(
        "casestudies.StoryVersion",
        verbose_name=_("story version"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    language = models.CharField(_("language"), max_length=10)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    paper = models.CharField(_("paper"), max_length=10, choices=Paper.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Private (core.storage): served by the document views, which check the
    # story is still public, never from /media/.
    file = models.FileField(
        _("file"),
        upload_to=document_upload_to,
        storage=private_storage,
        blank=True,
        max_length=300,
    )
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    source_hash = models.CharField(
        _("source fingerprint"),
        max_length=64,
        blank=True,
        help_text=_(
            "What the file was drawn from (story, usage rights, metrics, quotes, branding); "
            "a file whose sources changed is never served, it is rendered again."
        ),
    )
    render_ms = models.PositiveIntegerField(_("render time (ms)"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("render started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("render finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("rendered document")
        verbose_name_plural = _("rendered documents")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "language", "paper"],
                name="distribution_rendereddocument_unique_per_version",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="distribution_rendereddocument_progress_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(file=""),
                name="distribution_rendereddocument_done_has_file",
            ),
        ]
        indexes = [
            # The admin's list by status, and prune_documents' scan per story.
            models.Index(fields=["status", "updated_at"], name="distribution_doc_status_idx"),
        ]

    def __str__(self) -> str:
        paper = f" {self.get_paper_display()}" if self.paper else ""
        return f"{self.case_study} · {self.get_kind_display()}{paper} [{self.language}]"

    @property
    def extension(self) -> str:
        return "pptx" if self.kind == self.Kind.SLIDES else "pdf"

    @property
    def content_type(self) -> str:
        if self.kind == self.Kind.SLIDES:
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        return "application/pdf"

    @property
    def download_name(self) -> str:
        """The file name a visitor saves: the story's slug, kind and language."""
        suffix = {self.Kind.PDF: "", self.Kind.ONE_PAGER: "-one-pager", self.Kind.SLIDES: ""}
        return f"{self.case_study.slug}{suffix[self.kind]}-{self.language}.{self.extension}"
