"""Deterministic, fictional customer case studies for Storyline's demo data.

Every story follows the standard case-study framework (executive summary, challenge,
solution, implementation, results, future plans), with quantified before/after metrics
and customer quotes from several stakeholder roles. All companies, people and numbers are
invented. The same arguments always produce the same story: the only source of variation
is ``random.Random(seed)``.

Word counts (``len(text.split())``) are enforced: the summary has 100-150 words and the
six sections together have 1000-1500 words. Required paragraphs are rendered first, then
optional paragraphs are added until a seeded target inside the range is reached.

Run ``python3 casestudies/demo_content.py`` for a self-check over every listed input.
"""

import random
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --------------------------------------------------------------------------------------
# Public interface
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoMetric:
    kind: str  # cost_saving, revenue, efficiency, time_saved, error_rate, other
    label: str
    before: str
    after: str
    unit: str
    period: str
    higher_is_better: bool


@dataclass(frozen=True)
class DemoQuote:
    text: str
    speaker_role: str  # executive_sponsor, department_leader, end_user, technical_leader
    kind: str  # pull, inline, result, recommendation


@dataclass(frozen=True)
class DemoStory:
    title: str
    summary: str
    challenge: str
    solution: str
    implementation: str
    results: str
    future_plans: str
    metrics: tuple[DemoMetric, ...]
    quotes: tuple[DemoQuote, ...]


# --------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------

SUMMARY_WORDS = (100, 150)
TOTAL_WORDS = (1000, 1500)
_TARGET_WORDS = (1160, 1330)  # seeded target for the six sections together
_SOFT_MAX_WORDS = 1460  # optional paragraphs never push the total above this
_SECTIONS = ("challenge", "solution", "implementation", "results", "future_plans")
# Guide thresholds for a "strong" result, in percent.
STRONG_THRESHOLDS = {"cost_saving": 30, "revenue": 20, "efficiency": 40}

# --------------------------------------------------------------------------------------
# Industry, size and region vocabulary
# --------------------------------------------------------------------------------------

_INDUSTRIES: dict[str, dict[str, str]] = {
    "healthcare": {
        "enterprise": "health system",
        "mid-market": "regional healthcare network",
        "smb": "specialty clinic group",
        "sites": "facilities",
        "site": "facility",
        "pressure": "rising patient volumes and tighter reimbursement rules",
        "regulation": "HIPAA and payer audit requirements",
        "systems": "EHR and billing systems",
        "peak": "flu season",
        "customers": "patients",
        "stakes": "every hour lost to manual work was an hour taken away from patient care",
    },
    "financial services": {
        "enterprise": "financial services group",
        "mid-market": "regional bank",
        "smb": "wealth advisory firm",
        "sites": "branches",
        "site": "branch",
        "pressure": "margin compression and constant regulatory change",
        "regulation": "SOX controls and regulator reporting",
        "systems": "core banking and general ledger platforms",
        "peak": "quarter-end",
        "customers": "clients",
        "stakes": "every delay carried regulatory and reputational risk",
    },
    "manufacturing": {
        "enterprise": "industrial manufacturer",
        "mid-market": "precision parts manufacturer",
        "smb": "specialty fabricator",
        "sites": "plants",
        "site": "plant",
        "pressure": "volatile input costs and long supplier lead times",
        "regulation": "ISO 9001 quality audits",
        "systems": "ERP and MES systems",
        "peak": "the annual model changeover",
        "customers": "distributors",
        "stakes": "every delay rippled straight onto the production floor",
    },
    "technology": {
        "enterprise": "global software company",
        "mid-market": "SaaS provider",
        "smb": "IT services firm",
        "sites": "offices",
        "site": "office",
        "pressure": "rapid growth and investor scrutiny of unit economics",
        "regulation": "SOC 2 controls",
        "systems": "product, billing and support systems",
        "peak": "the end-of-quarter rush",
        "customers": "customers",
        "stakes": "every delay slowed down a business that prided itself on speed",
    },
    "retail": {
        "enterprise": "omnichannel retailer",
        "mid-market": "specialty retail chain",
        "smb": "independent retailer",
        "sites": "stores",
        "site": "store",
        "pressure": "thin margins and fast-shifting consumer demand",
        "regulation": "PCI DSS requirements",
        "systems": "point-of-sale and e-commerce platforms",
        "peak": "the holiday season",
        "customers": "shoppers",
        "stakes": "every delay showed up on store shelves and in online reviews",
    },
    "logistics": {
        "enterprise": "third-party logistics provider",
        "mid-market": "freight and warehousing company",
        "smb": "regional courier",
        "sites": "distribution centers",
        "site": "distribution center",
        "pressure": "rising fuel costs and same-day delivery expectations",
        "regulation": "customs and safety compliance rules",
        "systems": "transportation and warehouse management systems",
        "peak": "peak shipping season",
        "customers": "shippers",
        "stakes": "every delay showed up as a missed delivery window",
    },
    "education": {
        "enterprise": "university system",
        "mid-market": "private university",
        "smb": "independent school group",
        "sites": "campuses",
        "site": "campus",
        "pressure": "flat budgets and rising expectations from families",
        "regulation": "student data privacy rules",
        "systems": "student information and finance systems",
        "peak": "enrollment season",
        "customers": "students",
        "stakes": "every delay landed on students and faculty",
    },
    "hospitality": {
        "enterprise": "international hotel group",
        "mid-market": "resort operator",
        "smb": "boutique hotel collection",
        "sites": "properties",
        "site": "property",
        "pressure": "labor shortages and volatile occupancy",
        "regulation": "PCI DSS and guest privacy rules",
        "systems": "property management and booking systems",
        "peak": "the summer high season",
        "customers": "guests",
        "stakes": "every delay showed up in the guest experience",
    },
}

_DEFAULT_INDUSTRY: dict[str, str] = {
    "enterprise": "{industry_lc} company",
    "mid-market": "{industry_lc} business",
    "smb": "{industry_lc} firm",
    "sites": "locations",
    "site": "location",
    "pressure": "rising costs and growing customer expectations",
    "regulation": "industry regulations",
    "systems": "core business systems",
    "peak": "its busiest season",
    "customers": "customers",
    "stakes": "every delay showed up in the customer experience",
}

_SIZES: dict[str, dict[str, tuple[int, int]]] = {
    "enterprise": {
        "employees": (6000, 42000),
        "sites": (12, 60),
        "team": (35, 120),
        "users": (250, 1200),
        "weeks": (14, 20),
        "adoption": (86, 94),
        "it_people": (4, 8),
        "hires": (8, 20),
    },
    "mid-market": {
        "employees": (450, 2800),
        "sites": (4, 14),
        "team": (10, 30),
        "users": (40, 200),
        "weeks": (9, 13),
        "adoption": (88, 96),
        "it_people": (2, 4),
        "hires": (3, 6),
    },
    "smb": {
        "employees": (45, 240),
        "sites": (2, 4),
        "team": (3, 8),
        "users": (8, 35),
        "weeks": (4, 7),
        "adoption": (92, 100),
        "it_people": (1, 2),
        "hires": (2, 3),
    },
}

_EXPANSION = {
    "enterprise": "the remaining business units",
    "mid-market": "two more departments",
    "smb": "every team in the company",
}

_REGIONS: dict[str, dict[str, str]] = {
    "North America": {
        "name": "North America",
        "note": "each state and province brought its own rules and reporting expectations",
        "obstacle": (
            "teams in different states and provinces followed slightly different approval "
            "rules, so the workflows needed local variants. The team handled this with "
            "configurable rule sets rather than separate processes, which kept reporting "
            "consistent everywhere."
        ),
    },
    "Europe": {
        "name": "Europe",
        "note": "teams worked in several languages and under strict GDPR data residency rules",
        "obstacle": (
            "works councils and data protection officers in several countries wanted to "
            "review the rollout. {vendor} hosted the data in its EU region and supplied a "
            "data processing agreement and impact assessment that satisfied every review."
        ),
    },
    "Asia-Pacific": {
        "name": "Asia-Pacific",
        "note": "teams were spread across time zones from Sydney to Singapore",
        "obstacle": (
            "the project team was spread across several time zones, which made live training "
            "hard to schedule. {vendor} recorded short training modules and ran live sessions "
            "in two time-zone blocks so nobody had to join at midnight."
        ),
    },
    "Latin America": {
        "name": "Latin America",
        "note": "the business juggled several currencies and country-specific e-invoicing rules",
        "obstacle": (
            "language, data and tax rules differed by country. {vendor_pos} regional partner "
            "configured country-specific templates in Spanish and Portuguese, which kept the "
            "core process identical everywhere while satisfying each local requirement."
        ),
    },
    "Middle East & Africa": {
        "name": "the Middle East and Africa",
        "note": "sites operated across multiple currencies, languages and levels of connectivity",
        "obstacle": (
            "connectivity at some remote sites was unreliable. The team used {vendor_pos} "
            "offline-capable mobile app with scheduled syncs, so no work was lost when a "
            "connection dropped."
        ),
    },
}

_DEFAULT_REGION = {
    "note": "local rules and working practices varied from site to site",
    "obstacle": (
        "local rules and working practices varied between sites. The team used configurable "
        "rule sets instead of separate processes, which kept reporting consistent everywhere."
    ),
}

# The segments this module writes specific prose for, as people read them
# (seed_demo builds its taxonomy from these).
INDUSTRIES = (
    "Healthcare",
    "Financial Services",
    "Manufacturing",
    "Technology",
    "Retail",
    "Logistics",
    "Education",
    "Hospitality",
)
REGIONS = tuple(_REGIONS)
USE_CASES = (
    "Finance automation",
    "Sales analytics",
    "Team collaboration",
    "Inventory forecasting",
    "Customer support automation",
    "Compliance reporting",
)

