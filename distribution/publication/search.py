"""The gallery's free-text search.

On PostgreSQL: full-text search over :class:`StorySearchEntry` rows (one per
public language version), English stemming for English versions and the
``simple`` configuration for Bahasa Indonesia, ``websearch`` syntax (quotes,
``or``, ``-word``), ranked, through a GIN index. On SQLite: ``icontains`` over
the same stored text.

The entries hold the text as the public sees it: an anonymised story is
indexed without its customer's name. They are refreshed inside the
transaction that changes a story (see :mod:`distribution.signals`), so the
index commits or rolls back with the change.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL

from casestudies import selectors
from casestudies.models import SECTION_FIELDS, CaseStudy, StoryTranslation
from core.page_cache import derived
from distribution.models import StorySearchEntry

# Text search configuration per story language; anything else is "simple".
CONFIGS = {"en": "english", "id": "simple"}
MAX_QUERY_LENGTH = 200


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def head_vector() -> SearchVector:
    """The ranking vector: title (A), customer facts and summary (B)."""
    config = F("config")
    return SearchVector("title", weight="A", config=config) + SearchVector(
        "facts", "summary", weight="B", config=config
    )


def document_vector() -> SearchVector:
    """The matching vector: the head plus the sections (C)."""
    return head_vector() + SearchVector("body", weight="C", config=F("config"))


def search_entry(case_study: CaseStudy, version) -> StorySearchEntry:
    customer = case_study.customer
    facts = [case_study.public_customer_name, customer.industry.name, customer.region.name]
    anonymise = case_study.anonymise_text
    return StorySearchEntry(
        case_study=case_study,
        version=version,
        language=version.language,
        config=CONFIGS.get(version.language, "simple"),
        title=anonymise(version.title),
        facts=" · ".join(facts),
        summary=anonymise(version.summary),
        body=anonymise(
            "\n\n".join(getattr(version, name) for name in SECTION_FIELDS if name != "summary")
        ),
    )


def _public_versions(case_study: CaseStudy, translations) -> list:
    main = selectors.public_version(case_study)
    if main is None:
        return []
    return [main, *(t.version for t in translations if t.language != main.language)]


def search_index_refresh(case_study_ids) -> None:
    """Rebuild the entries of these case studies (none when not public)."""
    ids = list(case_study_ids)
    if not ids:
        return
    with transaction.atomic():
        StorySearchEntry.objects.filter(case_study_id__in=ids).delete()
        studies = CaseStudy.objects.filter(pk__in=ids).select_related(
            "customer__industry", "customer__region", "published_version"
        )
        translations: dict[int, list] = {}
        for t in StoryTranslation.objects.filter(case_study_id__in=ids).select_related("version"):
            translations.setdefault(t.case_study_id, []).append(t)
        entries = [
            search_entry(cs, version)
            for cs in studies
            for version in _public_versions(cs, translations.get(cs.pk, []))
        ]
        created = StorySearchEntry.objects.bulk_create(entries)
        if created and _is_postgres():
            StorySearchEntry.objects.filter(pk__in=[e.pk for e in created]).update(
                document=document_vector(), head=head_vector()
            )


def search_index_rebuild(*, batch: int = 2000) -> int:
    """Rebuild the whole index (after bulk loads); returns the entry count."""
    with transaction.atomic():
        StorySearchEntry.objects.all().delete()
        ids = list(selectors.published_case_studies().values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            search_index_refresh(ids[start : start + batch])
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {StorySearchEntry._meta.db_table}")
    return StorySearchEntry.objects.count()


def clean_query(value: str) -> str:
    return " ".join((value or "").split())[:MAX_QUERY_LENGTH]


def search_query(value: str) -> SearchQuery:
    """English-stemmed OR as typed: one constant tsquery, so one GIN index
    scan answers it. An English document matches its stems ("automate" finds
    "automated"); an Indonesian ("simple") one matches the words as typed."""
    return SearchQuery(value, search_type="websearch", config="english") | SearchQuery(
        value, search_type="websearch", config="simple"
    )


def _matching(value: str) -> QuerySet[StorySearchEntry]:
    if not _is_postgres():
        match = Q()
        for word in value.split():
            match &= (
                Q(title__icontains=word)
                | Q(facts__icontains=word)
                | Q(summary__icontains=word)
                | Q(body__icontains=word)
            )
        return StorySearchEntry.objects.filter(match)
    if re.search(r"(^|\s)-\S", value):
        # A negation ("cloud -banks") must be read in the document's own
        # configuration: "-banks" as typed would not exclude the stem "bank".
        english = SearchQuery(value, search_type="websearch", config="english")
        simple = SearchQuery(value, search_type="websearch", config="simple")
        return StorySearchEntry.objects.filter(
            Q(config="english", document=english) | Q(config="simple", document=simple)
        )
    return StorySearchEntry.objects.filter(document=search_query(value))


def search(queryset: QuerySet[CaseStudy], value: str) -> QuerySet[CaseStudy]:
    """``queryset`` narrowed to the stories matching ``value`` in any of
    their public languages."""
    value = clean_query(value)
    if not value:
        return queryset
    return queryset.filter(pk__in=_matching(value).values("case_study_id"))


def ranked_ids(value: str) -> list[int]:
    """The public case studies matching ``value``, best first (then featured,
    newest): one query. On PostgreSQL the matches come from the GIN index
    over the whole ``document``; each is ranked by ``ts_rank`` over its
    small ``head`` (title and summary weighted, ~1 KB) rather than the whole
    document (~7 KB, most of a search's time when it matches thousands of
    stories): a story that has the words in its title or summary comes
    first, the best of them first; those that mention them only in their
    sections follow, featured and newest first. On SQLite the order is
    featured, newest first."""
    value = clean_query(value)
    stories = selectors.published_case_studies().order_by()
    if not value:
        return []
    if not _is_postgres():
        matching = search(stories, value).order_by("-featured", "-published_at", "-pk")
        return list(matching.values_list("pk", flat=True))
    # One row per matching entry, ranked as it is read: no aggregate, whose
    # sort carried each ~1 KB head along (spilling to disk at 50,000
    # matches); a story with two matching language versions comes twice
    # and keeps its first, best place below.
    best = (
        _matching(value)
        .order_by()
        .annotate(best=SearchRank(F("head"), search_query(value)))
        .values("case_study_id", "best")
    )
    best_sql, best_params = best.query.sql_with_params()
    stories_sql, stories_params = stories.values(
        "pk", "featured", "published_at"
    ).query.sql_with_params()
    sql = (
        f"SELECT c.id FROM ({stories_sql}) AS c (id, featured, published_at)"  # noqa: S608
        f" JOIN ({best_sql}) AS r (case_study_id, best) ON r.case_study_id = c.id"
        " ORDER BY r.best DESC NULLS LAST, c.featured DESC, c.published_at DESC, c.id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*stories_params, *best_params])
        return list(dict.fromkeys(row[0] for row in cursor.fetchall()))


def cached_ranked_ids(value: str) -> list[int]:
    """:func:`ranked_ids`, shared by every page of one search until a public
    story changes (cached per page-cache generation and day)."""
    value = clean_query(value)
    return derived("search", value, lambda: ranked_ids(value))


def among(queryset: QuerySet[CaseStudy], ids: list[int]) -> QuerySet[CaseStudy]:
    """``queryset`` narrowed to ``ids``: one array parameter on PostgreSQL
    (thousands of matches plan and run much faster than as many literals in
    an ``IN`` list), ``pk__in`` elsewhere."""
    if not ids:
        return queryset.none()
    if not _is_postgres():
        return queryset.filter(pk__in=ids)
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    return queryset.filter(
        # The table name comes from the model; the ids are one parameter.
        RawSQL(f"{table}.id = ANY(%s::bigint[])", (list(ids),), output_field=BooleanField())  # noqa: S611
    )


def rank(value: str):
    """An expression for a case study's best rank for ``value`` (higher is
    better); NULL on SQLite, where the gallery keeps its newest-first order."""
    value = clean_query(value)
    if not value or not _is_postgres():
        return Value(None, output_field=FloatField())
    ranked = SearchRank(F("head"), search_query(value))
    best = (
        _matching(value)
        .filter(case_study=OuterRef("pk"))
        .values("case_study")
        .annotate(best=Max(ranked))
        .values("best")[:1]
    )
    return Subquery(best, output_field=FloatField())
