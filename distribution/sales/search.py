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
from django.contrib.postgres.search import SearchHeadline, SearchQueryField
from django.db import connection, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from casestudies.models import CaseStudy, Competitor, Metric, Objection, Quote, UsageChannel
from core import page_cache
from distribution.models import SalesSearchEntry, StorySearchEntry
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
        """Narrowing by the search (facet counts, other filters): the ids
        of every match; the portal's own list pages through top_ids."""
        if not search.clean_query(value):
            return queryset
        return search.among(queryset, cached_ranked_ids(value))


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _term_matches(model, value: str) -> QuerySet:
    """Objections or competitors whose name contains every word (SQLite)."""
    match = Q()
    for word in value.split():
        match &= Q(name__icontains=word.strip('"-'))
    return model.objects.filter(archived=False).filter(match)


def _simple_ranked_ids(value: str) -> list[int]:
    """SQLite: the stories answering a matching objection or competitor,
    then the gallery's text matches."""
    objection_links = CaseStudy.objections.through.objects.filter(
        objection__in=_term_matches(Objection, value)
    ).values("casestudy_id")
    competitor_links = CaseStudy.competitors.through.objects.filter(
        competitor__in=_term_matches(Competitor, value)
    ).values("casestudy_id")
    first = list(
        CaseStudy.objects.usable()
        .filter(Q(pk__in=objection_links) | Q(pk__in=competitor_links))
        .order_by("-featured", "-published_at", "-pk")
        .values_list("pk", flat=True)
    )
    seen = set(first)
    return first + [pk for pk in search.cached_ranked_ids(value) if pk not in seen]


# --------------------------------------------------------------------------
# PostgreSQL: any of the words, in tiers of how many matched and where, top N
# --------------------------------------------------------------------------

# The order of the matches, best first (each tier in featured, newest, id
# order): for c = n … 1 words of the query, the stories matching c words in
# what reps search first (``strong``: title, objections, competitors, quotes,
# metrics, summary, customer), then those matching c words anywhere. So the
# story that answers both "too expensive" and "LegacySoft" comes before the
# ones answering either, which come before a passing mention of both.
MAX_TERMS = 6
# Counting stops here ("1,000+ stories"): paging deeper than 50 pages of a
# broad search is not a rep's task, and counting every match costs as much
# as ranking it.
COUNT_CAP = 1000


