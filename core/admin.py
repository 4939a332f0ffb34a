from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.import_jobs import (
    ImportJobError,
    import_job_cancel,
    import_job_confirm,
    processed_rows,
)
from core.models import AuditEntry, ImportJob, OutboxEmail, SSOIdentity


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


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every email a change promised, as sent (or why not): read-only. A
    story's workspace links each of its emails here."""

    list_display = ("created_at", "kind", "status", "recipients", "subject", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("kind", "recipients", "subject", "key")
    date_hierarchy = "created_at"
    exclude = ("payload",)


@admin.register(SSOIdentity)
class SSOIdentityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who logs in by single sign-on, as whom at the provider (core/accounts/sso.py)."""

    list_display = ("user", "issuer", "subject", "created_by_sso", "created_at")
    list_filter = ("created_by_sso", "issuer")
    search_fields = ("user__username", "user__email", "subject")
    list_select_related = ("user",)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Large imports running in Celery. A job's page is its progress page:
    it refreshes itself (a meta refresh: no script) until the job is done; a
    passed check is confirmed (or cancelled) there. GET shows, POST acts."""

    list_display = (
        "created_at",
        "kind",
        "dry_run",
        "original_name",
        "status",
        "rows",
        "created_by_name",
    )
    list_filter = ("status", "dry_run", "kind")
    search_fields = ("original_name", "created_by_name")
    date_hierarchy = "created_at"
    REFRESH_SECONDS = 2

    @admin.display(description=_("rows"))
    def rows(self, obj):
        return f"{processed_rows(obj)} / {obj.total_rows}"

    def get_urls(self):
        def view(route, func, name):
            return path(route, self.admin_site.admin_view(func), name=name)

        return [
            view("<path:object_id>/confirm/", self.confirm_view, "core_importjob_confirm"),
            view("<path:object_id>/cancel/", self.cancel_view, "core_importjob_cancel"),
            *super().get_urls(),
        ]

    def _job(self, request, object_id) -> ImportJob:
        job = self.get_object(request, unquote(object_id))
        if job is None:
            raise Http404
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        return job

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import of %(file)s") % {"file": job.original_name or job.kind},
            "job": job,
            "processed": processed_rows(job),
            "problems": (job.errors or {}).get("problems", []),
            "omitted": (job.errors or {}).get("omitted", 0),
            "refresh_seconds": None if job.finished else self.REFRESH_SECONDS,
            "can_confirm": (
                job.dry_run
                and job.status == ImportJob.Status.DONE
                and job.closed_at is None
                and job.created_by_id == request.user.pk
            ),
        }
        return TemplateResponse(request, "admin/core/importjob/progress.html", context)

    @method_decorator(require_POST)
    def confirm_view(self, request, object_id):
        job = self._job(request, object_id)
        model = import_string(job.resource)._meta.model
        if not request.user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}"):
            raise PermissionDenied
        try:
            started = import_job_confirm(job_id=job.pk, user=request.user)
        except ImportJobError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:core_importjob_change", args=[job.pk]))
        return HttpResponseRedirect(reverse("admin:core_importjob_change", args=[started.pk]))

    @method_decorator(require_POST)
    def cancel_view(self, request, object_id):
        job = self._job(request, object_id)
        try:
            import_job_cancel(job_id=job.pk, user=request.user)
        except ImportJobError as exc:
            messages.error(request, str(exc))
        else:
            messages.info(request, _("The import was cancelled: nothing was imported."))
        return HttpResponseRedirect(reverse("admin:core_importjob_change", args=[job.pk]))


class AuditedAdminMixin:
    """Plain admin edits (templates, playbook, signals) are audited too:
    ``<app label>.<audit_name>.created`` / ``.changed``."""

    audit_name = ""

    def save_model(self, request, obj, form, change):
        from core.audit import audit_log

        super().save_model(request, obj, form, change)
        audit_log(
            action=f"{obj._meta.app_label}.{self.audit_name}.{'changed' if change else 'created'}",
            obj=obj,
            actor=request.user,
            data={"fields": list(form.changed_data)},
            source="admin",
        )