_EXEC_TITLES = (
    (("finance", "accounting", "treasury", "fp"), "CFO"),
    (("sales", "revenue", "commercial"), "Chief Revenue Officer"),
    (("marketing",), "CMO"),
    (("support", "service", "success", "experience", "care"), "Chief Customer Officer"),
    (("compliance", "risk", "legal", "audit"), "Chief Risk Officer"),
    (("people", "hr", "human", "talent"), "Chief People Officer"),
    (("it", "technology", "engineering", "data", "digital"), "CIO"),
)

_LEADER_PREFIX = {"enterprise": "VP of", "mid-market": "Director of", "smb": "Head of"}
_TECH_TITLE = {
    "enterprise": "Director of Enterprise Applications",
    "mid-market": "Head of IT",
    "smb": "IT Lead",
}

# --------------------------------------------------------------------------------------
# Use-case profiles: narrative details plus metric specifications.
#
# Metric spec keys: kind, label, phrase (mid-sentence name), unit, period, higher,
# before (size -> range), change (relative range), step (rounding; None = money),
# cap (optional upper bound), strong (meets a guide threshold), per_year (optional
# multiplier for annual totals), headline (summary bullet), impact / impact_fte
# (optional results sentence; must contain a number placeholder).
# --------------------------------------------------------------------------------------

_FINANCE_METRICS = (
    {
        "kind": "time_saved",
        "label": "Month-end close",
        "phrase": "month-end close",
        "unit": "days",
        "period": "",
        "higher": False,
        "before": {"enterprise": (14, 20), "mid-market": (10, 15), "smb": (7, 10)},
        "change": (0.55, 0.72),
        "step": "1",
        "per_year": 12,
        "headline": "{pct}% faster month-end close",
        "impact": (
            "Leadership now sees final numbers {delta} earlier every month, and the team spends "
            "{annual} less in close mode each year."
        ),
    },
    {
        "kind": "cost_saving",
        "label": "Finance operations cost",
        "phrase": "finance operations cost",
        "unit": "USD per year",
        "period": "annually",
        "higher": False,
        "before": {
            "enterprise": (1_600_000, 3_200_000),
            "mid-market": (420_000, 900_000),
            "smb": (110_000, 240_000),
        },
        "change": (0.33, 0.42),
        "step": None,
        "strong": True,
        "headline": "{pct}% lower finance operations cost",
        "impact": (
            "That puts {delta} a year back in the budget, mostly from eliminated overtime, "
            "contractor spend and late-payment penalties."
        ),
    },
    {
        "kind": "efficiency",
        "label": "Invoices processed per analyst",
        "phrase": "invoices processed per analyst",
        "unit": "invoices",
        "period": "per month",
        "higher": True,
        "before": {"enterprise": (900, 1300), "mid-market": (600, 900), "smb": (350, 550)},
        "change": (0.5, 0.9),
        "step": "10",
        "strong": True,
        "headline": "{pct}% more invoices processed per analyst",
    },
    {
        "kind": "error_rate",
        "label": "Invoice exception rate",
        "phrase": "the invoice exception rate",
        "unit": "%",
        "period": "",
        "higher": False,
        "before": {"enterprise": (5.5, 9.0), "mid-market": (6.0, 9.5), "smb": (6.5, 10.0)},
        "change": (0.7, 0.85),
        "step": "0.1",
        "headline": "{pct}% fewer invoice exceptions",
        "impact": "That means {delta_num} fewer exceptions for every 100 invoices processed.",
    },
    {
        "kind": "time_saved",
        "label": "Manual reconciliation work",
        "phrase": "manual reconciliation work",
        "unit": "hours",
        "period": "per month",
        "higher": False,
        "before": {"enterprise": (600, 1100), "mid-market": (180, 320), "smb": (50, 90)},
        "change": (0.7, 0.85),
        "step": "5",
        "per_year": 12,
        "headline": "{pct}% less manual reconciliation work",
        "impact": "Across a full year that is {annual} returned to analysis and planning.",
        "impact_fte": (
            "Across a full year that is {annual}, equivalent to {fte} full-time employees."
        ),
    },
)

_SALES_METRICS = (
    {
        "kind": "time_saved",
        "label": "Weekly pipeline reporting",
        "phrase": "weekly pipeline reporting",
        "unit": "hours",
        "period": "per week",
        "higher": False,
        "before": {"enterprise": (24, 40), "mid-market": (12, 20), "smb": (6, 10)},
        "change": (0.75, 0.88),
        "step": "1",
        "per_year": 52,
        "headline": "{pct}% less time spent on pipeline reporting",
        "impact": "That is {annual} a year handed back to selling and coaching.",
        "impact_fte": (
            "That is {annual} a year, equivalent to {fte} full-time employees handed back "
            "to selling and coaching."
        ),
    },
    {
        "kind": "revenue",
        "label": "New-business revenue",
        "phrase": "new-business revenue",
        "unit": "USD per quarter",
        "period": "",
        "higher": True,
        "before": {
            "enterprise": (18_000_000, 40_000_000),
            "mid-market": (3_000_000, 8_000_000),
            "smb": (400_000, 900_000),
        },
        "change": (0.22, 0.34),
        "step": None,
        "strong": True,
        "headline": "{pct}% more new-business revenue",
        "impact": (
            "The extra {delta} per quarter came largely from better-qualified pipeline and "
            "faster follow-up on at-risk deals."
        ),
    },
    {
        "kind": "other",
        "label": "Forecast accuracy",
        "phrase": "forecast accuracy",
        "unit": "%",
        "period": "",
        "higher": True,
        "before": {"enterprise": (60, 70), "mid-market": (58, 68), "smb": (55, 66)},
        "change": (0.3, 0.45),
        "step": "1",
        "cap": 96,
        "headline": "{pct}% more accurate forecasts",
        "impact": (
            "Forecasts now land within {miss} of actuals, so hiring and spending decisions "
            "no longer wait for quarter-end."
        ),
    },
    {
        "kind": "other",
        "label": "Win rate on qualified opportunities",
        "phrase": "the win rate on qualified opportunities",
        "unit": "%",
        "period": "",
        "higher": True,
        "before": {"enterprise": (17, 24), "mid-market": (18, 25), "smb": (20, 28)},
        "change": (0.25, 0.4),
        "step": "1",
        "headline": "{pct}% higher win rate",
    },
)

_COLLABORATION_METRICS = (
    {
        "kind": "time_saved",
        "label": "Time spent in status meetings",
        "phrase": "time spent in status meetings",
        "unit": "hours",
        "period": "per month",
        "higher": False,
        "before": {"enterprise": (2400, 4200), "mid-market": (500, 900), "smb": (90, 160)},
        "change": (0.55, 0.7),
        "step": "10",
        "per_year": 12,
        "headline": "{pct}% less time spent in status meetings",
        "impact": "Across a full year that is {annual} returned to project work.",
        "impact_fte": (
            "Across a full year that is {annual}, equivalent to {fte} full-time employees."
        ),
    },
    {
        "kind": "efficiency",
        "label": "Project delivery cycle",
        "phrase": "the average project delivery cycle",
        "unit": "days",
        "period": "",
        "higher": False,
        "before": {"enterprise": (60, 90), "mid-market": (40, 60), "smb": (20, 35)},
        "change": (0.42, 0.55),
        "step": "1",
        "strong": True,
        "headline": "{pct}% shorter project delivery cycle",
        "impact": "Projects now reach the finish line {delta} sooner on average.",
    },
    {
        "kind": "cost_saving",
        "label": "Collaboration tool spend",
        "phrase": "collaboration tool spend",
        "unit": "USD per year",
        "period": "annually",
        "higher": False,
        "before": {
            "enterprise": (700_000, 1_400_000),
            "mid-market": (120_000, 260_000),
            "smb": (18_000, 40_000),
        },
        "change": (0.33, 0.45),
        "step": None,
        "strong": True,
        "headline": "{pct}% lower collaboration tool spend",
        "impact": "Consolidating overlapping tools saves {delta} every year.",
    },
    {
        "kind": "other",
        "label": "Projects delivered on time",
        "phrase": "the share of projects delivered on time",
        "unit": "%",
        "period": "",
        "higher": True,
        "before": {"enterprise": (55, 66), "mid-market": (58, 68), "smb": (60, 70)},
        "change": (0.3, 0.45),
        "step": "1",
        "cap": 96,
        "headline": "{pct}% more projects delivered on time",
    },
)

_INVENTORY_METRICS = (
    {
        "kind": "time_saved",
        "label": "Weekly replenishment planning",
        "phrase": "weekly replenishment planning",
        "unit": "hours",
        "period": "per week",
        "higher": False,
        "before": {"enterprise": (60, 110), "mid-market": (20, 36), "smb": (8, 14)},
        "change": (0.65, 0.8),
        "step": "1",
        "per_year": 52,
        "headline": "{pct}% less time spent on replenishment planning",
        "impact": "That is {annual} a year that planners now spend with suppliers instead.",
        "impact_fte": "That is {annual} a year, equivalent to {fte} full-time planners.",
    },
    {
        "kind": "cost_saving",
        "label": "Carrying cost of excess inventory",
        "phrase": "the carrying cost of excess inventory",
        "unit": "USD per year",
        "period": "annually",
        "higher": False,
        "before": {
            "enterprise": (3_000_000, 7_000_000),
            "mid-market": (600_000, 1_400_000),
            "smb": (90_000, 200_000),
        },
        "change": (0.33, 0.45),
        "step": None,
        "strong": True,
        "headline": "{pct}% lower inventory carrying cost",
        "impact": "That frees {delta} of working capital and warehouse cost every year.",
    },
    {
        "kind": "error_rate",
        "label": "Forecast error (MAPE)",
        "phrase": "forecast error (MAPE)",
        "unit": "%",
        "period": "",
        "higher": False,
        "before": {"enterprise": (28, 36), "mid-market": (29, 37), "smb": (30, 38)},
        "change": (0.55, 0.7),
        "step": "0.1",
        "headline": "{pct}% lower forecast error",
    },
    {
        "kind": "other",
        "label": "Stockout rate",
        "phrase": "the stockout rate",
        "unit": "% of SKUs",
        "period": "",
        "higher": False,
        "before": {"enterprise": (6, 9), "mid-market": (6.5, 9.5), "smb": (7, 10)},
        "change": (0.6, 0.75),
        "step": "0.1",
        "headline": "{pct}% fewer stockouts",
    },
)

