from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from casestudies import selectors
from casestudies.models import SECTIONS, CaseStudy, StoryTranslation, StoryVersion
from core.ids import is_id
from core.page_cache import public_page
from distribution.models import Branding
from distribution.publication import search
from distribution.publication.charts import before_after_svg
from distribution.publication.filters import (
    FACETS,
    PARAMETERS,
    SORT_NEWEST,
    SORT_RELEVANCE,
    GalleryFilter,
)
from distribution.templatetags.publication import brand_colours, brand_css

LANGUAGE_NAMES = dict(settings.LANGUAGES)
VERSION_LONG_FIELDS = ["challenge", "solution", "implementation", "results", "future_plans"]


# --------------------------------------------------------------------------
# Gallery
# --------------------------------------------------------------------------


def _clean_gallery_query(request) -> str | None:
    """The clean query string when the request's has empty or repeated
    gallery parameters (a form submitted without JavaScript), else None."""
    dirty = False
    known, others = [], []
    for key, values in request.GET.lists():
        if key in PARAMETERS:
            kept = [v for v in values if v.strip()]
            if len(kept) != len(values) or len(values) > 1:
                dirty = True
            if kept:
                known.append((key, kept[-1].strip()))
        else:
            others.extend((key, v) for v in values)
    # The form always sends its sort order: the default one is left out.
    values = dict(known)
    default_sort = SORT_RELEVANCE if values.get("q") else SORT_NEWEST
    if values.get("sort") == default_sort:
        known = [(k, v) for k, v in known if k != "sort"]
        dirty = True
    if not dirty:
        return None
    known.sort(key=lambda item: PARAMETERS.index(item[0]))
    return urlencode(known + others)


def _card(cs: CaseStudy, language: str) -> dict:
    """What a card shows, in the reader's language when the story has an
    approved version in it."""
    main = selectors.public_version(cs)  # no query: published_version is joined
    version, lang_param = main, None
    for t in cs.public_translations:
        if t.language == language and language != main.language:
            version, lang_param = t.version, t.language
    url = cs.get_absolute_url() + (f"?lang={lang_param}" if lang_param else "")
    metrics = list(cs.metrics.all())
    headline = next((m for m in metrics if m.improvement_display), None)
    return {
        "cs": cs,
        "version": version,
        "url": url,
        "title": cs.anonymise_text(version.title),
        "summary": cs.anonymise_text(version.summary),
        "headline": headline,
        "headline_label": cs.anonymise_text(headline.label) if headline else "",
        "other_languages": [
            (t.language, LANGUAGE_NAMES.get(t.language, t.language))
            for t in cs.public_translations
            if t.language != version.language
        ]
        + ([(main.language, LANGUAGE_NAMES.get(main.language))] if lang_param else []),
    }


def _translations_prefetch() -> Prefetch:
    """Each card's approved translations (short fields only), as
    ``public_translations``, so a card can show the reader's language."""
    return Prefetch(
        "translations",
        queryset=StoryTranslation.objects.select_related("version")
        .defer(*(f"version__{name}" for name in VERSION_LONG_FIELDS))
        .order_by("language"),
        to_attr="public_translations",
    )


def gallery_queryset():
    return selectors.gallery_case_studies().prefetch_related(_translations_prefetch())


