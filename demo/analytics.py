"""Demo impact data for ``seed_demo``: 90 days of first-party events, leads
from gated downloads, deals with and without stories (the ones with stories
win more often within each industry and size band), sales usage with one
story nobody uses, backlinks and the value ledger for customers.

Deterministic (seeded) and idempotent: it runs once, keyed on the demo deals'
CRM ids. Everything goes in with ``bulk_create``."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from analytics.models import (
    Backlink,
    CustomerValue,
    Deal,
    DealStory,
    DownloadGate,
    Event,
    EventKind,
    Lead,
)
from casestudies.models import CaseStudy, CompanySize
from core.roles import SALES

SEED = 20261125
DAYS = 90
REFERRERS = [
    ("google.com", 5),
    ("", 4),
    ("linkedin.com", 2),
    ("bing.com", 1),
    ("duckduckgo.com", 1),
    ("industry-news.example", 1),
]
FIRST = ["Ayu", "Budi", "Citra", "Dimas", "Eka", "Fajar", "Gita", "Hadi", "Indah", "Joko"]
COMPANIES = ["Arunika", "Bahari", "Cendana", "Delta Niaga", "Ekuator", "Fortuna", "Garuda Tek"]
FEEDBACK = {
    "won": ["helped", "helped", "helped", "neutral"],
    "lost": ["neutral", "did_not_help", "helped", ""],
    "open": ["", "helped", "neutral"],
}
REACTIONS = [
    "Asked for an intro to the customer's CFO",
    "Forwarded the PDF to their board",
    "Same industry: it answered the ROI question",
]
SITES = ("industry-news.example", "analyst-blog.example")
ROLES = ["CFO", "Head of Operations", "IT Director", "Finance Manager", "COO"]


def _at(day, rng) -> datetime:
    moment = datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def seed_analytics(stdout=None) -> int:
    """Returns the number of demo deals created (0 when already seeded)."""
    if Deal.objects.filter(external_id__startswith="DEMO-").exists():
        return 0
    # The demo program's stories only: the bulk "scale-" stories of
    # ``--case-studies N`` get no history (90 days of events for each of
    # 10,000 stories was most of that command's time).
    stories = list(
        CaseStudy.objects.published()
        .exclude(slug__startswith="scale-")
        .select_related("customer")
        .order_by("published_at", "pk")
    )
    if not stories:
        return 0
    rng = random.Random(SEED)
    today = timezone.localdate()
    reps = list(get_user_model().objects.filter(groups__name=SALES).order_by("pk"))
    # Stories' pull, strongest first: the first ones drive leads and deals,
    # the last one is never used by sales (the "underused" table).
    weights = [max(0.15, 1.0 - i * 0.18) for i in range(len(stories))]

    events, leads = [], []
    for cs, weight in zip(stories, weights, strict=True):
        for offset in range(DAYS):
            day = today - timedelta(days=offset)
            for _ in range(rng.randint(0, round(6 * weight) + 1)):
                referrer = rng.choices(
                    [r for r, _w in REFERRERS], weights=[w for _r, w in REFERRERS]
                )[0]
                campaign = rng.random() < 0.12
                when = _at(day, rng)
                # Some readers come back: a small pool of visitors per day.
                visitor = f"{offset:06x}{rng.randrange(round(8 * weight) + 3):010x}"
                events.append(
                    Event(
                        kind=EventKind.VIEW,
                        case_study=cs,
                        created_at=when,
                        referrer_host="" if campaign else referrer,
                        utm_source="email" if campaign else "",
                        utm_medium="campaign" if campaign else "",
                        utm_campaign="monthly-stories" if campaign else "",
                        visitor=visitor,
                    )
                )
                seconds = int(rng.expovariate(1 / (40 + 140 * weight)))
                events.append(
                    Event(
                        kind=EventKind.ENGAGEMENT,
                        case_study=cs,
                        created_at=when + timedelta(seconds=seconds),
                        value=min(seconds, 3600),
                        detail="continued" if rng.random() < 0.35 else "",
                        visitor=visitor,
                    )
                )
                if rng.random() < 0.08 + 0.12 * weight:
                    events.append(
                        Event(
                            kind=EventKind.DOWNLOAD,
                            case_study=cs,
                            created_at=when + timedelta(seconds=seconds),
                            detail=rng.choice(["pdf", "pdf", "one_pager", "slides"]),
                            visitor=visitor,
                        )
                    )
            if rng.random() < 0.35 * weight:
                n = len(leads)
                leads.append(
                    Lead(
                        case_study=cs,
                        name=f"{rng.choice(FIRST)} Demo{n}",
                        email=f"lead{n}@{rng.choice(COMPANIES).lower().replace(' ', '-')}.example",
                        company=rng.choice(COMPANIES),
                        role=rng.choice(ROLES),
                        document="pdf",
                        page=cs.get_absolute_url(),
                        utm_source=rng.choice(["", "", "email", "share"]),
                        email_sent_at=timezone.now(),
                    )
                )
            # Sales use: the stronger the story, the more reps reach for it.
            if reps and cs is not stories[-1] and rng.random() < 0.5 * weight:
                events.append(
                    Event(
                        kind=EventKind.SALES_USE,
                        case_study=cs,
                        user=rng.choice(reps),
                        created_at=_at(day, rng),
                        detail=rng.choice(["copy_quote", "copy_metric", "pack", "share_link"]),
                    )
                )
        if rng.random() < 0.5:
            events.append(
                Event(
                    kind=EventKind.SHARE_VISIT,
                    case_study=cs,
                    created_at=_at(today - timedelta(days=rng.randint(0, DAYS - 1)), rng),
                    detail="1",
                    utm_source="share",
                    utm_medium="sales",
                    utm_campaign="share-1",
                )
            )

    deals, links = [], []
    industries = sorted({cs.customer.industry_id for cs in stories})
    sizes = [CompanySize.ENTERPRISE, CompanySize.MID_MARKET, CompanySize.SMB]
    pool = stories[:-1] or stories  # the last story is the one nobody uses
    won_count = {True: 0, False: 0}
    for n in range(96):
        industry_id = industries[n % len(industries)]
        size = sizes[(n // len(industries)) % len(sizes)]
        used = rng.random() < 0.5
        story_pick = rng.choices(pool, weights=weights[: len(pool)])[0]
        if rng.random() < 0.85:
            # Closed within the dashboard's default 90 days. With stories:
            # 3 in 5 won and 12 days shorter; without: 7 in 20.
            closed_on = today - timedelta(days=rng.randint(1, 85))
            opened = closed_on - timedelta(days=rng.randint(35, 90) - (12 if used else 0))
            won_count[used] += 1
            won = (won_count[used] % 5 < 3) if used else (won_count[used] % 20 < 7)
            outcome = "won" if won else "lost"
        else:
            closed_on, outcome = None, "open"
            opened = today - timedelta(days=rng.randint(5, 60))
        amount = Decimal(
            {"enterprise": 120000, "mid-market": 45000, "smb": 12000}[size]
            * rng.uniform(0.6, 1.5)
            * (1.15 if used else 1.0)
        ).quantize(Decimal("1"))
        deal = Deal(
            external_id=f"DEMO-{n + 1:03d}",
            name=f"{rng.choice(COMPANIES)} {rng.choice(['expansion', 'new logo', 'renewal'])}",
            amount=amount,
            currency="USD",
            stage="Closed" if closed_on else rng.choice(["Discovery", "Proposal", "Negotiation"]),
            opened_on=opened,
            closed_on=closed_on,
            outcome=outcome,
            industry_id=industry_id,
            company_size=size,
            owner=rng.choice(reps) if reps else None,
        )
        deals.append(deal)
        if used:
            links.append((deal, story_pick))

    with transaction.atomic():
        Event.objects.bulk_create(events, batch_size=2000)
        Lead.objects.bulk_create(leads, batch_size=500)
        Deal.objects.bulk_create(deals)
        DealStory.objects.bulk_create(
            [
                DealStory(
                    deal=deal,
                    case_study=cs,
                    source=rng.choice(
                        [
                            DealStory.Source.PACK,
                            DealStory.Source.SHARE_LINK,
                            DealStory.Source.LOGGED,
                        ]
                    ),
                    rep_feedback=rng.choice(FEEDBACK[deal.outcome]),
                    customer_reaction=rng.choice(REACTIONS) if deal.outcome == "won" else "",
                    # Shared while the deal was open (attribution timing).
                    used_on=min(
                        deal.opened_on + timedelta(days=rng.randint(1, 20)),
                        deal.closed_on or today,
                    ),
                )
                for deal, cs in links
            ]
        )
        DownloadGate.objects.bulk_create(
            [DownloadGate(case_study=cs, enabled=True) for cs in stories[:2]],
            ignore_conflicts=True,
        )
        Backlink.objects.bulk_create(
            [
                Backlink(
                    case_study=cs,
                    url=f"https://{site}/articles/{cs.slug}",
                    domain=site,
                    found_on=today - timedelta(days=rng.randint(0, DAYS - 1)),
                )
                for cs in stories[:4]
                for site in ("industry-news.example", "analyst-blog.example")[
                    : 1 + (cs is stories[0])
                ]
            ],
            ignore_conflicts=True,
        )
        CustomerValue.objects.bulk_create(
            [
                CustomerValue(
                    customer=cs.customer,
                    case_study=cs,
                    kind=kind,
                    amount=amount,
                    occurred_on=today - timedelta(days=rng.randint(0, DAYS - 1)),
                    note=note,
                )
                for cs in stories[:4]
                for kind, amount, note in (
                    (CustomerValue.Kind.BACKLINK, 1, "Story links to their website"),
                    (CustomerValue.Kind.SOCIAL_REACH, rng.randint(800, 9000), "LinkedIn posts"),
                    (CustomerValue.Kind.LEADS_REFERRED, rng.randint(1, 4), "Partner referrals"),
                    (CustomerValue.Kind.RECOGNITION, 1, "Featured at the customer summit"),
                )
            ]
        )
    if stdout is not None:
        stdout.write(
            f"Impact demo: {len(events)} events, {len(leads)} leads, {len(deals)} deals "
            f"({len(links)} with stories)."
        )
    return len(deals)