_SUPPORT_METRICS = (
    {
        "kind": "time_saved",
        "label": "First response time",
        "phrase": "first response time",
        "unit": "hours",
        "period": "",
        "higher": False,
        "before": {"enterprise": (14, 22), "mid-market": (9, 16), "smb": (6, 10)},
        "change": (0.8, 0.9),
        "step": "0.5",
        "headline": "{pct}% faster first response",
        "impact": "{customers_cap} now hear back {delta} sooner on average.",
    },
    {
        "kind": "efficiency",
        "label": "Tickets resolved per agent",
        "phrase": "tickets resolved per agent",
        "unit": "tickets",
        "period": "per month",
        "higher": True,
        "before": {"enterprise": (380, 480), "mid-market": (320, 420), "smb": (260, 360)},
        "change": (0.45, 0.7),
        "step": "5",
        "strong": True,
        "headline": "{pct}% more tickets resolved per agent",
    },
    {
        "kind": "cost_saving",
        "label": "Cost per ticket",
        "phrase": "the cost per ticket",
        "unit": "USD per ticket",
        "period": "",
        "higher": False,
        "before": {"enterprise": (14, 22), "mid-market": (11, 17), "smb": (8, 13)},
        "change": (0.33, 0.45),
        "step": None,
        "strong": True,
        "headline": "{pct}% lower cost per ticket",
        "impact": "That saving of {delta} applies to every single ticket the team handles.",
    },
    {
        "kind": "other",
        "label": "Customer satisfaction (CSAT)",
        "phrase": "customer satisfaction (CSAT)",
        "unit": "%",
        "period": "",
        "higher": True,
        "before": {"enterprise": (72, 80), "mid-market": (74, 82), "smb": (76, 84)},
        "change": (0.12, 0.2),
        "step": "1",
        "cap": 96,
        "headline": "{pct}% higher customer satisfaction",
    },
)

_COMPLIANCE_METRICS = (
    {
        "kind": "time_saved",
        "label": "Regulatory report preparation",
        "phrase": "regulatory report preparation",
        "unit": "days",
        "period": "per quarter",
        "higher": False,
        "before": {"enterprise": (18, 28), "mid-market": (10, 16), "smb": (5, 9)},
        "change": (0.6, 0.78),
        "step": "1",
        "per_year": 4,
        "headline": "{pct}% faster regulatory report preparation",
        "impact": "That returns {annual} of senior staff time every year.",
    },
    {
        "kind": "cost_saving",
        "label": "External audit support fees",
        "phrase": "external audit support fees",
        "unit": "USD per year",
        "period": "annually",
        "higher": False,
        "before": {
            "enterprise": (900_000, 1_800_000),
            "mid-market": (180_000, 380_000),
            "smb": (40_000, 90_000),
        },
        "change": (0.33, 0.48),
        "step": None,
        "strong": True,
        "headline": "{pct}% lower external audit fees",
        "impact": "That is {delta} a year that no longer goes to outside consultants.",
    },
    {
        "kind": "error_rate",
        "label": "Audit findings",
        "phrase": "audit findings",
        "unit": "findings",
        "period": "per audit cycle",
        "higher": False,
        "before": {"enterprise": (14, 24), "mid-market": (8, 14), "smb": (5, 8)},
        "change": (0.6, 0.8),
        "step": "1",
        "headline": "{pct}% fewer audit findings",
    },
    {
        "kind": "efficiency",
        "label": "Evidence requests answered within 24 hours",
        "phrase": "the share of evidence requests answered within 24 hours",
        "unit": "%",
        "period": "",
        "higher": True,
        "before": {"enterprise": (30, 40), "mid-market": (32, 42), "smb": (34, 44)},
        "change": (0.9, 1.4),
        "step": "1",
        "cap": 97,
        "strong": True,
        "headline": "{pct}% more evidence requests answered within 24 hours",
    },
)

_GENERIC_METRICS = (
    {
        "kind": "time_saved",
        "label": "Manual processing time",
        "phrase": "manual processing time",
        "unit": "hours",
        "period": "per month",
        "higher": False,
        "before": {"enterprise": (900, 1600), "mid-market": (240, 420), "smb": (60, 110)},
        "change": (0.6, 0.75),
        "step": "5",
        "per_year": 12,
        "headline": "{pct}% less manual processing time",
        "impact": "Across a full year that is {annual} returned to higher-value work.",
        "impact_fte": (
            "Across a full year that is {annual}, equivalent to {fte} full-time employees."
        ),
    },
    {
        "kind": "efficiency",
        "label": "Requests processed per team member",
        "phrase": "requests processed per team member",
        "unit": "requests",
        "period": "per month",
        "higher": True,
        "before": {"enterprise": (300, 420), "mid-market": (220, 320), "smb": (150, 240)},
        "change": (0.45, 0.7),
        "step": "5",
        "strong": True,
        "headline": "{pct}% more requests processed per team member",
    },
    {
        "kind": "cost_saving",
        "label": "Process operating cost",
        "phrase": "the process operating cost",
        "unit": "USD per year",
        "period": "annually",
        "higher": False,
        "before": {
            "enterprise": (1_200_000, 2_600_000),
            "mid-market": (300_000, 650_000),
            "smb": (70_000, 150_000),
        },
        "change": (0.33, 0.44),
        "step": None,
        "strong": True,
        "headline": "{pct}% lower operating cost",
        "impact": "That puts {delta} a year back in the budget.",
    },
    {
        "kind": "error_rate",
        "label": "Rework rate",
        "phrase": "the rework rate",
        "unit": "%",
        "period": "",
        "higher": False,
        "before": {"enterprise": (7, 11), "mid-market": (7.5, 11.5), "smb": (8, 12)},
        "change": (0.65, 0.8),
        "step": "0.1",
        "headline": "{pct}% less rework",
    },
)

