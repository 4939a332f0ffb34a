"""Each measure on constructed data with a known answer."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics import measures
from analytics.events import record
from analytics.measures import DealRow, Period
from analytics.models import Deal, DealStory, Event, Lead
from tests import factories

D = datetime.date


def row(
    outcome="won",
    *,
    story=False,
    industry=1,
    size="smb",
    amount="100",
    opened=None,
    closed=None,
    currency="USD",
):
    opened = opened or D(2026, 1, 1)
    if outcome != "open" and closed is None:
        closed = D(2026, 1, 31)
    return DealRow(0, outcome, Decimal(amount), currency, opened, closed, industry, size, story)


# --------------------------------------------------------------------------
# Deals (pure functions over rows)
# --------------------------------------------------------------------------


def test_win_rate_counts_closed_deals_only():
    rows = [row("won"), row("won"), row("lost"), row("open"), row("open")]
    assert measures.win_rate(rows) == pytest.approx(2 / 3)
    assert measures.win_rate([row("open")]) is None


def test_matched_comparison_weights_each_stratum_by_its_deals_with_stories():
    rows = [
        # Stratum A (industry 1, smb): with 3 closed (2 won), without 2 (1 won).
        row("won", story=True),
        row("won", story=True),
        row("lost", story=True),
        row("won"),
        row("lost"),
        # Stratum B (industry 2, enterprise): with 1 (1 won), without 4 (1 won).
        row("won", story=True, industry=2, size="enterprise"),
        row("won", industry=2, size="enterprise"),
        row("lost", industry=2, size="enterprise"),
        row("lost", industry=2, size="enterprise"),
        row("lost", industry=2, size="enterprise"),
        # Stratum C: only deals with stories, nothing to compare with.
        row("won", story=True, industry=3),
        # No industry: cannot be matched.
        row("won", story=True, industry=None),
        # Open deals never count.
        row("open", story=True),
    ]
    result = measures.matched_comparison(rows)
    assert len(result.strata) == 2
    # with = (3 * 2/3 + 1 * 1) / 4 = 0.75 ; without = (3 * 1/2 + 1 * 1/4) / 4 = 0.4375
    assert result.rate_with == pytest.approx(0.75)
    assert result.rate_without == pytest.approx(0.4375)
    assert result.lift == pytest.approx(0.3125)
    assert result.matched_with == 4
    assert result.unmatched_with == 2


def test_an_unmatched_portfolio_has_no_comparison():
    result = measures.matched_comparison([row("won", story=True), row("lost", industry=2)])
    assert result.rate_with is None and result.lift is None
    assert result.unmatched_with == 1


def test_matching_removes_the_mix_effect_a_raw_comparison_shows():
    """Stories were used mostly in enterprise deals, which win less often: the
    raw comparison says stories hurt, the matched one that they help."""
    rows = (
        [row("won", story=True, size="enterprise")] * 3
        + [row("lost", story=True, size="enterprise")] * 5
        + [row("won", size="enterprise")] * 1
        + [row("lost", size="enterprise")] * 4
        + [row("won", story=True)] * 2
        + [row("won")] * 6
        + [row("lost")] * 4
    )
    with_rate = measures.win_rate([r for r in rows if r.with_story])
    without_rate = measures.win_rate([r for r in rows if not r.with_story])
    assert with_rate == pytest.approx(0.5)  # 5 / 10
    assert without_rate == pytest.approx(7 / 15)
    matched = measures.matched_comparison(rows)
    # enterprise: 3/8 vs 1/5 (weight 8); smb: 2/2 vs 6/10 (weight 2)
    assert matched.rate_with == pytest.approx((8 * 3 / 8 + 2 * 1) / 10)
    assert matched.rate_without == pytest.approx((8 * 1 / 5 + 2 * 0.6) / 10)
    assert matched.lift == pytest.approx(0.5 - 0.28)


def test_sales_cycle_is_the_average_days_of_won_deals():
    rows = [
        row("won", opened=D(2026, 1, 1), closed=D(2026, 1, 31)),  # 30
        row("won", opened=D(2026, 1, 1), closed=D(2026, 3, 2)),  # 60
        row("lost", opened=D(2026, 1, 1), closed=D(2026, 1, 2)),  # not won
        row("open"),
    ]
    assert measures.sales_cycle_days(rows) == pytest.approx(45)
    assert measures.sales_cycle_days([row("lost")]) is None


def test_deal_size_and_influenced_revenue_are_per_currency():
    rows = [
        row("won", story=True, amount="1000"),
        row("won", story=True, amount="3000"),
        row("won", story=True, amount="5000000", currency="IDR"),
        row("won", amount="500"),
        row("lost", story=True, amount="9999"),
    ]
    assert measures.average_deal_size(rows) == {
        "IDR": Decimal("5000000.00"),
        "USD": Decimal("1500.00"),
    }
    assert measures.influenced_revenue(rows) == {"IDR": Decimal("5000000"), "USD": Decimal("4000")}


def test_deal_summary_puts_with_and_without_side_by_side():
    rows = [row("won", story=True), row("lost", story=True), row("lost"), row("lost")]
    summary = measures.deal_summary(rows)
    assert summary["deals"] == 4
    assert summary["deals_with_stories"] == 2
    assert summary["win_rate_with"] == pytest.approx(0.5)
    assert summary["win_rate_without"] == 0


# --------------------------------------------------------------------------
# Over the database
# --------------------------------------------------------------------------


PERIOD = Period(D(2026, 3, 1), D(2026, 3, 31))


def at(day, hour=12):
    return timezone.make_aware(datetime.datetime(2026, 3, day, hour))


@pytest.fixture
def two_stories(story_at):
    return story_at("published"), story_at("published")


def test_traffic_by_story_views_time_bounce_downloads_organic(two_stories):
    a, b = two_stories
    for referrer in ("google.com", "google.co.id", "duckduckgo.com", "linkedin.com", ""):
        record("view", case_study=a, referrer_host=referrer, created_at=at(5))
    record("view", case_study=a, referrer_host="google.com", utm_medium="cpc", created_at=at(5))
    record("view", case_study=a, created_at=at(20), visitor="v1")
    record("view", case_study=b, created_at=at(6))
    record("view", case_study=a, created_at=timezone.make_aware(datetime.datetime(2026, 4, 1)))
    # Time on page: 4 reports for a (bounces: 3 s and 8 s without continuing).
    record("engagement", case_study=a, value=3, created_at=at(5))
    record("engagement", case_study=a, value=8, created_at=at(5))
    record("engagement", case_study=a, value=5, detail="continued", created_at=at(5))
    record("engagement", case_study=a, value=120, created_at=at(5))
    record("download", case_study=a, detail="pdf", created_at=at(7))
    record("download", case_study=a, detail="slides", created_at=at(7))
    events = measures.in_period(Event.objects.all(), PERIOD)

    by_story = measures.traffic_by_story(events)
    fa = by_story[a.pk]
    assert fa["views"] == 7  # April's view is outside the period
    assert fa["avg_seconds"] == pytest.approx(34)  # (3 + 8 + 5 + 120) / 4
    assert fa["bounce_rate"] == pytest.approx(0.5)
    assert fa["downloads"] == 2
    assert fa["organic"] == 3  # google.com, google.co.id, duckduckgo; not paid, not LinkedIn
    assert by_story[b.pk]["views"] == 1
    assert by_story[b.pk]["avg_seconds"] is None

    totals = measures.traffic(events)
    assert totals["views"] == 8
    assert totals["downloads"] == 2


def test_sales_usage_counts_uses_and_distinct_reps(two_stories, alice, bob):
    a, b = two_stories
    record("sales_use", case_study=a, user=bob, detail="copy_quote", created_at=at(2))
    record("sales_use", case_study=a, user=bob, detail="pack", created_at=at(3))
    record("sales_use", case_study=a, user=alice, detail="slides", created_at=at(3))
    events = measures.in_period(Event.objects.all(), PERIOD)
    by_story = measures.traffic_by_story(events)
    assert (by_story[a.pk]["sales_uses"], by_story[a.pk]["reps"]) == (3, 2)
    under = measures.underused([a, b], by_story, max_uses=1)
    assert [cs for cs, _ in under] == [b]


def test_leads_and_conversion_per_story(two_stories):
    a, _b = two_stories
    for _i in range(4):
        record("view", case_study=a, created_at=at(10))
    Lead.objects.create(case_study=a, name="x", email="x@firm.example", company="F", role="R")
    leads = Lead.objects.all()
    assert measures.leads_by_story(leads) == {a.pk: 1}
    views = measures.traffic_by_story(Event.objects.all())[a.pk]["views"]
    assert measures.ratio(1, views) == 0.25


def test_daily_series_fills_every_day(two_stories):
    a, _b = two_stories
    record("view", case_study=a, created_at=at(1))
    record("view", case_study=a, created_at=at(1, 23))
    record("download", case_study=a, created_at=at(31))
    series = measures.daily_series(
        measures.in_period(Event.objects.all(), PERIOD), Lead.objects.none(), PERIOD
    )
    assert len(series["views"]) == 31
    assert series["views"][0] == 2
    assert series["downloads"][30] == 1
    assert sum(series["leads"]) == 0


def test_deal_rows_know_which_deals_used_a_story_and_per_story_figures(two_stories):
    a, b = two_stories
    industry = factories.IndustryFactory()
    common = {"industry": industry, "company_size": "smb", "opened_on": D(2026, 1, 1)}
    won = Deal.objects.create(
        external_id="1", name="W", amount=1000, outcome="won", closed_on=D(2026, 3, 3), **common
    )
    lost = Deal.objects.create(
        external_id="2", name="L", amount=500, outcome="lost", closed_on=D(2026, 3, 4), **common
    )
    Deal.objects.create(
        external_id="3", name="N", amount=700, outcome="won", closed_on=D(2026, 3, 5), **common
    )
    before = D(2026, 2, 1)
    DealStory.objects.create(deal=won, case_study=a, source="pack", used_on=before)
    DealStory.objects.create(deal=won, case_study=b, source="share_link", used_on=before)
    DealStory.objects.create(deal=lost, case_study=a, source="logged", used_on=before)

    rows = measures.deal_rows(Deal.objects.all())
    assert sorted((r.amount, r.with_story) for r in rows) == [
        (Decimal("500.00"), True),
        (Decimal("700.00"), False),
        (Decimal("1000.00"), True),
    ]
    per_story = measures.deals_by_story(DealStory.objects.all())
    assert per_story[a.pk]["deals"] == 2
    assert per_story[a.pk]["win_rate"] == 0.5
    assert per_story[a.pk]["revenue"] == {"USD": Decimal("1000.00")}
    assert per_story[b.pk]["revenue"] == {"USD": Decimal("1000.00")}
    assert measures.influenced_revenue(rows) == {"USD": Decimal("1000.00")}


def test_deals_in_a_period_are_those_active_in_it(db):
    common = {"name": "d", "amount": 1}
    Deal.objects.create(
        external_id="before",
        opened_on=D(2026, 1, 1),
        closed_on=D(2026, 2, 1),
        outcome="won",
        **common,
    )
    Deal.objects.create(
        external_id="during",
        opened_on=D(2026, 2, 1),
        closed_on=D(2026, 3, 9),
        outcome="lost",
        **common,
    )
    Deal.objects.create(external_id="open", opened_on=D(2026, 2, 1), **common)
    Deal.objects.create(external_id="later", opened_on=D(2026, 4, 2), **common)
    ids = set(measures.deals_in(PERIOD).values_list("external_id", flat=True))
    assert ids == {"during", "open"}
    assert set(measures.closed_in(PERIOD).values_list("external_id", flat=True)) == {"during"}


def test_customer_value_ledger_sums_per_kind(two_stories):
    from analytics.models import CustomerValue

    a, _ = two_stories
    CustomerValue.objects.create(customer=a.customer, kind="social_reach", amount=1200)
    CustomerValue.objects.create(customer=a.customer, kind="social_reach", amount=300)
    CustomerValue.objects.create(customer=a.customer, kind="backlink", amount=1)
    ledger = measures.customer_value(CustomerValue.objects.all())
    assert ledger == [{"customer": a.customer.name, "kinds": {"backlink": 1, "social_reach": 1500}}]


def test_the_database_refuses_impossible_deals(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.create(
            external_id="x",
            name="x",
            opened_on=D(2026, 3, 1),
            closed_on=D(2026, 2, 1),
            outcome="won",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.create(external_id="y", name="y", opened_on=D(2026, 3, 1), outcome="won")
