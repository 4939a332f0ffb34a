from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.import_jobs import processed_rows
from core.models import AuditEntry, ImportJob


class ReadOnlyAdminMixin:
    """For records that are evidence (audit log, history, frozen versions):
    they can be viewed, never added, changed or deleted from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoDeleteAdminMixin:
    """Records with history are archived or declined, never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the log is evidence, nobody edits it."""

    list_display = ("created_at", "action", "object_repr", "actor_name", "source")
    list_filter = ("action", "content_type")
    search_fields = ("action", "object_repr", "actor_name", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("content_type",)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Large imports running in Celery. A job's page is its progress page:
    it refreshes itself (a meta refresh: no script) until the job is done."""

    list_display = ("created_at", "kind", "original_name", "status", "rows", "created_by_name")
    list_filter = ("status", "kind")
    search_fields = ("original_name", "created_by_name")
    date_hierarchy = "created_at"
    REFRESH_SECONDS = 2

    @admin.display(description=_("rows"))
    def rows(self, obj):
        return f"{processed_rows(obj)} / {obj.total_rows}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, unquote(object_id))
        if job is None:
            raise Http404
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import of %(file)s") % {"file": job.original_name or job.kind},
            "job": job,
            "processed": processed_rows(job),
            "problems": (job.errors or {}).get("problems", []),
            "omitted": (job.errors or {}).get("omitted", 0),
            "refresh_seconds": None if job.finished else self.REFRESH_SECONDS,
        }
        return TemplateResponse(request, "admin/core/importjob/progress.html", context)