_USE_CASES: dict[str, dict[str, object]] = {
    "finance automation": {
        "short": "invoice processing and reconciliation",
        "goal": "automate invoice capture, reconciliation and the month-end close",
        "pain": (
            "Invoices arrived as PDFs in a shared inbox and were keyed into the general ledger "
            "by hand, reconciliations lived in dozens of linked spreadsheets, and every close "
            "turned into a sprint of late nights and weekend work."
        ),
        "cost": (
            "Late closes meant leadership made decisions on numbers that were weeks old, while "
            "duplicate and late payments quietly leaked cash."
        ),
        "workaround": "A set of spreadsheet macros and a part-time data-entry contractor",
        "crunch": "close week",
        "artifact": "close",
        "reqs": (
            "automated invoice capture with high accuracy",
            "native reconciliation against the general ledger",
            "a full audit trail that external auditors would accept",
        ),
        "modules": (
            "automated invoice capture, three-way matching, bank reconciliation and a "
            "close-management checklist"
        ),
        "integrations": "the general ledger, the corporate banking portal and the {systems}",
        "pilot": "the accounts payable team",
        "retire": "the old reconciliation workbooks",
        "quick_win": (
            "The first automated bank reconciliation ran in the third week of the pilot and "
            "matched in minutes what used to take two analysts most of a day."
        ),
        "obstacle": (
            "The vendor master data turned out to be full of duplicates and outdated bank "
            "details, which caused a wave of exceptions in the first automated payment runs."
        ),
        "fix": (
            "The joint team paused the payments module, ran a cleanup sprint with {vendor_pos} "
            "data-quality tooling, and added an approval rule for any change to supplier bank "
            "details."
        ),
        "future": "extend automation to expense management and procurement approvals",
        "deeper": "predictive cash-flow forecasting",
        "metrics": _FINANCE_METRICS,
    },
    "sales analytics": {
        "short": "pipeline reporting and forecasting",
        "goal": "give every sales leader one live, trusted view of pipeline and forecast",
        "pain": (
            "Pipeline data lived in the CRM, but the numbers leadership trusted lived in "
            "spreadsheets that sales operations rebuilt by hand every Monday, and no two "
            "regional forecasts were calculated the same way."
        ),
        "cost": (
            "Forecast misses rippled into hiring and spending decisions, and reps lost selling "
            "time updating trackers that nobody fully believed."
        ),
        "workaround": "A homegrown reporting database fed by nightly CRM exports",
        "crunch": "the Monday pipeline review",
        "artifact": "forecast call",
        "reqs": (
            "a single pipeline model that every region would use",
            "live CRM data with no manual exports",
            "forecast views a sales manager could use without an analyst",
        ),
        "modules": (
            "pipeline analytics, AI-assisted forecasting, territory dashboards and deal-risk alerts"
        ),
        "integrations": "the CRM, the marketing automation platform and the {systems}",
        "pilot": "two regional sales teams",
        "retire": "the Monday spreadsheet pack",
        "quick_win": (
            "Within the first weeks of the pilot, deal-risk alerts flagged stalled "
            "opportunities that managers had been treating as safe, and several were rescued "
            "before quarter-end."
        ),
        "obstacle": (
            "CRM hygiene was worse than anyone had admitted: close dates were stale, stages "
            "were used inconsistently across regions, and the first forecasts looked wildly off."
        ),
        "fix": (
            "Instead of blaming the tool, the team agreed on shared stage definitions, added "
            "required fields at key stages, and used {vendor_pos} data-quality dashboard to coach "
            "reps through a short cleanup."
        ),
        "future": "bring marketing and customer success into the same revenue model",
        "deeper": "territory and quota scenario planning",
        "metrics": _SALES_METRICS,
    },
    "team collaboration": {
        "short": "project coordination",
        "goal": "bring plans, files and decisions into one shared workspace",
        "pain": (
            "Work was scattered across email threads, chat channels and three different "
            "project trackers, so nobody could see who owned what, and status meetings existed "
            "mainly to find out what had changed since the last status meeting."
        ),
        "cost": (
            "Projects slipped without warning, handoffs between teams dropped details, and "
            "talented people left citing burnout from constant context switching."
        ),
        "workaround": (
            "A company-wide push to standardize on a shared-drive folder structure and a "
            "weekly status template"
        ),
        "crunch": "the Monday status marathon",
        "artifact": "project kickoff",
        "reqs": (
            "one shared workspace for plans, files and decisions",
            "real-time visibility for leaders without extra reporting",
            "integrations with the tools people already used every day",
        ),
        "modules": (
            "shared project workspaces, automated status updates, workload views and "
            "meeting-notes templates"
        ),
        "integrations": (
            "the company's chat platform, calendar and document storage, plus the {systems}"
        ),
        "pilot": "the {dept_lc} leadership team and two cross-functional project teams",
        "retire": "two legacy project trackers",
        "quick_win": (
            "Automated status updates replaced the weekly status email within the first month, "
            "and several recurring meetings were cancelled because the information was already "
            "visible."
        ),
        "obstacle": (
            "Adoption stalled in a few teams that had built their own habits around the old "
            "trackers, and for a few weeks the company had two sources of truth instead of one."
        ),
        "fix": (
            "The project lead recruited a champion in each team, {vendor} ran short "
            "role-specific training sessions, and leadership agreed to review projects only "
            "inside the new workspace."
        ),
        "future": "connect client-facing teams through shared external workspaces",
        "deeper": "portfolio-level capacity planning",
        "metrics": _COLLABORATION_METRICS,
    },
    "inventory forecasting": {
        "short": "demand planning and replenishment",
        "goal": "forecast demand at SKU level and automate replenishment recommendations",
        "pain": (
            "Planners built demand forecasts in spreadsheets from last year's sales plus gut "
            "feel, so the business carried too much of its slow-moving lines and ran out of "
            "the items {customers} actually wanted."
        ),
        "cost": (
            "Excess stock tied up working capital and warehouse space, while stockouts sent "
            "{customers} to competitors and triggered expensive expedited shipments."
        ),
        "workaround": "A statistical forecasting add-in bolted onto the ERP",
        "crunch": "the weekly replenishment cycle",
        "artifact": "replenishment plan",
        "reqs": (
            "SKU-level forecasts that account for seasonality and promotions",
            "direct integration with the ERP and supplier lead times",
            "exception-based workflows so planners focus on what matters",
        ),
        "modules": (
            "machine-learning demand forecasting, replenishment recommendations, supplier "
            "lead-time tracking and exception alerts"
        ),
        "integrations": "the ERP, the {systems} and key supplier portals",
        "pilot": "one product category at two {sites}",
        "retire": "the forecasting spreadsheets",
        "quick_win": (
            "Exception alerts caught a supplier delay on a top-selling line in the first month "
            "of the pilot, early enough to rebalance stock instead of running out."
        ),
        "obstacle": (
            "The first forecasts over-reacted to a one-off promotional spike in the historical "
            "data, and planners quickly lost trust in the recommendations."
        ),
        "fix": (
            "{vendor_pos} data scientists worked with the planners to tag historical promotions "
            "and outliers, retrained the models, and introduced a review period in which "
            "planners could override and annotate recommendations."
        ),
        "future": "extend forecasting to every category and share forecasts with key suppliers",
        "deeper": "automated purchase-order generation",
        "metrics": _INVENTORY_METRICS,
    },
    "customer support automation": {
        "short": "ticket handling",
        "goal": "automate routine requests and route complex cases to the right agent",
        "pain": (
            "Every request landed in a single shared queue, agents answered the same password, "
            "billing and status questions dozens of times a day, and complex cases waited "
            "behind simple ones."
        ),
        "cost": (
            "Response times stretched into days during {peak}, satisfaction scores slid, and "
            "the only lever leadership had was hiring more agents."
        ),
        "workaround": "A canned-responses library and an outsourced overflow team",
        "crunch": "the Monday backlog",
        "artifact": "ticket spike",
        "reqs": (
            "self-service answers that resolve common questions end to end",
            "intelligent routing based on intent and urgency",
            "a single agent view with full account history",
        ),
        "modules": (
            "an AI-assisted self-service portal, intent-based routing, agent-assist "
            "suggestions and a shared knowledge base"
        ),
        "integrations": "the helpdesk, the {systems} and the customer identity platform",
        "pilot": "the tier-one support team",
        "retire": "the shared support inbox",
        "quick_win": (
            "The self-service portal began resolving routine requests without an agent within "
            "weeks of launch, mostly status and password questions."
        ),
        "obstacle": (
            "The first version of the knowledge base was written in internal jargon, and "
            "self-service stalled because {customers} could not find answers in their own words."
        ),
        "fix": (
            "The team mined months of ticket transcripts to rewrite the most-viewed articles in "
            "plain language, and {vendor} tuned the intent model on the same data."
        ),
        "future": "add proactive notifications and extend automation to voice and messaging",
        "deeper": "AI-generated case summaries for escalations",
        "metrics": _SUPPORT_METRICS,
    },
    "compliance reporting": {
        "short": "compliance evidence collection and reporting",
        "goal": "automate evidence collection and run every report from one control library",
        "pain": (
            "Each reporting cycle began with a scramble to pull evidence from email, shared "
            "drives and the {systems}, and controls were tracked in a spreadsheet that only two "
            "people fully understood."
        ),
        "cost": (
            "Preparation consumed weeks of senior staff time, audit findings kept recurring, and "
            "the board had little confidence that the next regulatory inquiry would go smoothly."
        ),
        "workaround": (
            "A shared-drive evidence library and an outside consultancy engaged before each audit"
        ),
        "crunch": "audit season",
        "artifact": "regulatory report",
        "reqs": (
            "a single control library mapped to every framework the company reports against",
            "automated evidence collection from source systems",
            "reviewer workflows with a tamper-evident audit trail",
        ),
        "modules": (
            "a unified control library, automated evidence collection, reporting templates "
            "and reviewer sign-off workflows"
        ),
        "integrations": "the {systems}, the HR system and the document management system",
        "pilot": "one regulatory report and its underlying controls",
        "retire": "the controls spreadsheet",
        "quick_win": (
            "Automated evidence collection covered most recurring controls within the first "
            "month, and reviewers could see exactly which items were still outstanding."
        ),
        "obstacle": (
            "Mapping controls across overlapping frameworks took far longer than planned, "
            "because different teams had interpreted the same requirements in different ways."
        ),
        "fix": (
            "{vendor_pos} compliance specialists ran a series of mapping workshops, and the team "
            "adopted {vendor_pos} prebuilt framework mappings as a starting point rather than "
            "rebuilding everything from scratch."
        ),
        "future": "bring vendor risk management and policy attestation onto the same platform",
        "deeper": "continuous control monitoring",
        "metrics": _COMPLIANCE_METRICS,
    },
}

_GENERIC_USE_CASE: dict[str, object] = {
    "short": "{use_case_lc}",
    "goal": "automate the repetitive steps and give leaders a live view of {use_case_lc}",
    "pain": (
        "Most of the work was manual: data was copied between the {systems} and spreadsheets, "
        "approvals happened over email, and the real status of any request lived in people's "
        "heads."
    ),
    "cost": (
        "Errors surfaced late, leaders waited days for answers, and the team could not take on "
        "new work without adding headcount."
    ),
    "workaround": "A collection of spreadsheet templates and scripts written by a former colleague",
    "crunch": "the end of every reporting period",
    "artifact": "reporting cycle",
    "reqs": (
        "automation of the repetitive steps in {use_case_lc}",
        "integration with the {systems}",
        "dashboards that showed progress and exceptions in real time",
    ),
    "modules": "workflow automation, configurable dashboards, exception alerts and an audit trail",
    "integrations": "the {systems}, the data warehouse and the email and calendar tools",
    "pilot": "one {dept_lc} team",
    "retire": "the old spreadsheet templates",
    "quick_win": (
        "The first automated workflow went live in the fourth week of the pilot and immediately "
        "removed a daily copy-and-paste routine."
    ),
    "obstacle": (
        "Source data from the {systems} used inconsistent codes and formats, so early automated "
        "runs produced more exceptions than expected."
    ),
    "fix": (
        "The joint team built a shared mapping table, added validation rules at the point of "
        "entry, and held a short weekly exception review until the numbers fell to a trickle."
    ),
    "future": "apply the same approach to adjacent processes across the business",
    "deeper": "predictive alerts",
    "metrics": _GENERIC_METRICS,
}

# --------------------------------------------------------------------------------------
# Paragraph variants. Placeholders are filled from the story context.
# --------------------------------------------------------------------------------------

_SUMMARY_BACKGROUND = (
    "{customer} is {org_a} with {employees} employees and {sites_count} {sites} {region_in}, "
    "serving {customers} in a market shaped by {pressure}.",
    "Founded {founded} years ago, {customer} has grown into {org_a} with {employees} "
    "employees and {sites_count} {sites} {region_in}.",
    "{customer}, {org_a} operating {sites_count} {sites} {region_in}, employs {employees} "
    "people and has grown steadily for {founded} years.",
)

_SUMMARY_SITUATION = (
    "Built on {prior}, its {short} process delayed decisions and stretched the {dept_lc} "
    "team thin. After a structured evaluation, {customer} deployed {product} from "
    "{vendor} in {weeks} weeks to {goal}.",
    "As the business grew, {customer} could no longer afford slow, error-prone {short} "
    "built on {prior}. The company rolled out {product} from {vendor} in {weeks} weeks, "
    "connected to its {systems}, to {goal}.",
)

_SUMMARY_RESULTS_LEAD = (
    "Key results after {months} months:",
    "Results within {months} months of go-live:",
)

_SUMMARY_PADDING = (
    "The {dept_lc} team now spends its time on analysis and improvement instead of data "
    "wrangling, and {customer} is already extending the platform to new teams.",
    "Just as important, leaders now trust the numbers they see.",
)

