#!/usr/bin/env python
"""Sales portal search latency at 100,000 published stories (PostgreSQL),
and the query plan showing the full-text search uses the GIN index.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_sales_bench \\
        .venv/bin/python bench/sales_search.py

The database is dropped, migrated and seeded (``seed_demo`` then
``seed_demo --case-studies N`` with bulk inserts; the scale stories then get
objections and competitors in bulk). ``BENCH_REUSE=1`` keeps a database
already seeded with at least N stories (seeding 100k takes minutes);
``BENCH_SEARCH_ONLY=1`` stops after the
search-alone figures.

Each URL is requested by a signed-in sales rep through Django's test client
in this process (no network): "cold" clears the cache first (the search's
ranked matches are computed again), "warm" reuses them as the next rep
searching the same words would. p50 / p95 over RUNS requests each.

Then the search alone (issue 16 row S4, issue 18): for each of QUERIES, the
first page of the sales search (``distribution.sales.search.top_ids``: the
words' stems, one top-N query over the GIN indexes, the match count) with
no cache, p50 / p95 over RUNS calls, and the EXPLAIN ANALYZE of one.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import prepare_database  # noqa: E402

N = int(os.environ.get("BENCH_CASE_STUDIES", "100000"))
RUNS = int(os.environ.get("RUNS", "20"))
URLS = [
    "/sales/",
    "/sales/?page=200",
    "/sales/?q=too+expensive",
    "/sales/?q=implementation+takes+too+long",
    "/sales/?q=forecast",
    "/sales/?q=inventory+accuracy&industry=retail",
    "/sales/?objection=too-expensive",
    "/sales/?competitor=legacysoft&company_size=mid-market",
    "/sales/?industry=retail&company_size=mid-market&objection=implementation-takes-too-long",
    "/sales/?q=zzzznothing",
    "/sales/objections/",
    "/api/stories/?q=forecast",
    "/api/stories/?industry=retail",
]


# Sales search queries: an objection, a competitor, both, a result (metric
# label), a customer's words, a broad word, Indonesian, nothing.
QUERIES = [
    "too expensive",
    "LegacySoft",
    "too expensive LegacySoft",
    "implementation takes too long",
    "forecast accuracy",
    "inventory",
    "we closed the books in half the time",
    "penjualan",
    "zzzznothing",
]
GOAL_P95_MS = 100


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    if not os.environ.get("BENCH_DATABASE_URL"):
        sys.exit("Set BENCH_DATABASE_URL to a PostgreSQL database (it is dropped and recreated).")
    reuse = os.environ.get("BENCH_REUSE") == "1"
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"] if reuse else prepare_database()
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("API_ANON_RATE", "100000/minute")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings

    from casestudies.models import CaseStudy, Competitor, Objection
    from core.roles import SALES
    from distribution.models import SalesSearchEntry, StorySearchEntry
    from distribution.publication import search
    from distribution.sales import search as sales_search

    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("migrate", verbosity=0)
    have = CaseStudy.objects.published().count()
    if not reuse or have < N:
        started = time.perf_counter()
        call_command("seed_demo", stdout=devnull)
        call_command("seed_demo", case_studies=N, stdout=devnull)
        print(f"seed_demo + --case-studies {N}: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    linked = _taxonomy_links(CaseStudy, Objection, Competitor)
    print(f"objections/competitors linked in bulk: {time.perf_counter() - started:.1f} s")
    usable = CaseStudy.objects.filter(state="published", published_version__isnull=False)
    stale = linked or SalesSearchEntry.objects.count() != usable.count()
    if stale or os.environ.get("BENCH_REINDEX"):
        started = time.perf_counter()
        call_command("reindex_sales_search", stdout=devnull)
        print(f"reindex_sales_search: {time.perf_counter() - started:.0f} s")
    print(
        f"published stories: {CaseStudy.objects.published().count()}, "
        f"search entries: {StorySearchEntry.objects.count()}, "
        f"sales search entries: {SalesSearchEntry.objects.count()}"
    )
    _search_only(sales_search, connection)
    if os.environ.get("BENCH_SEARCH_ONLY") == "1":
        return

    rep, _ = User.objects.get_or_create(username="bench-rep", defaults={"is_staff": True})
    rep.groups.add(Group.objects.get(name=SALES))
    client = Client()
    client.force_login(rep)

    print(f"\n{'url':88} {'p50 cold':>9} {'p95 cold':>9} {'p50 warm':>9} {'p95 warm':>9} {'q':>3}")
    with override_settings(DEBUG=True):
        for url in URLS:
            client.get(url)
            cold, warm, queries = [], [], 0
            for _ in range(RUNS):
                cache.clear()
                reset_queries()
                started = time.perf_counter()
                response = client.get(url)
                cold.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                queries = len(connection.queries)
                started = time.perf_counter()
                client.get(url)
                warm.append((time.perf_counter() - started) * 1000)
            print(
                f"{url:88} {statistics.median(cold):9.1f} {percentile(cold, 95):9.1f}"
                f" {statistics.median(warm):9.1f} {percentile(warm, 95):9.1f} {queries:3d}"
            )

    print("\nEXPLAIN ANALYZE of the full-text match ('too expensive'):")
    plan = (
        StorySearchEntry.objects.filter(document=search.search_query("too expensive"))
        .values("case_study_id")
        .explain(analyze=True)
    )
    print(plan)
    uses_gin = "distribution_search_document_gin" in plan
    print(f"\nGIN index used: {'yes' if uses_gin else 'NO'}")


def _search_only(sales_search, connection) -> None:
    """The sales search's first page per query, no cache: p50 / p95 ms."""
    print(f"\nSales search alone (first page of 20 and the count), {RUNS} cold calls each:")
    print(f"{'query':40} {'p50':>7} {'p95':>7} {'matches':>8}")
    worst = 0.0
    for query in QUERIES:
        sales_search.top_ids(query, offset=0, limit=20)  # plan once
        times, total = [], 0
        for _ in range(RUNS):
            started = time.perf_counter()
            _ids, total = sales_search.top_ids(query, offset=0, limit=20)
            times.append((time.perf_counter() - started) * 1000)
        p95 = percentile(times, 95)
        worst = max(worst, p95)
        print(f"{query:40} {statistics.median(times):7.1f} {p95:7.1f} {total:8d}")
    verdict = "meets" if worst <= GOAL_P95_MS else "MISSES"
    print(f"worst p95: {worst:.1f} ms ({verdict} the {GOAL_P95_MS} ms goal)")
    from django.db import transaction

    today = datetime.date.today()
    for query in ("too expensive LegacySoft", "forecast accuracy"):
        terms = sales_search.query_terms(query)
        column, tsquery = sales_search.tiers(terms)[0]
        for window in (True, False):
            sql = sales_search.tier_sql(column, "", window=window)
            params = [today, tsquery, 20] if window else [tsquery, today, 20]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN ANALYZE " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            how = f"the first {sales_search.WINDOW} stories" if window else "the GIN index"
            print(f"\nEXPLAIN ANALYZE, tier {column} @@ {tsquery} ('{query}'), {how}:")
            print(plan)


