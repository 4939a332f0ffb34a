"""``seed_demo --case-studies N`` on PostgreSQL: N published stories with
``COPY``, and their search entries made without parsing each story's text.

The rows are the ones the ORM path (``Command._bulk_orm``) writes — every
column not given here takes the value the ORM would insert (defaults,
timestamps), read from one model instance per table.

Every bulk story is one of ``len(pool)`` template stories with its customer's
name, "Scale Customer <number>", filled in; its customer's industry, region
and size come from the same counter. So the stories fall into a few classes
(template, industry, region, size) whose texts differ only by that number.
For each class the gallery and sales entries are built by the services' own
code (``search.search_entry``, ``sales.index.texts`` and ``vectors_sql``) for one
real story of the class named with a placeholder number, and each story's
entry is that one with the number put back — in the text and in the
tsvector's lexemes (a number is a token of its own that no dictionary
changes: every digit string is indexed as written, at the same positions).
One parse per class instead of one per story; ``tests/demo`` compares the
result with the entries the services make.
"""

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, models

from casestudies.models import (
    SECTION_FIELDS,
    CaseStudy,
    CaseStudyState,
    Customer,
    InternalSignOff,
    Metric,
    StateChange,
    StoryVersion,
    internal_review_areas,
)
from distribution.models import SalesSearchEntry, StorySearchEntry
from distribution.publication import search
from distribution.sales import index as sales

S = CaseStudyState
NAME = "Scale Customer {}"
# Two digit strings found in no template: a class's entry is built with the
# first and checked against the second (the number appears only in the name).
PLACEHOLDER, CHECK = "907150321", "806249217"


@dataclass
class Story:
    number: int
    key: int  # its class
    case_study: int
    version: int


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _ids(cursor, model, n: int) -> list[int]:
    """``n`` primary keys drawn from the table's own sequence."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, n],
    )
    return [row[0] for row in cursor.fetchall()]


def _prepared(obj: models.Model, columns: Sequence[str]) -> tuple:
    """The values the ORM would insert for ``obj``'s ``columns``."""
    fields = {f.column: f for f in obj._meta.local_concrete_fields}
    return tuple(
        fields[c].get_db_prep_save(fields[c].pre_save(obj, True), connection) for c in columns
    )