_CHALLENGE_OPENINGS = (
    "Before {vendor}, {short} at {customer} ran on effort rather than systems. {pain} The "
    "{dept_lc} team of {team_size} people spent most of each week moving data between the "
    "{systems} instead of acting on it, and {stakes}.",
    "For years, {customer_pos} {dept_lc} team kept {short} going through sheer persistence. "
    "{pain} With {pressure} squeezing the business, the {team_size}-person team was stretched "
    "thin, and {stakes}.",
)

_CHALLENGE_COSTS = (
    "The cost of standing still was growing. {cost} Leadership expected the business to "
    "handle roughly {growth}% more volume over the next two years, and the existing process "
    "could only scale by hiring.",
    "The problems were more than an inconvenience. {cost} Every new {site}, product line or "
    "regulatory change added more manual work, and {dept_lc} staff were spending evenings and "
    "weekends just keeping up.",
)

_CHALLENGE_PRIOR_ATTEMPT = (
    "The team had tried to fix the problem before. {workaround} helped for a quarter or two, "
    "but it depended on a few people who knew where every formula lived, broke whenever a "
    "source system changed, and did little to satisfy {regulation}. The gaps remained: no "
    "single source of truth, no audit trail, and no early warning before small problems "
    "became fire drills."
)

_CHALLENGE_PRIOR_COMPETITOR = (
    "The team was not starting from zero. {customer} had run {competitor} for {comp_years} "
    "years, but the platform had been chosen when the company was a fraction of its current "
    "size. Its rigid workflows needed paid professional services for every change, its "
    "integrations with the {systems} relied on nightly file drops, and its reports lagged "
    "reality by days. By the time the renewal came up, the {dept_lc} team was maintaining "
    "spreadsheets alongside {competitor} just to get its work done."
)

_CHALLENGE_OPTIONAL = (
    "Operating {region_in} added complexity: {region_note}. At the same time, {regulation} "
    "demanded evidence that every figure could be traced to its source, and assembling that "
    "evidence by hand was slow and easy to get wrong.",
    "The tipping point came during {peak}, when a backlog built up that took the team weeks to "
    "clear and senior leaders started asking why. {exec_ref_cap} asked {lead_ref} for a plan "
    "within 30 days, and the search for a new approach began.",
)

_SOLUTION_EVALUATION = (
    "{customer} formed an evaluation team from {dept_lc}, {other_depts} and shortlisted "
    "{n_vendors} vendors. The requirements were specific: {req1}, {req2}, and {req3}. Each "
    "vendor ran a scripted demo using the company's own data, and the two finalists completed "
    "a short proof of concept."
)

_SOLUTION_EVALUATION_COMPETITOR = (
    "When the {competitor} renewal came up, {customer} decided to test the market instead of "
    "renewing by default. An evaluation team from {dept_lc}, {other_depts} put "
    "{competitor}, {vendor} and {n_other} other vendors through the same scripted demo using "
    "the company's own data, judged against three requirements: {req1}, {req2}, and {req3}."
)

_SOLUTION_COMPARISON = (
    "The side-by-side comparison made the case for switching:\n\n"
    "- **Integrations:** {vendor} offered native connectors to the {systems}, while "
    "{competitor} relied on nightly file exports.\n"
    "- **Configurability:** in {vendor}, {dept_lc} administrators could change workflows "
    "themselves; in {competitor}, every change meant a paid services request.\n"
    "- **Visibility:** {vendor} dashboards updated in real time rather than once a day.\n"
    "- **Cost:** over a three-year term, {vendor} came in below the {competitor} renewal quote, "
    "even after including migration."
)

_SOLUTION_NO_REGRETS = (
    "Switching platforms was a bigger decision than renewing, and the team knew it. Looking "
    "back, nobody is second-guessing the move: {lead_ref} says the only regret is not leaving "
    "{competitor} a year earlier, and the {dept_lc} team has not asked for a single "
    "{competitor} report since go-live."
)

_SOLUTION_DECISION = (
    "Three factors decided it for {vendor}. First, the proof of concept worked on "
    "{customer_pos} real data within days rather than weeks. Second, {vendor} could point to "
    "reference customers in {industry_lc} running the same {systems}, and the evaluation team "
    "spoke to two of them before signing. Third, the implementation plan was concrete, with "
    "named milestones, a fixed scope and a dedicated customer success manager.",
    "The decision came down to confidence. {vendor} was the only vendor that met all three "
    "requirements without custom development, its reference customers in {industry_lc} "
    "described implementations that finished on schedule, and its pricing scaled predictably "
    "as {customer} grew. Just as important, the {vendor} team asked sharper questions about "
    "the {dept_lc} process than any other vendor did.",
)

_SOLUTION_SCOPE = (
    "{customer} implemented {product} with {modules}. The platform connects to "
    "{integrations}, uses single sign-on through the company's identity provider, and applies "
    "role-based permissions for {users} users across {sites_count} {sites}."
)

_SOLUTION_TIMELINE = (
    "The rollout followed a phased plan over {weeks} weeks:\n\n"
    "- **{phase1}:** discovery, data mapping and integration setup\n"
    "- **{phase2}:** pilot with {pilot}\n"
    "- **{phase3}:** phased rollout to the remaining teams and retirement of {retire}"
)

_SOLUTION_OPTIONAL = (
    "A {vendor} solutions architect and a customer success manager worked alongside "
    "{customer_pos} project lead, {it_people} from IT and a group of {dept_lc} power users. "
    "Weekly working sessions kept decisions moving, and a shared project board made every open "
    "issue visible to both companies.",
)

_SOLUTION_MIGRATION = (
    "Migrating off {competitor} was part of the scope. {vendor_pos} services team exported "
    "{comp_years} years of history, mapped it to the new data model and ran the two systems in "
    "parallel for one full cycle before {competitor} was switched off."
)

_IMPLEMENTATION_WENT_WELL = (
    "Much of the rollout went more smoothly than the team expected. {quick_win} {vendor_pos} "
    "team typically answered questions within hours, and the pilot users became the project's "
    "most persuasive advocates. Adoption reached {adoption}% of the {dept_lc} team within "
    "{adopt_weeks} weeks of go-live.",
    "The early wins came quickly. {quick_win} Because the pilot users had helped design the "
    "workflows, they trusted them, and their enthusiasm did more for adoption than any "
    "training deck. Within {adopt_weeks} weeks of go-live, {adoption}% of the {dept_lc} team "
    "was working in {product} every day.",
)

_IMPLEMENTATION_OBSTACLE = (
    "Not everything went to plan. {obstacle} {fix} The fix added {delay} to the pilot, but it "
    "left the team with a cleaner foundation than it had ever had."
)

_IMPLEMENTATION_REGION = "Operating {region_in} added its own wrinkle: {region_obstacle}"

_IMPLEMENTATION_LESSONS = (
    "Asked what advice they would give others, the project team pointed to three lessons:\n\n"
    "- **Clean the data before you migrate it.** Problems in source data surface immediately "
    "once a process is automated.\n"
    "- **Bring end users in early.** The people doing the work designed better workflows than "
    "any requirements document.\n"
    "- **Measure the baseline first.** Capturing the before state made the results impossible "
    "to dispute.",
    "The project team's lessons for others are practical:\n\n"
    "- **Start with one process and one team.** A focused pilot builds proof and champions.\n"
    "- **Give the vendor your messiest data.** Hidden problems are cheaper to find in the "
    "pilot than after go-live.\n"
    "- **Decide what you will retire.** Running old and new processes side by side for too "
    "long slows adoption.",
)

_IMPLEMENTATION_OPTIONAL = (
    "The biggest pleasant surprise was how quickly people stopped asking for the old way of "
    "working. Within a month, requests for spreadsheet exports had all but disappeared, and "
    "{dept_lc} staff began suggesting new automations on their own.",
)

_RESULTS_INTRO = (
    "Within {months} months of go-live, {customer} had clear, measurable gains on all "
    "{n_metrics} metrics it had baselined before the project began.",
    "{customer} captured a baseline before go-live, so the impact after {months} months is "
    "easy to quantify across {n_metrics} metrics.",
)

_RESULT_LOWER = (
    "{phrase_cap} fell {from_to}, {a_pct} {pct}% reduction.",
    "{customer} cut {phrase} {from_to}, {pct}% lower than before.",
    "{phrase_cap} dropped by {pct}%, {from_to}.",
)

_RESULT_HIGHER = (
    "{phrase_cap} rose {from_to}, {a_pct} {pct}% increase.",
    "{customer} grew {phrase} {from_to}, up {pct}%.",
    "{phrase_cap} climbed by {pct}%, {from_to}.",
)

_RESULTS_OPTIONAL = (
    "Taken together, the gains paid back {customer_pos} investment in {payback} months, and the "
    "{dept_lc} team projects {a_roi} {roi}x return over the first 3 years.",
    "The {dept_lc} team also absorbed {volume}% more volume over the past 12 months without "
    "adding headcount, growth that would have required at least {hires} new hires under the "
    "old process.",
)

_FUTURE_EXPANSION = (
    "{customer} sees the first phase as a foundation rather than a finish line. Over the next "
    "{plan_months} months, the team plans to roll {product} out to {expansion}. The first "
    "priority is to {future}.",
    "Expansion is already under way. Within {plan_months} months, {customer} plans to "
    "{future}. After that, it will extend {product} to {expansion}.",
)

_FUTURE_PARTNERSHIP = (
    "The relationship with {vendor} has turned into a long-term partnership. The two teams "
    "hold quarterly business reviews focused on new use cases, and {customer} has joined "
    "{vendor_pos} customer advisory board, where it is helping shape the roadmap for {deeper}."
)

_FUTURE_OPTIONAL = (
    "{customer} also plans to use {product} to support its growth into {next_region}, reusing "
    "the configuration, integrations and rollout playbook built {region_in}.",
    "Further out, {lead_ref} wants to use the data now flowing through {product} to move from "
    "reporting on what happened to predicting what comes next, and to give every team the same "
    "real-time view the {dept_lc} team now relies on.",
)

