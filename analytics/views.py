"""Public views of the impact app: the lead form in front of gated downloads.
(The beacon is in analytics/beacon.py, the staff dashboard in dashboard.py.)"""

from urllib.parse import urlsplit

from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from analytics import capture, gating, services
from analytics.forms import MAX_AGE_SECONDS, LeadForm
from casestudies.models import CaseStudy
from casestudies.selectors import public_version


def _kind_label(kind: str) -> str:
    return {
        "pdf": _("the PDF"),
        "one_pager": _("the one-page summary"),
        "slides": _("the slides"),
    }[kind]


def _attribution(request, case_study, kind: str) -> dict:
    utm = (
        capture.utm_from(request.GET)
        if request.GET.get("utm_source")
        else capture.utm_from_referer(request)
    )
    referer = request.headers.get("Referer", "")
    # The page the form was opened from: the form carries it (the POST's own
    # Referer is the form); otherwise the Referer, when it is one of ours.
    page = _own_page(request, request.POST.get("page", "")) or _own_page(request, referer)
    return {
        "document": kind,
        "page": page or case_study.get_absolute_url(),
        "referrer_host": capture.referrer_host(referer, request),
        "share_link_id": capture.share_link_id(utm["utm_campaign"]),
        **utm,
    }


def _own_page(request, url: str) -> str:
    """``url`` if it is a page of this site (not the lead form), else ""."""
    url = str(url or "")[:500]
    if not url or capture.referrer_host(url, request) or "/a/download/" in url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/"):
        return ""
    return url


# No CSRF cookie: anonymous readers get no cookie at all. What CSRF would
# protect here is weak (a lead in someone else's name, rate limited); the form
# carries its own signed render time, and cross-site posts are refused by
# their Origin header. ``Origin: null`` (a sandboxed frame, a data: or file:
# page, a cross-site redirect) cannot be told apart from a forgery: refused too.
# Each signed render time is good for one submission, so a captured form
# cannot be replayed to file leads in bulk.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def lead_form(request, slug: str, kind: str):
    if kind not in gating.KINDS:
        raise Http404
    if request.method == "POST" and request.headers.get("Origin", "").strip() == "null":
        return HttpResponseBadRequest(
            _(
                "This form was sent from a page whose origin your browser hides. "
                "Please open the story on our site and send the form from there."
            ),
            content_type="text/plain; charset=utf-8",
        )
    if request.method == "POST" and capture.foreign_origin(request):
        return HttpResponseForbidden(_("Cross-site form submissions are not accepted."))
    case_study = CaseStudy.objects.published().filter(slug=slug).first()
    if case_study is None or public_version(case_study) is None:
        raise Http404
    query = {k: request.GET.get(k, "") for k in ("lang", "paper")}
    if not gating.is_gated(case_study):
        return HttpResponseRedirect(gating.document_url(case_study, kind, query=query))
    status = 200
    notice = ""
    if request.method == "POST":
        form = LeadForm(request.POST)
        if capture.rate_limited(
            "lead",
            capture.address_hash(request),
            limit=capture.conf("LEAD_RATE_PER_HOUR"),
            window=3600,
        ):
            form.is_valid()
            form.add_error(None, _("Too many requests from your network. Please try later."))
            status = 429
        elif form.is_valid() and not capture.claim_once(
            "lead-form", form.cleaned_data["rendered"], timeout=MAX_AGE_SECONDS
        ):
            # The same signed form twice (a replay, or a second click): a
            # fresh form, filled in again, to send once more if meant.
            form = LeadForm(
                initial={
                    k: v for k, v in form.cleaned_data.items() if k not in ("rendered", "website")
                }
            )
            notice = _(
                "This form was already sent. If your download did not start, use the link "
                "we emailed you, or send the form again."
            )
            status = 400
        elif form.is_valid():
            if not form.spam:
                attribution = {
                    **_attribution(request, case_study, kind),
                    # The form page keeps the attribution it was opened with.
                    **{
                        k: v
                        for k, v in capture.utm_from(request.POST).items()
                        if request.POST.get("utm_source")
                    },
                }
                attribution["share_link_id"] = capture.share_link_id(
                    attribution.get("utm_campaign", "")
                )
                services.lead_submit(
                    case_study=case_study, data=form.cleaned_data, attribution=attribution
                )
            token = gating.download_token(case_study, kind)
            return HttpResponseRedirect(
                gating.document_url(case_study, kind, token=token, query=query)
            )
        else:
            status = 400
    else:
        form = LeadForm()
    utm = (
        capture.utm_from(request.GET)
        if request.GET.get("utm_source")
        else (capture.utm_from_referer(request))
    )
    response = render(
        request,
        "analytics/lead_form.html",
        {
            "form": form,
            "notice": notice,
            "case_study": case_study,
            "title": case_study.anonymise_text(case_study.published_version.title),
            "kind_label": _kind_label(kind),
            "utm": {k: v for k, v in utm.items() if v},
            "story_url": case_study.get_absolute_url(),
            "origin_page": _own_page(request, request.POST.get("page", ""))
            if request.method == "POST"
            else _own_page(request, request.headers.get("Referer", "")),
        },
        status=status,
    )
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, no_store=True)
    return response