def _copy(cursor, base: models.Model, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY ``rows`` (values of ``columns``) into ``base``'s table; every other
    column (the primary key excepted, unless given) as the ORM would insert
    ``base``."""
    meta = base._meta
    fixed = [
        f.column
        for f in meta.local_concrete_fields
        if f.column not in columns and not f.primary_key
    ]
    constant = _prepared(base, fixed)
    names = ", ".join(_qn(c) for c in [*columns, *fixed])
    with cursor.cursor.copy(f"COPY {_qn(meta.db_table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *constant))


def add_published_stories(
    n: int, *, start: int, pool, taxonomy, users: dict, now: datetime
) -> list[int]:
    """``n`` published stories numbered from ``start``; returns their ids."""
    industries = list(taxonomy.industries.values())
    regions = list(taxonomy.regions.values())
    sizes = ["enterprise", "mid-market", "smb"]
    areas = internal_review_areas()

    def key(i: int) -> tuple:
        return (i % len(pool), i % len(industries), i % len(regions), i % len(sizes))

    keys: dict[tuple, int] = {}
    with connection.cursor() as cursor:
        customer_ids = _ids(cursor, Customer, n)
        study_ids = _ids(cursor, CaseStudy, n)
        version_ids = _ids(cursor, StoryVersion, n)
        stories = [
            Story(start + i, keys.setdefault(key(i), len(keys)), study_ids[i], version_ids[i])
            for i in range(n)
        ]
        _copy(
            cursor,
            Customer(name="", slug="", company_size="smb", account_owner=users["sam"]),
            ["id", "name", "slug", "industry_id", "company_size", "region_id"],
            (
                (
                    customer_ids[i],
                    NAME.format(start + i),
                    f"scale-customer-{start + i}",
                    industries[i % len(industries)].pk,
                    sizes[i % len(sizes)],
                    regions[i % len(regions)].pk,
                )
                for i in range(n)
            ),
        )
        titles = [
            pool[i % len(pool)].title.replace("{customer}", NAME.format(start + i))
            for i in range(n)
        ]
        _copy(
            cursor,
            CaseStudy(
                title="", slug="", owner=users["maya"], state=S.PUBLISHED, state_changed_at=now
            ),
            [
                "id",
                "customer_id",
                "title",
                "slug",
                "published_at",
                "approved_version_id",
                "published_version_id",
            ],
            (
                (
                    s.case_study,
                    customer_ids[i],
                    titles[i],
                    f"scale-{s.number}",
                    # Spread over time so "newest first" has an order.
                    now - timedelta(minutes=s.number % 100_000),
                    s.version,
                    s.version,
                )
                for i, s in enumerate(stories)
            ),
        )

        def versions():
            for i, s in enumerate(stories):
                name = NAME.format(s.number)
                story = pool[i % len(pool)]
                sections = {
                    f: getattr(story, f).replace("{customer}", name) for f in SECTION_FIELDS
                }
                digest = StoryVersion.compute_hash(
                    language="en", title=titles[i], sections=sections
                )
                yield (s.version, s.case_study, titles[i], *sections.values(), digest)

        _copy(
            cursor,
            StoryVersion(number=1, language="en", created_by_name="seed_demo"),
            ["id", "case_study_id", "title", *SECTION_FIELDS, "content_hash"],
            versions(),
        )
        # The internal sign-offs each published story needed on its way.
        _copy(
            cursor,
            InternalSignOff(
                decision=InternalSignOff.Decision.APPROVED,
                reviewer_name="seed_demo",
                decided_at=now,
            ),
            ["version_id", "area"],
            ((s.version, area) for s in stories for area in areas),
        )
        metric_columns = [
            "kind",
            "label",
            "before",
            "after",
            "unit",
            "period",
            "higher_is_better",
            "source",
            "position",
        ]
        metrics = [
            [
                _prepared(demo_metric(None, m, position), metric_columns)
                for position, m in enumerate(story.metrics[:2])
            ]
            for story in pool
        ]
        _copy(
            cursor,
            Metric(label="", kind="other"),
            ["case_study_id", *metric_columns],
            (
                (s.case_study, *values)
                for i, s in enumerate(stories)
                for values in metrics[i % len(pool)]
            ),
        )
        Link = CaseStudy.use_cases.through
        use_cases = taxonomy.use_cases
        _copy(
            cursor,
            Link(),
            ["casestudy_id", "usecase_id"],
            ((s.case_study, use_cases[i % 6].pk) for i, s in enumerate(stories)),
        )
        _copy(
            cursor,
            StateChange(
                from_state=S.DRAFTING,
                to_state=S.PUBLISHED,
                actor_name="seed_demo",
                reason="Bulk scale data",
                notified_at=now,
            ),
            ["case_study_id", "version_id"],
            ((s.case_study, s.version) for s in stories),
        )
        with _gin_built_after(cursor, [StorySearchEntry, SalesSearchEntry], n):
            _index(cursor, stories, pool)
    return study_ids


@contextmanager
def _gin_built_after(cursor, tables, n: int):
    """Drop the tables' GIN indexes and create them again after the block,
    when the block adds at least as many rows as the tables hold: building a
    GIN index from all its rows costs about half of adding the same rows one
    by one to it. Inside the caller's transaction, so nobody sees the tables
    without them."""
    names = [m._meta.db_table for m in tables]
    cursor.execute(
        "SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE relname = ANY(%s)", [names]
    )
    held = cursor.fetchone()[0] or 0
    definitions = []
    if n >= held:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = current_schema() AND tablename = ANY(%s)"
            " AND indexdef LIKE '%% USING gin %%' ORDER BY indexname",
            [names],
        )
        definitions = cursor.fetchall()
        for name, _definition in definitions:
            cursor.execute(f"DROP INDEX {_qn(name)}")
    yield
    if definitions:
        # CREATE INDEX refuses a table with deferred foreign key checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for _name, definition in definitions:
        cursor.execute(definition)


def demo_metric(cs: CaseStudy | None, m, position: int) -> Metric:
    """The metric row of a demo story's metric ``m`` (a ``DemoMetric``)."""
    return Metric(
        case_study=cs,
        kind=m.kind,
        label=m.label,
        before=m.before,
        after=m.after,
        unit=m.unit,
        period=m.period,
        higher_is_better=m.higher_is_better,
        source="Customer reporting, verified in interview",
        position=position,
    )


# ---------------------------------------------------------------- search


def _as(cs: CaseStudy, template, number: str):
    """``cs`` and its version as they would be with customer ``number``."""
    name = NAME.format(number)
    cs.customer.name = name
    version = StoryVersion(
        case_study_id=cs.pk,
        number=1,
        language="en",
        title=template.title.replace("{customer}", name),
        **{f: getattr(template, f).replace("{customer}", name) for f in SECTION_FIELDS},
    )
    return cs, version


def _gallery(cs: CaseStudy, template, number: str) -> tuple:
    cs, version = _as(cs, template, number)
    e = search.search_entry(cs, version)
    return (e.language, e.config, e.title, e.facts, e.summary, e.body)


def _sales(cs: CaseStudy, template, number: str) -> dict:
    cs, version = _as(cs, template, number)
    return sales._columns([(cs, sales.texts(cs, {version.language: version}))])


def _checked(build, cs, template):
    """``build``'s result with the placeholder, after checking that the
    placeholder appears only where the customer's number does."""
    value = build(cs, template, PLACEHOLDER)
    other = build(cs, template, CHECK)
    if json.dumps(value, default=str).replace(PLACEHOLDER, CHECK) != json.dumps(other, default=str):
        raise RuntimeError("A bulk story's text depends on its number beyond the customer's name.")
    return value


def _index(cursor, stories: list[Story], pool) -> None:
    """The gallery and sales entries of ``stories``: two INSERT … SELECT."""
    # Each class's template: the pool entry of its first story (index in the batch).
    position = {s.case_study: i for i, s in enumerate(stories)}
    first: dict[int, Story] = {}
    for s in stories:
        first.setdefault(s.key, s)
    loaded = {cs.pk: cs for cs in sales.indexed_stories([s.case_study for s in first.values()])}
    keys, gallery, sales_columns = [], [], []
    for k, s in first.items():
        template = pool[position[s.case_study] % len(pool)]
        keys.append(k)
        gallery.append(_checked(_gallery, loaded[s.case_study], template))
        sales_columns.append(_checked(_sales, loaded[s.case_study], template))

    # The gallery's document (what matches) and head (what ranks), by the
    # services' own expressions (search.document_vector, search.head_vector)
    # read over the classes' texts.
    table = StorySearchEntry._meta.db_table
    query = StorySearchEntry.objects.all().query
    compiler = query.get_compiler(connection=connection)
    document, params = compiler.compile(search.document_vector().resolve_expression(query))
    head, head_params = compiler.compile(search.head_vector().resolve_expression(query))
    columns = ["language", "config", "title", "facts", "summary", "body"]
    cursor.execute(
        f"SELECT k, ({document})::text, ({head})::text FROM unnest(%s::int[], "  # noqa: S608
        + ", ".join("%s::text[]" for _ in columns)
        + f") AS {_qn(table)} (k, {', '.join(columns)})",
        [*params, *head_params, keys, *([g[i] for g in gallery] for i in range(len(columns)))],
    )
    vectors = {k: (d, h) for k, d, h in cursor.fetchall()}
    members = [
        [s.case_study for s in stories],
        [s.version for s in stories],
        [str(s.number) for s in stories],
        [s.key for s in stories],
    ]
    cursor.execute(
        f"INSERT INTO {_qn(table)} (case_study_id, version_id, language, config,"  # noqa: S608
        " title, facts, summary, body, document, head)"
        " SELECT m.cs, m.v, t.language, t.config, replace(t.title, %(p)s, m.num),"
        " replace(t.facts, %(p)s, m.num), replace(t.summary, %(p)s, m.num),"
        " replace(t.body, %(p)s, m.num), replace(t.document, %(p)s, m.num)::tsvector,"
        " replace(t.head, %(p)s, m.num)::tsvector"
        " FROM unnest(%(cs)s::bigint[], %(v)s::bigint[], %(num)s::text[], %(k)s::int[])"
        " AS m (cs, v, num, k)"
        " JOIN unnest(%(keys)s::int[], %(language)s::text[], %(config)s::text[],"
        " %(title)s::text[], %(facts)s::text[], %(summary)s::text[], %(body)s::text[],"
        " %(document)s::text[], %(head)s::text[])"
        " AS t (k, language, config, title, facts, summary, body, document, head)"
        " ON t.k = m.k",
        {
            "p": PLACEHOLDER,
            "cs": members[0],
            "v": members[1],
            "num": members[2],
            "k": members[3],
            "keys": keys,
            **{c: [g[i] for g in gallery] for i, c in enumerate(columns)},
            "document": [vectors[k][0] for k in keys],
            "head": [vectors[k][1] for k in keys],
        },
    )

    # The sales entries: the services' vectors (sales.vectors_sql) per class.
    merged: dict[str, list] = {name: [] for name in sales_columns[0]}
    for one in sales_columns:
        for name, values in one.items():
            merged[name].extend(values)
    select, params = sales.vectors_sql(merged)
    sql = f"SELECT id, configs, strong::text, document::text FROM ({select}) AS s"  # noqa: S608
    cursor.execute(sql, params)
    vectors = {row[0]: row[1:] for row in cursor.fetchall()}
    by_key = [vectors[first[k].case_study] for k in keys]
    cursor.execute(
        f"INSERT INTO {_qn(SalesSearchEntry._meta.db_table)} (case_study_id, featured,"  # noqa: S608
        " published_at, rights_expire_on, configs, strong, document)"
        " SELECT c.id, c.featured, c.published_at, c.rights_expire_on, t.configs,"
        " replace(t.strong, %(p)s, m.num)::tsvector, replace(t.document, %(p)s, m.num)::tsvector"
        " FROM unnest(%(cs)s::bigint[], %(num)s::text[], %(k)s::int[]) AS m (cs, num, k)"
        f" JOIN {_qn(CaseStudy._meta.db_table)} c ON c.id = m.cs"
        " JOIN unnest(%(keys)s::int[], %(configs)s::text[], %(strong)s::text[],"
        " %(document)s::text[]) AS t (k, configs, strong, document) ON t.k = m.k",
        {
            "p": PLACEHOLDER,
            "cs": members[0],
            "num": members[2],
            "k": members[3],
            "keys": keys,
            "configs": [v[0] for v in by_key],
            "strong": [v[1] for v in by_key],
            "document": [v[2] for v in by_key],
        },
    )
