"""The sales portal ``/sales/``: find the right proof in seconds, a sales card
per story, proposal packs. Staff in the Sales or Program managers group;
anyone else signed in gets 403, anonymous visitors the login page.

Views are thin: reads through :mod:`distribution.sales.search` and
:mod:`distribution.sales.packs`, changes through :mod:`distribution.sales.services`.
"""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from analytics import services as analytics_services
from analytics.models import DealStory
from casestudies.models import (
    CaseStudy,
    CaseStudyState,
    CompanySize,
    Competitor,
    Contact,
    Industry,
    Objection,
    Region,
    UsageChannel,
    UseCase,
)
from core.access import sales_required
from core.files import private_file_response
from core.ids import is_id
from core.page_cache import derived
from core.roles import PROGRAM_MANAGERS, in_group
from distribution.models import ProposalPack
from distribution.publication import search
from distribution.sales import packs
from distribution.sales import search as sales_search
from distribution.sales import services as sales_services

# --------------------------------------------------------------------------
# Portal: search and filters
# --------------------------------------------------------------------------


def _published():
    return CaseStudy.objects.usable()


@require_safe
@sales_required
def portal(request):
    filterset = sales_search.SalesFilter(request.GET, queryset=_published())
    cleaned = filterset.cleaned()
    notices = [
        f"{filterset.form[name].label}: {' '.join(errors)}"
        for name, errors in filterset.errors.items()
        if name != "sort"
    ]
    raw_q = request.GET.get("q", "")
    query = search.clean_query(raw_q)
    if len(" ".join(raw_q.split())) > search.MAX_QUERY_LENGTH:
        notices.append(
            _("The search was shortened to its first %(n)s characters.")
            % {"n": search.MAX_QUERY_LENGTH}
        )
    raw_page = request.GET.get("page", "1")
    ids = sales_search.matching_ids(filterset, query, page=raw_page)
    paginator = Paginator(ids, sales_search.PAGE_SIZE)
    if isinstance(ids, QuerySet):
        # The count of a filter combination, shared by its pages until a
        # public story changes (a COUNT over a join costs ~0.1 s at 100k).
        facets = tuple(
            (name, getattr(cleaned[name], "pk", cleaned[name]))
            for name in sales_search.SALES_FACETS
            if name in cleaned
        )
        paginator.__dict__["count"] = derived("sales-count", facets, ids.count)
    try:
        page = paginator.page(raw_page)
    except PageNotAnInteger:
        page = paginator.page(1)
        notices.append(
            _("“%(page)s” is not a page number; showing the first page.") % {"page": raw_page[:20]}
        )
    except EmptyPage:
        page = paginator.page(1)
        notices.append(
            _("There is no page %(page)s; showing page %(shown)s.")
            % {"page": raw_page[:20], "shown": 1}
        )
    page_ids = list(page.object_list)
    found = sales_search.results_queryset().filter(pk__in=page_ids).in_bulk()
    stories = [found[pk] for pk in page_ids if pk in found]
    results = sales_search.build_results(stories, query=query, cleaned=cleaned)

    # Links to the neighbouring pages keep every valid parameter.
    params = [
        (name, getattr(cleaned[name], "slug", cleaned[name]))
        for name in sales_search.SALES_FACETS
        if name in cleaned
    ]
    if query:
        params.insert(0, ("q", query))
    base_query = urlencode(params)
    return render(
        request,
        "sales/portal.html",
        {
            "filter": filterset,
            "fields": [filterset.form[name] for name in sales_search.SALES_FACETS],
            "query": query,
            "results": results,
            "page": page,
            "count": paginator.count,
            "count_capped": bool(query) and paginator.count >= sales_search.COUNT_CAP,
            "notices": notices,
            "objection": cleaned.get("objection"),
            "competitor": cleaned.get("competitor"),
            "is_filtered": bool(params),
            "base_query": base_query,
            "section": "search",
        },
    )


@require_safe
@sales_required
def by_objection(request):
    return _terms_page(
        request,
        Objection,
        "objections",
        "objection",
        title=_("Stories by objection"),
        intro=_("Which story answers the objection in front of you?"),
    )


