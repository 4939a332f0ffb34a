#!/usr/bin/env python
"""Speed at scale (issue 16): every row of the table, as ratios measured side
by side in one run on this machine.

    make bench                                  # = .venv/bin/python bench/speed.py
    .venv/bin/python bench/speed.py --quick     # smaller sizes, shorter runs
    .venv/bin/python bench/speed.py --reuse     # keep databases already seeded
    .venv/bin/python bench/speed.py --only S1,S2,S6

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sl_bench   (default)
    BENCH_REDIS_URL=redis://127.0.0.1:6379/8                         (default)

The databases named by BENCH_DATABASE_URL (``<name>`` with N stories,
``<name>_large`` with the large size, ``<name>_reminders``) are dropped and
recreated unless ``--reuse``; the Redis database is flushed.

What it does:
- seeds ``seed_demo --case-studies N`` (10,000; 100,000 for the rows that
  need it; ``--quick``: 2,000 / 10,000), timing the command (S7);
- starts its own gunicorn servers with the entrypoint's flags (``--preload``,
  the redacting logger, the access log, 2 workers) on PostgreSQL: one with
  Django's dummy cache (the cold path: S1, S6) and one with Redis (the page
  cache: S2). Each serves the floor, a bare Django view under the same
  middleware returning the gallery's own bytes (``bench/bench_urls.py``,
  mounted only by ``bench/bench_settings.py``);
- runs the floor and the pages interleaved, three rounds, with ``wrk`` when
  installed (else a threaded Python client), and reports the median of the
  three per-round ratios page / floor of the same server;
- measures in process (Django's test client, cache emptied before every
  request): the gallery search (S3), the sales search (S4, as the sales
  portal implements it), the facet counts at ~1k and all matching stories
  (S5), and the queries each page repeats;
- S8: the approval reminder sweep over 10,000 pending steps, two sweeps
  racing in two threads, emails counted against the ledger;
- S9: the RSS of a one-worker gunicorn before and after 10,000 mixed requests.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sl_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
PORTS = {"cold": 8791, "cached": 8792, "memory": 8793}
ROWS = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def db_named(suffix: str) -> str:
    return DB_URL + suffix


def base_env(database_url: str, **extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "BENCH_CACHE")
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.bench_settings",
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        API_ANON_RATE="1000000/minute",
        EMAIL_URL="memorymail://",
    )
    env.update(extra)
    return env


# --------------------------------------------------------------------------
# Databases and seeding (S7)
# --------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def published_scale_stories(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM casestudies_casestudy"
                " WHERE slug LIKE 'scale-%%' AND state = 'published'"
            ).fetchone()
            return row[0]
    except psycopg.Error:
        return -1


def seed(url: str, n: int, reuse: bool) -> float | None:
    """A database with ``n`` bulk stories; the seconds ``seed_demo
    --case-studies n`` took on a freshly migrated database (None if reused)."""
    if reuse and published_scale_stories(url) >= n:
        log(f"reusing {url.rsplit('/', 1)[1]} ({n} stories)")
        return None
    recreate_database(url)
    env = base_env(url, MEDIA_ROOT=tempfile.mkdtemp(prefix="sl-bench-media-"))
    subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    log(f"seed_demo --case-studies {n} …")
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "seed_demo", "--case-studies", str(n)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    log(f"seeded {n} in {seconds:.1f} s")
    return seconds


# --------------------------------------------------------------------------
# gunicorn and the load generator
# --------------------------------------------------------------------------


def start_gunicorn(port: int, database_url: str, workers: int, bare_file: Path, **extra):
    env = base_env(database_url, BENCH_BARE_FILE=str(bare_file), **extra)
    # The entrypoint's flags (docker/entrypoint.sh), bound to loopback.
    command = [
        GUNICORN,
        "config.wsgi:application",
        "--preload",
        "--logger-class",
        "core.redaction.GunicornLogger",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--access-logfile",
        "-",
        "--access-logformat",
        '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s',
    ]
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(300):
        try:
            status, _body = http_get(port, "/robots.txt")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn on :{port} did not start")


def stop(server) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def http_get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def load(port: int, paths: list[str], seconds: float, connections: int) -> float:
    """Requests per second for ``paths`` in turn, ``connections`` at once."""
    if shutil.which("wrk"):
        script = Path(tempfile.mkstemp(suffix=".lua")[1])
        script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
        out = subprocess.run(  # noqa: S603
            [
                shutil.which("wrk"),
                "-t2",
                f"-c{connections}",
                f"-d{seconds:.0f}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        script.unlink()
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if bad:
            log(f"  {paths[0]}…: {bad.group(1)} non-2xx responses")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return py_load(port, paths, seconds, connections)


def py_load(port, paths, seconds, connections, count=None) -> float:
    """The fallback client: threads, one connection per request (gunicorn's
    sync workers close them anyway). Stops after ``seconds`` or ``count``."""
    done = [0] * connections
    errors = [0]
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()
    issued = [0]

    def worker(k: int) -> None:
        while time.monotonic() < stop_at:
            with lock:
                if count is not None and issued[0] >= count:
                    return
                n = issued[0]
                issued[0] += 1
            status, _ = http_get(port, paths[n % len(paths)])
            if status >= 400 and not paths[n % len(paths)].startswith("/case-studies/no-such"):
                errors[0] += 1
            done[k] += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors[0]:
        log(f"  {errors[0]} error responses")
    return sum(done) / (time.monotonic() - started)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(c) for c in children]


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------


def page_urls(url: str) -> dict:
    """Gallery addresses (filters, pages, sorts) and story pages of this
    database, read with plain SQL."""
    import psycopg

    with psycopg.connect(url) as conn:
        industries = [
            r[0]
            for r in conn.execute(
                "SELECT slug FROM casestudies_industry WHERE NOT archived ORDER BY slug"
            )
        ]
        use_cases = [
            r[0]
            for r in conn.execute(
                "SELECT slug FROM casestudies_usecase WHERE NOT archived ORDER BY slug"
            )
        ]
        regions = [
            r[0]
            for r in conn.execute(
                "SELECT slug FROM casestudies_region WHERE NOT archived ORDER BY slug"
            )
        ]
        slugs = [
            r[0]
            for r in conn.execute(
                "SELECT slug FROM casestudies_casestudy WHERE state = 'published'"
                " ORDER BY id LIMIT 400"
            )
        ]
    gallery = ["/case-studies/", "/case-studies/?page=2", "/case-studies/?page=37"]
    for i, industry in enumerate(industries):
        gallery.append(f"/case-studies/?industry={industry}")
        use_case = use_cases[i % len(use_cases)]
        gallery.append(f"/case-studies/?industry={industry}&use_case={use_case}")
        gallery.append(f"/case-studies/?region={regions[i % len(regions)]}&company_size=smb")
    stories = [f"/case-studies/{s}/" for s in slugs[::7]][:40]
    return {"gallery": gallery, "stories": stories, "all_stories": slugs}


def throughput(url: str, seconds: float, rounds: int, rows: set) -> dict:
    bare = Path(tempfile.mkdtemp(prefix="sl-bench-")) / "gallery.html"
    urls = page_urls(url)
    flush_redis()
    servers = {
        "cold": start_gunicorn(PORTS["cold"], url, 2, bare, BENCH_CACHE="dummy"),
        "cached": start_gunicorn(PORTS["cached"], url, 2, bare, REDIS_URL=REDIS_URL),
    }
    try:
        status, body = http_get(PORTS["cold"], "/case-studies/")
        assert status == 200, status
        bare.write_bytes(body)
        for name in servers:
            got = http_get(PORTS[name], "/bench/floor/")[1]
            assert got == body, f"the floor on {name} must return the gallery's bytes"
        # Warm the page cache of the cached server (every address once).
        for path in urls["gallery"]:
            http_get(PORTS["cached"], path)
        plan = [
            ("floor/cold", "cold", ["/bench/floor/"]),
            ("S1", "cold", urls["gallery"]),
            ("S6", "cold", urls["stories"]),
            ("floor/cached", "cached", ["/bench/floor/"]),
            ("S2", "cached", urls["gallery"]),
        ]
        plan = [p for p in plan if p[0].startswith("floor") or p[0] in rows]
        for _label, server, paths in plan:  # warm-up: imports, templates, connections
            load(PORTS[server], paths, 2, 8)
        rps: dict[str, list[float]] = {label: [] for label, _s, _p in plan}
        for r in range(rounds):
            for label, server, paths in plan:
                rps[label].append(load(PORTS[server], paths, seconds, 8))
                log(f"round {r + 1} {label}: {rps[label][-1]:.0f} req/s")
    finally:
        for server in servers.values():
            stop(server)
    result = {"bytes": len(body), "rps": rps}
    for label, server in (("S1", "cold"), ("S6", "cold"), ("S2", "cached")):
        if label in rps:
            ratios = [a / b for a, b in zip(rps[label], rps[f"floor/{server}"], strict=True)]
            result[label] = {
                "ratio": statistics.median(ratios),
                "rps": statistics.median(rps[label]),
                "floor": statistics.median(rps[f"floor/{server}"]),
            }
    return result


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def memory(url: str, requests: int) -> dict:
    """S9: one worker's RSS before and after ``requests`` mixed requests."""
    bare = Path(tempfile.mkdtemp(prefix="sl-bench-")) / "gallery.html"
    urls = page_urls(url)
    flush_redis()
    server = start_gunicorn(PORTS["memory"], url, 1, bare, REDIS_URL=REDIS_URL)
    try:
        bare.write_bytes(http_get(PORTS["memory"], "/case-studies/")[1])
        words = ["invoice", "forecast", "inventory", "cloud", "month-end", "retail", "latency"]
        mixed = []
        for i, story in enumerate(urls["all_stories"]):
            mixed.append(f"/case-studies/{story}/")
            mixed.append(urls["gallery"][i % len(urls["gallery"])])
            mixed.append(f"/case-studies/?q={words[i % len(words)]}&page={1 + i % 9}")
            mixed.append(f"/case-studies/?page={1 + i % 150}")
            if i % 5 == 0:
                mixed.append("/sitemap.xml")
                mixed.append(f"/case-studies/no-such-story-{i}/")
                mixed.append("/bench/floor/")
        py_load(PORTS["memory"], mixed, 600, 4, count=len(mixed))  # every address once
        worker = workers_of(server.pid)[0]
        before = rss_kb(worker)
        started = time.monotonic()
        py_load(PORTS["memory"], mixed, 3600, 4, count=requests)
        after = rss_kb(worker)
        assert workers_of(server.pid) == [worker], "the worker was replaced"
    finally:
        stop(server)
    return {
        "before_mb": before / 1024,
        "after_mb": after / 1024,
        "growth_mb": (after - before) / 1024,
        "seconds": time.monotonic() - started,
        "requests": requests,
    }


