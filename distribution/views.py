from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from casestudies import selectors
from casestudies.models import SECTIONS, CaseStudy
from distribution.filters import GalleryFilter


@require_safe
def gallery(request):
    filterset = GalleryFilter(request.GET, queryset=selectors.gallery_case_studies())
    # Invalid values (an unknown slug) are reported and left out, never a 500.
    invalid = {filterset.form[name].label: errors for name, errors in filterset.errors.items()}
    paginator = Paginator(filterset.qs, settings.STORYLINE["GALLERY_PAGE_SIZE"])
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "distribution/gallery.html",
        {
            "filter": filterset,
            "page": page,
            "invalid": invalid,
            "is_filtered": any(request.GET.get(name) for name in filterset.filters),
        },
    )


@require_safe
def case_study_detail(request, slug: str):
    try:
        case_study = selectors.case_study_public_detail(slug=slug)
    except CaseStudy.DoesNotExist as exc:
        raise Http404 from exc
    version = case_study.published_version
    # The summary has its own place at the top of the page.
    sections = [
        (name, label, getattr(version, name)) for name, label in SECTIONS if name != "summary"
    ]
    return render(
        request,
        "distribution/detail.html",
        {
            "case_study": case_study,
            "version": version,
            "sections": sections,
            "metrics": list(case_study.metrics.all()),
            "pull_quotes": [q for q in case_study.approved_quotes if q.kind == "pull"],
            "other_quotes": [q for q in case_study.approved_quotes if q.kind != "pull"],
        },
    )
