"""Which stories to put in front of one prospect: explicit weighted scoring.

A rep describes the prospect (:class:`Profile`: industry, company size,
region, use cases, objections raised, competitor in the deal); every
published story gets a score from what it shares with the prospect and a
reason a person can read ("Displaced Competitor X · Answers “Too expensive”
· Same industry: Retail").

The weights (guide: "competitive displacement stories and specific
objection handlers carry extra weight"; proposals "customized to prospect
characteristics"): the deal's competitor and objections first, then
look-alike customers:

=================  ======  ===============================================
criterion          points  why
=================  ======  ===============================================
competitor         35      the story displaced the competitor in this deal;
                           more than a look-alike (industry + size = 30)
objection          25      per objection of the prospect the story answers
industry           20      same industry: "a company like mine"
use case           15      per use case in common
company size       10      same segment (enterprise / mid-market / SMB)
region             5       same region
strong result      5       a metric meets the guide's thresholds
=================  ======  ===============================================

A story sharing nothing with the prospect scores 0 and is not suggested.
Stories whose usage rights forbid sales decks and proposal packs are never
ranked; they are listed apart with that reason (:func:`rank`).
"""

from dataclasses import dataclass, field

from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Prefetch, Q, Value, When
from django.utils.translation import gettext as _

from casestudies.models import (
    CaseStudy,
    CompanySize,
    Competitor,
    Industry,
    Metric,
    Objection,
    Region,
    UsageChannel,
    UseCase,
)

WEIGHTS = {
    "competitor": 35,
    "objection": 25,
    "industry": 20,
    "use_case": 15,
    "company_size": 10,
    "region": 5,
    "strong_result": 5,
}
# How many stories the pack builder suggests.
SUGGESTIONS = 20
# How many candidates the database pre-ranks before the exact scoring.
CANDIDATES = 60


