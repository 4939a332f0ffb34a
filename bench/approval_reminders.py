#!/usr/bin/env python
"""Approval reminder sweep benchmark (issue 4): what the hourly beat task costs.

    .venv/bin/python bench/approval_reminders.py              # SQLite in a temp dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_bench \\
        .venv/bin/python bench/approval_reminders.py          # PostgreSQL (db recreated)
    BENCH_STEPS=20000 ...                                     # more pending steps

Creates BENCH_STEPS (default 5,000) pending customer approval steps, five per
open request, asked 0-14 days ago (so about four in five have a reminder or
an escalation due), then times, in this process, with the in-memory email
backend (what we spend, not the mail server):
- the first sweep: claims and sends every due reminder and escalation,
- a second sweep right after: nothing is due (the hourly steady state),
- the daily digest to two program managers,
- the steady-state sweep's query count.
"""

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import prepare_database  # noqa: E402

STEPS = int(os.environ.get("BENCH_STEPS", "5000"))
PER_REQUEST = 5


def _setup_rows(now):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from approvals.models import ApprovalRequest, ApprovalStep, StepKind
    from casestudies.models import (
        CaseStudy,
        CaseStudyState,
        Contact,
        Customer,
        Industry,
        Region,
        StoryVersion,
    )
    from core.roles import PROGRAM_MANAGERS, ensure_groups

    ensure_groups()
    users = get_user_model()
    managers = Group.objects.get(name=PROGRAM_MANAGERS)
    for name in ("alice", "dave"):
        user = users.objects.create_user(name, f"{name}@example.com", "x", is_staff=True)
        user.groups.add(managers)
    owner = users.objects.get(username="alice")
    industry = Industry.objects.create(name="Retail", slug="retail")
    region = Region.objects.create(name="Asia", slug="asia")
    stories = STEPS // PER_REQUEST
    customers = Customer.objects.bulk_create(
        Customer(
            name=f"Customer {i}",
            slug=f"customer-{i}",
            industry=industry,
            region=region,
            company_size="mid-market",
            account_owner=owner,
        )
        for i in range(stories)
    )
    case_studies = CaseStudy.objects.bulk_create(
        CaseStudy(
            customer=c,
            title=f"Story {i}",
            slug=f"story-{i}",
            state=CaseStudyState.IN_REVIEW,
            owner=owner,
        )
        for i, c in enumerate(customers)
    )
    sections = {"summary": "Summary.", "results": "Results."}
    versions = StoryVersion.objects.bulk_create(
        StoryVersion(
            case_study=cs,
            number=1,
            title=cs.title,
            content_hash=StoryVersion.compute_hash(
                language="en", title=cs.title, sections=sections
            ),
            **sections,
        )
        for cs in case_studies
    )
    requests = ApprovalRequest.objects.bulk_create(
        ApprovalRequest(case_study=cs, version=v, content_hash=v.content_hash)
        for cs, v in zip(case_studies, versions, strict=True)
    )
    contacts = Contact.objects.bulk_create(
        Contact(customer=c, name=f"Reviewer {i}-{j}", email=f"r{i}-{j}@customer.example")
        for i, c in enumerate(customers)
        for j in range(PER_REQUEST)
    )
    kinds = [
        StepKind.PARTICIPANT,
        StepKind.DEPARTMENT_LEADER,
        StepKind.CUSTOMER_LEGAL,
        StepKind.CUSTOMER_PR,
        StepKind.EXECUTIVE_SPONSOR,
    ]
    ApprovalStep.objects.bulk_create(
        ApprovalStep(
            request=requests[n // PER_REQUEST],
            kind=kinds[n % PER_REQUEST],
            contact=contact,
            reviewer_name=contact.name,
            reviewer_email=contact.email,
            status=ApprovalStep.Status.PENDING,
            activated_at=now - timedelta(days=n % 15, minutes=5),
            due_on=(now - timedelta(days=n % 15) + timedelta(days=10)).date(),
        )
        for n, contact in enumerate(contacts)
    )


def main() -> None:
    os.environ["DATABASE_URL"] = prepare_database()
    os.environ.pop("REDIS_URL", None)
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="storyline-bench-media-")
    # Production settings (DEBUG off: cached templates), as the beat task runs.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.utils import timezone

    from approvals import reminders
    from approvals.models import ReminderLog

    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)
    now = timezone.now()
    started = time.perf_counter()
    _setup_rows(now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    setup_s = time.perf_counter() - started
    mail.outbox = []

    started = time.perf_counter()
    first = reminders.reminders_sweep()
    first_s = time.perf_counter() - started

    settings.DEBUG = True
    reset_queries()
    started = time.perf_counter()
    second = reminders.reminders_sweep()
    second_s = time.perf_counter() - started
    steady_queries = len(connection.queries)
    settings.DEBUG = False

    started = time.perf_counter()
    digests = reminders.digests_send()
    digest_s = time.perf_counter() - started

    assert second.sent == 0
    assert len(mail.outbox) == first.sent + digests
    assert ReminderLog.objects.filter(sent_at__isnull=True).count() == 0

    print(f"\nApproval reminders benchmark — {connection.vendor}, {STEPS} pending steps\n")
    print(f"  set-up (bulk rows)                      {setup_s:8.2f} s")
    print(
        f"  first sweep: {first.sent} emails sent          {first_s:8.2f} s"
        f"  ({first.sent / first_s:.0f} emails/s)"
    )
    print(f"  second sweep: nothing due               {second_s * 1000:8.1f} ms")
    print(f"  steady-state sweep queries              {steady_queries:8d}")
    print(f"  daily digest to {digests} managers            {digest_s * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
