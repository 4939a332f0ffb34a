"""Admin for the sales portal's records: proposal packs reps built."""

from django.contrib import admin

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
        "pdf",
        "slides",
        "started_at",
        "finished_at",
    )
    inlines = [ProposalPackStoryInline]

    def has_add_permission(self, request) -> bool:
        return False  # reps build packs in the sales portal