# Quotes: (speaker_role, text).
_PULL_QUOTES = (
    "{vendor} changed how we think about {short}. We stopped arguing about whether the numbers "
    "were right and started talking about what to do with them.",
    "This was never just a software project for us. It gave the {dept_lc} team its time back, "
    "and it gave the business a much clearer view of where we are heading.",
    "We looked at {n_vendors} options, but {vendor} was the only team that understood our "
    "{systems} as well as we did on day one.",
)

_PULL_QUOTES_COMPETITOR = (
    "We ran {competitor} for years and assumed that was simply how {short} had to work. "
    "{vendor} showed us it didn't.",
    "Leaving {competitor} felt risky on paper. In practice, it was the easiest decision we "
    "made all year.",
)

_CHALLENGE_QUOTES = (
    (
        "department_leader",
        "We had smart people doing copy-and-paste work. Every {artifact} felt like starting "
        "from scratch, and I could never promise leadership the numbers were right.",
    ),
    (
        "department_leader",
        "I was spending more time defending our numbers than improving them. That is not a "
        "good place for a {dept_lc} leader to be.",
    ),
    (
        "end_user",
        "Honestly, the worst part was {crunch}. We lived in spreadsheets, and one broken "
        "formula could cost us a whole weekend.",
    ),
    (
        "end_user",
        "You'd finish one round of updates just in time to start the next. Nobody joins a "
        "{dept_lc} team to copy data between systems.",
    ),
)

_CHALLENGE_QUOTES_COMPETITOR = (
    (
        "department_leader",
        "We were paying for {competitor} and still doing half the work in spreadsheets. "
        "That's when I knew the tool was the problem, not the team.",
    ),
)

_TECH_QUOTES = (
    "The integrations were the part I worried about most, and they turned out to be the "
    "easiest part. {vendor_pos} connectors handled the {systems} out of the box.",
    "I've been through enough implementations to expect surprises. What was different here "
    "was how fast {vendor} owned the problems and came back with a fix.",
)

_RESULT_QUOTES = (
    "Cutting {phrase} {from_to} changed the rhythm of the whole team. People plan their "
    "weeks differently now.",
    "When I tell peers we cut {phrase} {from_to}, they assume I'm rounding. I'm not.",
)

_RECOMMENDATION_QUOTES = (
    "I'd recommend {vendor} to any {industry_lc} team still running {short} on spreadsheets. "
    "My only advice is to start sooner than we did.",
    "If a peer asked me about {vendor}, I'd tell them to call us. We'll show them exactly what "
    "we did.",
)

_RECOMMENDATION_QUOTES_COMPETITOR = (
    "If you're on {competitor} and wondering whether switching is worth the effort, it is. We "
    "have had zero regrets.",
)

_TITLES_LOWER = (
    "How {customer} cut {phrase} from {before} to {after}",
    "How {customer} achieved {headline} with {vendor}",
    "{customer}: {headline} in {months} months",
)

_TITLES_HIGHER = (
    "How {customer} grew {phrase} from {before} to {after}",
    "How {customer} achieved {headline} with {vendor}",
    "{customer}: {headline} in {months} months",
)

# --------------------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _lc(text: str) -> str:
    """Lower-case for mid-sentence use, keeping acronyms such as "IT" or "CRM" intact."""
    return " ".join(word if word[1:2].isupper() else word.lower() for word in text.split())


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _article_for_number(number: int) -> str:
    """Return "an" for numbers read with a leading vowel sound (8, 11, 18, 80-89, 800...)."""
    text = str(number)
    return "an" if text.startswith("8") or text in ("11", "18") else "a"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _fill(template: str, ctx: dict[str, str]) -> str:
    return template.format_map(ctx)


def _week_span(start: int, end: int) -> str:
    return f"Week {start}" if start == end else f"Weeks {start} to {end}"


# --------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------


