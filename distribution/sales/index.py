"""The sales portal's full-text index (:class:`SalesSearchEntry`): one row
per usable story, two tsvectors (see the model), each built in
the text search configuration of every language version the story has
(``english``; ``indonesian`` for Bahasa Indonesia, with its stemmer).

Refreshed by :mod:`distribution.signals` whenever a story, its translations,
customer, quotes, metrics, objections or competitors change, and rebuilt by
``reindex_sales_search`` (and ``rebuild_search_index``) after bulk loads.
Texts are anonymised as the rep sees them. PostgreSQL only: elsewhere the
rows hold no vectors and the portal falls back to its simple search.
"""

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import translation

from casestudies.models import (
    SECTION_FIELDS,
    CaseStudy,
    CaseStudyState,
    Metric,
    Quote,
    StoryTranslation,
)
from distribution.models import SalesSearchEntry
from distribution.publication.documents import metric_line

# Text search configuration per story language.
CONFIGS = {"en": "english", "id": "indonesian"}
LANGUAGES = tuple(CONFIGS)
TABLE = SalesSearchEntry._meta.db_table


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def indexed_stories(ids):
    return (
        CaseStudy.objects.filter(
            pk__in=ids, state=CaseStudyState.PUBLISHED, published_version__isnull=False
        )
        .select_related("customer__industry", "customer__region", "published_version")
        .prefetch_related(
            "objections",
            "competitors",
            Prefetch("metrics", queryset=Metric.objects.order_by("position", "id")),
            Prefetch(
                "quotes",
                queryset=Quote.objects.filter(permission=Quote.Permission.APPROVED).order_by(
                    "position", "id"
                ),
                to_attr="approved_quotes",
            ),
        )
    )


def metric_text(cs: CaseStudy, metric: Metric) -> str:
    """A metric as the rep reads it: improvement, label, values (unless the
    story shows percentages only), period."""
    metric.case_study = cs
    line = metric_line(metric)
    return " ".join(p for p in (line.improvement, line.label, line.detail, line.period) if p)


def texts(cs: CaseStudy, versions: dict[str, object]) -> dict[str, tuple[str, str, str]]:
    """``{language: (key terms, evidence, passages)}`` for ``versions``
    (``{language: StoryVersion}``). Quotes, metrics and taxonomy appear in
    every version, so every language gets them."""
    anonymise = cs.anonymise_text
    customer = cs.customer
    terms = [t.name for t in cs.objections.all()] + [t.name for t in cs.competitors.all()]
    with translation.override("en"):
        metrics = [metric_text(cs, m) for m in cs.metrics.all()]
    quotes = [q.text for q in cs.approved_quotes]
    facts = [cs.public_customer_name, customer.industry.name, customer.region.name]
    result = {}
    for language, version in versions.items():
        key = "\n".join([version.title, *terms])
        evidence = "\n".join([*quotes, *metrics, version.summary, *facts])
        passages = "\n\n".join(
            getattr(version, name) for name in SECTION_FIELDS if name != "summary"
        )
        result[language] = (anonymise(key), anonymise(evidence), anonymise(passages))
    return result


def sales_index_refresh(case_study_ids) -> int:
    """Rebuild the entries of these stories (none for a story that is not
    published); returns how many were written."""
    ids = list(case_study_ids)
    if not ids:
        return 0
    with transaction.atomic():
        SalesSearchEntry.objects.filter(case_study_id__in=ids).delete()
        studies = list(indexed_stories(ids))
        if not studies:
            return 0
        translations: dict[int, dict] = {}
        for t in StoryTranslation.objects.filter(
            case_study_id__in=[cs.pk for cs in studies]
        ).select_related("version"):
            translations.setdefault(t.case_study_id, {})[t.language] = t.version
        rows = []
        for cs in studies:
            main = cs.published_version
            versions = {
                **{
                    lang: v
                    for lang, v in translations.get(cs.pk, {}).items()
                    if lang != main.language
                },
                main.language: main,
            }
            parts = texts(cs, versions)
            rows.append((cs, parts))
        if not rows:
            return 0
        if not _is_postgres():
            SalesSearchEntry.objects.bulk_create(
                [
                    SalesSearchEntry(
                        case_study=cs,
                        featured=cs.featured,
                        published_at=cs.published_at,
                        rights_expire_on=cs.rights_expire_on,
                        configs=" ".join(CONFIGS.get(lang, "simple") for lang in parts),
                    )
                    for cs, parts in rows
                ]
            )
            return len(rows)
        _insert(rows)
    return len(rows)


