"""Admin for the sales portal's records: proposal packs reps built."""

from pathlib import PurePosixPath

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import NoDeleteAdminMixin
from distribution.models import ProposalPack, ProposalPackStory


class ProposalPackStoryInline(admin.TabularInline):
    model = ProposalPackStory
    fields = ("position", "case_study", "score", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProposalPack)
class ProposalPackAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    """Packs reps built for prospects: who, for whom, which stories, and
    where the render is (or why it failed)."""

    list_display = ("prospect_company", "rep_name", "status", "progress", "created_at")
    list_filter = ("status",)
    search_fields = ("prospect_company", "prospect_name", "rep_name")
    readonly_fields = (
        "rep",
        "rep_name",
        "prospect_company",
        "prospect_name",
        "profile",
        "language",
        "status",
        "progress",
        "error",
        "pdf_link",
        "slides_link",
        "started_at",
        "finished_at",
    )
    exclude = ("pdf", "slides")  # shown as links (pdf_link, slides_link)
    inlines = [ProposalPackStoryInline]

    def has_add_permission(self, request) -> bool:
        return False  # reps build packs in the sales portal

    # The files are private (core.storage): linked to the portal's download
    # views, which check who may have them.
    @admin.display(description=_("PDF"))
    def pdf_link(self, obj):
        return self._link(obj, obj.pdf, "sales:pack_pdf")

    @admin.display(description=_("slides"))
    def slides_link(self, obj):
        return self._link(obj, obj.slides, "sales:pack_slides")

    def _link(self, obj, file, url_name):
        if not file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse(url_name, kwargs={"pk": obj.pk}),
            PurePosixPath(file.name).name,
        )
