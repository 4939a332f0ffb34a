#!/usr/bin/env python
"""Approvals benchmark (issue 4): what a customer reviewer and a manager wait for.

    .venv/bin/python bench/approvals_review.py                  # SQLite in a temp dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_bench \\
        .venv/bin/python bench/approvals_review.py              # PostgreSQL (db recreated)

Loads the demo program (seed_demo), then times, in this process, medians
over repeated runs (the first of each is a warm-up):
- opening the customer's review page (time and queries),
- the neutral page for an unknown token,
- saving a section comment (POST, redirect),
- saving through the page's one form (a comment and the usage rights; the
  page comes back with what was typed),
- starting a chain of 30 customer reviewers (30 links issued and emailed),
- one reviewer's decision (locks, evidence snapshot) while others are pending,
- the last decision, which approves the request and the case study.
"""

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

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
REVIEWERS = 30


def _median_ms(fn, runs: int = RUNS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    os.environ["DATABASE_URL"] = prepare_database()
    os.environ.pop("REDIS_URL", None)
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="storyline-bench-media-")
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client

    from approvals import services
    from approvals.models import ApprovalRequest, ReviewLink, StepKind
    from casestudies.models import CaseStudy, CaseStudyState, Contact
    from core.tokens import new_token
    from demo.approvals import seed_approvals

    settings.DEBUG = True  # query counts
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    url = seed_approvals()
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    rows = []

    rows.append(("open the review page", _median_ms(lambda: client.get(path).content)))
    reset_queries()
    assert client.get(path).status_code == 200
    page_queries = len(connection.queries)
    unknown = f"/review/{new_token()[0]}/"
    rows.append(
        ("neutral page (unknown token)", _median_ms(lambda: client.get(unknown).content, runs=15))
    )
    rows.append(
        (
            "save a section comment (POST)",
            _median_ms(
                lambda: client.post(path + "comment/", {"section": "results", "body": "Bench."})
            ),
        )
    )

    rows.append(
        (
            "save through the one form (POST, page back)",
            _median_ms(
                lambda: (
                    client.post(
                        path + "save/",
                        {"c_results_body": "Bench.", "channel_web": "on", "action": "save"},
                    ).content
                )
            ),
        )
    )

    # A chain of 30 reviewers on another story in review.
    ApprovalRequest.objects.filter(status="open").update(status="cancelled")
    cs = CaseStudy.objects.filter(state=CaseStudyState.IN_REVIEW).order_by("-pk").first()
    contacts = [
        Contact.objects.get_or_create(
            customer=cs.customer,
            email=f"bench{i}@customer.example",
            defaults={"name": f"Reviewer {i}"},
        )[0]
        for i in range(REVIEWERS)
    ]
    specs = [services.StepSpec(kind=StepKind.PARTICIPANT, contact=c) for c in contacts]

    def start():
        ApprovalRequest.objects.filter(case_study=cs, status="open").update(status="cancelled")
        ReviewLink.objects.filter(revoked_at__isnull=True, step__request__case_study=cs).update(
            revoked_at=django.utils.timezone.now()
        )
        return services.approval_request_start(
            case_study=cs, steps=specs, actor=None, verify_email_for_approve=False
        )

    rows.append((f"start a chain of {REVIEWERS} reviewers", _median_ms(start, runs=5)))
    request = start()
    links = list(ReviewLink.objects.filter(step__request=request, revoked_at__isnull=True))
    times = []
    for link in links[:-1]:
        started = time.perf_counter()
        services.review_decision_record(link=link, outcome="approved", ip="192.0.2.1")
        times.append((time.perf_counter() - started) * 1000)
    rows.append(("one decision (others pending)", statistics.median(times)))
    started = time.perf_counter()
    services.review_decision_record(link=links[-1], outcome="approved", ip="192.0.2.1")
    rows.append(
        ("last decision → request and story approved", (time.perf_counter() - started) * 1000)
    )
    cs.refresh_from_db()
    assert cs.state == CaseStudyState.APPROVED

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"approvals benchmark ({engine}, median of {RUNS} runs unless noted)")
    for label, ms in rows:
        print(f"  {label:48} {ms:8.1f} ms")
    print(f"  {'review page queries':48} {page_queries:8d}")


if __name__ == "__main__":
    main()