@require_safe
@sales_required
def by_competitor(request):
    return _terms_page(
        request,
        Competitor,
        "competitors",
        "competitor",
        title=_("Stories by competitor displaced"),
        intro=_("Customers who moved to us from a competitor."),
    )


def _terms_page(request, model, relation, parameter, *, title, intro):
    """Each term with the number of published, in-rights stories behind it
    (one query)."""
    reverse_name = CaseStudy._meta.get_field(relation).related_query_name()
    live = Q(
        **{
            f"{reverse_name}__state": CaseStudyState.PUBLISHED,
            f"{reverse_name}__published_version__isnull": False,
        }
    ) & (
        Q(**{f"{reverse_name}__rights_expire_on__isnull": True})
        | Q(**{f"{reverse_name}__rights_expire_on__gt": timezone.localdate()})
    )

    def count():
        return list(
            model.objects.filter(archived=False)
            .annotate(live_stories=Count(reverse_name, filter=live, distinct=True))
            .order_by("-live_stories", "name")
            .values("slug", "name", "live_stories")
        )

    # Counted once per publication change (objections and competitors
    # bump the generation too, see distribution.signals).
    terms = derived("sales-terms", relation, count)
    return render(
        request,
        "sales/terms.html",
        {
            "terms": terms,
            "parameter": parameter,
            "title": title,
            "intro": intro,
            "section": relation,
        },
    )


# --------------------------------------------------------------------------
# Sales card
# --------------------------------------------------------------------------


def _story_or_404(slug: str) -> CaseStudy:
    try:
        return (
            sales_search.results_queryset().filter(pk__in=_published().values("pk")).get(slug=slug)
        )
    except CaseStudy.DoesNotExist as exc:
        raise Http404 from exc


CHANNEL_SENTENCES = {
    UsageChannel.WEB: gettext_lazy("the public story page, the gallery and the public API"),
    UsageChannel.PDF: gettext_lazy("the PDF and the one-page summary"),
    UsageChannel.SALES_DECKS: gettext_lazy("slides, proposal packs and material sent to prospects"),
    UsageChannel.SOCIAL: gettext_lazy("posts on LinkedIn, X and other social networks"),
    UsageChannel.EVENTS: gettext_lazy("talks, webinars and trade shows"),
    UsageChannel.PAID: gettext_lazy("advertising and sponsored content"),
}


def _rights(cs: CaseStudy) -> dict:
    allowed = set(cs.allowed_channels)
    rows = [
        {
            "channel": channel,
            "label": channel.label,
            "sentence": CHANNEL_SENTENCES[channel],
            "allowed": channel in allowed,
        }
        for channel in UsageChannel
    ]
    return {
        "rows": rows,
        "allowed": [r for r in rows if r["allowed"]],
        "forbidden": [r for r in rows if not r["allowed"]],
        "anonymised": cs.anonymised,
        "percentage_only": cs.percentage_only,
        "expires_on": cs.rights_expire_on,
        "logo_allowed": cs.logo_allowed and not cs.anonymised,
    }


def _references(cs: CaseStudy) -> list[dict]:
    """The customer's contacts as reference callers: who may be asked. In
    anonymised mode only their job titles (a name gives the company away)."""
    contacts = Contact.objects.filter(customer_id=cs.customer_id, archived=False).order_by(
        "-available_as_reference", "name"
    )
    rows = []
    for contact in contacts:
        if contact.left_company:
            status = _("Has left the company")
        elif not contact.may_contact:
            status = _("Does not want to be contacted")
        elif contact.available_as_reference:
            status = _("Available for reference calls")
        else:
            status = _("Not available for reference calls")
        rows.append(
            {
                "who": (
                    contact.title or contact.get_role_display()
                    if cs.anonymised
                    else f"{contact.name}, {contact.title}"
                    if contact.title
                    else contact.name
                ),
                "role": contact.get_role_display(),
                "status": status,
                "available": contact.available_as_reference
                and contact.may_contact
                and not contact.left_company,
            }
        )
    return rows


