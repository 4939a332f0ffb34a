#!/usr/bin/env python
"""In-process gallery timings at 10k stories: each URL rendered by the Django
test client with a session cookie (so the page cache is skipped), median of
several runs, with its query count and the time spent in SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_c \\
    REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/gallery_timings.py [--dump DIR]

--dump DIR writes each page's HTML there (to compare results before/after).

"cold": the whole cache cleared before each request (nothing derived is
reused). "warm": only the page copies are gone (a new generation is not
involved: the same request again with a session cookie, so derived data such
as the facet counts cached for this generation is reused).
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

URLS = [
    "/case-studies/",
    "/case-studies/?page=2",
    "/case-studies/?page=150",
    "/case-studies/?industry=healthcare",
    "/case-studies/?industry=healthcare&use_case=finance-automation",
    "/case-studies/?company_size=enterprise&region=europe&product=analytics",
    "/case-studies/?q=forecast",
    "/case-studies/?q=forecast&page=40",
    "/case-studies/?q=forecast&sort=newest",
    "/case-studies/?q=forecast&industry=healthcare",
    "/case-studies/?q=inventory+accuracy",
    "/case-studies/?q=cloud+-banks",
    "/case-studies/?q=zzzznothing",
]
RUNS = int(os.environ.get("RUNS", "5"))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings

    dump = Path(sys.argv[sys.argv.index("--dump") + 1]) if "--dump" in sys.argv else None
    if dump:
        dump.mkdir(parents=True, exist_ok=True)
    client = Client()
    client.cookies["sessionid"] = "bench"  # skip the server-side page copy
    print(f"{'url':72} {'cold ms':>8} {'warm ms':>8} {'sql ms':>7} {'queries':>7} {'hits':>6}")
    with override_settings(DEBUG=True):
        for url in URLS:
            client.get(url)  # warm up connections and templates
            cold, warm, sql, n, hits = [], [], 0.0, 0, ""
            for _ in range(RUNS):
                cache.clear()
                reset_queries()
                started = time.perf_counter()
                response = client.get(url)
                cold.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                n = len(connection.queries)
                sql = sum(float(q["time"]) for q in connection.queries) * 1000
                started = time.perf_counter()
                client.get(url)
                warm.append((time.perf_counter() - started) * 1000)
            content = response.content.decode()
            match = re.search(r'class="result-count" role="status">\s*(\d+)', content)
            hits = match.group(1) if match else "?"
            if dump:
                name = re.sub(r"[^a-z0-9]+", "_", url.lower()).strip("_")
                (dump / f"{name}.html").write_text(content)
            print(
                f"{url:72} {statistics.median(cold):8.1f} {statistics.median(warm):8.1f}"
                f" {sql:7.1f} {n:7d} {hits[:20]:>6}"
            )


if __name__ == "__main__":
    main()
