"""Publication settings shared by pages and documents."""

from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

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
    logo = models.ImageField(_("logo"), upload_to="logos/brand/", blank=True)
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
    def current(cls) -> "Branding":
        """The branding row (cached); an unsaved default when none was set."""
        branding = cache.get(cls.CACHE_KEY)
        if branding is None:
            branding = cls.objects.filter(pk=1).first() or cls()
            cache.set(cls.CACHE_KEY, branding, 300)
        return branding


class StorySearchEntry(models.Model):
    """The gallery's full-text index: one row per public language version of
    a published story, rebuilt by :mod:`distribution.search` whenever the
    story, its customer or its translations change (and by the
    ``rebuild_search_index`` command after bulk loads).

    The text is stored as the public sees it (anonymised stories without the
    customer's name), so search can never reveal what the page hides.
    ``document`` is a weighted tsvector on PostgreSQL (title A, customer and
    summary B, sections C) with a GIN index created by migration 0002; on
    SQLite the text columns serve a simple ``icontains`` fallback.
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