@require_safe
@public_page
def gallery(request):
    clean = _clean_gallery_query(request)
    if clean is not None:
        return HttpResponseRedirect(request.path + (f"?{clean}" if clean else ""))

    filterset = GalleryFilter(request.GET, queryset=gallery_queryset())
    cleaned = filterset.cleaned()
    # Invalid values (an unknown slug) are reported and left out, never a 500.
    notices = [
        f"{filterset.form[name].label}: {' '.join(errors)}"
        for name, errors in filterset.errors.items()
    ]
    raw_q = request.GET.get("q", "")
    query = search.clean_query(raw_q)
    if len(" ".join(raw_q.split())) > search.MAX_QUERY_LENGTH:
        notices.append(
            _("The search was shortened to its first %(n)s characters.")
            % {"n": search.MAX_QUERY_LENGTH}
        )
    sort = cleaned.get("sort") or (SORT_RELEVANCE if query else SORT_NEWEST)
    by_relevance = sort == SORT_RELEVANCE and bool(query)
    if by_relevance:
        # The cached ranked ids of the search are the order; the page's
        # stories are then fetched by id (no rank computed per request).
        ranked = filterset.ranked_ids(query)
        if ranked and any(name in cleaned for name in FACETS):
            kept = set(filterset.qs.order_by().values_list("pk", flat=True))
            ranked = [pk for pk in ranked if pk in kept]
        paginated = ranked
    else:
        paginated = filterset.qs

    paginator = Paginator(paginated, settings.STORYLINE["GALLERY_PAGE_SIZE"])
    raw_page = request.GET.get("page", "1")
    try:
        page = paginator.page(raw_page)
    except PageNotAnInteger:
        page = paginator.page(1)
        notices.append(
            _("“%(page)s” is not a page number; showing the first page.") % {"page": raw_page[:20]}
        )
    except EmptyPage:
        page = paginator.page(paginator.num_pages if _is_positive_int(raw_page) else 1)
        notices.append(
            _("There is no page %(page)s; showing page %(shown)s.")
            % {"page": raw_page[:20], "shown": page.number}
        )

    stories = page.object_list
    if by_relevance:
        found = gallery_queryset().filter(pk__in=stories).in_bulk()
        stories = page.object_list = [found[pk] for pk in stories if pk in found]
    language = translation.get_language()
    cards = [_card(cs, language) for cs in stories]

    # The canonical URL: valid filters only, no search, page only beyond 1.
    canonical_params = [
        (name, getattr(cleaned[name], "slug", cleaned[name])) for name in FACETS if name in cleaned
    ]
    if "sort" in cleaned and cleaned["sort"] != SORT_NEWEST and not query:
        canonical_params.append(("sort", cleaned["sort"]))
    if page.number > 1 and not query:
        canonical_params.append(("page", page.number))
    canonical = request.path + (f"?{urlencode(canonical_params)}" if canonical_params else "")

    return render(
        request,
        "distribution/gallery.html",
        {
            "filter": filterset,
            "facets": filterset.facets(selectors.published_case_studies()),
            "query": query,
            "sort": sort,
            "page": page,
            "cards": cards,
            "notices": notices,
            "is_filtered": bool({k: v for k, v in cleaned.items() if k != "sort"}),
            "canonical_path": canonical,
            "noindex": bool(query),
            "page_links": _page_links(page),
        },
    )


def _is_positive_int(value: str) -> bool:
    return is_id(value) and int(value) > 0


def _page_links(page) -> list[int | None]:
    """Page numbers to link: first, last and two either side of the current
    one; None marks a gap."""
    total, current = page.paginator.num_pages, page.number
    wanted = {1, total, *range(current - 2, current + 3)}
    numbers = sorted(n for n in wanted if 1 <= n <= total)
    links: list[int | None] = []
    for n in numbers:
        if links and n - (links[-1] or 0) > 1:
            links.append(None)
        links.append(n)
    return links


# --------------------------------------------------------------------------
# Story page
# --------------------------------------------------------------------------


def related_stories(case_study: CaseStudy, *, limit: int = 3) -> list[CaseStudy]:
    """Up to ``limit`` other published stories of the same industry or use
    case, featured and newest first (two queries whatever the limit)."""
    use_case_ids = [u.pk for u in case_study.use_cases.all()]
    match = Q(customer__industry_id=case_study.customer.industry_id)
    if use_case_ids:
        match |= Q(use_cases__in=use_case_ids)
    ids = selectors.published_case_studies().filter(match).exclude(pk=case_study.pk).values("pk")
    return list(selectors.gallery_case_studies().filter(pk__in=ids)[:limit])


@require_safe
@public_page
def case_study_detail(request, slug: str):
    try:
        case_study = selectors.case_study_public_detail(slug=slug)
    except CaseStudy.DoesNotExist as exc:
        raise Http404 from exc
    main = selectors.public_version(case_study)
    if main is None:  # rights expired since the query (midnight)
        raise Http404
    path = case_study.get_absolute_url()
    lang = request.GET.get("lang")
    if lang is not None:
        if lang == main.language or lang not in LANGUAGE_NAMES:
            return HttpResponseRedirect(path)
        version = selectors.public_version(case_study, lang)
        if version is None:
            return HttpResponseRedirect(path)
    else:
        version = main
    languages = selectors.public_languages(case_study)
    alternates = [
        (
            code,
            LANGUAGE_NAMES.get(code, code),
            path if code == main.language else f"{path}?lang={code}",
        )
        for code in languages
    ]
    page_path = path if version is main else f"{path}?lang={version.language}"

    anonymise = case_study.anonymise_text
    sections = [
        (name, label, anonymise(getattr(version, name)))
        for name, label in SECTIONS
        if name != "summary"
    ]
    metrics = list(case_study.metrics.all())
    quotes = case_study.approved_quotes
    branding = Branding.for_request(request)

    def render_page():
        chart = before_after_svg(
            metrics,
            primary=branding.primary_colour,
            id_prefix="results-chart",
            label=case_study.anonymise_text,
        )
        context = {
            "case_study": case_study,
            "version": version,
            "main_version": main,
            "title": anonymise(version.title),
            "summary": anonymise(version.summary),
            "sections": sections,
            "metrics": metrics,
            "chart": chart,
            "chart_rows": [m for m in metrics if m.before is not None and m.after is not None],
            "pull_quotes": [q for q in quotes if q.kind == "pull"],
            "other_quotes": [q for q in quotes if q.kind != "pull"],
            "related": [
                _card(cs, version.language)
                for cs in _with_translations(related_stories(case_study))
            ],
            "alternates": alternates,
            "other_languages": [a for a in alternates if a[0] != version.language],
            "page_path": page_path,
            "language_links": {code: url for code, _name, url in alternates},
            **_seo(request, case_study, version, page_path, branding),
        }
        return render(request, "distribution/detail.html", context)

    if version is not main:
        # The page is in the version's language, words around it included.
        with translation.override(version.language):
            response = render_page()
        response.headers["Content-Language"] = version.language
        return response
    return render_page()


