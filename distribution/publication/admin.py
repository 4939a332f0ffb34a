"""Publication's admin: the branding and the rendered documents."""

from django import forms
from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import NoDeleteAdminMixin
from core.errors import TransitionError
from core.uploads import LogoFormMixin
from distribution.models import Branding, RenderedDocument
from distribution.publication import services


class BrandingForm(LogoFormMixin, forms.ModelForm):
    """Our branding: the logo checked and stored downscaled (core.uploads)."""

    class Meta:
        model = Branding
        # The admin adds the other fields from its fieldsets.
        fields = ("logo",)


@admin.register(Branding)
class BrandingAdmin(admin.ModelAdmin):
    form = BrandingForm
    list_display = ["company_name", "primary_colour", "accent_colour", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not Branding.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RenderedDocument)
class RenderedDocumentAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    """Rendered PDFs, one-pagers and slides: where each render is, how long it
    took, and why it failed; "Render again" re-queues the selected ones."""

    list_display = (
        "case_study",
        "kind",
        "language",
        "paper",
        "version_number",
        "status",
        "progress_display",
        "render_ms",
        "size_display",
        "attempts",
        "short_error",
        "updated_at",
    )
    list_filter = ("status", "kind", "language", "paper")
    search_fields = ("case_study__title", "case_study__slug", "error")
    list_select_related = ("case_study", "version")
    readonly_fields = (
        "case_study",
        "version",
        "language",
        "kind",
        "paper",
        "status",
        "progress",
        "error",
        "file_name",
        "size",
        "content_hash",
        "render_ms",
        "attempts",
        "started_at",
        "finished_at",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    actions = ["render_again"]

    def has_add_permission(self, request) -> bool:
        return False  # documents are made by visitors' requests, per public version

    @admin.display(description=_("version"), ordering="version__number")
    def version_number(self, obj):
        return obj.version.number

    @admin.display(description=_("progress"), ordering="progress")
    def progress_display(self, obj):
        return f"{obj.progress} %"

    @admin.display(description=_("file"))
    def file_name(self, obj):
        # A private file (core.storage): no address of its own; visitors get
        # it from the story's document links while the story is public.
        return obj.file.name if obj.file else "—"

    @admin.display(description=_("size"), ordering="size")
    def size_display(self, obj):
        return filesizeformat(obj.size) if obj.size else "—"

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return Truncator(obj.error).chars(80) if obj.error else ""

    @admin.action(description=_("Render again"), permissions=["change"])
    def render_again(self, request, queryset):
        done = 0
        for document in queryset.select_related("case_study", "version"):
            try:
                services.document_rerender(document=document, actor=request.user, source="admin")
            except TransitionError as exc:
                messages.error(request, str(exc))
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext(
                    "%(n)d document queued for rendering.",
                    "%(n)d documents queued for rendering.",
                    done,
                )
                % {"n": done},
            )