# --------------------------------------------------------------------------
# In process (children, so each sees one database)
# --------------------------------------------------------------------------


def child(kind: str, url: str, n: int) -> dict:
    proc = subprocess.run(  # noqa: S603
        [PYTHON, __file__, "--child", kind, url, str(n)],
        cwd=ROOT,
        env=base_env(url, BENCH_CACHE="locmem"),
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child {kind} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * (len(ordered) - 1)))]


SEARCH_WORDS = ["invoice", "forecast", "inventory accuracy", "month-end close", "cloud"]
SALES_SEARCHES = [
    "/sales/?q=too+expensive",
    "/sales/?q=implementation+takes+too+long",
    "/sales/?q=forecast",
    "/sales/?q=inventory+accuracy&industry=retail",
    "/sales/?q=invoice",
]


def _repeated(captured) -> int:
    """The most times one statement (SQL and parameters) ran in a request."""
    seen: dict[str, int] = {}
    for q in captured:
        seen[q["sql"]] = seen.get(q["sql"], 0) + 1
    return max(seen.values(), default=0)


def in_process(kind: str, n: int) -> dict:
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from casestudies import selectors
    from distribution.publication.filters import GalleryFilter

    out: dict = {}
    client = Client()

    def timed(c, path, runs):
        times = []
        for _ in range(runs):
            cache.clear()
            started = time.perf_counter()
            response = c.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        return times

    # Warm the process (imports, templates, translations, the planner's stats).
    for path in ["/case-studies/", "/case-studies/?q=forecast"]:
        timed(client, path, 2)

    # S3: cold ?q= gallery search.
    times, repeats, queries = [], {}, {}
    for word in SEARCH_WORDS:
        path = f"/case-studies/?q={word.replace(' ', '+')}"
        times += timed(client, path, 8)
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        repeats[word] = _repeated(ctx.captured_queries)
        queries[word] = len(ctx.captured_queries)
    out["S3"] = {
        "p95": p95(times),
        "p50": statistics.median(times),
        "max_repeat": max(repeats.values()),
        "queries": queries,
    }

    # Other public pages: queries per request and the most repeated one.
    pages = {}
    story = selectors.published_case_studies().order_by("-published_at").first()
    for path in [
        "/case-studies/",
        "/case-studies/?industry=retail&use_case=finance-automation",
        story.get_absolute_url(),
        "/sitemap.xml",
    ]:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        pages[path] = (len(ctx.captured_queries), _repeated(ctx.captured_queries))
    out["pages"] = pages

    if kind == "large":
        # S5: facet counts for ~1k matching stories and for all of them.
        published = selectors.published_case_studies()
        narrow = _narrow_filter(published)
        facet_ms = {}
        for label, data in (("narrow", narrow), ("all", "")):
            query = QueryDict(data)
            matching = GalleryFilter(query, queryset=published).qs.count()
            times = []
            for _ in range(7):
                cache.clear()
                started = time.perf_counter()
                GalleryFilter(query, queryset=selectors.gallery_case_studies()).facets(published)
                times.append((time.perf_counter() - started) * 1000)
            facet_ms[label] = {"matching": matching, "ms": statistics.median(times), "q": data}
        out["S5"] = facet_ms

        # S4: the sales search as the sales portal implements it.
        from django.contrib.auth.models import Group, User

        from core.roles import SALES

        rep, _ = User.objects.get_or_create(username="bench-rep", defaults={"is_staff": True})
        rep.groups.add(Group.objects.get(name=SALES))
        sales = Client()
        sales.force_login(rep)
        times = []
        for path in SALES_SEARCHES:
            times += timed(sales, path, 6)
        out["S4"] = {"p95": p95(times), "p50": statistics.median(times)}
    return out