@require_safe
@sales_required
def story_card(request, slug: str):
    cs = _story_or_404(slug)
    [result] = sales_search.build_results([cs], query="", cleaned={})
    metrics = []
    for i, metric in enumerate(cs.metrics.all()):
        metric.case_study = cs
        line = sales_search.metric_line(metric)
        detail = f" ({line.detail})" if line.detail else ""
        metrics.append(
            {
                "id": f"m-{i}",
                "text": f"{line.improvement} · {cs.anonymise_text(line.label)}{detail}",
            }
        )
    quotes = [
        {
            "id": f"q-{i}",
            "text": cs.anonymise_text(q.text),
            "attribution": cs.quote_attribution(q),
            "copy": f"“{cs.anonymise_text(q.text)}” — {cs.quote_attribution(q)}",
        }
        for i, q in enumerate(cs.approved_quotes)
    ]
    references = _references(cs)
    return render(
        request,
        "sales/story.html",
        {
            "cs": cs,
            "result": result,
            "metrics": metrics,
            "quotes": quotes,
            "rights": _rights(cs),
            "references": references,
            "available_references": sum(1 for r in references if r["available"]),
            "account_owner": (
                (cs.customer.account_owner.get_full_name() or cs.customer.account_owner.username)
                if cs.customer.account_owner_id
                else ""
            ),
            "allows_pdf": cs.allows(UsageChannel.PDF),
            "allows_slides": cs.allows(UsageChannel.SALES_DECKS),
            "summary": cs.anonymise_text(cs.published_version.summary),
            "section": "search",
        },
    )