def _decimal_str(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _money_step(value: Decimal) -> Decimal:
    if value >= 1_000_000:
        return Decimal(100_000)
    if value >= 100_000:
        return Decimal(10_000)
    if value >= 10_000:
        return Decimal(1_000)
    if value >= 1_000:
        return Decimal(100)
    return Decimal("0.1")


def _round_to(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _format_number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def _format_money(value: Decimal) -> str:
    if value >= 1_000_000:
        return f"${_decimal_str(value / 1_000_000)} million"
    if value >= 1_000:
        return f"${int(value):,}"
    return f"${value:.2f}"


def _format_value(unit: str, value: Decimal, *, with_unit: bool = True) -> str:
    if unit.startswith("USD"):
        return _format_money(value)
    if unit.startswith("%"):
        return f"{_format_number(value)}{unit}" if with_unit else f"{_format_number(value)}%"
    if not with_unit:
        return _format_number(value)
    noun = unit[:-1] if value == 1 and unit.endswith("s") else unit
    return f"{_format_number(value)} {noun}"


def _tail(metric: DemoMetric) -> str:
    if metric.period:
        return metric.period
    if metric.unit.startswith("USD "):
        return metric.unit[4:]
    return ""


def _from_to(metric: DemoMetric) -> str:
    before = _format_value(metric.unit, Decimal(metric.before))
    after = _format_value(metric.unit, Decimal(metric.after))
    tail = _tail(metric)
    return f"from {before} to {after}" + (f" {tail}" if tail else "")


def _change_pct(metric: DemoMetric) -> Decimal:
    before, after = Decimal(metric.before), Decimal(metric.after)
    change = (after - before) if metric.higher_is_better else (before - after)
    return change / before * 100


def _pct(metric: DemoMetric) -> int:
    return int(_change_pct(metric).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _meets_threshold(metric: DemoMetric) -> bool:
    threshold = STRONG_THRESHOLDS.get(metric.kind)
    return threshold is not None and _change_pct(metric) >= threshold


def _metric_from_spec(rng: random.Random, spec: dict, size: str) -> DemoMetric:
    low, high = spec["before"][size]
    raw_before = Decimal(str(round(rng.uniform(low, high), 4)))
    step = Decimal(spec["step"]) if spec["step"] else _money_step(raw_before)
    before = max(_round_to(raw_before, step), step)
    change = Decimal(str(round(rng.uniform(*spec["change"]), 4)))
    factor = 1 + change if spec["higher"] else 1 - change
    raw_after = before * factor
    after_step = Decimal(spec["step"]) if spec["step"] else _money_step(raw_after)
    after = max(_round_to(raw_after, after_step), after_step)
    if "cap" in spec:
        after = min(after, Decimal(spec["cap"]))
    if after == before:
        after = before + after_step if spec["higher"] else before - after_step

    def build(value: Decimal) -> DemoMetric:
        return DemoMetric(
            kind=spec["kind"],
            label=spec["label"],
            before=_decimal_str(before),
            after=_decimal_str(value),
            unit=spec["unit"],
            period=spec["period"],
            higher_is_better=spec["higher"],
        )

    metric = build(after)
    if spec.get("strong"):
        # Nudge the rounded value until the guide threshold is met (rarely needed).
        while not _meets_threshold(metric):
            after = after + after_step if spec["higher"] else after - after_step
            metric = build(after)
    return metric


def _pick_specs(rng: random.Random, specs: tuple[dict, ...]) -> list[dict]:
    """Primary time-saved metric, one strong metric, then 1-2 others (3-4 in total)."""
    primary, rest = specs[0], list(specs[1:])
    strong = rng.choice([spec for spec in rest if spec.get("strong")])
    others = [spec for spec in rest if spec is not strong]
    extra = rng.sample(others, rng.choice((1, 2)))
    return [primary, strong, *extra]


# --------------------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------------------


def _exec_title(department: str, size: str) -> str:
    if size == "smb":
        return "CEO"
    words = set(re.findall(r"[a-z]+", department.lower()))
    for keywords, title in _EXEC_TITLES:
        if words.intersection(keywords):
            return title
    return "COO"


def _other_departments(department: str) -> str:
    words = set(re.findall(r"[a-z]+", department.lower()))
    if "it" in words:
        return "finance and procurement"
    if "procurement" in words:
        return "IT and finance"
    return "IT and procurement"


def _region_in(region: str) -> str:
    info = _REGIONS.get(region)
    return f"across {info['name']}" if info else f"in {region}"


def _context(rng: random.Random, args: dict[str, str]) -> dict[str, str]:
    size = args["company_size"] if args["company_size"] in _SIZES else "mid-market"
    size_ranges = _SIZES[size]
    industry = args["industry"]
    industry_lc = _lc(industry)
    industry_info = _INDUSTRIES.get(industry.lower(), _DEFAULT_INDUSTRY)
    region = args["region"]
    region_info = _REGIONS.get(region, _DEFAULT_REGION)
    department = args["department"]
    competitor = args["competitor"] or ""

    def pick(name: str) -> int:
        return rng.randint(*size_ranges[name])

    employees = pick("employees")
    if employees >= 5000:
        employees = round(employees, -2)
    elif employees >= 400:
        employees = round(employees, -1)
    weeks = pick("weeks")
    phase1_end = max(1, round(weeks * 0.3))
    phase2_end = min(weeks - 1, max(phase1_end + 1, round(weeks * 0.65)))
    exec_title = _exec_title(department, size)
    lead_title = f"{_LEADER_PREFIX[size]} {department}"
    it_people = pick("it_people")
    next_regions = [info["name"] for name, info in _REGIONS.items() if name != region]
    org = _fill(industry_info[size], {"industry_lc": industry_lc})

    ctx = {
        "customer": args["customer_name"],
        "vendor": args["vendor"],
        "customer_pos": _possessive(args["customer_name"]),
        "vendor_pos": _possessive(args["vendor"]),
        "product": args["product"],
        "department": department,
        "dept_lc": _lc(department),
        "use_case": args["use_case"],
        "use_case_lc": _lc(args["use_case"]),
        "industry_lc": industry_lc,
        "org_a": f"{_article(org)} {org}",
        "employees": f"{employees:,}",
        "sites_count": str(pick("sites")),
        "sites": industry_info["sites"],
        "site": industry_info["site"],
        "pressure": industry_info["pressure"],
        "regulation": industry_info["regulation"],
        "systems": industry_info["systems"],
        "peak": industry_info["peak"],
        "customers": industry_info["customers"],
        "customers_cap": _cap(industry_info["customers"]),
        "stakes": industry_info["stakes"],
        "region_in": _region_in(region),
        "region_note": region_info["note"],
        "next_region": rng.choice(next_regions),
        "competitor": competitor,
        "prior": (
            f"{competitor} and a growing web of spreadsheets"
            if competitor
            else "spreadsheets and manual handoffs"
        ),
        "other_depts": _other_departments(department),
        "founded": str(rng.randint(12, 60)),
        "team_size": str(pick("team")),
        "users": f"{pick('users'):,}",
        "weeks": str(weeks),
        "phase1": _week_span(1, phase1_end),
        "phase2": _week_span(phase1_end + 1, phase2_end),
        "phase3": _week_span(phase2_end + 1, weeks),
        "months": str(rng.randint(6, 12)),
        "n_vendors": str(rng.randint(3, 6)),
        "n_other": str(rng.randint(2, 4)),
        "comp_years": str(rng.randint(3, 8)),
        "growth": str(rng.randrange(30, 65, 5)),
        "adoption": str(pick("adoption")),
        "adopt_weeks": str(rng.randint(3, 6)),
        "delay": _plural(rng.randint(1, 1 if size == "smb" else 3), "week"),
        "it_people": "one specialist" if it_people == 1 else f"{it_people} specialists",
        "payback": str(rng.randint(4, 11)),
        "volume": str(rng.randrange(15, 40, 5)),
        "hires": str(pick("hires")),
        "plan_months": str(rng.choice((6, 9, 12, 18))),
        "expansion": _EXPANSION[size],
        "exec_title": exec_title,
        "exec_ref": f"the {exec_title}",
        "exec_ref_cap": f"The {exec_title}",
        "lead_title": lead_title,
        "lead_ref": f"the {lead_title}",
        "user_title": f"Senior {department} Specialist",
        "user_ref": f"a senior {_lc(department)} specialist",
        "tech_title": _TECH_TITLE[size],
        "tech_ref": f"the {_TECH_TITLE[size]}" if size != "smb" else "the IT lead",
        "size": size,
    }
    roi = rng.randint(3, 8)
    ctx["roi"] = str(roi)
    ctx["a_roi"] = _article_for_number(roi)
    use_case = _USE_CASES.get(args["use_case"].lower(), _GENERIC_USE_CASE)
    for key, value in use_case.items():
        if isinstance(value, str):
            ctx[key] = _fill(value, ctx)
    req1, req2, req3 = (_fill(req, ctx) for req in use_case["reqs"])
    ctx.update(req1=req1, req2=req2, req3=req3)
    ctx["region_obstacle"] = _fill(region_info["obstacle"], ctx)
    return ctx


def _use_case_specs(use_case: str) -> tuple[dict, ...]:
    profile = _USE_CASES.get(use_case.lower(), _GENERIC_USE_CASE)
    return profile["metrics"]  # type: ignore[return-value]


# --------------------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------------------


def _role_credit(role: str, ctx: dict[str, str]) -> tuple[str, str]:
    """Return (title for attribution, reference for running text) for a speaker role."""
    return {
        "executive_sponsor": (ctx["exec_title"], ctx["exec_ref"]),
        "department_leader": (ctx["lead_title"], ctx["lead_ref"]),
        "end_user": (ctx["user_title"], ctx["user_ref"]),
        "technical_leader": (ctx["tech_title"], ctx["tech_ref"]),
    }[role]


def _inline_markdown(rng: random.Random, quote: DemoQuote, ctx: dict[str, str]) -> str:
    title, ref = _role_credit(quote.speaker_role, ctx)
    if rng.random() < 0.5:
        return f'> "{quote.text}"\n>\n> — {title}, {ctx["customer"]}'
    return f'As {ref} at {ctx["customer"]} puts it: "{quote.text}"'


def _build_quotes(
    rng: random.Random,
    ctx: dict[str, str],
    time_metric: tuple[DemoMetric, dict],
) -> tuple[DemoQuote, DemoQuote | None, tuple[DemoQuote, ...]]:
    """Return (challenge inline quote, optional technical inline quote, all quotes).

    The result quote cites the primary time-saved metric, so its numbers match ``metrics``.
    """
    has_competitor = bool(ctx["competitor"])
    pull_pool = _PULL_QUOTES_COMPETITOR if has_competitor else _PULL_QUOTES
    pull_role = rng.choice(("executive_sponsor", "executive_sponsor", "department_leader"))
    pull = DemoQuote(_fill(rng.choice(pull_pool), ctx), pull_role, "pull")

    challenge_pool = _CHALLENGE_QUOTES + (_CHALLENGE_QUOTES_COMPETITOR if has_competitor else ())
    role, text = rng.choice(challenge_pool)
    challenge = DemoQuote(_fill(text, ctx), role, "inline")

    tech = None
    if rng.random() < 0.5:
        tech = DemoQuote(_fill(rng.choice(_TECH_QUOTES), ctx), "technical_leader", "inline")

    metric, spec = time_metric
    result_ctx = {**ctx, "from_to": _from_to(metric), "phrase": spec["phrase"]}
    result_role = rng.choice(("department_leader", "end_user"))
    result = DemoQuote(_fill(rng.choice(_RESULT_QUOTES), result_ctx), result_role, "result")

    quotes = [pull, challenge] + ([tech] if tech else []) + [result]
    if has_competitor or rng.random() < 0.5:
        rec_pool = _RECOMMENDATION_QUOTES_COMPETITOR if has_competitor else _RECOMMENDATION_QUOTES
        rec_role = "department_leader" if pull_role == "executive_sponsor" else "executive_sponsor"
        quotes.append(DemoQuote(_fill(rng.choice(rec_pool), ctx), rec_role, "recommendation"))
    return challenge, tech, tuple(quotes)


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------

# A block is (section name, Markdown text, optional?). Blocks render in list order.
Block = tuple[str, str, bool]


def _summary(
    rng: random.Random, ctx: dict[str, str], metrics: list[DemoMetric], specs: list[dict]
) -> str:
    background = _fill(rng.choice(_SUMMARY_BACKGROUND), ctx)
    situation = _fill(rng.choice(_SUMMARY_SITUATION), ctx)
    lead = _fill(rng.choice(_SUMMARY_RESULTS_LEAD), ctx)
    bullets = "\n".join(
        f"- **{spec['headline'].format(pct=_pct(metric))}**: {_from_to(metric)}"
        for metric, spec in zip(metrics[:3], specs[:3], strict=True)
    )
    parts = [background, situation]
    for padding in _SUMMARY_PADDING:
        if _words(" ".join([*parts, lead, bullets])) >= SUMMARY_WORDS[0] + 5:
            break
        parts.append(_fill(padding, ctx))
    body = "\n\n".join([parts[0], " ".join(parts[1:])])
    return f"{body}\n\n{lead}\n\n{bullets}"


def _challenge_blocks(rng: random.Random, ctx: dict[str, str], quote_md: str) -> list[Block]:
    prior = _CHALLENGE_PRIOR_COMPETITOR if ctx["competitor"] else _CHALLENGE_PRIOR_ATTEMPT
    blocks: list[Block] = [
        ("challenge", _fill(rng.choice(_CHALLENGE_OPENINGS), ctx), False),
        ("challenge", _fill(rng.choice(_CHALLENGE_COSTS), ctx), False),
        ("challenge", quote_md, False),
        ("challenge", _fill(prior, ctx), False),
    ]
    blocks += [("challenge", _fill(text, ctx), True) for text in _CHALLENGE_OPTIONAL]
    return blocks


def _solution_blocks(rng: random.Random, ctx: dict[str, str]) -> list[Block]:
    if ctx["competitor"]:
        blocks: list[Block] = [
            ("solution", _fill(_SOLUTION_EVALUATION_COMPETITOR, ctx), False),
            ("solution", _fill(_SOLUTION_COMPARISON, ctx), False),
            ("solution", _fill(_SOLUTION_NO_REGRETS, ctx), False),
        ]
    else:
        blocks = [
            ("solution", _fill(_SOLUTION_EVALUATION, ctx), False),
            ("solution", _fill(rng.choice(_SOLUTION_DECISION), ctx), False),
        ]
    blocks += [
        ("solution", _fill(_SOLUTION_SCOPE, ctx), False),
        ("solution", _fill(_SOLUTION_TIMELINE, ctx), False),
    ]
    blocks += [("solution", _fill(text, ctx), True) for text in _SOLUTION_OPTIONAL]
    if ctx["competitor"]:
        blocks.append(("solution", _fill(_SOLUTION_MIGRATION, ctx), True))
    return blocks


def _implementation_blocks(
    rng: random.Random, ctx: dict[str, str], quote_md: str | None
) -> list[Block]:
    blocks: list[Block] = [
        ("implementation", _fill(rng.choice(_IMPLEMENTATION_WENT_WELL), ctx), False),
        ("implementation", _fill(_IMPLEMENTATION_OBSTACLE, ctx), False),
        ("implementation", _fill(_IMPLEMENTATION_REGION, ctx), True),
    ]
    if quote_md:
        blocks.append(("implementation", quote_md, False))
    blocks += [("implementation", _fill(text, ctx), True) for text in _IMPLEMENTATION_OPTIONAL]
    blocks.append(("implementation", _fill(rng.choice(_IMPLEMENTATION_LESSONS), ctx), False))
    return blocks


def _impact_sentence(metric: DemoMetric, spec: dict, ctx: dict[str, str]) -> str:
    before, after = Decimal(metric.before), Decimal(metric.after)
    delta = abs(before - after)
    values = {
        **ctx,
        "delta": _format_value(metric.unit, delta),
        "delta_num": _format_number(delta),
        "miss": _format_value("%", 100 - after),
    }
    template = spec.get("impact")
    per_year = spec.get("per_year")
    if per_year:
        annual = delta * per_year
        values["annual"] = _format_value(metric.unit, annual)
        fte = (annual / 1800).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        values["fte"] = _format_number(fte)
        if metric.unit == "hours" and fte >= 1 and "impact_fte" in spec:
            template = spec["impact_fte"]
    return _fill(template, values) if template else ""


def _result_paragraph(
    rng: random.Random, metric: DemoMetric, spec: dict, ctx: dict[str, str]
) -> str:
    pct = _pct(metric)
    values = {
        **ctx,
        "phrase": spec["phrase"],
        "phrase_cap": _cap(spec["phrase"]),
        "from_to": _from_to(metric),
        "pct": str(pct),
        "a_pct": _article_for_number(pct),
    }
    pool = _RESULT_HIGHER if metric.higher_is_better else _RESULT_LOWER
    sentence = _fill(rng.choice(pool), values)
    impact = _impact_sentence(metric, spec, ctx)
    return f"**{metric.label}:** {sentence}" + (f" {impact}" if impact else "")


def _results_blocks(
    rng: random.Random, ctx: dict[str, str], metrics: list[DemoMetric], specs: list[dict]
) -> list[Block]:
    values = {**ctx, "n_metrics": str(len(metrics))}
    blocks: list[Block] = [("results", _fill(rng.choice(_RESULTS_INTRO), values), False)]
    blocks += [
        ("results", _result_paragraph(rng, metric, spec, ctx), False)
        for metric, spec in zip(metrics, specs, strict=True)
    ]
    blocks += [("results", _fill(text, ctx), True) for text in _RESULTS_OPTIONAL]
    return blocks


def _future_blocks(rng: random.Random, ctx: dict[str, str]) -> list[Block]:
    blocks: list[Block] = [
        ("future_plans", _fill(rng.choice(_FUTURE_EXPANSION), ctx), False),
        ("future_plans", _fill(_FUTURE_PARTNERSHIP, ctx), False),
    ]
    blocks += [("future_plans", _fill(text, ctx), True) for text in _FUTURE_OPTIONAL]
    return blocks


def _fit_sections(rng: random.Random, summary: str, blocks: list[Block]) -> dict[str, str]:
    """Keep required blocks, then add optional ones until a seeded word target is reached."""
    keep = {index for index, (_, _, optional) in enumerate(blocks) if not optional}
    total = _words(summary) + sum(_words(blocks[index][1]) for index in keep)
    optional_order = [index for index, (_, _, optional) in enumerate(blocks) if optional]
    rng.shuffle(optional_order)
    target = rng.randint(*_TARGET_WORDS)
    for limit in (_SOFT_MAX_WORDS, TOTAL_WORDS[1]):
        for index in optional_order:
            goal = target if limit == _SOFT_MAX_WORDS else TOTAL_WORDS[0]
            if total >= goal:
                break
            size = _words(blocks[index][1])
            if index not in keep and total + size <= limit:
                keep.add(index)
                total += size
    parts: dict[str, list[str]] = {name: [] for name in _SECTIONS}
    for index, (name, text, _) in enumerate(blocks):
        if index in keep:
            parts[name].append(text)
    return {name: "\n\n".join(texts) for name, texts in parts.items()}


def _title(rng: random.Random, ctx: dict[str, str], metric: DemoMetric, spec: dict) -> str:
    pool = _TITLES_HIGHER if metric.higher_is_better else _TITLES_LOWER
    values = {
        **ctx,
        "phrase": spec["phrase"],
        "before": _format_value(metric.unit, Decimal(metric.before)),
        "after": _format_value(metric.unit, Decimal(metric.after), with_unit=False),
        "headline": spec["headline"].format(pct=_pct(metric)),
    }
    return _fill(rng.choice(pool), values)


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def build_story(
    *,
    seed: int,
    customer_name: str,
    industry: str,
    company_size: str,
    region: str,
    use_case: str,
    product: str,
    department: str,
    competitor: str | None,
    vendor: str = "Storyline Demo Co",
) -> DemoStory:
    """Build one deterministic, fictional case study for the demo data."""
    rng = random.Random(seed)
    ctx = _context(
        rng,
        {
            "customer_name": customer_name,
            "industry": industry,
            "company_size": company_size,
            "region": region,
            "use_case": use_case,
            "product": product,
            "department": department,
            "competitor": competitor or "",
            "vendor": vendor,
        },
    )
    specs = _pick_specs(rng, _use_case_specs(use_case))
    metrics = [_metric_from_spec(rng, spec, ctx["size"]) for spec in specs]
    headline_index = rng.choice((0, 1))
    headline = (metrics[headline_index], specs[headline_index])

    challenge_quote, tech_quote, quotes = _build_quotes(rng, ctx, (metrics[0], specs[0]))
    summary = _summary(rng, ctx, metrics, specs)
    blocks = (
        _challenge_blocks(rng, ctx, _inline_markdown(rng, challenge_quote, ctx))
        + _solution_blocks(rng, ctx)
        + _implementation_blocks(
            rng, ctx, _inline_markdown(rng, tech_quote, ctx) if tech_quote else None
        )
        + _results_blocks(rng, ctx, metrics, specs)
        + _future_blocks(rng, ctx)
    )
    sections = _fit_sections(rng, summary, blocks)
    return DemoStory(
        title=_title(rng, ctx, *headline),
        summary=summary,
        metrics=tuple(metrics),
        quotes=quotes,
        **sections,
    )


# --------------------------------------------------------------------------------------
# Self-check
# --------------------------------------------------------------------------------------

_CHECK_INDUSTRIES = INDUSTRIES
_CHECK_SIZES = ("enterprise", "mid-market", "smb")
_CHECK_REGIONS = REGIONS
_CHECK_USE_CASES = USE_CASES
_QUOTE_ROLES = {"executive_sponsor", "department_leader", "end_user", "technical_leader"}
_QUOTE_KINDS = {"pull", "inline", "result", "recommendation"}
_METRIC_KINDS = {"cost_saving", "revenue", "efficiency", "time_saved", "error_rate", "other"}


def _story_words(story: DemoStory) -> int:
    parts = (story.summary, story.challenge, story.solution, story.implementation)
    return sum(_words(text) for text in (*parts, story.results, story.future_plans))


def _check_story(story: DemoStory) -> None:
    assert SUMMARY_WORDS[0] <= _words(story.summary) <= SUMMARY_WORDS[1], story.summary
    assert TOTAL_WORDS[0] <= _story_words(story) <= TOTAL_WORDS[1], _story_words(story)
    assert 3 <= len(story.metrics) <= 4
    assert 3 <= len(story.quotes) <= 5
    assert any(quote.kind == "pull" for quote in story.quotes)
    assert re.search(r"\d", story.title), story.title
    assert story.summary.count("\n- ") == 3
    assert any(_meets_threshold(metric) for metric in story.metrics)
    time_metrics = [m for m in story.metrics if m.kind == "time_saved"]
    assert any("hour" in m.unit or "day" in m.unit for m in time_metrics)
    for metric in story.metrics:
        assert metric.kind in _METRIC_KINDS
        assert Decimal(metric.before) != 0 and Decimal(metric.after) > 0
        assert metric.before != metric.after
        assert _from_to(metric) in story.results
    result_quotes = [quote for quote in story.quotes if quote.kind == "result"]
    assert any(_from_to(story.metrics[0]) in quote.text for quote in result_quotes)
    inline = [quote for quote in story.quotes if quote.kind == "inline"]
    assert 1 <= len(inline) <= 2
    body = "\n".join((story.challenge, story.implementation))
    assert all(quote.text in body for quote in inline)
    for quote in story.quotes:
        assert quote.speaker_role in _QUOTE_ROLES and quote.kind in _QUOTE_KINDS
    texts = (
        story.title,
        story.summary,
        story.challenge,
        story.solution,
        story.implementation,
        story.results,
        story.future_plans,
    )
    for text in texts:
        assert "{" not in text and "}" not in text, text
        assert not any(line.lstrip().startswith("#") for line in text.splitlines())
    for line in story.results.splitlines():
        line = line.strip().removeprefix("- ").removeprefix("> ")
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            assert not sentence or re.search(r"\d", sentence), sentence


def _self_check() -> None:
    import itertools
    import time

    started = time.perf_counter()
    totals: list[int] = []
    summaries: list[int] = []
    combos = itertools.product(
        _CHECK_INDUSTRIES,
        _CHECK_SIZES,
        _CHECK_REGIONS,
        _CHECK_USE_CASES,
        (None, "LegacySoft"),
        range(4),
    )
    for industry, size, region, use_case, competitor, seed in combos:
        story = build_story(
            seed=seed,
            customer_name=f"Acme {industry.split()[0]}",
            industry=industry,
            company_size=size,
            region=region,
            use_case=use_case,
            product="Storyline Demo Platform",
            department="Finance",
            competitor=competitor,
        )
        _check_story(story)
        totals.append(_story_words(story))
        summaries.append(_words(story.summary))
    # Unknown industries, regions and use cases still work.
    odd = {
        "customer_name": "Northwind Aerospace Holdings",
        "industry": "Aerospace",
        "company_size": "enterprise",
        "region": "Antarctica",
        "use_case": "Field service scheduling",
        "product": "Storyline Ops",
        "department": "Customer Service",
        "competitor": "LegacySoft",
    }
    _check_story(build_story(seed=7, **odd))
    assert build_story(seed=7, **odd) == build_story(seed=7, **odd)
    elapsed = time.perf_counter() - started
    print(f"stories checked: {len(totals)} in {elapsed:.1f}s")
    print(f"total words: min {min(totals)}, max {max(totals)}")
    print(f"summary words: min {min(summaries)}, max {max(summaries)}")


if __name__ == "__main__":
    _self_check()