@dataclass(frozen=True)
class Profile:
    """The prospect as the rep described it (taxonomy slugs)."""

    industry: str = ""
    company_size: str = ""
    region: str = ""
    use_cases: frozenset[str] = frozenset()
    objections: frozenset[str] = frozenset()
    competitor: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(
            [
                self.industry,
                self.company_size,
                self.region,
                self.use_cases,
                self.objections,
                self.competitor,
            ]
        )

    def as_json(self) -> dict:
        return {
            "industry": self.industry,
            "company_size": self.company_size,
            "region": self.region,
            "use_cases": sorted(self.use_cases),
            "objections": sorted(self.objections),
            "competitor": self.competitor,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Profile":
        data = data or {}
        return cls(
            industry=str(data.get("industry") or ""),
            company_size=str(data.get("company_size") or ""),
            region=str(data.get("region") or ""),
            use_cases=frozenset(map(str, data.get("use_cases") or [])),
            objections=frozenset(map(str, data.get("objections") or [])),
            competitor=str(data.get("competitor") or ""),
        )


@dataclass(frozen=True)
class StoryFacts:
    """What the scoring reads of a story; ``names`` maps slugs to the names
    shown in reasons."""

    industry: str = ""
    company_size: str = ""
    region: str = ""
    use_cases: frozenset[str] = frozenset()
    objections: frozenset[str] = frozenset()
    competitors: frozenset[str] = frozenset()
    strong_result: str = ""  # the metric line meeting the guide's threshold, or ""
    names: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Suggestion:
    case_study: CaseStudy
    score: int
    reasons: list[str]

    @property
    def reason(self) -> str:
        return " · ".join(self.reasons)


def score(facts: StoryFacts, profile: Profile) -> tuple[int, list[str]]:
    """The story's score for the prospect and the reasons, strongest first."""
    name = facts.names.get
    points, reasons = 0, []
    if profile.competitor and profile.competitor in facts.competitors:
        points += WEIGHTS["competitor"]
        reasons.append(
            _("Displaced %(competitor)s")
            % {"competitor": name(profile.competitor, profile.competitor)}
        )
    for slug in sorted(profile.objections & facts.objections):
        points += WEIGHTS["objection"]
        reasons.append(_("Answers “%(objection)s”") % {"objection": name(slug, slug)})
    if profile.industry and profile.industry == facts.industry:
        points += WEIGHTS["industry"]
        reasons.append(_("Same industry: %(industry)s") % {"industry": name(facts.industry)})
    for slug in sorted(profile.use_cases & facts.use_cases):
        points += WEIGHTS["use_case"]
        reasons.append(_("Use case: %(use_case)s") % {"use_case": name(slug, slug)})
    if profile.company_size and profile.company_size == facts.company_size:
        points += WEIGHTS["company_size"]
        reasons.append(
            _("Same company size: %(size)s")
            % {"size": dict(CompanySize.choices).get(facts.company_size, facts.company_size)}
        )
    if profile.region and profile.region == facts.region:
        points += WEIGHTS["region"]
        reasons.append(_("Same region: %(region)s") % {"region": name(facts.region)})
    if points and facts.strong_result:
        # A tie-breaker, only for stories that match the prospect at all.
        points += WEIGHTS["strong_result"]
        reasons.append(_("Strong result: %(result)s") % {"result": facts.strong_result})
    return points, reasons


def facts_of(cs: CaseStudy) -> StoryFacts:
    """The facts of a story loaded with :func:`candidates`' prefetches."""
    customer = cs.customer
    names = {
        customer.industry.slug: customer.industry.name,
        customer.region.slug: customer.region.name,
    }
    groups = {}
    for attr in ("use_cases", "objections", "competitors"):
        terms = list(getattr(cs, attr).all())
        names.update({t.slug: t.name for t in terms})
        groups[attr] = frozenset(t.slug for t in terms)
    strong = ""
    for metric in cs.metrics.all():
        if metric.meets_guide_threshold:
            strong = f"{metric.improvement_display} · {cs.anonymise_text(metric.label)}"
            break
    return StoryFacts(
        industry=customer.industry.slug,
        company_size=customer.company_size,
        region=customer.region.slug,
        strong_result=strong,
        names=names,
        **groups,
    )


def _sql_score(profile: Profile):
    """The same weights as :func:`score` in SQL (without the strong-result
    tie-breaker), to pre-rank the candidates in the database."""
    parts = []
    if profile.industry:
        parts.append(
            SqlCase(
                When(customer__industry__slug=profile.industry, then=Value(WEIGHTS["industry"])),
                default=Value(0),
            )
        )
    if profile.company_size:
        parts.append(
            SqlCase(
                When(
                    customer__company_size=profile.company_size,
                    then=Value(WEIGHTS["company_size"]),
                ),
                default=Value(0),
            )
        )
    if profile.region:
        parts.append(
            SqlCase(
                When(customer__region__slug=profile.region, then=Value(WEIGHTS["region"])),
                default=Value(0),
            )
        )
    counted = [
        ("use_cases", profile.use_cases, "use_case"),
        ("objections", profile.objections, "objection"),
        ("competitors", {profile.competitor} if profile.competitor else set(), "competitor"),
    ]
    for relation, slugs, weight in counted:
        if slugs:
            parts.append(
                Count(relation, filter=Q(**{f"{relation}__slug__in": list(slugs)}), distinct=True)
                * Value(WEIGHTS[weight])
            )
    total = Value(0, output_field=IntegerField())
    for part in parts:
        total = total + part
    return total


def candidates(queryset=None):
    """Published stories with everything :func:`facts_of` and the pack page
    read, in a fixed number of queries."""
    queryset = queryset if queryset is not None else CaseStudy.objects.usable()
    return queryset.select_related(
        "customer__industry", "customer__region", "published_version"
    ).prefetch_related(
        "use_cases",
        "objections",
        "competitors",
        Prefetch("metrics", queryset=Metric.objects.order_by("position", "id")),
    )


def rank(profile: Profile, *, limit: int = SUGGESTIONS) -> tuple[list[Suggestion], list[dict]]:
    """(suggestions best first, excluded) for the prospect.

    ``excluded`` lists matching stories the rights keep out of packs, each
    as ``{"case_study", "reason"}``."""
    base = CaseStudy.objects.usable()
    if profile.is_empty:
        pre = base.order_by("-featured", "-published_at", "-pk")
    else:
        pre = (
            base.annotate(pre_score=_sql_score(profile))
            .filter(pre_score__gt=0)
            .order_by("-pre_score", "-featured", "-published_at", "-pk")
        )
    pre_ids = list(pre.values_list("pk", flat=True)[:CANDIDATES])
    found = candidates(CaseStudy.objects.filter(pk__in=pre_ids)).in_bulk()
    stories = [found[pk] for pk in pre_ids if pk in found]
    suggestions, excluded = [], []
    for cs in stories:
        for metric in cs.metrics.all():
            metric.case_study = cs  # shows_absolute reads the story's mode
        points, reasons = score(facts_of(cs), profile)
        if not profile.is_empty and points == 0:
            continue
        if not cs.allows(UsageChannel.SALES_DECKS):
            excluded.append(
                {
                    "case_study": cs,
                    "reason": _(
                        "The customer has not allowed this story in sales decks and proposal packs."
                    ),
                }
            )
            continue
        suggestions.append(Suggestion(cs, points, reasons))
    # Stable sort: equal scores keep the database order (featured, newest).
    suggestions.sort(key=lambda s: -s.score)
    return suggestions[:limit], excluded


def profile_choices() -> dict:
    """The taxonomy the pack form offers (not archived), by field."""
    return {
        "industry": Industry.objects.filter(archived=False),
        "region": Region.objects.filter(archived=False),
        "use_cases": UseCase.objects.filter(archived=False),
        "objections": Objection.objects.filter(archived=False),
        "competitor": Competitor.objects.filter(archived=False),
    }