def _taxonomy_links(CaseStudy, Objection, Competitor) -> bool:
    """Give the bulk "scale-" stories objections (one or two each) and a
    competitor (40 %), deterministically, if they have none yet (then the
    sales index must be rebuilt: bulk inserts send no signals)."""
    from django.db import connection

    objections = list(Objection.objects.order_by("pk").values_list("pk", flat=True))
    competitors = list(Competitor.objects.order_by("pk").values_list("pk", flat=True))
    ObjectionLink = CaseStudy.objections.through
    CompetitorLink = CaseStudy.competitors.through
    scale = CaseStudy.objects.filter(slug__startswith="scale-")
    if ObjectionLink.objects.filter(casestudy__slug__startswith="scale-").exists():
        return False
    ids = list(scale.values_list("pk", flat=True))
    ObjectionLink.objects.bulk_create(
        [
            ObjectionLink(casestudy_id=pk, objection_id=objections[(pk + k) % len(objections)])
            for pk in ids
            for k in range(1 + pk % 2)
        ],
        batch_size=5000,
    )
    CompetitorLink.objects.bulk_create(
        [
            CompetitorLink(casestudy_id=pk, competitor_id=competitors[pk % len(competitors)])
            for pk in ids
            if pk % 5 < 2
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ObjectionLink._meta.db_table}, {CompetitorLink._meta.db_table}")
    return True


if __name__ == "__main__":
    main()
