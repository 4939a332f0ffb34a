"""Known answers: one constructed quarter, every figure worked out by hand in
the comments, checked on the dashboard page, the story report and the CSV
(issue 18: deals closed in the period, attribution timing, matched coverage,
time and bounce basis, conversion, visitor-days, paid media)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics import measures
from analytics.events import record
from analytics.models import Deal, DealStory, Lead
from tests import factories

D = datetime.date
URL = "/admin/analytics/dashboard/"
QUERY = {"start": "2026-01-01", "end": "2026-03-31"}


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def quarter(story_at):
    """Q1 2026. Stories A and B; eight deals:

    ===  =====  =======  ==========  ================  =====================
    id   out    amount   closed      industry / size   story (shared on)
    ===  =====  =======  ==========  ================  =====================
    D1   won     50,000  2026-02-10  retail / smb      A (2026-01-15)
    D2   lost    30,000  2026-03-01  retail / smb      A (2026-02-01)
    D3   lost    40,000  2026-02-20  retail / smb      —
    D4   lost    20,000  2026-03-10  retail / smb      —
    D5   won     60,000  2026-03-15  health / mid      B (2026-03-01)
    D6   won    100,000  2026-03-20  retail / smb      A (2026-03-25: late)
    D7   open    90,000  —           retail / smb      A (2026-02-01)
    D8   won     80,000  2026-04-05  retail / smb      A (2026-01-10)
    ===  =====  =======  ==========  ================  =====================
    """
    retail = factories.IndustryFactory(name="Retail", slug="retail")
    health = factories.IndustryFactory(name="Health", slug="health")
    a = story_at("published", title="Alpha story")
    b = story_at("published", title="Beta story")
    table = [
        ("D1", "won", 50_000, D(2026, 2, 10), retail, "smb", a, D(2026, 1, 15)),
        ("D2", "lost", 30_000, D(2026, 3, 1), retail, "smb", a, D(2026, 2, 1)),
        ("D3", "lost", 40_000, D(2026, 2, 20), retail, "smb", None, None),
        ("D4", "lost", 20_000, D(2026, 3, 10), retail, "smb", None, None),
        ("D5", "won", 60_000, D(2026, 3, 15), health, "mid-market", b, D(2026, 3, 1)),
        ("D6", "won", 100_000, D(2026, 3, 20), retail, "smb", a, D(2026, 3, 25)),
        ("D7", "open", 90_000, None, retail, "smb", a, D(2026, 2, 1)),
        ("D8", "won", 80_000, D(2026, 4, 5), retail, "smb", a, D(2026, 1, 10)),
    ]
    for ext, outcome, amount, closed_on, industry, size, story, used_on in table:
        deal = Deal.objects.create(
            external_id=ext,
            name=ext,
            amount=amount,
            outcome=outcome,
            opened_on=D(2025, 11, 1),
            closed_on=closed_on,
            industry=industry,
            company_size=size,
        )
        if story is not None:
            DealStory.objects.create(deal=deal, case_study=story, source="logged", used_on=used_on)

    # Traffic of A: five views on two days, search-engine referred, three
    # of them with a paid medium written three ways; four daily hashes.
    day1, day2 = D(2026, 2, 2), D(2026, 2, 3)
    for day, visitor, medium in [
        (day1, "v1-day1", ""),
        (day1, "v2-day1", "CPC"),
        (day2, "v1-day2", ""),
        (day2, "v1-day2", "Paid-Search"),
        (day2, "v3-day2", " paid_social "),
    ]:
        record(
            "view",
            case_study=a,
            referrer_host="www.google.com",
            utm_medium=medium,
            visitor=visitor,
            created_at=at(day),
        )
    # Three of the five views reported time: 5 s (a bounce), 25 s, 60 s.
    for seconds in (5, 25, 60):
        record("engagement", case_study=a, value=seconds, created_at=at(day1))
    # B: one counted view, three leads (two readers had no JavaScript).
    record("view", case_study=b, visitor="v9-day1", created_at=at(day1))
    for i, story in enumerate([a, a, b, b, b]):
        lead = Lead.objects.create(
            case_study=story, name="n", email=f"l{i}@firm.example", company="c", role="r"
        )
        Lead.objects.filter(pk=lead.pk).update(created_at=at(day2))
    return a, b


def test_the_measures_give_the_hand_computed_answers(quarter):
    a, b = quarter
    period = measures.Period(D(2026, 1, 1), D(2026, 3, 31))
    from analytics import report

    r = report.build(period, report.Segment())
    deals = r["deals"]
    # Closed in Q1: D1 to D6 (D7 is open, D8 closed in April).
    assert deals["deals"] == 6
    # With a story shared before the close: D1, D2, D5 (D6's came late).
    assert deals["deals_with_stories"] == 3
    assert deals["late_links"] == 1
    assert deals["active"] == 8  # all eight were open at some point in Q1
    # With: D1 won, D2 lost, D5 won → 2/3. Without: D3, D4 lost, D6 won → 1/3.
    assert deals["win_rate_with"] == pytest.approx(2 / 3)
    assert deals["win_rate_without"] == pytest.approx(1 / 3)
    # Influenced: D1 + D5 = 110,000 (not D6's 100,000, not D8's 80,000).
    assert deals["influenced_revenue"] == {"USD": Decimal("110000.00")}
    # Matched: retail/smb only (health/mid has no deal without stories):
    # with D1, D2 → 1/2; without D3, D4, D6 → 1/3; lift 1/2 - 1/3 = 1/6.
    matched = deals["matched"]
    assert (matched.matched_with, matched.unmatched_with) == (2, 1)
    assert matched.rate_with == pytest.approx(1 / 2)
    assert matched.rate_without == pytest.approx(1 / 3)
    assert matched.lift == pytest.approx(1 / 6)
    assert r["strata"] == [
        {
            "industry": "Retail",
            "size": "SMB",
            "with_closed": 2,
            "rate_with": 0.5,
            "without_closed": 3,
            "rate_without": pytest.approx(1 / 3),
        }
    ]

    rows = {cs.pk: row for cs, row in r["stories"]}
    # A: D1 won, D2 lost → 1 won of 2 closed, 50 %, USD 50,000. Before the
    # fix: D1, D2, D6, D7, D8 → "3/5" and USD 230,000, more than the
    # portfolio's 110,000.
    assert (rows[a.pk]["deal_won"], rows[a.pk]["deal_deals"]) == (1, 2)
    assert rows[a.pk]["deal_win_rate"] == 0.5
    assert rows[a.pk]["deal_revenue"] == {"USD": Decimal("50000.00")}
    assert rows[a.pk]["deal_late_links"] == 1
    assert (rows[b.pk]["deal_won"], rows[b.pk]["deal_deals"]) == (1, 1)
    # A's traffic: 5 views; organic = 5 - CPC - Paid-Search - paid_social = 2.
    assert rows[a.pk]["views"] == 5
    assert rows[a.pk]["organic"] == 2
    # Visitor-days: v1-day1, v2-day1, v1-day2, v3-day2 = 4 (v1 counts twice).
    assert rows[a.pk]["visitors"] == 4
    # Time: (5 + 25 + 60) / 3 reports = 30 s; bounce 1 / 3 reports.
    assert (rows[a.pk]["engaged"], rows[a.pk]["avg_seconds"]) == (3, 30)
    assert rows[a.pk]["bounce_rate"] == pytest.approx(1 / 3)
    # Conversion: A 2 leads / 5 views = 40 %; B 3 leads / 1 view: no rate.
    assert rows[a.pk]["conversion"] == pytest.approx(0.4)
    assert (rows[b.pk]["conversion"], rows[b.pk]["conversion_over"]) == (None, True)
    # Portfolio: 5 leads / 6 views.
    assert r["totals"]["conversion"] == pytest.approx(5 / 6)
    assert r["totals"]["visitors"] == 5


def test_the_dashboard_states_each_figure_and_its_definition(client, alice, quarter):
    client.force_login(alice)
    html = client.get(URL, QUERY).content.decode()
    assert "3 / 6" in html  # closed deals that used a story / closed deals
    assert "1 story link made after its deal closed left out" in html
    assert "66.7 %" in html and "33.3 %" in html  # win rates with / without
    assert "USD 110,000" in html
    assert "+16.7 pp" in html
    assert "matched 2 of 3 deals with stories" in html
    assert "Matched 2 of 3 deals with stories." in html
    assert "1 deal with stories had no deal without stories" in html
    assert "<td>Retail</td><td>SMB</td>" in html  # the stratum used
    assert "Visitor-days" in html
    assert "over 3 of 6 views that reported time" in html  # portfolio basis
    assert "83.3 % <small>5 leads / 6 views</small>" in html
    # Per story: "won / closed", A's conversion with its basis, B's none.
    assert "1/2" in html and "USD 50,000" in html
    assert "3/5" not in html and "USD 230,000" not in html
    assert "40.0 % <small>2 leads / 5 views</small>" in html
    assert "3 leads / 1 views: more leads than counted views, no rate" in html
    assert "How these figures are computed" in html
    assert "paid_search" in html  # the paid media list is stated


def test_the_story_report_follows_the_same_definitions(client, alice, quarter):
    a, _b = quarter
    client.force_login(alice)
    response = client.get(f"{URL}story/{a.pk}/", QUERY)
    html = response.content.decode()
    row = response.context["row"]
    assert (row["deal_won"], row["deal_deals"]) == (1, 2)
    assert "1 link made after its deal closed left out" in html
    assert "over 3 of 5 views that reported time" in html
    assert "1 of 3 views that reported time" in html  # the bounces
    assert "How these figures are computed" in html
    # The story's deal figures: D1 and D2 only.
    assert response.context["r"]["deals"]["deals"] == 2
    assert response.context["r"]["deals"]["influenced_revenue"] == {"USD": Decimal("50000.00")}


def test_the_csv_shows_the_same_answers(client, alice, quarter):
    client.force_login(alice)
    response = client.get(f"{URL}export.csv", QUERY)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    by_title = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    alpha, beta = by_title["Alpha story"], by_title["Beta story"]
    assert alpha["Views"] == "5"
    assert alpha["Visitor-days"] == "4"
    assert alpha["Views that reported time"] == "3"
    assert alpha["Average time on page (s)"] == "30.0"
    assert alpha["Bounce rate"] == "0.3333"
    assert alpha["Conversion"] == "0.4"
    assert alpha["Organic search visits"] == "2"
    assert (alpha["Deals closed"], alpha["Won"], alpha["Lost"]) == ("2", "1", "1")
    assert alpha["Win rate"] == "0.5"
    assert alpha["Influenced revenue"] == "USD 50000.00"
    assert alpha["Story links made after the close (left out)"] == "1"
    assert beta["Conversion"] == ""  # 3 leads / 1 view: no rate above 100 %
    assert (beta["Deals closed"], beta["Won"]) == ("1", "1")


@pytest.mark.parametrize(
    ("medium", "paid"),
    [
        ("CPC", True),
        (" cpc ", True),
        ("Paid-Search", True),
        ("paid_search", True),
        ("PAIDSEARCH", True),
        ("paid_social", True),
        ("Display", True),
        ("cpm", True),
        ("", False),
        ("organic", False),
        ("email", False),
    ],
)
def test_paid_media_are_matched_case_insensitively(medium, paid):
    assert measures.is_paid(medium) is paid


def test_a_link_on_the_close_day_counts_and_the_day_after_does_not(story_at):
    story = story_at("published")
    common = {"amount": 1, "outcome": "won", "opened_on": D(2026, 1, 1)}
    on_day = Deal.objects.create(external_id="a", name="a", closed_on=D(2026, 2, 1), **common)
    after = Deal.objects.create(external_id="b", name="b", closed_on=D(2026, 2, 1), **common)
    recorded = Deal.objects.create(external_id="c", name="c", closed_on=D(2026, 2, 1), **common)
    DealStory.objects.create(deal=on_day, case_study=story, used_on=D(2026, 2, 1))
    DealStory.objects.create(deal=after, case_study=story, used_on=D(2026, 2, 2))
    # No "shared on" date: the day it was recorded (after the close) decides.
    DealStory.objects.create(deal=recorded, case_study=story, created_at=at(D(2026, 2, 5)))
    rows = {r.pk: r.with_story for r in measures.deal_rows(Deal.objects.all())}
    assert rows == {on_day.pk: True, after.pk: False, recorded.pk: False}
    assert measures.late(DealStory.objects.all()).count() == 2