def _narrow_filter(published) -> str:
    """A filter combination matching about 1,000 stories (the one closest)."""
    from django.db.models import Count

    best = None
    rows = (
        published.values(
            "customer__industry__slug", "customer__company_size", "customer__region__slug"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        if best is None or abs(row["n"] - 1000) < abs(best["n"] - 1000):
            best = row
    return (
        f"industry={best['customer__industry__slug']}"
        f"&company_size={best['customer__company_size']}"
        f"&region={best['customer__region__slug']}"
    )


def reminders(steps: int) -> dict:
    """S8: two sweeps racing over ``steps`` pending steps."""
    os.environ["BENCH_STEPS"] = str(steps)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="sl-bench-media-")
    import django

    django.setup()
    import logging

    import approval_reminders
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from approvals import reminders as sweep
    from approvals.models import ReminderLog

    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)
    now = timezone.now()
    approval_reminders._setup_rows(now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()
    mail.outbox = []
    results = []

    def run():
        try:
            results.append(sweep.reminders_sweep(now=now).sent)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    ledger = ReminderLog.objects.filter(sent_at__isnull=False).count()
    recipients = [(m.to[0], m.subject) for m in mail.outbox]
    return {
        "steps": steps,
        "seconds": seconds,
        "sent": sum(results),
        "ledger": ledger,
        "emails": len(mail.outbox),
        "duplicates": max(sum(results) - ledger, len(recipients) - len(set(recipients)), 0),
    }


def child_main(argv: list[str]) -> None:
    kind, url, n = argv[0], argv[1], int(argv[2])
    if kind == "reminders":
        import psycopg  # noqa: F401

        recreate_database(url)
        out = reminders(n)
    else:
        out = in_process(kind, n)
    print(json.dumps(out))


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("meets" if ok else "MISSES")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter runs")
    parser.add_argument("--reuse", action="store_true", help="keep seeded databases")
    parser.add_argument("--only", default=",".join(ROWS), help="rows to measure (S1,S2,…)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per load run")
    parser.add_argument(
        "--sizes",
        default=None,
        help="stories in the small and the large database, e.g. 10000,100000 (the default;"
        " --quick: 2000,10000); equal sizes share one database",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return
    rows = {r.strip().upper() for r in args.only.split(",")}
    small, large = (2_000, 10_000) if args.quick else (10_000, 100_000)
    if args.sizes:
        small, large = (int(n) for n in args.sizes.split(","))
    large_db = db_named("" if large == small else "_large")
    seconds = args.seconds or (4 if args.quick else 8)
    steps = 2_000 if args.quick else 10_000
    requests = 2_000 if args.quick else 10_000
    results: dict = {"sizes": [small, large]}
    started = time.monotonic()

    seeds = {}
    # S8 runs on a database of its own: nothing to seed for it alone.
    if rows & {"S1", "S2", "S3", "S6", "S7", "S9"} or (large == small and rows & {"S4", "S5"}):
        seeds[small] = seed(db_named(""), small, args.reuse)
    if rows & {"S3", "S4", "S5", "S7"} and large != small:
        seeds[large] = seed(large_db, large, args.reuse)
    results["S7"] = seeds
    if rows & {"S1", "S2", "S6"}:
        results["throughput"] = throughput(db_named(""), seconds, 3, rows)
    if rows & {"S3"}:
        log("in process, small …")
        results["small"] = child("small", db_named(""), small)
    if rows & {"S3", "S4", "S5"}:
        log("in process, large …")
        results["large"] = child("large", large_db, large)
    if "S8" in rows:
        log(f"reminder sweep, {steps} steps …")
        results["S8"] = child("reminders", db_named("_reminders"), steps)
    if "S9" in rows:
        log(f"memory, {requests} requests …")
        results["S9"] = memory(db_named(""), requests)
    results["seconds"] = time.monotonic() - started
    Path(tempfile.gettempdir(), "sl-bench-speed.json").write_text(json.dumps(results, indent=1))
    print_table(results, rows, small, large)


def print_table(r: dict, rows: set, small: int, large: int) -> None:
    k = lambda n: f"{n // 1000}k"  # noqa: E731
    lines = []

    def row(rid, measure, goal, figure, ok):
        if rid in rows:
            lines.append(f"| {rid} | {measure} | {goal} | {figure} | {verdict(ok)} |")

    t = r.get("throughput", {})
    if "S1" in t:
        s = t["S1"]
        row(
            "S1",
            f"cold gallery / floor, {k(small)}",
            "≥ 0.25",
            f"{s['ratio']:.2f} ({s['rps']:.0f} / {s['floor']:.0f} req/s)",
            s["ratio"] >= 0.25,
        )
    if "S2" in t:
        s = t["S2"]
        row(
            "S2",
            "cached gallery / floor",
            "≥ 0.9",
            f"{s['ratio']:.2f} ({s['rps']:.0f} / {s['floor']:.0f} req/s)",
            s["ratio"] >= 0.9,
        )
    if "small" in r and "large" in r:
        a, b = r["small"]["S3"], r["large"]["S3"]
        row(
            "S3",
            f"cold ?q= p95, {k(small)} / {k(large)}",
            "≤ 25 / ≤ 60 ms",
            f"{a['p95']:.0f} / {b['p95']:.0f} ms (repeats {a['max_repeat']}/{b['max_repeat']})",
            a["p95"] <= 25 and b["p95"] <= 60,
        )
    if "large" in r and "S4" in r["large"]:
        s = r["large"]["S4"]
        row(
            "S4",
            f"cold sales search p95, {k(large)}",
            "≤ 100 ms",
            f"{s['p95']:.0f} ms (p50 {s['p50']:.0f})",
            s["p95"] <= 100,
        )
    if "large" in r and "S5" in r["large"]:
        s = r["large"]["S5"]
        ratio = s["all"]["ms"] / s["narrow"]["ms"]
        row(
            "S5",
            f"facet counts, {s['narrow']['matching']} vs {s['all']['matching']} matching",
            "within 2x",
            f"{s['narrow']['ms']:.0f} / {s['all']['ms']:.0f} ms = {ratio:.2f}x",
            max(ratio, 1 / ratio) <= 2,
        )
    if "S6" in t:
        s = t["S6"]
        row(
            "S6",
            "story page cold / floor",
            "≥ 0.3",
            f"{s['ratio']:.2f} ({s['rps']:.0f} / {s['floor']:.0f} req/s)",
            s["ratio"] >= 0.3,
        )
    seeds = r.get("S7", {})
    a, b = seeds.get(small), seeds.get(large)
    fig = lambda v: "reused" if v is None else f"{v:.0f} s"  # noqa: E731
    limits = {10_000: 15, 100_000: 120}
    ok = [v <= limits[n] for n, v in ((small, a), (large, b)) if v is not None and n in limits]
    row(
        "S7",
        f"seed_demo --case-studies {k(small)} / {k(large)}",
        "10k ≤ 15 s; 100k ≤ 120 s",
        f"{fig(a)} / {fig(b)}",
        all(ok) if ok else None,
    )
    if "S8" in r:
        s = r["S8"]
        row(
            "S8",
            f"reminder sweep, {r['S8']['steps']} pending steps",
            "≤ 30 s, 0 duplicates",
            f"{s['seconds']:.1f} s, {s['sent']} sent, {s['duplicates']} duplicates",
            s["seconds"] <= 30 and s["duplicates"] == 0,
        )
    if "S9" in r:
        s = r["S9"]
        row(
            "S9",
            f"worker RSS after {s['requests']} mixed requests",
            "growth ≤ 20 MB",
            f"+{s['growth_mb']:.1f} MB ({s['before_mb']:.0f} → {s['after_mb']:.0f} MB)",
            s["growth_mb"] <= 20,
        )
    print(f"\nStoryline speed, {time.strftime('%Y-%m-%d %H:%M')} ({r['seconds']:.0f} s run)\n")
    print("| id | measure | goal | figure | verdict |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(lines))
    if "throughput" in r:
        print(f"\npage bytes {t['bytes']}; req/s per round: {json.dumps(t['rps'])}")
    for size in ("small", "large"):
        if size in r:
            print(f"queries (count, most repeated) at {size}: {json.dumps(r[size]['pages'])}")
            print(f"search queries at {size}: {json.dumps(r[size]['S3']['queries'])}")


if __name__ == "__main__":
    main()
