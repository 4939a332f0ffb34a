#!/usr/bin/env python
"""Impact capture benchmark: the beacon's throughput and what capture adds to
a story page.

    .venv/bin/python bench/analytics_capture.py                 # SQLite in a temp dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/analytics_capture.py             # PostgreSQL + Redis

In-process (Django's test client, one thread, no network), so the figures are
the application's own cost:

1. beacon: POST /a/e of view and engagement payloads (every request from a new
   address, so the rate limit never answers instead), requests per second and
   median / p95 latency, and the pure validation (parse) rate;
2. story page: median time of a story page with capture on and off, served
   from the page cache (anonymous visitor) and rendered (session cookie);
   requests alternate on/off so drift affects both equally;
3. the bytes the page gains (script tag, impact.js raw and gzipped).
"""

import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import prepare_database  # noqa: E402

BEACONS = int(os.environ.get("BENCH_BEACONS", "3000"))
PAGES = int(os.environ.get("BENCH_PAGES", "300"))


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def main() -> None:
    os.environ["DATABASE_URL"] = prepare_database()
    if os.environ.get("BENCH_REDIS_URL"):
        os.environ["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from analytics.beacon import parse
    from analytics.models import Event
    from casestudies.models import CaseStudy

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    cache.clear()
    story = CaseStudy.objects.published().order_by("pk").first()
    url = story.get_absolute_url()
    agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"
    client = Client(HTTP_USER_AGENT=agent)

    # 1. Beacon throughput -------------------------------------------------
    payloads = [
        json.dumps(
            {"k": "view", "s": story.slug, "r": "https://www.google.com/", "u": {"source": "x"}}
        ),
        json.dumps({"k": "engagement", "s": story.slug, "t": 42, "c": True}),
    ]
    before = Event.objects.count()
    for i in range(50):  # warm up
        client.generic(
            "POST",
            "/a/e",
            payloads[i % 2],
            content_type="text/plain",
            REMOTE_ADDR=f"10.9.{i // 250}.{i % 250}",
        )
    latencies = []
    started = time.perf_counter()
    for i in range(BEACONS):
        t0 = time.perf_counter()
        response = client.generic(
            "POST",
            "/a/e",
            payloads[i % 2],
            content_type="text/plain",
            REMOTE_ADDR=f"10.{i // 62500}.{(i // 250) % 250}.{i % 250}",
        )
        latencies.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 204, response.content
    elapsed = time.perf_counter() - started
    stored = Event.objects.count() - before - 50
    assert stored == BEACONS, (stored, BEACONS)
    median, p95 = _ms(latencies)
    t0 = time.perf_counter()
    for i in range(20000):
        parse(payloads[i % 2].encode())
    parse_rate = 20000 / (time.perf_counter() - t0)

    # 2. Story page with capture on and off --------------------------------
    def capture(on: bool):
        analytics = {**settings.STORYLINE["ANALYTICS"], "CAPTURE": on}
        return override_settings(STORYLINE={**settings.STORYLINE, "ANALYTICS": analytics})

    def page_times(session: bool) -> dict[bool, list[float]]:
        """Rendered pages (session cookie): requests alternate on / off. Cached
        pages: blocks on / off / on / off, each from an emptied cache warmed
        by a few requests (the cached copy holds the script tag or not)."""
        times = {True: [], False: []}
        clients = {on: Client(HTTP_USER_AGENT=agent) for on in (True, False)}
        if session:
            for c in clients.values():
                c.cookies["sessionid"] = "bench"  # skips the page cache: a real render
            order = [i % 2 == 0 for i in range(PAGES * 2)]
        else:
            order = [on for on in (True, False, True, False) for _ in range(PAGES // 2)]
        previous = None
        for on in order:
            with capture(on):
                if not session and on != previous:
                    cache.clear()
                    for _ in range(10):
                        clients[on].get(url)
                previous = on
                t0 = time.perf_counter()
                response = clients[on].get(url)
                times[on].append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
        return times

    cached = page_times(session=False)
    rendered = page_times(session=True)
    with capture(True):
        html_on = Client(HTTP_USER_AGENT=agent).get(url, HTTP_COOKIE="sessionid=x").content
    with capture(False):
        html_off = Client(HTTP_USER_AGENT=agent).get(url, HTTP_COOKIE="sessionid=x").content
    script = (ROOT / "static/js/impact.js").read_bytes()

    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
    )
    print(
        f"beacon: {BEACONS} events in {elapsed:.2f} s = {BEACONS / elapsed:,.0f} req/s "
        f"(one thread), median {median:.2f} ms, p95 {p95:.2f} ms"
    )
    print(f"beacon payload validation alone: {parse_rate:,.0f} payloads/s")
    for label, times in (("cached (anonymous)", cached), ("rendered (session)", rendered)):
        on, off = statistics.median(times[True]), statistics.median(times[False])
        print(
            f"story page {label}: capture on {on:.2f} ms, off {off:.2f} ms, "
            f"added {on - off:+.2f} ms"
        )
    print(
        f"page bytes added: {len(html_on) - len(html_off)} B of HTML; impact.js "
        f"{len(script)} B ({len(gzip.compress(script))} B gzipped), deferred, sent with "
        f"sendBeacon after load"
    )


if __name__ == "__main__":
    main()
