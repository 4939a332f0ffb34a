#!/usr/bin/env python
"""Campaign sending benchmark: one campaign of three story cards to 5,000
recipients (a few suppressed), through the real code path: ``campaign_send``
freezes the audience, then every batch task claims its deliveries and sends.

    .venv/bin/python bench/campaign_send.py                    # SQLite in a temp dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_bench \\
        .venv/bin/python bench/campaign_send.py                # PostgreSQL (db recreated)

Celery runs eagerly in this process (each batch is timed exactly as a worker
runs it) and email goes to the in-memory backend (locmem), so the figure is
the application's own: rendering, claiming and bookkeeping, not SMTP. Then
every batch is delivered again, as after a lost worker: nothing is re-sent.
BENCH_RECIPIENTS (default 5000) and CAMPAIGN_BATCH_SIZE (default 200) change
the run.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import prepare_database  # noqa: E402

RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "5000"))
SUPPRESSED_EVERY = 50  # 2 % of the list unsubscribed or bounced

SECTIONS = ("summary", "challenge", "solution", "implementation", "results", "future_plans")
SECTION = (
    "Finance closed the books by hand across four spreadsheets. Month-end took fifteen "
    "days; now it takes five, and the numbers reconcile on day one. "
) * 12


def main() -> None:
    os.environ["DATABASE_URL"] = prepare_database()
    os.environ.pop("REDIS_URL", None)  # eager Celery, local-memory cache
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ["EMAIL_URL"] = "consolemail://"  # replaced by locmem below
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []

    from django.test import override_settings

    from casestudies import services
    from casestudies.models import (
        Contact,
        Customer,
        Industry,
        Metric,
        Quote,
        Region,
        internal_review_areas,
    )
    from distribution.models import Campaign, CampaignDelivery, Recipient, Suppression
    from distribution.outreach import campaigns
    from distribution.outreach.tasks import send_campaign_batch

    call_command("migrate", verbosity=0)
    actor = get_user_model().objects.create(username="bench", is_staff=True)
    industry = Industry.objects.create(name="Retail", slug="retail")
    region = Region.objects.create(name="Asia Pacific", slug="apac")

    def story(i: int):
        customer = Customer.objects.create(
            name=f"Nusantara Retail {i}",
            slug=f"nusantara-{i}",
            industry=industry,
            region=region,
            company_size="mid-market",
        )
        contact = Contact.objects.create(
            customer=customer,
            name="Sari Wijaya",
            email=f"s{i}@n.ex",
            may_be_named=True,
            agreed_to_participate=True,
        )
        cs = services.case_study_create(customer=customer, title=f"Story {i}", actor=actor)
        Metric.objects.create(
            case_study=cs,
            label="Month-end close",
            before=15,
            after=5,
            unit="days",
            higher_is_better=False,
        )
        Quote.objects.create(
            case_study=cs,
            speaker=contact,
            speaker_name="Sari Wijaya",
            speaker_title="CFO",
            text="We close in five days now, and nobody stays late.",
            kind="pull",
            permission="approved",
        )
        for step in ("start_recruiting", "start_interviewing", "start_drafting"):
            services.TRANSITION_FUNCTIONS[step](case_study=cs, actor=actor)
        version = services.story_version_create(
            case_study=cs,
            actor=actor,
            title=f"Nusantara Retail {i} closes in five days",
            sections=dict.fromkeys(
                ("summary", "challenge", "solution", "implementation", "results", "future_plans"),
                SECTION,
            ),
        )
        # Seed data: one account signs off every area (a small team's setting).
        with override_settings(INTERNAL_REVIEW_ALLOW_SAME_PERSON=True):
            for area in internal_review_areas():
                services.internal_sign_off_record(
                    version=version, area=area, decision="approved", actor=actor
                )
        for step in ("submit_for_review", "approve", "publish"):
            services.TRANSITION_FUNCTIONS[step](case_study=cs, actor=actor)
        return cs

    stories = [story(i) for i in range(3)]
    Recipient.objects.bulk_create(
        [
            Recipient(
                email=f"prospect{i}@bench.example",
                name=f"Prospect {i}",
                kind="prospect",
                industry=industry,
                unsubscribed=i % (2 * SUPPRESSED_EVERY) == 0,
            )
            for i in range(RECIPIENTS)
        ],
        batch_size=1000,
    )
    Suppression.objects.bulk_create(
        [
            Suppression(email=f"prospect{i}@bench.example", reason="bounced")
            for i in range(SUPPRESSED_EVERY, RECIPIENTS, 2 * SUPPRESSED_EVERY)
        ]
    )
    campaign = Campaign.objects.create(
        name="Bench",
        slug="bench",
        subject="Stories from retailers",
        segment="prospects",
        industry=industry,
        intro="Three stories.",
    )
    campaign.stories.set(stories)

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        total = campaigns.campaign_send(campaign=campaign, actor=actor)
        elapsed = time.perf_counter() - started
    sent = len(mail.outbox)
    counts = campaigns.progress(campaign)
    assert counts["sent"] == sent and counts["pending"] == 0, counts
    assert len({m.to[0] for m in mail.outbox}) == sent

    ids = list(CampaignDelivery.objects.values_list("pk", flat=True))
    size = settings.STORYLINE["CAMPAIGN_BATCH_SIZE"]
    started = time.perf_counter()
    resent = sum(
        send_campaign_batch(campaign.pk, ids[i : i + size]) for i in range(0, len(ids), size)
    )
    redelivery = time.perf_counter() - started
    assert resent == 0 and len(mail.outbox) == sent

    engine = connection.vendor
    print(f"Campaign send ({engine}, locmem email backend, batches of {size}):")
    print(f"  recipients in segment    {total}")
    print(f"  emails sent              {sent}")
    print(f"  suppressed               {counts['suppressed']}")
    print(f"  wall time                {elapsed:.2f} s")
    print(f"  throughput               {sent / elapsed:.0f} emails/s")
    print(
        f"  SQL queries              {len(queries)} ({len(queries) / max(sent, 1):.2f} per email)"
    )
    print(f"  all batches redelivered  {redelivery:.2f} s, {resent} emails re-sent")
    size_kb = len(mail.outbox[0].message().as_bytes()) / 1024
    print(f"  one email (MIME)         {size_kb:.1f} KiB")


if __name__ == "__main__":
    main()
