"""The story's documents: PDF, one-page summary and slides.

Each reads the story through ``public_version`` (so only an approved,
published, in-rights version can ever be rendered or served), renders once per
version, language and paper in Celery, and serves the stored file afterwards.
While a document is being prepared the visitor sees a small page that
refreshes itself (meta refresh; a script polls the JSON status endpoint).
"""

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from analytics.capture import record_download
from analytics.gating import gate_or_none
from casestudies.models import CaseStudy, UsageChannel
from casestudies.selectors import public_version
from distribution.models import RenderedDocument
from distribution.publication import services

Doc = RenderedDocument
URL_NAMES = {Doc.Kind.PDF: "pdf", Doc.Kind.ONE_PAGER: "one_pager", Doc.Kind.SLIDES: "slides"}
# The usage right each format needs: what the customer forbids does not exist.
CHANNELS = {
    Doc.Kind.PDF: UsageChannel.PDF,
    Doc.Kind.ONE_PAGER: UsageChannel.PDF,
    Doc.Kind.SLIDES: UsageChannel.SALES_DECKS,
}


def _public_story(request, slug: str):
    """(case study, version, paper) for a request, or 404: unknown,
    unpublished, expired or archived stories, and languages not public."""
    try:
        case_study = (
            CaseStudy.objects.published()
            .select_related("customer__industry", "customer__region", "published_version")
            .get(slug=slug)
        )
    except CaseStudy.DoesNotExist as exc:
        raise Http404 from exc
    language = request.GET.get("lang") or None
    if language is not None and language not in dict(settings.LANGUAGES):
        raise Http404
    version = public_version(case_study, language)
    if version is None:
        raise Http404
    paper = request.GET.get("paper", "").lower()
    paper = paper if paper in (Doc.Paper.A4, Doc.Paper.LETTER) else Doc.Paper.A4
    return case_study, version, paper


def _kind_labels() -> dict[str, str]:
    return {
        Doc.Kind.PDF: _("PDF"),
        Doc.Kind.ONE_PAGER: _("one-page summary"),
        Doc.Kind.SLIDES: _("slides"),
    }


def _serve(request, document: RenderedDocument):
    etag = quote_etag(f"{document.content_hash}")
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    handle = document.file.storage.open(document.file.name, "rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.download_name,
        content_type=document.content_type,
    )
    response["ETag"] = etag
    # Short: a story withdrawn or out of rights must leave caches soon.
    patch_cache_control(response, public=True, max_age=300)
    return response


def _waiting_page(request, case_study, version, kind, paper, document):
    query = request.GET.urlencode()
    status_url = reverse(f"gallery:{URL_NAMES[kind]}_status", kwargs={"slug": case_study.slug})
    response = render(
        request,
        "distribution/documents/preparing.html",
        {
            "case_study": case_study,
            "version": version,
            # Anonymised stories never show the customer's name, here either.
            "public_title": case_study.anonymise_text(version.title),
            "document": document,
            "kind_label": _kind_labels()[kind],
            "failed": document.status == Doc.Status.FAILED,
            "status_url": f"{status_url}?{query}" if query else status_url,
            "story_url": case_study.get_absolute_url()
            + (f"?lang={version.language}" if version != case_study.published_version else ""),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, no_store=True)
    return response


def _document_view(request, slug: str, kind: str):
    case_study, version, paper = _public_story(request, slug)
    if not case_study.allows(CHANNELS[kind]):
        raise Http404
    if (gate := gate_or_none(request, case_study, kind)) is not None:  # lead form first
        return gate
    document, servable = services.document_for(
        case_study=case_study, version=version, kind=kind, paper=paper
    )
    if servable:
        try:
            return record_download(request, case_study, kind, _serve(request, document))
        except OSError:  # the stored file went missing: render it again
            services.document_file_lost(document=document)
            document, servable = services.document_for(
                case_study=case_study, version=version, kind=kind, paper=paper
            )
            if servable:
                return record_download(request, case_study, kind, _serve(request, document))
    return _waiting_page(request, case_study, version, kind, paper, document)


@require_safe
def story_pdf(request, slug: str):
    return _document_view(request, slug, Doc.Kind.PDF)


@require_safe
def story_one_pager(request, slug: str):
    return _document_view(request, slug, Doc.Kind.ONE_PAGER)


@require_safe
def story_slides(request, slug: str):
    return _document_view(request, slug, Doc.Kind.SLIDES)


def _status(request, slug: str, kind: str):
    """Where the render is (read only: never queues anything)."""
    case_study, version, paper = _public_story(request, slug)
    if not case_study.allows(CHANNELS[kind]):
        raise Http404
    if kind == Doc.Kind.SLIDES:
        paper = Doc.Paper.NONE
    document = Doc.objects.filter(
        version=version, kind=kind, language=version.language, paper=paper
    ).first()
    status = document.status if document else "absent"
    response = JsonResponse(
        {
            "status": status,
            "progress": document.progress if document else 0,
            "ready": status == Doc.Status.DONE,
            "failed": status == Doc.Status.FAILED,
        }
    )
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, no_store=True)
    return response


@require_safe
def story_pdf_status(request, slug: str):
    return _status(request, slug, Doc.Kind.PDF)


@require_safe
def story_one_pager_status(request, slug: str):
    return _status(request, slug, Doc.Kind.ONE_PAGER)


@require_safe
def story_slides_status(request, slug: str):
    return _status(request, slug, Doc.Kind.SLIDES)
