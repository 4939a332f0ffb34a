#!/usr/bin/env python
"""Gallery throughput, uncached and cached, each as a ratio to a bare Django
view returning the same bytes, all served by gunicorn on loopback in one run;
plus the gallery's and a story page's query counts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_c \\
    REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/gallery_throughput.py [--seed]

--seed runs ``seed_demo --case-studies 10000`` first. The load client is a
small concurrent Python client (threads, one connection per request, as
gunicorn's sync workers close them); "uncached" requests carry a session
cookie, which makes the page skip the server-side page cache (the facet counts
and a search's ranked matches, cached per generation, are still reused: that
is what a page-cache miss costs between two changes).
"""

import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "16"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))


def _env() -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.bench_settings",
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    return env


def _get(path: str, headers: dict) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def _load(path: str, headers: dict) -> float:
    """Requests per second over SECONDS with THREADS concurrent clients."""
    done, errors = [0] * THREADS, [0] * THREADS
    stop = time.monotonic() + SECONDS

    def worker(i: int) -> None:
        while time.monotonic() < stop:
            status, _body = _get(path, headers)
            if status == 200:
                done[i] += 1
            else:
                errors[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if sum(errors):
        print(f"  {path}: {sum(errors)} non-200 responses", file=sys.stderr)
    return sum(done) / (time.monotonic() - started)


def _query_counts() -> dict:
    os.environ.update(_env())
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from casestudies.models import CaseStudy

    client = Client()
    counts = {}
    story = CaseStudy.objects.published().order_by("-published_at").first()
    for label, url in [
        ("gallery", "/case-studies/"),
        (
            "gallery ?industry=&use_case=",
            "/case-studies/?industry=healthcare&use_case=finance-automation",
        ),
        ("gallery ?q=", "/case-studies/?q=inventory+accuracy"),
        ("gallery ?q=forecast&industry=", "/case-studies/?q=forecast&industry=healthcare"),
        ("story page", story.get_absolute_url()),
    ]:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        counts[label] = (response.status_code, len(ctx.captured_queries))
    return counts


def main() -> None:
    env = _env()
    if "--seed" in sys.argv:
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--case-studies", "10000"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    bare_file = Path(tempfile.mkdtemp()) / "gallery.html"
    env["BENCH_BARE_FILE"] = str(bare_file)
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                status, body = _get("/case-studies/", {})
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200, status
        bare_file.write_bytes(body)
        assert _get("/bench/bare/", {})[1] == body, "the bare view must return the same bytes"

        results = {}
        session = {"Cookie": "sessionid=bench"}
        for label, path, headers in [
            ("bare view, same bytes", "/bench/bare/", {}),
            ("gallery, uncached", "/case-studies/", session),
            ("gallery, cached", "/case-studies/", {}),
            ("search ?q=forecast, uncached", "/case-studies/?q=forecast", session),
            ("search, deep page, uncached", "/case-studies/?q=forecast&page=40", session),
        ]:
            _load(path, headers)  # warm up
            results[label] = _load(path, headers)
    finally:
        server.terminate()
        server.wait(timeout=10)

    base = results["bare view, same bytes"]
    print(
        f"gunicorn {WORKERS} sync workers, {THREADS} client threads, {SECONDS:.0f}s each, "
        f"{len(body)} bytes per page"
    )
    print(f"{'':32} {'req/s':>9} {'vs bare':>8}")
    for label, rps in results.items():
        print(f"{label:32} {rps:9.0f} {rps / base:8.2f}")
    print()
    print(f"{'page':32} {'status':>6} {'queries':>8}")
    for label, (status, n) in _query_counts().items():
        print(f"{label:32} {status:>6} {n:>8}")


if __name__ == "__main__":
    main()