def query_terms(value: str) -> list[str]:
    """The words of ``value`` as tsqueries (text), each the OR of its English
    and Indonesian stems; a stop word of either language is dropped ("too",
    "yang"), the same stem is kept once. One query."""
    words = list(dict.fromkeys(re.findall(r"\w+", value.lower())))[: MAX_TERMS * 2]
    if not words:
        return []
    sql = (
        "SELECT plainto_tsquery('english', w.word)::text,"
        " plainto_tsquery('indonesian', w.word)::text"
        " FROM unnest(%s::text[]) WITH ORDINALITY AS w(word, n) ORDER BY w.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [words])
        rows = cursor.fetchall()
    # Words with the same English stem are one term ("expense", "expensive").
    terms: dict[str, list[str]] = {}
    for english, indonesian in rows:
        if english and indonesian:
            forms = terms.setdefault(english, [english])
            if indonesian not in forms:
                forms.append(indonesian)
    return [" | ".join(forms) for forms in terms.values()][:MAX_TERMS]


def or_query(terms: list[str]) -> str:
    """The tsquery text matching any of ``terms``."""
    return " | ".join(f"( {t} )" for t in terms)


def at_least(terms: list[str], c: int) -> str:
    """The tsquery text matching at least ``c`` of ``terms``."""
    from itertools import combinations

    if c == len(terms):
        return " & ".join(f"( {t} )" for t in terms)
    return " | ".join(
        "( " + " & ".join(f"( {t} )" for t in subset) + " )" for subset in combinations(terms, c)
    )


def tiers(terms: list[str]) -> list[tuple[str, str]]:
    """``[(column, tsquery text)]``, best tier first."""
    return [
        (column, at_least(terms, c))
        for c in range(len(terms), 0, -1)
        for column in ("strong", "document")
    ]


# Stories (in display order) a tier first looks through for its page: a
# common word fills the page within them; a rarer one is then answered from
# its GIN index, whose matches are few enough to sort.
WINDOW = 300


def tier_sql(column: str, within_sql: str, *, window: bool) -> str:
    """One tier's first matches in display order. ``window``: among the
    first :data:`WINDOW` stories (a walk of the order index, stopping at
    LIMIT); else among all, from the GIN index: the matches are a
    MATERIALIZED CTE, narrowed by the filters outside it, so the planner
    can neither walk the order index (an incremental sort on ``featured``
    let it do so despite a ``NULLS LAST``) nor the primary key for the
    filters' semi-join, reading every story's vector (0.2 to 0.4 s at 10,000
    stories); and :func:`top_ids` turns sequential scans off."""
    table = SalesSearchEntry._meta.db_table
    usable = f"(rights_expire_on IS NULL OR rights_expire_on > %s){within_sql}"
    order = "featured DESC, published_at DESC, case_study_id DESC"
    if window:
        return (
            f"SELECT case_study_id FROM (SELECT case_study_id, {column} AS v FROM {table}"  # noqa: S608
            f" WHERE {usable} ORDER BY {order} LIMIT {WINDOW}) AS w"
            " WHERE v @@ %s::tsquery LIMIT %s"
        )
    return (
        f"WITH m AS MATERIALIZED (SELECT case_study_id, featured, published_at FROM {table}"  # noqa: S608
        f" WHERE {column} @@ %s::tsquery AND (rights_expire_on IS NULL OR rights_expire_on > %s))"
        f" SELECT case_study_id FROM m WHERE TRUE{within_sql} ORDER BY {order} LIMIT %s"
    )


def top_ids(
    value: str, *, offset: int, limit: int, within: QuerySet | None = None
) -> tuple[list[int], int]:
    """(the ids of ranks ``offset`` to ``offset + limit``, the number of
    matches up to :data:`COUNT_CAP`): usable stories only (rights not
    expired), narrowed to ``within`` (a CaseStudy queryset) when filters are
    active, in the tiers' order. Each tier is one or two LIMIT-ed queries
    (see :func:`tier_sql`); tiers stop once the page is full."""
    terms = query_terms(value)
    if not terms:
        return [], 0
    today = timezone.localdate()
    within_sql, within_params = "", []
    if within is not None:
        sql, within_params = within.order_by().values("pk").query.sql_with_params()
        within_sql = f" AND case_study_id IN ({sql})"
    table = SalesSearchEntry._meta.db_table
    found: list[int] = []
    seen: set[int] = set()
    want = min(offset + limit, COUNT_CAP)
    with transaction.atomic(), connection.cursor() as cursor:
        # Every query here is answered by an index; a sequential scan would
        # read every story's vector.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for column, tsquery in tiers(terms):
            if len(found) >= want:
                break
            # A tier holds the stories of the tiers before it again: ask for
            # ``want`` to have enough new ones past them.
            cursor.execute(
                tier_sql(column, within_sql, window=True),
                [today, *within_params, tsquery, want],
            )
            rows = cursor.fetchall()
            if len(rows) < want:  # not all in the window: the GIN index
                cursor.execute(
                    tier_sql(column, within_sql, window=False),
                    [tsquery, today, *within_params, want],
                )
                rows = cursor.fetchall()
            for (pk,) in rows:
                if pk not in seen and len(found) < want:
                    seen.add(pk)
                    found.append(pk)
        if len(found) < want:
            count = len(found)  # every match is in the list
        else:
            # Counted from the GIN bitmap (a walk of the order index would
            # read a vector per story until the cap).
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE document @@ %s::tsquery"  # noqa: S608
                f" AND (rights_expire_on IS NULL OR rights_expire_on > %s){within_sql}"
                " LIMIT %s) AS capped",
                [or_query(terms), today, *within_params, COUNT_CAP],
            )
            count = cursor.fetchone()[0]
    return found[offset : offset + limit], count


