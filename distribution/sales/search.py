"""The sales portal's search: the gallery's filters plus objection and
competitor, a search that also reads the objections and competitors a story
answers, and results that say why they matched, highlighted.

Reuses :mod:`distribution.publication.search` (PostgreSQL full-text over
``StorySearchEntry`` through its GIN index; ``icontains`` on SQLite) and
:class:`distribution.publication.filters.GalleryFilter`. Highlights come from
``ts_headline`` on PostgreSQL (one query per kind of evidence for the whole
page: metrics, quotes, objections, competitors, story text) and from a
word-prefix match on SQLite. Text is escaped before ``<mark>`` is added.
"""

import re
from dataclasses import dataclass, field

import django_filters
from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchVector
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from casestudies import selectors
from casestudies.models import CaseStudy, Competitor, Metric, Objection, Quote, UsageChannel
from core import page_cache
from distribution.models import StorySearchEntry
from distribution.publication import search
from distribution.publication.documents import metric_line
from distribution.publication.filters import FACETS, GalleryFilter

# The sales portal's parameters: the SPEC's gallery ones plus objection and
# competitor, in the clean URL's order.
SALES_FACETS = [*FACETS, "objection", "competitor"]
PAGE_SIZE = 20
# Markers ts_headline puts around matches; replaced by <mark> after escaping.
START, STOP = "\x02", "\x03"


class SalesFilter(GalleryFilter):
    """The gallery's filters plus objection= and competitor= (taxonomy slugs)."""

    objection = django_filters.ModelChoiceFilter(
        label=_("Objection"),
        field_name="objections",
        to_field_name="slug",
        queryset=Objection.objects.filter(archived=False),
        empty_label=_("Any objection"),
    )
    competitor = django_filters.ModelChoiceFilter(
        label=_("Competitor displaced"),
        field_name="competitors",
        to_field_name="slug",
        queryset=Competitor.objects.filter(archived=False),
        empty_label=_("Any competitor"),
    )

    def filter_search(self, queryset, name, value):
        if not search.clean_query(value):
            return queryset
        return search.among(queryset, cached_ranked_ids(value))


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _term_matches(model, value: str) -> QuerySet:
    """Objections or competitors whose name matches the search."""
    terms = model.objects.filter(archived=False)
    if not _is_postgres():
        match = Q()
        for word in value.split():
            match &= Q(name__icontains=word.strip('"-'))
        return terms.filter(match)
    return terms.annotate(
        match=SearchVector("name", config="english") + SearchVector("name", config="simple")
    ).filter(match=search.search_query(value))


def ranked_ids(value: str) -> list[int]:
    """Published stories matching ``value``, best first: the stories that
    answer a matching objection or displaced a matching competitor ("too
    expensive", "Competitor X"), featured and newest first, then the
    full-text matches in the gallery's relevance order."""
    value = search.clean_query(value)
    if not value:
        return []
    # Two semi-joins (no DISTINCT over a join): one hash each on PostgreSQL.
    objection_links = CaseStudy.objections.through.objects.filter(
        objection__in=_term_matches(Objection, value)
    ).values("casestudy_id")
    competitor_links = CaseStudy.competitors.through.objects.filter(
        competitor__in=_term_matches(Competitor, value)
    ).values("casestudy_id")
    by_term = (
        selectors.published_case_studies()
        .filter(Q(pk__in=objection_links) | Q(pk__in=competitor_links))
        .order_by("-featured", "-published_at", "-pk")
        .values_list("pk", flat=True)
    )
    first = list(by_term)
    seen = set(first)
    return first + [pk for pk in search.cached_ranked_ids(value) if pk not in seen]


def cached_ranked_ids(value: str) -> list[int]:
    value = search.clean_query(value)
    return page_cache.derived("sales-search", value, lambda: ranked_ids(value))


def matching_ids(filterset: SalesFilter, query: str) -> list[int] | QuerySet:
    """The stories of the page's search and filters, in order: ranked ids
    (a list) when searching, else the filtered queryset, featured and newest
    first."""
    cleaned = filterset.cleaned()
    if not query:
        return filterset.qs.order_by("-featured", "-published_at", "-pk").values_list(
            "pk", flat=True
        )
    ranked = cached_ranked_ids(query)
    facets = tuple(
        (name, getattr(cleaned[name], "pk", cleaned[name]))
        for name in SALES_FACETS
        if name in cleaned
    )
    if not ranked or not facets:
        return ranked

    def narrowed() -> list[int]:
        stories = filterset.narrowed(filterset.queryset, without="q")
        kept = set(search.among(stories, ranked).order_by().values_list("pk", flat=True))
        return [pk for pk in ranked if pk in kept]

    # Shared by the pages of one search and filters until a public story changes.
    return page_cache.derived("sales-filtered", (query, facets), narrowed)