def _columns(rows) -> dict[str, list]:
    """The batch as one array per column, for :func:`vectors_sql`."""
    columns: dict[str, list] = {"id": [], "featured": [], "published": [], "expires": []}
    columns["configs"] = []
    for lang in LANGUAGES:
        for part in ("key", "evidence", "passages"):
            columns[f"{part}_{lang}"] = []
    for cs, parts in rows:
        columns["id"].append(cs.pk)
        columns["featured"].append(cs.featured)
        columns["published"].append(cs.published_at)
        columns["expires"].append(cs.rights_expire_on)
        # Another language (none today) is read in English's configuration.
        merged: dict[str, list[tuple]] = {lang: [] for lang in LANGUAGES}
        for lang, triple in parts.items():
            merged[lang if lang in CONFIGS else "en"].append(triple)
        columns["configs"].append(" ".join(CONFIGS[lang] for lang in LANGUAGES if merged[lang]))
        for lang in LANGUAGES:
            for i, part in enumerate(("key", "evidence", "passages")):
                columns[f"{part}_{lang}"].append("\n".join(t[i] for t in merged[lang]))
    return columns


def vectors_sql(columns: dict[str, list]) -> tuple[str, list]:
    """``SELECT id, featured, published, expires, configs, strong, document``
    for the batch ``columns`` (see :func:`_columns`), one row per story: the
    vectors are made by PostgreSQL, each language's text in its
    configuration. Used by :func:`_insert`, and by bulk loads that build the
    vectors of one story to derive others' (``demo.bulk``)."""

    def vector(*parts: str) -> str:
        return " || ".join(
            f"to_tsvector('{CONFIGS[lang]}', v.{part}_{lang})"
            for part in parts
            for lang in LANGUAGES
        )

    types = {"id": "bigint", "featured": "boolean", "published": "timestamptz", "expires": "date"}
    names = list(columns)
    # document = strong || passages, reusing strong's value (no second parse).
    sql = (
        "SELECT id, featured, published, expires, configs, strong,"  # noqa: S608
        " strong || passages AS document FROM ("
        " SELECT v.id, v.featured, v.published, v.expires, v.configs,"
        f" {vector('key', 'evidence')} AS strong, {vector('passages')} AS passages"
        " FROM unnest("
        + ", ".join(f"%s::{types.get(n, 'text')}[]" for n in names)
        + f") AS v ({', '.join(names)})) AS built"
    )
    return sql, [columns[n] for n in names]


def _insert(rows) -> None:
    """One INSERT … SELECT FROM unnest(…) for the batch (:func:`vectors_sql`)."""
    select, params = vectors_sql(_columns(rows))
    sql = (
        f"INSERT INTO {TABLE} (case_study_id, featured, published_at, rights_expire_on,"
        f" configs, strong, document) {select}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def sales_index_rebuild(*, batch: int = 2000) -> int:
    """Rebuild the whole sales index (after bulk loads); returns the count."""
    ids = list(
        CaseStudy.objects.filter(
            state=CaseStudyState.PUBLISHED, published_version__isnull=False
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        SalesSearchEntry.objects.all().delete()
        for start in range(0, len(ids), batch):
            sales_index_refresh(ids[start : start + batch])
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
    return SalesSearchEntry.objects.count()
