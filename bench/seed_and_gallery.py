#!/usr/bin/env python
"""Foundation benchmark: demo seeding, bulk seeding and gallery speed at scale.

    .venv/bin/python bench/seed_and_gallery.py                 # SQLite in a temp dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_bench \\
        .venv/bin/python bench/seed_and_gallery.py             # PostgreSQL (db recreated)

Prints one line per figure. Requests go through Django's test client in this
process (no network), so the times are the application's own.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import prepare_database  # noqa: E402

N = int(os.environ.get("BENCH_CASE_STUDIES", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


def main() -> None:
    os.environ["DATABASE_URL"] = prepare_database()
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("migrate", verbosity=0)
    engine = connection.vendor

    started = time.perf_counter()
    call_command("seed_demo", stdout=devnull)
    print(
        f"{engine}: seed_demo (48 stories through the services): "
        f"{time.perf_counter() - started:.2f} s"
    )
    started = time.perf_counter()
    call_command("seed_demo", stdout=devnull)
    print(f"{engine}: seed_demo again (idempotent no-op): {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    call_command("seed_demo", case_studies=N, stdout=devnull)
    print(f"{engine}: seed_demo --case-studies {N}: {time.perf_counter() - started:.2f} s")

    # Two visitors: an anonymous one is answered from the page cache; one
    # with a session cookie skips it, so the page is rendered every time
    # (facet counts and search matches, cached per publication, are reused).
    cached_client = Client()
    rendered_client = Client()
    rendered_client.cookies["sessionid"] = "bench"
    urls = [
        "/case-studies/",
        "/case-studies/?industry=retail",
        "/case-studies/?industry=healthcare&company_size=enterprise&region=europe",
        "/case-studies/?use_case=sales-analytics&page=40",
        "/case-studies/?q=month-end",
        f"/case-studies/scale-{N // 2}/",
        "/healthz",
    ]
    for label, client in (("rendered", rendered_client), ("page cache", cached_client)):
        for url in urls:
            client.get(url)  # warm
            times = []
            for _ in range(REPEAT):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            print(
                f"{engine}: GET {url} ({label}): median {statistics.median(times):.1f} ms, "
                f"p95 {p95:.1f} ms, {len(ctx.captured_queries)} queries"
            )


if __name__ == "__main__":
    main()
