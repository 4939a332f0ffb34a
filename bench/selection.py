#!/usr/bin/env python
"""Selection benchmark (issue 6): the coverage view at scale.

    .venv/bin/python bench/selection.py                       # SQLite in a temp dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_s6_bench \\
        .venv/bin/python bench/selection.py                   # PostgreSQL (db recreated)

Loads the demo program plus ``STORIES`` published stories (seed_demo
--case-studies), then adds customers up to ``CUSTOMERS`` in all, with
``CANDIDATES`` candidate stories (metrics, use cases, products, contacts),
and a portfolio target for every industry x size x region cell and every use
case, region and product. Then times (median of BENCH_RUNS, after a warm-up):
- ``selection.coverage()``: the matrix, the gap finder and the ranking of
  candidates per gap, with its query count,
- ``selection.recompute_scores()`` for every candidate,
- ``selection.stale_stories()`` (freshness),
- the coverage admin page as a program manager (render included).
"""

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import prepare_database  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
CUSTOMERS = int(os.environ.get("CUSTOMERS", "5000"))
STORIES = int(os.environ.get("STORIES", "2000"))
CANDIDATES = int(os.environ.get("CANDIDATES", "300"))


def _median_ms(fn, runs: int = RUNS) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up
    times = []
    queries = 0
    for _ in range(runs):
        reset_queries()  # the query log is capped at 9,000 entries
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(context)
    return statistics.median(times), queries


def _populate() -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from casestudies.models import (
        CaseStudy,
        CompanySize,
        Contact,
        Customer,
        Industry,
        Metric,
        PortfolioTarget,
        Product,
        Region,
        UseCase,
    )

    industries = list(Industry.objects.all())
    regions = list(Region.objects.all())
    use_cases = list(UseCase.objects.all())
    products = list(Product.objects.all())
    sizes = [s.value for s in CompanySize]
    owner = get_user_model().objects.filter(username="maya.demo").first()
    missing = max(CUSTOMERS - Customer.objects.count(), 0)
    with transaction.atomic():
        customers = Customer.objects.bulk_create(
            [
                Customer(
                    name=f"Bench Customer {i}",
                    slug=f"bench-customer-{i}",
                    industry=industries[i % len(industries)],
                    company_size=sizes[i % 3],
                    region=regions[(i // 3) % len(regions)],
                    nps_score=i % 11,
                    well_known_brand=i % 7 == 0,
                )
                for i in range(missing)
            ],
            batch_size=2000,
        )
        Contact.objects.bulk_create(
            [
                Contact(customer=c, name=f"Contact {c.pk}", email=f"c{c.pk}@bench.example")
                for c in customers[:CANDIDATES]
            ],
            batch_size=2000,
        )
        studies = CaseStudy.objects.bulk_create(
            [
                CaseStudy(
                    customer=c,
                    title=f"Candidate {c.pk}",
                    slug=f"bench-candidate-{c.pk}",
                    owner=owner,
                )
                for c in customers[:CANDIDATES]
            ],
            batch_size=2000,
        )
        Metric.objects.bulk_create(
            [
                Metric(
                    case_study=cs,
                    kind=["cost_saving", "revenue", "efficiency", "time_saved"][i % 4],
                    label="Result",
                    before=100,
                    after=100 + (i % 60),
                )
                for i, cs in enumerate(studies)
            ],
            batch_size=2000,
        )
        CaseStudy.use_cases.through.objects.bulk_create(
            [
                CaseStudy.use_cases.through(
                    casestudy_id=cs.pk, usecase_id=use_cases[i % len(use_cases)].pk
                )
                for i, cs in enumerate(studies)
            ]
        )
        Customer.products.through.objects.bulk_create(
            [
                Customer.products.through(
                    customer_id=cs.customer_id, product_id=products[i % len(products)].pk
                )
                for i, cs in enumerate(studies)
            ]
        )
        targets = [
            PortfolioTarget(industry=i, company_size=s, region=r, target=2, priority=1 + n % 3)
            for n, (i, s, r) in enumerate(
                (i, s, r) for i in industries for s in sizes for r in regions
            )
        ]
        targets += [PortfolioTarget(use_case=u, target=400) for u in use_cases]
        targets += [PortfolioTarget(region=r, target=500) for r in regions]
        targets += [PortfolioTarget(product=p, target=400) for p in products]
        PortfolioTarget.objects.bulk_create(targets)


def main() -> None:
    os.environ["DATABASE_URL"] = prepare_database()
    os.environ.pop("REDIS_URL", None)
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="storyline-bench-media-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from casestudies import selection
    from casestudies.models import CaseStudy, Customer, PortfolioTarget

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", case_studies=STORIES, verbosity=0, stdout=io.StringIO())
    _populate()
    print(
        f"data: {Customer.objects.count()} customers, "
        f"{CaseStudy.objects.filter(state__in=selection.COVERED_STATES).count()} "
        f"published/in-progress stories, "
        f"{CaseStudy.objects.filter(state__in=selection.CANDIDATE_STATES).count()} candidates, "
        f"{PortfolioTarget.objects.count()} targets "
        f"(prepared in {time.perf_counter() - started:.0f}s, "
        f"{os.environ['DATABASE_URL'].split(':')[0]})"
    )

    ms, queries = _median_ms(selection.recompute_scores)
    print(f"recompute every candidate's score: {ms:8.1f} ms  {queries:3d} queries")
    data = selection.coverage()
    print(f"  gaps: {len(data.gaps)}, first: {data.gaps[0].name if data.gaps else '-'}")
    ms, queries = _median_ms(selection.coverage)
    print(f"coverage (matrix + gaps + ranking): {ms:7.1f} ms  {queries:3d} queries")
    ms, queries = _median_ms(lambda: selection.coverage(with_candidates=False))
    print(f"coverage without ranking:          {ms:7.1f} ms  {queries:3d} queries")
    ms, queries = _median_ms(selection.stale_stories)
    print(f"freshness list:                    {ms:7.1f} ms  {queries:3d} queries")

    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="maya.demo"))
    url = reverse("admin:casestudies_coverage")

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    ms, queries = _median_ms(page)
    print(f"coverage admin page (GET):         {ms:7.1f} ms  {queries:3d} queries")


if __name__ == "__main__":
    main()
