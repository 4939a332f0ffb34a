"""The customer's admin pages beyond the customer itself: relationship
signals and the CRM import (upload → dry run with row errors → confirm). A
mixin-free ModelAdmin in its own module, registered from casestudies/admin.py."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from casestudies.customers import crm
from casestudies.forms import CRMImportForm
from casestudies.models import RelationshipSignal
from core import import_files, imports
from core.admin import AuditedAdminMixin, NoDeleteAdminMixin
from core.audit import audit_log
from core.import_jobs import import_job_create


@admin.register(RelationshipSignal)
class RelationshipSignalAdmin(AuditedAdminMixin, NoDeleteAdminMixin, admin.ModelAdmin):
    audit_name = "signal"
    list_display = ("customer", "kind", "noted_on", "note")
    list_filter = ("kind",)
    autocomplete_fields = ("customer",)
    list_select_related = ("customer",)
    change_list_template = "admin/casestudies/relationshipsignal/change_list.html"

    def get_urls(self):
        return [
            path(
                "crm-import/",
                self.admin_site.admin_view(self.crm_import_view),
                name="casestudies_crm_import",
            ),
            *super().get_urls(),
        ]

    # --- CRM import: upload → dry run with row errors → confirm ----------
    # The checked file waits in the private shared import storage (any web
    # host may receive the confirmation). Above IMPORT_SYNC_ROWS rows the
    # check and then the confirmed import run in Celery (core/import_jobs.py),
    # confirmed on the job's page.

    def crm_import_view(self, request):
        needed = (
            "casestudies.add_customer",
            "casestudies.change_customer",
            "casestudies.add_contact",
        )
        if not request.user.has_perms(needed):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import from a CRM export"),
            "columns": crm.__doc__,
            "max_rows": settings.IMPORT_MAX_ROWS,
        }
        form = CRMImportForm()
        if request.method == "POST" and "confirm" in request.POST:
            return self._import_confirm(request)
        if request.method == "POST" and "cancel" in request.POST:
            return self._import_cancel(request)
        if request.method == "POST":
            form = CRMImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                extension = upload.name.lower().rsplit(".", 1)[-1]
                content = upload.read()
                kind = form.cleaned_data["kind"]
                refusal = imports.too_many_rows(content, extension)
                try:
                    if refusal:
                        raise crm.ImportFileError(refusal)
                    dataset = crm.load_dataset(content, extension)
                except crm.ImportFileError as exc:
                    form.add_error("file", str(exc))
                else:
                    if len(dataset) > settings.IMPORT_SYNC_ROWS:
                        return self._check_in_background(request, upload, content, kind, dataset)
                    outcome = crm.run_import(kind, dataset, dry_run=True)
                    context.update(outcome=outcome, kind=kind, rows=len(dataset))
                    if outcome.ok:
                        self._forget_pending(request)
                        token = import_files.save(content, extension)
                        request.session["crm_import"] = {
                            "token": token,
                            "kind": kind,
                            "name": upload.name[:200],
                        }
                        context["token"] = token
        context["form"] = form
        return TemplateResponse(request, "admin/casestudies/crm_import.html", context)

    @staticmethod
    def _changelist(kind: str) -> str:
        return reverse(
            f"admin:casestudies_{'customer' if kind == 'customers' else 'contact'}_changelist"
        )

    def _check_in_background(self, request, upload, content, kind, dataset):
        """A large file: checked by a job, confirmed on the job's page."""
        self._forget_pending(request)
        extension = upload.name.lower().rsplit(".", 1)[-1]
        job = import_job_create(
            kind=f"casestudies.{kind}",
            resource_class=crm.RESOURCES[kind],
            file_name=import_files.save(content, extension),
            file_format=extension,
            total_rows=len(dataset),
            user=request.user,
            original_name=upload.name,
            done_url=self._changelist(kind),
            dry_run=True,
        )
        return HttpResponseRedirect(reverse("admin:core_importjob_change", args=[job.pk]))

    @staticmethod
    def _forget_pending(request) -> dict:
        """The checked file waiting in this session, forgotten and deleted."""
        pending = request.session.pop("crm_import", None) or {}
        if pending.get("token"):
            import_files.delete(pending["token"])
        return pending

    def _expired(self, request):
        messages.error(request, _("This import has expired: upload the file again."))
        return HttpResponseRedirect(reverse("admin:casestudies_crm_import"))

    def _import_cancel(self, request):
        pending = request.session.get("crm_import") or {}
        if pending.get("token") == request.POST.get("token", ""):
            self._forget_pending(request)
        messages.info(request, _("The import was cancelled: nothing was imported."))
        return HttpResponseRedirect(reverse("admin:casestudies_crm_import"))

    def _import_confirm(self, request):
        pending = request.session.get("crm_import") or {}
        token = request.POST.get("token", "")
        if not token or pending.get("token") != token or pending.get("kind") not in crm.RESOURCES:
            return self._expired(request)
        content = import_files.read(token)
        if content is None:
            request.session.pop("crm_import", None)
            return self._expired(request)
        request.session.pop("crm_import", None)
        kind, extension = pending["kind"], token.rsplit(".", 1)[-1]
        dataset = crm.load_dataset(content, extension)
        outcome = crm.run_import(kind, dataset, dry_run=False)
        import_files.delete(token)
        if not outcome.ok:
            messages.error(
                request, _("Nothing was imported: the data changed since the check. Try again.")
            )
            return HttpResponseRedirect(reverse("admin:casestudies_crm_import"))
        audit_log(
            action="casestudies.crm_import",
            obj=request.user,
            actor=request.user,
            data={"kind": kind, "new": outcome.new, "updated": outcome.updated},
            source="admin",
        )
        messages.success(
            request,
            _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {"new": outcome.new, "updated": outcome.updated, "unchanged": outcome.unchanged},
        )
        return HttpResponseRedirect(self._changelist(kind))