class RankedSearch:
    """The matches of a search as the paginator wants them: ``count()`` and
    slices, each page one top-N query (cached per page until a public story
    changes). ``first_offset`` is the page the view will ask for, so that
    the count and that page come from the same query."""

    def __init__(self, value: str, facets: tuple, within: QuerySet | None, first_offset: int):
        self.value, self.facets, self.within = value, facets, within
        self._pages: dict[int, tuple[list[int], int]] = {}
        self._first_offset = first_offset

    def _page(self, offset: int) -> tuple[list[int], int]:
        if offset not in self._pages:
            self._pages[offset] = page_cache.derived(
                "sales-top",
                (self.value, self.facets, offset, PAGE_SIZE),
                lambda: top_ids(self.value, offset=offset, limit=PAGE_SIZE, within=self.within),
            )
        return self._pages[offset]

    def count(self) -> int:
        return self._page(self._first_offset)[1]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("RankedSearch is sliced by pages")
        start = item.start or 0
        ids, _count = self._page(start - start % PAGE_SIZE)
        offset = start % PAGE_SIZE
        return ids[offset : offset + (item.stop - start if item.stop is not None else PAGE_SIZE)]


def ranked_ids(value: str) -> list[int]:
    """The usable stories matching ``value``, best first: all of them on
    SQLite, the first :data:`COUNT_CAP` on PostgreSQL (narrowing facets by a
    search). The portal asks for one page at a time."""
    value = search.clean_query(value)
    if not value:
        return []
    if not _is_postgres():
        return _simple_ranked_ids(value)
    return top_ids(value, offset=0, limit=COUNT_CAP)[0]


def cached_ranked_ids(value: str) -> list[int]:
    value = search.clean_query(value)
    return page_cache.derived("sales-search", value, lambda: ranked_ids(value))


def _page_offset(raw_page) -> int:
    try:
        return max(0, int(str(raw_page)) - 1) * PAGE_SIZE
    except (TypeError, ValueError):
        return 0


def matching_ids(filterset: SalesFilter, query: str, *, page: str = "1"):
    """The stories of the page's search and filters, in order: a
    :class:`RankedSearch` when searching on PostgreSQL (each page a top-N
    query), a list on SQLite, else the filtered queryset, featured and
    newest first."""
    cleaned = filterset.cleaned()
    if not query:
        return filterset.qs.order_by("-featured", "-published_at", "-pk").values_list(
            "pk", flat=True
        )
    facets = tuple(
        (name, getattr(cleaned[name], "pk", cleaned[name]))
        for name in SALES_FACETS
        if name in cleaned
    )
    if _is_postgres():
        within = filterset.narrowed(filterset.queryset, without="q") if facets else None
        return RankedSearch(query, facets, within, _page_offset(page))
    ranked = cached_ranked_ids(query)
    if not ranked or not facets:
        return ranked
    stories = filterset.narrowed(filterset.queryset, without="q")
    kept = set(search.among(stories, ranked).order_by().values_list("pk", flat=True))
    return [pk for pk in ranked if pk in kept]


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


def _tsquery(value: str):
    """The search as one tsquery expression: any of its words (PostgreSQL)."""
    from django.db.models.expressions import RawSQL

    terms = query_terms(value)
    text = or_query(terms) if terms else ""
    return RawSQL("%s::tsquery", (text,), output_field=SearchQueryField())