# --------------------------------------------------------------------------
# Results: why each story matched
# --------------------------------------------------------------------------


def results_queryset() -> QuerySet[CaseStudy]:
    return (
        CaseStudy.objects.select_related("customer__industry", "customer__region")
        .defer(
            *(
                f"published_version__{name}"
                for name in ("challenge", "solution", "implementation", "results", "future_plans")
            )
        )
        .select_related("published_version")
        .prefetch_related(
            Prefetch("metrics", queryset=Metric.objects.order_by("position", "id")),
            Prefetch(
                "quotes",
                queryset=Quote.objects.filter(permission=Quote.Permission.APPROVED)
                .select_related("speaker")
                .order_by("position", "id"),
                to_attr="approved_quotes",
            ),
            "objections",
            "competitors",
            "use_cases",
        )
    )


def _marked(text: str) -> SafeString:
    """Escape ``text`` and turn the match markers into <mark>."""
    html = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)


def _python_highlight(text: str, words: list[str]) -> str:
    """Markers around the words starting with one of ``words`` (SQLite, and
    taxonomy chosen through a filter)."""
    if not words or not text:
        return text
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(w) for w in words if w) + r")\w*", re.IGNORECASE
    )
    return pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)


def _query_words(value: str) -> list[str]:
    words = re.findall(r"\w+", value.lower())
    stop = {"or", "and", "the", "a", "an", "of", "to", "in", "for"}
    # A rough stem, so "expensive" also marks "expense" on SQLite.
    return [w[: max(4, len(w) - 2)] if len(w) > 5 else w for w in words if w not in stop]


def _headlines(model_qs: QuerySet, field_name: str, value: str, **options) -> dict[int, str]:
    """``{pk: text with markers}`` for the rows of ``model_qs`` (PostgreSQL)."""
    query = search.search_query(value)
    rows = model_qs.annotate(
        hl=SearchHeadline(
            field_name,
            query,
            config="english",
            start_sel=START,
            stop_sel=STOP,
            **options,
        )
    ).values_list("pk", "hl")
    return dict(rows)


@dataclass
class MetricResult:
    html: SafeString
    copy: str
    matched: bool


@dataclass
class Result:
    cs: CaseStudy
    title: str
    customer: str
    public_url: str  # "" when the story may not be shared on the web
    metrics: list[MetricResult] = field(default_factory=list)
    quote_html: SafeString | None = None
    quote_copy: str = ""
    quote_matched: bool = False
    objections: list[tuple[SafeString, bool]] = field(default_factory=list)
    competitors: list[tuple[SafeString, bool]] = field(default_factory=list)
    excerpt: SafeString | None = None

    @property
    def reasons(self) -> list[str]:
        """Which evidence matched, for the result's one-line summary."""
        found = []
        if any(matched for _html, matched in self.objections):
            found.append("objection")
        if any(matched for _html, matched in self.competitors):
            found.append("competitor")
        if any(m.matched for m in self.metrics):
            found.append("metric")
        if self.quote_matched:
            found.append("quote")
        if self.excerpt:
            found.append("text")
        return found


