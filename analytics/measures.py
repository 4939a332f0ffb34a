"""The guide's "Measuring Case Study Impact", as pure functions over querysets.

Every function takes querysets already narrowed to what the caller wants
(period, segment) and returns plain numbers, dicts and lists; each runs a fixed
number of queries whatever the number of stories or deals.

Definitions (also in the README):

- **view**: a story page shown in a browser that runs JavaScript, not opted out
  (DNT/GPC), not a bot. **Time on page**: visible seconds reported when the
  reader leaves; the average is over the views that reported it (the
  *engagement reports*; a view whose reader left without a report, e.g. a
  closed laptop, has no time and is not in the average). The dashboard shows
  the basis: "over n of m views".
- **bounce**: an engagement report of under ``BOUNCE_SECONDS`` (10) visible
  seconds whose reader did not click on to another page of ours. Bounce rate =
  bounces / engagement reports (the same basis as the average time).
- **visitor-days**: distinct daily visitor hashes. The hash's salt changes
  every day (no visitor can be followed from one day to the next), so one
  reader on three days counts three: the figure is visitor-days, not people.
- **conversion**: leads / views of the story in the period, shown with its
  views. Leads also come from readers whose views are never counted (no
  JavaScript, DNT/GPC), so leads can exceed views; the rate is then not
  given (``None``) and ``conversion_over`` says why, never above 100 %.
- **organic search visit**: a view whose referrer is a search engine and whose
  UTM medium is not paid: ``PAID_MEDIA``, compared case-insensitively after
  trimming (``CPC`` and ``Paid-Search`` are paid).
- **deals of a period**: the deals *closed* (won or lost) in it; every deal
  figure, the portfolio's and each story's, counts only those.
- **attribution timing**: a story counts for a deal only if it reached the
  prospect on or before the close date: the link's ``used_on`` date (when the
  story was shared, set by whoever records it) or else the day the link was
  recorded. Packs and share links can only be attached to open deals; a
  rep's log or a CRM import made after the close is left out, and counted
  (``late_links``).
- **win rate**: won / (won + lost) of deals *closed* in the period.
- **matched comparison**: closed deals grouped into strata of the same industry
  and company-size band; only strata holding deals both with and without
  stories count; each stratum's win rates are weighted by its number of deals
  with stories (the effect on the deals where stories were used). Deals with
  no industry or size cannot be matched and are left out (and counted).
- **sales cycle**: days from opened to closed, averaged over won deals.
- **influenced revenue**: the amount of won deals that used at least one story
  (per currency; per story, each story used in a deal is credited the whole
  deal, so per-story figures do not add up to the portfolio's).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import Lower, Trim, TruncDate
from django.utils import timezone

from analytics.capture import conf
from analytics.models import Deal, DealOutcome, DealStory, EventKind

# UTM media that are paid traffic, lower case; an event's medium is trimmed
# and lower-cased before it is compared (see organic_q).
PAID_MEDIA = (
    "cpc",
    "ppc",
    "cpm",
    "cpv",
    "cpa",
    "paid",
    "paid_search",
    "paid-search",
    "paidsearch",
    "paid_social",
    "paid-social",
    "paidsocial",
    "display",
    "banner",
    "retargeting",
    "sem",
)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def in_period(qs, period: Period, field_name: str = "created_at"):
    start, end = period.bounds()
    return qs.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def ratio(part, whole) -> float | None:
    return None if not whole else part / whole


# --------------------------------------------------------------------------
# Events: views, time on page, bounce, downloads, organic search, sales use
# --------------------------------------------------------------------------


def search_engine_q() -> Q:
    q = Q()
    for engine in conf("SEARCH_ENGINES"):
        if engine.endswith("."):
            q |= Q(referrer_host__startswith=engine) | Q(referrer_host__contains=f".{engine}")
        else:
            q |= Q(referrer_host=engine) | Q(referrer_host__endswith=f".{engine}")
    return q


def is_paid(medium: str) -> bool:
    return (medium or "").strip().lower() in PAID_MEDIA


def _event_aggregates() -> dict:
    bounce = Q(kind=EventKind.ENGAGEMENT, value__lt=conf("BOUNCE_SECONDS")) & ~Q(detail="continued")
    organic = Q(kind=EventKind.VIEW) & search_engine_q() & ~Q(medium_key__in=PAID_MEDIA)
    return {
        "views": Count("pk", filter=Q(kind=EventKind.VIEW)),
        "visitors": Count("visitor", distinct=True, filter=Q(kind=EventKind.VIEW)),
        "engaged": Count("pk", filter=Q(kind=EventKind.ENGAGEMENT)),
        "seconds": Sum("value", filter=Q(kind=EventKind.ENGAGEMENT)),
        "bounces": Count("pk", filter=bounce),
        "downloads": Count("pk", filter=Q(kind=EventKind.DOWNLOAD)),
        "organic": Count("pk", filter=organic),
        "share_visits": Count("pk", filter=Q(kind=EventKind.SHARE_VISIT)),
        "campaign_visits": Count("pk", filter=Q(kind=EventKind.VIEW, utm_medium="campaign")),
        "sales_uses": Count("pk", filter=Q(kind=EventKind.SALES_USE)),
        "reps": Count("user", distinct=True, filter=Q(kind=EventKind.SALES_USE)),
    }


def _derive(row: dict) -> dict:
    row["seconds"] = row.get("seconds") or 0
    row["avg_seconds"] = ratio(row["seconds"], row["engaged"])
    row["bounce_rate"] = ratio(row["bounces"], row["engaged"])
    return row


def conversion(leads: int, views: int) -> tuple[float | None, bool]:
    """(leads / views, over): ``None`` and ``over=True`` when there are more
    leads than counted views (see the module's definition)."""
    if leads > views:
        return None, True
    return ratio(leads, views), False


def _with_medium(events):
    return events.annotate(medium_key=Lower(Trim("utm_medium")))


def empty_traffic() -> dict:
    """The figures of a story nothing happened to."""
    return _derive(dict.fromkeys(_event_aggregates(), 0))


def traffic(events) -> dict:
    """Portfolio totals over ``events`` (one query)."""
    return _derive(_with_medium(events).aggregate(**_event_aggregates()))


def traffic_by_story(events) -> dict[int, dict]:
    """``{story id: figures}`` (one query)."""
    rows = (
        _with_medium(events.filter(case_study__isnull=False))
        .values("case_study_id")
        .annotate(**_event_aggregates())
        .order_by()
    )
    return {row.pop("case_study_id"): _derive(row) for row in rows}


def daily_series(events, leads, period: Period) -> dict[str, list[int]]:
    """Views, downloads and leads per day of the period (two queries)."""
    index = {day: i for i, day in enumerate(period.dates())}
    series = {name: [0] * period.days for name in ("views", "downloads", "leads")}
    names = {EventKind.VIEW: "views", EventKind.DOWNLOAD: "downloads"}
    rows = (
        events.filter(kind__in=list(names))
        .annotate(day=TruncDate("created_at"))
        .values("day", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        if row["day"] in index:
            series[names[row["kind"]]][index[row["day"]]] += row["n"]
    for row in leads.annotate(day=TruncDate("created_at")).values("day").annotate(n=Count("pk")):
        if row["day"] in index:
            series["leads"][index[row["day"]]] += row["n"]
    return series


def leads_by_story(leads) -> dict[int, int]:
    return dict(
        leads.values("case_study_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("case_study_id", "n")
    )


# --------------------------------------------------------------------------
# Deals: win rate, matched comparison, deal size, cycle, influenced revenue
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DealRow:
    pk: int
    outcome: str
    amount: Decimal
    currency: str
    opened_on: date
    closed_on: date | None
    industry_id: int | None
    company_size: str
    with_story: bool

    @property
    def closed(self) -> bool:
        return self.outcome != DealOutcome.OPEN

    @property
    def won(self) -> bool:
        return self.outcome == DealOutcome.WON

    @property
    def cycle_days(self) -> int | None:
        return (self.closed_on - self.opened_on).days if self.closed_on else None


def attributed_q() -> Q:
    """DealStory rows that count for their deal: the story reached the
    prospect on or before the close (``used_on``, else the day the link was
    recorded); every link of an open deal counts."""
    return (
        Q(deal__closed_on__isnull=True)
        | Q(used_on__isnull=False, used_on__lte=F("deal__closed_on"))
        | Q(used_on__isnull=True, created_at__date__lte=F("deal__closed_on"))
    )


def attributed(links):
    return links.filter(attributed_q())


def late(links):
    """The links left out by :func:`attributed_q` (made after the close)."""
    return links.exclude(attributed_q())


def deal_rows(deals) -> list[DealRow]:
    """The deals as small rows with "used a story": at least one link that
    counts under the attribution timing (one query)."""
    qs = deals.annotate(
        with_story=Exists(attributed(DealStory.objects.filter(deal=OuterRef("pk"))))
    ).values_list(
        "pk",
        "outcome",
        "amount",
        "currency",
        "opened_on",
        "closed_on",
        "industry_id",
        "company_size",
        "with_story",
    )
    return [DealRow(*row) for row in qs.order_by()]


def win_rate(rows: list[DealRow]) -> float | None:
    closed = [r for r in rows if r.closed]
    return ratio(sum(r.won for r in closed), len(closed))


def money(rows: list[DealRow], *, won_only: bool = True) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r.won or not won_only:
            totals[r.currency] += r.amount
    return dict(sorted(totals.items()))


def average_deal_size(rows: list[DealRow]) -> dict[str, Decimal]:
    """Average amount of won deals, per currency."""
    sums: dict[str, list] = defaultdict(lambda: [Decimal(0), 0])
    for r in rows:
        if r.won:
            sums[r.currency][0] += r.amount
            sums[r.currency][1] += 1
    return {cur: (total / n).quantize(Decimal("0.01")) for cur, (total, n) in sorted(sums.items())}


def sales_cycle_days(rows: list[DealRow]) -> float | None:
    """Average days from opened to closed over won deals."""
    days = [r.cycle_days for r in rows if r.won and r.cycle_days is not None]
    return ratio(sum(days), len(days))


def influenced_revenue(rows: list[DealRow]) -> dict[str, Decimal]:
    return money([r for r in rows if r.with_story])


@dataclass
class Stratum:
    industry_id: int
    company_size: str
    with_closed: int
    with_won: int
    without_closed: int
    without_won: int

    @property
    def rate_with(self) -> float:
        return self.with_won / self.with_closed

    @property
    def rate_without(self) -> float:
        return self.without_won / self.without_closed


@dataclass
class MatchedComparison:
    strata: list[Stratum] = field(default_factory=list)
    rate_with: float | None = None
    rate_without: float | None = None
    matched_with: int = 0  # closed deals with stories inside usable strata
    unmatched_with: int = 0  # closed deals with stories no stratum could compare

    @property
    def lift(self) -> float | None:
        """Percentage points the stories add to the win rate."""
        if self.rate_with is None or self.rate_without is None:
            return None
        return self.rate_with - self.rate_without


def matched_comparison(rows: list[DealRow]) -> MatchedComparison:
    """Win rate with vs without stories on deals of the same industry and size
    band, weighted by each stratum's number of deals with stories."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    result = MatchedComparison()
    for r in rows:
        if not r.closed:
            continue
        if r.industry_id is None or not r.company_size:
            result.unmatched_with += r.with_story
            continue
        cell = cells[(r.industry_id, r.company_size)]
        offset = 0 if r.with_story else 2
        cell[offset] += 1
        cell[offset + 1] += r.won
    weight = 0
    sum_with = sum_without = 0.0
    for (industry_id, size), (wc, ww, oc, ow) in sorted(cells.items()):
        if wc and oc:
            stratum = Stratum(industry_id, size, wc, ww, oc, ow)
            result.strata.append(stratum)
            weight += wc
            sum_with += wc * stratum.rate_with
            sum_without += wc * stratum.rate_without
        else:
            result.unmatched_with += wc
    result.matched_with = weight
    if weight:
        result.rate_with = sum_with / weight
        result.rate_without = sum_without / weight
    return result


def deal_summary(rows: list[DealRow]) -> dict:
    """The portfolio's deal figures: with and without stories side by side."""
    with_rows = [r for r in rows if r.with_story]
    without_rows = [r for r in rows if not r.with_story]
    return {
        "deals": len(rows),
        "deals_with_stories": len(with_rows),
        "share_with_stories": ratio(len(with_rows), len(rows)),
        "win_rate_with": win_rate(with_rows),
        "win_rate_without": win_rate(without_rows),
        "avg_size_with": average_deal_size(with_rows),
        "avg_size_without": average_deal_size(without_rows),
        "cycle_with": sales_cycle_days(with_rows),
        "cycle_without": sales_cycle_days(without_rows),
        "influenced_revenue": influenced_revenue(rows),
        "matched": matched_comparison(rows),
    }


def deals_by_story(links) -> dict[int, dict]:
    """Per story, over ``links`` (DealStory rows of the chosen deals, already
    narrowed to closed deals and to :func:`attributed` links): deals, won,
    lost, win rate and influenced revenue per currency (one query)."""
    result: dict[int, dict] = {}
    rows = (
        links.values("case_study_id", "deal__currency")
        .annotate(
            deals=Count("deal", distinct=True),
            won=Count("deal", distinct=True, filter=Q(deal__outcome=DealOutcome.WON)),
            lost=Count("deal", distinct=True, filter=Q(deal__outcome=DealOutcome.LOST)),
            revenue=Sum("deal__amount", filter=Q(deal__outcome=DealOutcome.WON)),
        )
        .order_by()
    )
    for row in rows:
        entry = result.setdefault(
            row["case_study_id"], {"deals": 0, "won": 0, "lost": 0, "revenue": {}}
        )
        entry["deals"] += row["deals"]
        entry["won"] += row["won"]
        entry["lost"] += row["lost"]
        if row["revenue"]:
            entry["revenue"][row["deal__currency"]] = row["revenue"]
    for entry in result.values():
        entry["win_rate"] = ratio(entry["won"], entry["won"] + entry["lost"])
    return result


def deals_in(period: Period, deals=None):
    """Deals that were active in the period: opened by its end and not closed
    before its start (the "active" count only: deal figures use
    :func:`closed_in`)."""
    deals = Deal.objects.all() if deals is None else deals
    return deals.filter(opened_on__lte=period.end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=period.start)
    )


def closed_in(period: Period, deals=None):
    """Deals won or lost in the period: the deals every deal figure counts."""
    deals = Deal.objects.all() if deals is None else deals
    return deals.filter(closed_on__gte=period.start, closed_on__lte=period.end)


# --------------------------------------------------------------------------
# SEO, sales usage, value for the customer
# --------------------------------------------------------------------------


def count_by_story(qs) -> dict[int, int]:
    return dict(
        qs.values("case_study_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("case_study_id", "n")
    )


def underused(stories: list, traffic_rows: dict[int, dict], *, max_uses: int) -> list:
    """Published stories sales used at most ``max_uses`` times: least used
    first, then least viewed."""
    empty = {"sales_uses": 0, "reps": 0, "views": 0}
    picked = [
        (cs, traffic_rows.get(cs.pk, empty))
        for cs in stories
        if traffic_rows.get(cs.pk, empty)["sales_uses"] <= max_uses
    ]
    picked.sort(key=lambda item: (item[1]["sales_uses"], item[1]["views"], item[0].title))
    return picked


def customer_value(entries) -> list[dict]:
    """The value ledger per customer: totals per kind (one query)."""
    rows = (
        entries.values("customer_id", "customer__name", "kind")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by("customer__name", "kind")
    )
    customers: dict[int, dict] = {}
    for row in rows:
        entry = customers.setdefault(
            row["customer_id"], {"customer": row["customer__name"], "kinds": {}}
        )
        entry["kinds"][row["kind"]] = row["total"]
    return list(customers.values())


def placements(events, *, limit: int = 50) -> list[dict]:
    """Where embedded stories were shown and clicked: one row per embed
    (its name, ``utm_campaign``) and host page (``detail``), most seen
    first. One query."""
    rows = (
        events.filter(kind__in=[EventKind.EMBED_VIEW, EventKind.EMBED_CLICK])
        .values("utm_campaign", "detail")
        .annotate(
            views=Count("pk", filter=Q(kind=EventKind.EMBED_VIEW)),
            clicks=Count("pk", filter=Q(kind=EventKind.EMBED_CLICK)),
            last_seen=Max("created_at"),
        )
        .order_by("-views", "-clicks", "utm_campaign", "detail")
    )
    return [{**row, "click_rate": ratio(row["clicks"], row["views"])} for row in rows[:limit]]