def _headlines(
    model_qs: QuerySet, field_name: str, query, config: str = "english", **options
) -> dict[int, str]:
    """``{pk: text with markers}`` for the rows of ``model_qs`` (PostgreSQL)."""
    rows = model_qs.annotate(
        hl=SearchHeadline(
            field_name,
            query,
            config=config,
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
        tsquery = _tsquery(query)
        metric_hl = _headlines(
            Metric.objects.filter(case_study_id__in=ids), "label", tsquery, highlight_all=True
        )
        approved = Quote.objects.filter(case_study_id__in=ids, permission=Quote.Permission.APPROVED)
        # A quote is read in both configurations (it appears in every
        # language version): the one that marks something wins.
        for config in ("english", "indonesian"):
            for pk, text in _headlines(
                approved, "text", tsquery, config=config, highlight_all=True
            ).items():
                if START in text or pk not in quote_hl:
                    quote_hl[pk] = text
        term_ids = {
            "objections": {t.pk for cs in stories for t in cs.objections.all()},
            "competitors": {t.pk for cs in stories for t in cs.competitors.all()},
        }
        if term_ids["objections"]:
            objection_hl = _headlines(
                Objection.objects.filter(pk__in=term_ids["objections"]),
                "name",
                tsquery,
                highlight_all=True,
            )
        if term_ids["competitors"]:
            competitor_hl = _headlines(
                Competitor.objects.filter(pk__in=term_ids["competitors"]),
                "name",
                tsquery,
                highlight_all=True,
            )
        entries = StorySearchEntry.objects.filter(case_study_id__in=ids).order_by(
            "case_study_id", "language"
        )
        for case_study_id, text in _headline_rows(entries, tsquery):
            if START in text:
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


# Characters of the sections read around the first likely match (see
# _headline_rows), and before it.
EXCERPT_WINDOW, EXCERPT_LEAD = 1200, 400


def _likely_forms(tsquery) -> list[str]:
    """Lower-case strings that the words matching ``tsquery`` (a
    :func:`_tsquery`) most likely contain: each lexeme, less a final ``i``
    or ``e`` (English stems: "accuracy" is ``accuraci``)."""
    forms = set()
    for lexeme in re.findall(r"'([^']+)'", " ".join(map(str, tsquery.params))):
        lexeme = lexeme.lower()
        forms.add(lexeme[:-1] if len(lexeme) > 4 and lexeme[-1] in "ie" else lexeme)
    return sorted(forms)


def _headline_rows(entries: QuerySet, tsquery):
    """The passages of each entry that match, read in its language's
    configuration (Indonesian stems for Bahasa Indonesia versions); "" for
    an entry without any. One query.

    ``ts_headline`` parses all the text it is given (~2 ms for a story's
    ~8 KB), so it is given as little as will do: nothing when the stored
    document does not match (an English entry's document has the same
    English stems; an Indonesian one's is not stemmed, so it is always
    read); else the summary and :data:`EXCERPT_WINDOW` characters of the
    sections around the first place a matching word likely is
    (:func:`_likely_forms`); the whole text only when those hold no match
    after all."""
    from django.db.models import Case, CharField, Value, When
    from django.db.models.functions import Lower

    from distribution.sales.index import CONFIGS

    config = Case(
        *(When(language=lang, then=Value(cfg)) for lang, cfg in CONFIGS.items()),
        default=Value("english"),
        output_field=CharField(),
    )
    inner = entries.annotate(cfg=config, lower_body=Lower("body")).values_list(
        "case_study_id", "language", "summary", "body", "cfg", "document", "lower_body"
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    options = SearchHeadline(
        "summary",
        tsquery,
        start_sel=START,
        stop_sel=STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    ).options
    options_sql = ", ".join(
        connection.ops.compose_sql(f"{name}=%s", [value]) for name, value in options.items()
    )
    q_sql, q_params = tsquery.sql, list(tsquery.params)

    def headline(text: str) -> str:
        return f"ts_headline(x.cfg::regconfig, x.summary || ' … ' || {text}, {q_sql}, %s)"

    # The window's headline is a scalar subquery, run only by the rows that
    # reach its branch of the CASE.
    sql = (
        "SELECT x.case_study_id, CASE"  # noqa: S608
        f" WHEN x.cfg = 'english' AND NOT x.document @@ {q_sql} THEN ''"
        " ELSE (SELECT CASE WHEN strpos(w.hl, %s) > 0 THEN w.hl"
        f" ELSE {headline('x.body')} END FROM (SELECT"
        f" {headline('COALESCE(substr(x.body, greatest(1, p.at - %s), %s), %s)')} AS hl"
        " FROM (SELECT min(nullif(strpos(x.lower_body, f), 0)) AS at"
        " FROM unnest(%s::text[]) AS f) AS p) AS w) END"
        f" FROM ({inner_sql}) AS x (case_study_id, language, summary, body, cfg,"
        " document, lower_body)"
        " ORDER BY x.case_study_id, x.language"
    )
    params = [
        *q_params,
        START,
        *q_params,
        options_sql,
        EXCERPT_LEAD,
        EXCERPT_WINDOW,
        "",
        *q_params,
        options_sql,
        _likely_forms(tsquery),
        *inner_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