def build_results(stories: list[CaseStudy], *, query: str, cleaned: dict) -> list[Result]:
    """One :class:`Result` per story (loaded with :func:`results_queryset`),
    with the evidence that matched the search or the filters highlighted.
    At most five extra queries on PostgreSQL whatever the page size."""
    ids = [cs.pk for cs in stories]
    chosen_objection = cleaned.get("objection")
    chosen_competitor = cleaned.get("competitor")
    metric_hl: dict[int, str] = {}
    quote_hl: dict[int, str] = {}
    objection_hl: dict[int, str] = {}
    competitor_hl: dict[int, str] = {}
    excerpts: dict[int, str] = {}
    words = _query_words(query)
    if query and ids and _is_postgres():
        metric_hl = _headlines(
            Metric.objects.filter(case_study_id__in=ids), "label", query, highlight_all=True
        )
        quote_hl = _headlines(
            Quote.objects.filter(case_study_id__in=ids, permission=Quote.Permission.APPROVED),
            "text",
            query,
            highlight_all=True,
        )
        term_ids = {
            "objections": {t.pk for cs in stories for t in cs.objections.all()},
            "competitors": {t.pk for cs in stories for t in cs.competitors.all()},
        }
        if term_ids["objections"]:
            objection_hl = _headlines(
                Objection.objects.filter(pk__in=term_ids["objections"]),
                "name",
                query,
                highlight_all=True,
            )
        if term_ids["competitors"]:
            competitor_hl = _headlines(
                Competitor.objects.filter(pk__in=term_ids["competitors"]),
                "name",
                query,
                highlight_all=True,
            )
        entries = (
            StorySearchEntry.objects.filter(case_study_id__in=ids)
            .filter(document=search.search_query(query))
            .order_by("case_study_id", "language")
        )
        for case_study_id, text in _headline_rows(entries, query):
            excerpts.setdefault(case_study_id, text)

    def mark(cs: CaseStudy, raw: str, headline: str | None) -> tuple[str, bool]:
        """``raw`` as the reader sees it (anonymised) with its matches marked.
        A headline of text that names an anonymised customer is not used (the
        markers could split the name and defeat the replacement)."""
        text = cs.anonymise_text(raw)
        if headline is None or text != raw:
            headline = _python_highlight(text, words) if query else text
        return headline, START in headline

    results = []
    for cs in stories:
        anonymise = cs.anonymise_text
        version = cs.published_version
        metrics = []
        for metric in cs.metrics.all():
            metric.case_study = cs  # shows_absolute reads the story's mode
            line = metric_line(metric)
            label = anonymise(line.label)
            text, matched = mark(cs, line.label, metric_hl.get(metric.pk))
            detail = f" ({line.detail})" if line.detail else ""
            metrics.append(
                MetricResult(
                    html=_marked(f"{line.improvement} · {text}{detail}"),
                    copy=f"{line.improvement} · {label}{detail}",
                    matched=matched,
                )
            )
        # The metrics that matched first, then the others; three at most.
        metrics.sort(key=lambda m: not m.matched)
        quotes = sorted(cs.approved_quotes, key=lambda q: q.kind != Quote.Kind.PULL)
        marked_quotes = [(q, *mark(cs, q.text, quote_hl.get(q.pk))) for q in quotes]
        quote, text, matched = next(
            (item for item in marked_quotes if item[2]),
            marked_quotes[0] if marked_quotes else (None, "", False),
        )
        result = Result(
            cs=cs,
            title=anonymise(version.title) if version else anonymise(cs.title),
            customer=cs.public_customer_name,
            public_url=(
                f"{settings.SITE_URL}{cs.get_absolute_url()}" if cs.allows(UsageChannel.WEB) else ""
            ),
            metrics=metrics[:3],
        )
        if quote is not None:
            attribution = cs.quote_attribution(quote)
            result.quote_html = _marked(text)
            result.quote_matched = matched
            result.quote_copy = f"“{anonymise(quote.text)}” — {attribution}"
        for attr, chosen, headlines, target in (
            ("objections", chosen_objection, objection_hl, result.objections),
            ("competitors", chosen_competitor, competitor_hl, result.competitors),
        ):
            for term in getattr(cs, attr).all():
                if chosen is not None and term.pk == chosen.pk:
                    text, matched = f"{START}{term.name}{STOP}", True
                else:
                    text, matched = mark(cs, term.name, headlines.get(term.pk))
                target.append((_marked(text), matched))
            target.sort(key=lambda item: not item[1])
        if cs.pk in excerpts:
            # The index holds the text as the public sees it (already anonymised).
            result.excerpt = _marked(excerpts[cs.pk])
        results.append(result)
    return results


def _headline_rows(entries: QuerySet, query: str):
    from django.db.models import TextField, Value
    from django.db.models.functions import Concat

    return entries.annotate(
        hl=SearchHeadline(
            Concat("summary", Value(" … "), "body", output_field=TextField()),
            search.search_query(query),
            config="english",
            start_sel=START,
            stop_sel=STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
    ).values_list("case_study_id", "hl")
