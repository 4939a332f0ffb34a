"""django-import-export's admin import (check → confirm) made safe for
several web hosts, capped, and in Celery when large.

:class:`SharedImportAdminMixin`, before ``ImportExportModelAdmin`` in a
ModelAdmin's bases:

- the file waits in the private shared import storage
  (``IMPORT_EXPORT_TMP_STORAGE_CLASS``, ``core/import_files.py``), so the
  confirmation may reach any web host;
- a file above ``IMPORT_MAX_ROWS`` rows is refused by the upload form,
  before anything is stored or imported;
- only the person who checked a file may confirm it (its name is kept in
  their session), and a file whose check failed is deleted at once;
- a file above ``IMPORT_SYNC_ROWS`` rows is checked by a job
  (``core/import_jobs.py``): the browser goes to its progress page, where
  the passed check is confirmed and imported by a second job; smaller files
  are checked and imported inside the request, as before.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from import_export.formats.base_formats import CSV, XLSX

from core import import_files
from core.import_jobs import import_job_create
from core.imports import SafeImportForm, count_rows, too_many_rows

SESSION_KEY = "import_export_files"
REMEMBERED = 10  # checked files a person may have waiting for confirmation


class CappedImportForm(SafeImportForm):
    """The upload form, refusing a file above ``IMPORT_MAX_ROWS`` rows (and,
    as every import form, an SVG, HTML or XML file whatever its name)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self._formats = formats

    def clean(self):
        data = super().clean()
        upload, index = data.get("import_file"), data.get("format")
        if upload is not None and index not in (None, ""):
            extension = self._formats[int(index)]().get_extension()
            content = b"".join(upload.chunks())
            upload.seek(0)
            refusal = too_many_rows(content, extension)
            if refusal:
                self.add_error("import_file", refusal)
        return data


def _full_name(name: str) -> str:
    return f"{import_files.PREFIX}/{name}"


class SharedImportAdminMixin:
    import_form_class = CappedImportForm
    # The formats the job runner reads (core.imports.load_dataset).
    import_formats = [CSV, XLSX]

    def _url(self, action: str) -> str:
        return reverse(
            "admin:{}_{}_{}".format(*self.get_model_info(), action),
            current_app=self.admin_site.name,
        )

    def import_action(self, request, **kwargs):
        if request.method == "POST" and not self.is_skip_import_confirm_enabled():
            large = self._check_in_background(request)
            if large is not None:
                return large
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        upload = getattr(form, "cleaned_data", {}).get("import_file") if form else None
        name = getattr(upload, "tmp_storage_name", None)
        if name:
            if context.get("confirm_form") is not None:
                waiting = [n for n in request.session.get(SESSION_KEY, []) if n != name]
                request.session[SESSION_KEY] = [*waiting, name][-REMEMBERED:]
            else:  # the check failed: there is nothing to confirm
                import_files.delete(_full_name(name))
        return response

    def _check_in_background(self, request):
        """A file above IMPORT_SYNC_ROWS rows is checked by a job (and then
        confirmed on the job's page); None for a smaller one."""
        if not self.has_import_permission(request):
            return None  # super() answers
        form = self.create_import_form(request)
        if not form.is_valid():
            return None
        upload = form.cleaned_data["import_file"]
        extension = self.get_import_formats()[int(form.cleaned_data["format"])]().get_extension()
        content = b"".join(upload.chunks())
        upload.seek(0)
        rows = count_rows(content, extension, limit=settings.IMPORT_MAX_ROWS)
        if rows <= settings.IMPORT_SYNC_ROWS:
            return None
        job = import_job_create(
            kind=self.model._meta.label_lower,
            resource_class=self.choose_import_resource_class(form, request),
            file_name=import_files.save(content, extension),
            file_format=extension,
            total_rows=rows,
            user=request.user,
            original_name=upload.name,
            done_url=self._url("changelist"),
            dry_run=True,
        )
        return HttpResponseRedirect(reverse("admin:core_importjob_change", args=[job.pk]))

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return super().process_import(request, **kwargs)
        name = form.cleaned_data["import_file_name"]
        waiting = request.session.get(SESSION_KEY, [])
        if name not in waiting or import_files.read(_full_name(name)) is None:
            messages.error(request, _("This import has expired: upload the file again."))
            return HttpResponseRedirect(self._url("import"))
        request.session[SESSION_KEY] = [n for n in waiting if n != name]
        return super().process_import(request, **kwargs)