OG_LOCALES = {"en": "en_US", "id": "id_ID"}


def _absolute(request, url: str) -> str:
    return url if "://" in url else f"{settings.SITE_URL}{url}"


def _seo(request, case_study: CaseStudy, version: StoryVersion, page_path: str, branding) -> dict:
    """Meta description, Open Graph image and the schema.org JSON-LD (Article
    and BreadcrumbList). The featured customer is named only when the story
    is not anonymised."""
    customer = case_study.customer
    industry = customer.industry.name
    summary = " ".join(strip_tags(case_study.anonymise_text(version.summary)).split())
    description = Truncator(f"{case_study.public_customer_name} ({industry}): {summary}").chars(160)
    canonical = f"{settings.SITE_URL}{page_path}"
    title = case_study.anonymise_text(version.title)
    gallery_url = f"{settings.SITE_URL}{reverse('gallery:list')}"
    our_org = {"@type": "Organization", "name": branding.company_name}
    if branding.website:
        our_org["url"] = branding.website
    if branding.logo:
        our_org["logo"] = {"@type": "ImageObject", "url": _absolute(request, branding.logo.url)}
    logo = case_study.public_logo
    image = (
        _absolute(request, logo.url)
        if logo
        else (_absolute(request, branding.logo.url) if branding.logo else "")
    )
    article = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": Truncator(title).chars(110),
        "description": description,
        "inLanguage": version.language,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "datePublished": case_study.published_at.isoformat(),
        "dateModified": max(case_study.updated_at, version.created_at).isoformat(),
        "author": our_org,
        "publisher": our_org,
        "articleSection": industry,
    }
    if image:
        article["image"] = image
    if not case_study.anonymised:
        featured = {"@type": "Organization", "name": customer.name}
        if customer.website:
            featured["url"] = customer.website
        if logo:
            featured["logo"] = _absolute(request, logo.url)
        article["about"] = featured
        article["mentions"] = [featured]
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": 1,
                "name": _("Customer stories"),
                "item": gallery_url,
            },
            {
                "@type": "ListItem",
                "position": 2,
                "name": industry,
                "item": f"{gallery_url}?{urlencode({'industry': customer.industry.slug})}",
            },
            {"@type": "ListItem", "position": 3, "name": title, "item": canonical},
        ],
    }
    return {
        "meta_description": description,
        "canonical": canonical,
        "og_image": image,
        "og_locale": OG_LOCALES.get(version.language, version.language),
        "article_ld": article,
        "breadcrumbs_ld": breadcrumbs,
    }


def _with_translations(studies: list[CaseStudy]) -> list[CaseStudy]:
    prefetch_related_objects(studies, _translations_prefetch())
    return studies


# --------------------------------------------------------------------------
# Branding stylesheet
# --------------------------------------------------------------------------


def _branding_etag(request) -> str:
    brand, accent = brand_colours(Branding.for_request(request))
    return f"{brand}{accent}{request.GET.get('v', '')}".lower()


@require_safe
@condition(etag_func=_branding_etag)
def branding_css(request):
    """The branding colours as a stylesheet (see ``brand_style``). Its
    address carries the colours (``?v=``): the current one is cached for a
    day, any other a minute."""
    branding = Branding.for_request(request)
    brand, accent = brand_colours(branding)
    response = HttpResponse(brand_css(branding), content_type="text/css; charset=utf-8")
    current = request.GET.get("v", "") == f"{brand[1:]}{accent[1:]}".lower()
    patch_cache_control(response, public=True, max_age=86400 if current else 60)
    return response


# --------------------------------------------------------------------------
# robots.txt
# --------------------------------------------------------------------------


@require_safe
@public_page
def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Allow: {reverse('gallery:list')}",
        "Disallow: /admin/",
        "Disallow: /review/",
        "Disallow: /sales/",
        "Disallow: /api/",
        "Disallow: /i18n/",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
