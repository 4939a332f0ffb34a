"""The gallery's facet counts as derived data (PostgreSQL).

``distribution_facet_cell`` (migration 0011) holds one row per distinct
combination of what a public story is filtered by — industry, company size,
region, its use cases and products (sorted arrays) and the day its usage
rights expire — with the number of public stories in it. Counting the
choices of every facet given the other active filters is then a sum over a
few hundred cells, whatever the number of matching stories (issue 16, S5).

Freshness: every change that can move a story in or out of a cell
(publish, withdraw, archive, rights and channel changes, the customer's
taxonomy, use cases and products: :mod:`distribution.signals`, and
``rebuild_search_index`` after bulk loads) advances a sequence, at once and
again after the transaction commits, like the page-cache generation. The
reader's one statement recounts the cells first when they were built for
an older value (of two readers racing, the one that claims the state row
recounts), so the page counts exactly what ``published_case_studies()``
returns.

The cells are built from ``published_case_studies()`` and keep the expiry
day: a reader leaves out the cells whose rights have expired by its own
day, so a story still leaves the counts by itself at midnight, as it leaves
the gallery.

SQLite has no arrays: there the gallery counts the stories directly
(``GalleryFilter._count_facets``).
"""

from django.db import connection, transaction
from django.utils import timezone

from casestudies import selectors
from casestudies.models import CaseStudy, Industry, Product, Region, UseCase

SEQUENCE = "distribution_facet_version"
FACETS = ["industry", "company_size", "use_case", "region", "product"]


def enabled() -> bool:
    return connection.vendor == "postgresql"


def _advance() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [SEQUENCE])


def mark_changed() -> None:
    """The cells are out of date: now (for this transaction's own reads) and
    once it commits (for everyone else's)."""
    if not enabled():
        return
    _advance()
    transaction.on_commit(_advance, robust=True)


def after_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` (also sent after ``flush``, which empties the stories
    but not these tables): recount on the next read."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [SEQUENCE])
        if cursor.fetchone()[0] is not None:
            cursor.execute("SELECT nextval(%s)", [SEQUENCE])


def _cells_sql() -> tuple[str, list]:
    """The statement's CTEs: ``st`` (the built and current versions), the
    recount when stale (compare-and-set on the state row, so of two readers
    racing only one recounts), and ``cells``: the recounted rows, or the
    stored ones when they were fresh."""
    base = (
        selectors.published_case_studies()
        .order_by()
        .values(
            "pk",
            "customer__industry_id",
            "customer__company_size",
            "customer__region_id",
            "rights_expire_on",
        )
    )
    base_sql, params = base.query.sql_with_params()
    use_cases = CaseStudy.use_cases.through._meta.db_table
    products = CaseStudy.products.through._meta.db_table
    columns = "industry_id, company_size, region_id, use_case_ids, product_ids, rights_expire_on"
    sql = (
        f"WITH st AS (SELECT built, (SELECT last_value FROM {SEQUENCE}) AS version"  # noqa: S608
        "  FROM distribution_facet_state WHERE id = 1),"
        " claimed AS (UPDATE distribution_facet_state s SET built = st.version FROM st"
        "  WHERE s.id = 1 AND st.built <> st.version AND s.built = st.built RETURNING s.id),"
        " dropped AS (DELETE FROM distribution_facet_cell WHERE EXISTS (SELECT 1 FROM claimed)),"
        f" counted AS (INSERT INTO distribution_facet_cell ({columns}, stories)"
        f"  SELECT {columns}, COUNT(*) FROM ("
        "   SELECT b.industry_id, b.company_size, b.region_id, b.rights_expire_on,"
        f"   COALESCE((SELECT array_agg(t.usecase_id ORDER BY t.usecase_id) FROM {use_cases} t"
        "     WHERE t.casestudy_id = b.id), '{}') AS use_case_ids,"
        f"   COALESCE((SELECT array_agg(t.product_id ORDER BY t.product_id) FROM {products} t"
        "     WHERE t.casestudy_id = b.id), '{}') AS product_ids"
        f"   FROM ({base_sql}) AS b (id, industry_id, company_size, region_id,"
        "    rights_expire_on)"
        "   WHERE EXISTS (SELECT 1 FROM claimed)"
        f"  ) s GROUP BY {columns}"
        f"  RETURNING {columns}, stories),"
        f" cells AS (SELECT {columns}, stories FROM counted"
        f"  UNION ALL SELECT {columns}, stories FROM distribution_facet_cell"
        "  WHERE NOT EXISTS (SELECT 1 FROM claimed))"
    )
    return sql, list(params)


def counts(selected: dict[str, object]) -> dict[str, list[tuple]]:
    """For each facet, ``(slug, name, count)`` of every choice with public
    stories given the OTHER selected values (``{facet: pk or value}``); the
    company size has no name (None). One statement, which first recounts
    the cells if a change made them stale."""
    today = timezone.localdate()
    conditions: dict[str, tuple[str, object]] = {}
    for name, value in selected.items():
        if name in ("use_case", "product"):
            conditions[name] = (f"%s = ANY(c.{name}_ids)", value)
        else:
            column = {"industry": "industry_id", "region": "region_id"}.get(name, name)
            conditions[name] = (f"c.{column} = %s", value)
    tables = {
        "industry": Industry._meta.db_table,
        "region": Region._meta.db_table,
        "use_case": UseCase._meta.db_table,
        "product": Product._meta.db_table,
    }
    cells_sql, params = _cells_sql()
    arms = []
    for name in FACETS:
        where = ["(c.rights_expire_on IS NULL OR c.rights_expire_on > %s)"]
        params.append(today)
        for other, (condition, value) in conditions.items():
            if other != name:
                where.append(condition)
                params.append(value)
        if name == "company_size":
            source, slug, label = "cells c", "c.company_size", "NULL"
            where.append("c.company_size <> ''")
        elif name in ("use_case", "product"):
            source = (
                f"cells c CROSS JOIN LATERAL unnest(c.{name}_ids) AS u (id)"
                f" JOIN {tables[name]} x ON x.id = u.id"
            )
            slug, label = "x.slug", "x.name"
            where.append("NOT x.archived")
        else:
            source = f"cells c JOIN {tables[name]} x ON x.id = c.{name}_id"
            slug, label = "x.slug", "x.name"
            where.append("NOT x.archived")
        group = slug if label == "NULL" else f"{slug}, {label}"
        arms.append(
            f"SELECT '{name}', {slug}, {label}, SUM(c.stories) FROM {source}"  # noqa: S608
            f" WHERE {' AND '.join(where)} GROUP BY {group}"
        )
    found: dict[str, list[tuple]] = {name: [] for name in FACETS}
    with connection.cursor() as cursor:
        cursor.execute(f"{cells_sql} {' UNION ALL '.join(arms)}", params)
        for name, slug, label, n in cursor.fetchall():
            found[name].append((slug, label, int(n)))
    return found
