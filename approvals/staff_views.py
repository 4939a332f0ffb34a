"""Staff pages of an approval request beside its admin page: the certificate
of approval (PDF, rendered on demand) and the suggestions workspace.
Program managers only; every write goes through :mod:`approvals.suggestions`."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals import services as approval_services
from approvals import suggestions as suggestion_services
from approvals.certificate import certificate_filename, certificate_pdf
from approvals.models import ApprovalRequest, OutsideApproval, ReviewComment
from approvals.reminders import request_admin_url
from casestudies.models import SECTIONS, CaseStudy, CaseStudyState
from casestudies.services import VersionConflict
from core.access import program_manager_required
from core.errors import TransitionError
from core.files import private_file_response
from core.ids import is_id


def _approval_request(request_id: str) -> ApprovalRequest:
    if not is_id(request_id):
        raise Http404
    return get_object_or_404(
        ApprovalRequest.objects.select_related("case_study__customer", "version"),
        pk=int(request_id),
    )


def _context(request, approval_request, title) -> dict:
    return {
        **admin.site.each_context(request),
        "title": title,
        "approval_request": approval_request,
        "case_study": approval_request.case_study,
        "request_admin_url": request_admin_url(approval_request.pk),
    }


@program_manager_required
def certificate(request, request_id: str):
    approval_request = _approval_request(request_id)
    response = HttpResponse(certificate_pdf(approval_request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate_filename(approval_request)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _parse(post, comments):
    """(accept, reject, errors) from the form: one choice per open comment."""
    accept, reject, errors = [], [], []
    for comment in comments:
        choice = post.get(f"decision-{comment.pk}", "keep")
        note = post.get(f"note-{comment.pk}", "")
        if choice == "accept":
            text = None
            if comment.section and comment.suggested_text:
                text = post.get(f"text-{comment.pk}", comment.suggested_text)
            accept.append(suggestion_services.Accept(comment.pk, text=text, note=note))
        elif choice == "reject":
            reject.append(suggestion_services.Reject(comment.pk, note=note))
        elif choice != "keep":
            errors.append(_("Unknown choice for a suggestion; reload the page."))
    return accept, reject, errors


@program_manager_required
def suggestions(request, request_id: str):
    approval_request = _approval_request(request_id)
    url = reverse("approvals_staff:suggestions", args=[approval_request.pk])
    base = suggestion_services.base_version(approval_request)
    comments = list(
        suggestion_services.request_comments(approval_request)
        .select_related("step", "version", "resulting_version")
        .order_by("created_at", "pk")
    )
    open_comments = [c for c in comments if c.status == ReviewComment.Status.OPEN]

    if request.method == "POST":
        raw_base = request.POST.get("base_number", "")
        accept, reject, errors = _parse(request.POST, open_comments)
        if not is_id(raw_base):
            errors.append(_("The form is incomplete; reload the page."))
        for error in errors:
            messages.error(request, error)
        if not errors:
            try:
                version = suggestion_services.suggestions_resolve(
                    approval_request=approval_request,
                    accept=accept,
                    reject=reject,
                    base_number=int(raw_base),
                    actor=request.user,
                    source="admin:suggestions",
                )
            except VersionConflict as exc:
                messages.error(
                    request,
                    _("%(error)s Check the new version, then accept the suggestions again.")
                    % {"error": exc},
                )
            except (suggestion_services.SuggestionError, TransitionError) as exc:
                messages.error(request, str(exc))
            else:
                resolved = len(accept) + len(reject)
                if version is not None:
                    messages.success(
                        request,
                        _(
                            "Version %(n)s created with %(accepted)s accepted suggestions. "
                            "Start the request for it from the approval request page (the same "
                            "reviewers are ticked)."
                        )
                        % {"n": version.number, "accepted": len(accept)},
                    )
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)s suggestion resolved.", "%(n)s suggestions resolved.", resolved
                        )
                        % {"n": resolved},
                    )
                return HttpResponseRedirect(url)

    current = base.sections()
    labels = dict(SECTIONS)
    rows = [
        {
            "comment": c,
            "section_label": labels.get(c.section, _("The whole story")),
            "current_text": current.get(c.section, "") if c.section else "",
            "replaceable": bool(c.section and c.suggested_text),
            "text": request.POST.get(f"text-{c.pk}", c.suggested_text)
            if request.method == "POST"
            else c.suggested_text,
            "choice": request.POST.get(f"decision-{c.pk}", "keep")
            if request.method == "POST"
            else "keep",
            "note": request.POST.get(f"note-{c.pk}", "") if request.method == "POST" else "",
        }
        for c in open_comments
    ]
    context = {
        **_context(
            request,
            approval_request,
            _("Suggestions for %(title)s") % {"title": approval_request.case_study.title},
        ),
        "base": base,
        "rows": rows,
        "resolved": [c for c in comments if c.status != ReviewComment.Status.OPEN],
        "stale_base": base.pk != approval_request.version_id,
        "certificate_url": reverse("approvals_staff:certificate", args=[approval_request.pk]),
    }
    return TemplateResponse(request, "admin/approvals/suggestions.html", context)


@program_manager_required
def outside(request, case_study_id: str):
    """Record an approval the customer gave outside Storyline: deliberate,
    with the reason and their written confirmation attached. Reached from
    the approval request page, never beside "Start approval"."""
    if not is_id(case_study_id):
        raise Http404
    case_study = get_object_or_404(
        CaseStudy.objects.select_related("customer"), pk=int(case_study_id)
    )
    url = reverse("approvals_staff:outside", args=[case_study.pk])
    values = {"reason": "", "approved_by": ""}
    errors: list[str] = []
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        if not request.POST.get("confirm"):
            errors.append(_("Tick the box: the customer approved this exact version in writing."))
        else:
            try:
                record = approval_services.outside_approval_record(
                    case_study=case_study,
                    actor=request.user,
                    reason=values["reason"],
                    approved_by=values["approved_by"],
                    confirmation=request.FILES.get("confirmation"),
                    source="admin:outside",
                )
            except approval_services.ApprovalError as exc:
                errors.append(str(exc))
            else:
                messages.success(
                    request,
                    _("The approval of version %(n)s is recorded with its written confirmation.")
                    % {"n": record.version.number},
                )
                return HttpResponseRedirect(
                    reverse("admin:casestudies_casestudy_change", args=[case_study.pk])
                )
    latest = approval_services.latest_version(case_study)
    open_request = case_study.approval_requests.filter(status=ApprovalRequest.Status.OPEN).first()
    context = {
        **admin.site.each_context(request),
        "title": _("Record an approval given outside Storyline"),
        "case_study": case_study,
        "version": latest,
        "in_review": case_study.state == CaseStudyState.IN_REVIEW,
        "open_request": open_request,
        "values": values,
        "errors": errors,
        "form_url": url,
        "records": list(case_study.outside_approvals.select_related("version")),
        "start_url": reverse("admin:approvals_approvalrequest_start")
        + f"?case_study={case_study.pk}",
    }
    return TemplateResponse(
        request, "admin/approvals/outside.html", context, status=400 if errors else 200
    )


@program_manager_required
def outside_file(request, record_id: str):
    if not is_id(record_id):
        raise Http404
    record = get_object_or_404(OutsideApproval, pk=int(record_id))
    return private_file_response(record.confirmation, filename=record.confirmation_name)