@require_POST
@sales_required
def sales_use(request, slug: str):
    """Record a copy (the copy button's beacon: 204) or a download (a form:
    recorded, then 303 to the document)."""
    detail = request.POST.get("detail", "")
    if detail not in sales_services.SALES_USES or detail == "pack":
        return HttpResponse(
            _("Unknown use: expected copy_quote, copy_metric, copy_link, one_pager or slides."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        cs = _published().get(slug=slug)
    except CaseStudy.DoesNotExist as exc:
        raise Http404 from exc
    documents = {
        "one_pager": (UsageChannel.PDF, "gallery:one_pager"),
        "slides": (UsageChannel.SALES_DECKS, "gallery:slides"),
    }
    if detail in documents:
        channel, url_name = documents[detail]
        if not cs.allows(channel):
            messages.error(request, _("The customer's usage rights do not allow this document."))
            return HttpResponseRedirect(reverse("sales:story", kwargs={"slug": cs.slug}))
        sales_services.sales_use_record(case_study=cs, user=request.user, detail=detail)
        response = HttpResponseRedirect(reverse(url_name, kwargs={"slug": cs.slug}))
        response.status_code = 303
        return response
    if detail == "copy_link" and not cs.allows(UsageChannel.WEB):
        return HttpResponse(
            _("This story has no public link."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    sales_services.sales_use_record(case_study=cs, user=request.user, detail=detail)
    return HttpResponse(status=204)


# --------------------------------------------------------------------------
# Proposal packs
# --------------------------------------------------------------------------


class SlugChoice(forms.ModelChoiceField):
    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", required=False, **kwargs)


class SlugMultiple(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", required=False, **kwargs)


class ProspectForm(forms.Form):
    prospect_company = forms.CharField(
        label=gettext_lazy("Prospect company"), max_length=200, required=False
    )
    prospect_name = forms.CharField(
        label=gettext_lazy("Contact at the prospect (optional)"), max_length=200, required=False
    )
    industry = SlugChoice(
        Industry.objects.filter(archived=False),
        label=gettext_lazy("Industry"),
        empty_label=gettext_lazy("Any industry"),
    )
    company_size = forms.ChoiceField(
        label=gettext_lazy("Company size"),
        choices=[("", gettext_lazy("Any size")), *CompanySize.choices],
        required=False,
    )
    region = SlugChoice(
        Region.objects.filter(archived=False),
        label=gettext_lazy("Region"),
        empty_label=gettext_lazy("Any region"),
    )
    use_cases = SlugMultiple(
        UseCase.objects.filter(archived=False), label=gettext_lazy("Use cases")
    )
    objections = SlugMultiple(
        Objection.objects.filter(archived=False), label=gettext_lazy("Objections raised")
    )
    competitor = SlugChoice(
        Competitor.objects.filter(archived=False),
        label=gettext_lazy("Competitor in the deal"),
        empty_label=gettext_lazy("None"),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Cover language"), choices=settings.LANGUAGES, required=False
    )

    def profile(self) -> packs.Profile:
        """The prospect from the valid fields (invalid ones are ignored)."""
        self.is_valid()
        data = self.cleaned_data
        return packs.Profile(
            industry=getattr(data.get("industry"), "slug", ""),
            company_size=data.get("company_size") or "",
            region=getattr(data.get("region"), "slug", ""),
            use_cases=frozenset(t.slug for t in data.get("use_cases") or []),
            objections=frozenset(t.slug for t in data.get("objections") or []),
            competitor=getattr(data.get("competitor"), "slug", ""),
        )

    def notices(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {' '.join(errors)}"
            for name, errors in self.errors.items()
            if name in self.fields
        ]


PROFILE_FIELDS = [
    "prospect_company",
    "prospect_name",
    "industry",
    "company_size",
    "region",
    "use_cases",
    "objections",
    "competitor",
    "language",
]


@require_http_methods(["GET", "HEAD", "POST"])
@sales_required
def pack_new(request):
    data = request.POST if request.method == "POST" else request.GET
    form = ProspectForm(data or None, initial={"language": get_language()})
    profile = form.profile() if data else packs.Profile()
    notices = form.notices() if data else []
    suggestions, excluded = packs.rank(profile) if data else ([], [])
    if request.method == "POST":
        chosen_ids = [int(v) for v in request.POST.getlist("story") if is_id(v)]
        if len(chosen_ids) != len(request.POST.getlist("story")):
            notices.append(_("Some of the chosen stories were not valid and were left out."))
        by_id = {s.case_study.pk: s for s in suggestions}
        missing = [pk for pk in chosen_ids if pk not in by_id]
        chosen = [
            (s.case_study.pk, s.score, s.reason)
            for s in suggestions
            if s.case_study.pk in chosen_ids
        ]
        error = None
        if missing:
            error = _("Some chosen stories no longer match this prospect; check the list again.")
        else:
            try:
                pack = sales_services.proposal_pack_create(
                    rep=request.user,
                    prospect_company=form.cleaned_data.get("prospect_company", ""),
                    prospect_name=form.cleaned_data.get("prospect_name", ""),
                    profile=profile,
                    language=form.cleaned_data.get("language") or get_language(),
                    chosen=chosen,
                )
            except sales_services.PackError as exc:
                error = str(exc)
            else:
                messages.success(
                    request, _("The pack is being prepared; it is saved under “My packs”.")
                )
                return HttpResponseRedirect(reverse("sales:pack", kwargs={"pk": pack.pk}))
        notices.append(error)
        selected = set(chosen_ids)
    else:
        selected = {s.case_study.pk for s in suggestions[:3]}
    return render(
        request,
        "sales/pack_new.html",
        {
            "form": form,
            "profile": profile,
            "suggestions": [
                {
                    "s": s,
                    "title": s.case_study.anonymise_text(s.case_study.published_version.title),
                    "customer": s.case_study.public_customer_name,
                    "selected": s.case_study.pk in selected,
                }
                for s in suggestions
            ],
            "excluded": [
                {
                    "title": e["case_study"].anonymise_text(
                        e["case_study"].published_version.title
                    ),
                    "reason": e["reason"],
                }
                for e in excluded
            ],
            "described": bool(data) and not profile.is_empty,
            "notices": [n for n in notices if n],
            "hidden": [
                (name, value)
                for name in PROFILE_FIELDS
                if name not in ("prospect_company", "prospect_name")
                for value in data.getlist(name)
            ]
            if data
            else [],
            "weights": packs.WEIGHTS,
            "max_stories": sales_services.MAX_PACK_STORIES,
            "section": "packs",
        },
    )


def _packs_for(user):
    packs_qs = ProposalPack.objects.select_related("rep")
    if in_group(user, PROGRAM_MANAGERS):
        return packs_qs
    return packs_qs.filter(rep=user)


def _pack_or_404(request, pk: str) -> ProposalPack:
    if not is_id(pk):
        raise Http404
    try:
        return _packs_for(request.user).get(pk=int(pk))
    except ProposalPack.DoesNotExist as exc:
        raise Http404 from exc


@require_safe
@sales_required
def pack_list(request):
    packs_qs = _packs_for(request.user).annotate(story_count=Count("items"))[:100]
    return render(request, "sales/pack_list.html", {"packs": packs_qs, "section": "packs"})


@require_safe
@sales_required
def pack_detail(request, pk: str):
    pack = _pack_or_404(request, pk)
    items = list(
        pack.items.select_related("case_study__published_version", "case_study__customer__industry")
    )
    profile = packs.Profile.from_json(pack.profile)
    again = urlencode(
        [
            ("prospect_company", pack.prospect_company),
            ("prospect_name", pack.prospect_name),
            ("language", pack.language),
            *((k, v) for k, v in profile.as_json().items() if isinstance(v, str) and v),
            *(("use_cases", v) for v in profile.as_json()["use_cases"]),
            *(("objections", v) for v in profile.as_json()["objections"]),
        ]
    )
    return render(
        request,
        "sales/pack_detail.html",
        {
            "pack": pack,
            "items": [
                {
                    "title": i.case_study.anonymise_text(
                        i.case_study.published_version.title
                        if i.case_study.published_version_id
                        else i.case_study.title
                    ),
                    "reason": i.reason,
                    "slug": i.case_study.slug,
                }
                for i in items
            ],
            "working": pack.status in (ProposalPack.Status.QUEUED, ProposalPack.Status.RENDERING),
            "again_url": f"{reverse('sales:pack_new')}?{again}",
            "section": "packs",
            "deals": list(analytics_services.open_deals()[:200]),
        },
    )


@require_POST
@sales_required
def pack_link_deal(request, pk: str):
    """The pack went to a prospect with an open deal: its stories count as
    used in that deal (impact: win rate with vs without stories)."""
    pack = _pack_or_404(request, pk)
    stories = [item.case_study for item in pack.items.select_related("case_study")]
    try:
        deal, added = analytics_services.deal_link_stories(
            deal_id=request.POST.get("deal", ""),
            case_studies=stories,
            source=DealStory.Source.PACK,
            actor=request.user,
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(n)d stories of this pack are now linked to the deal “%(deal)s”.")
            % {"n": added, "deal": deal.name},
        )
    return HttpResponseRedirect(reverse("sales:pack", args=[pack.pk]))


@require_safe
@sales_required
def pack_status(request, pk: str):
    pack = _pack_or_404(request, pk)
    response = JsonResponse(sales_services.pack_status(pack))
    patch_cache_control(response, no_store=True)
    return response


@require_POST
@sales_required
def pack_rerender(request, pk: str):
    pack = _pack_or_404(request, pk)
    sales_services.proposal_pack_rerender(pack=pack, actor=request.user)
    messages.success(request, _("The pack is being prepared again."))
    return HttpResponseRedirect(reverse("sales:pack", kwargs={"pk": pack.pk}))


def _pack_file(request, pk: str, field: str, extension: str, content_type: str):
    pack = _pack_or_404(request, pk)
    file = getattr(pack, field)
    if pack.status != ProposalPack.Status.DONE or not file:
        return HttpResponseRedirect(reverse("sales:pack", kwargs={"pk": pack.pk}))
    # A private file (core.storage): an attachment, no-store, sandboxed.
    return private_file_response(
        file, filename=pack.file_name(extension), content_type=content_type
    )


@require_safe
@sales_required
def pack_pdf(request, pk: str):
    return _pack_file(request, pk, "pdf", "pdf", "application/pdf")


@require_safe
@sales_required
def pack_slides(request, pk: str):
    return _pack_file(
        request,
        pk,
        "slides",
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    )
