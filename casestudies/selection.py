"""Choosing the right customers (the guide's "Seleksi Case Study Strategis",
"Membangun Portfolio Beragam", "Target Buyer Appeal", "Competitive Wins").

- :func:`score_candidate` — the candidate score and its breakdown: results
  strength, story arc completeness, willingness, target buyer appeal and how
  much the story fills a portfolio gap, weighted by
  ``STORYLINE["SELECTION_WEIGHTS"]``; :func:`recompute_scores` stores it.
- :func:`coverage` — the portfolio matrix (industry x company size, and by use
  case, region, product) of published and in-progress stories against the
  program manager's :class:`PortfolioTarget` rows, the gaps named in words and
  the candidates that would fill each gap, ranked.
- :func:`stale_stories` — freshness: published stories to refresh or retire.

Reads only; every query count here is constant in the number of stories.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casestudies.models import (
    CandidateScore,
    CaseStudy,
    CaseStudyState,
    CompanySize,
    Contact,
    Customer,
    Industry,
    Metric,
    PortfolioTarget,
    Product,
    ProductRename,
    Quote,
    Region,
    UseCase,
)

S = CaseStudyState
PUBLISHED_STATES = (S.PUBLISHED,)
IN_PROGRESS_STATES = (S.INTERVIEWING, S.DRAFTING, S.IN_REVIEW, S.APPROVED)
COVERED_STATES = PUBLISHED_STATES + IN_PROGRESS_STATES
CANDIDATE_STATES = (S.CANDIDATE, S.RECRUITING)

COMPONENTS = ("results", "arc", "willingness", "appeal", "gap_fill")


# --------------------------------------------------------------------------
# The score
# --------------------------------------------------------------------------


@dataclass
class Part:
    """One part of the score: a value from 0 to 1 and the reasons, in words."""

    value: float
    reasons: list[str] = field(default_factory=list)


def results_strength(metrics: Iterable[Metric]) -> Part:
    """The guide's "Hasil Kuat dan ROI": cost saving 30 %+, revenue 20 %+,
    efficiency 40 %+ (``STRONG_RESULT_THRESHOLDS``), measurable time saved and
    a clear before/after. Grows with the best result relative to its
    threshold (capped at the threshold), so a stronger result never scores
    lower."""
    thresholds = settings.STORYLINE["STRONG_RESULT_THRESHOLDS"]
    best, best_metric = 0.0, None
    time_saved = before_after = False
    for metric in metrics:
        improvement = metric.improvement_percent
        if improvement is None or improvement <= 0:
            continue
        before_after = True
        if metric.kind == Metric.Kind.TIME_SAVED:
            time_saved = True
        threshold = thresholds.get(metric.kind)
        if threshold:
            ratio = min(float(improvement / Decimal(threshold)), 1.0)
            if ratio > best:
                best, best_metric = ratio, metric
    reasons = []
    if best_metric is not None:
        threshold = thresholds[best_metric.kind]
        if best >= 1:
            reasons.append(
                _("%(label)s: %(amount)s%% better, meets the guide's %(threshold)s%%")
                % {
                    "label": best_metric.label,
                    "amount": best_metric.improvement_percent,
                    "threshold": threshold,
                }
            )
        else:
            reasons.append(
                _("%(label)s: %(amount)s%% better, below the guide's %(threshold)s%%")
                % {
                    "label": best_metric.label,
                    "amount": best_metric.improvement_percent,
                    "threshold": threshold,
                }
            )
    if time_saved:
        reasons.append(_("Measurable time saved"))
    if before_after:
        reasons.append(_("A clear before/after"))
    else:
        reasons.append(_("No measured result yet"))
    value = 0.6 * best + 0.2 * time_saved + 0.2 * before_after
    return Part(value, reasons)


ARC_LABELS = {
    "arc_challenge": gettext_lazy("challenge"),
    "arc_selection": gettext_lazy("evaluation and selection"),
    "arc_implementation": gettext_lazy("implementation"),
    "arc_results": gettext_lazy("results"),
    "arc_future_plans": gettext_lazy("future plans"),
}


def arc_completeness(score: CandidateScore | None) -> Part:
    """The guide's "Story Arc yang Jelas": which of the five parts are known."""
    known = [name for name in CandidateScore.ARC_FIELDS if score and getattr(score, name)]
    missing = [name for name in CandidateScore.ARC_FIELDS if name not in known]
    reasons = []
    if known:
        reasons.append(
            _("Known: %(parts)s") % {"parts": ", ".join(str(ARC_LABELS[n]) for n in known)}
        )
    if missing:
        reasons.append(
            _("Not known yet: %(parts)s")
            % {"parts": ", ".join(str(ARC_LABELS[n]) for n in missing)}
        )
    return Part(len(known) / len(CandidateScore.ARC_FIELDS), reasons)


def willingness(customer: Customer, contacts: Iterable[Contact]) -> Part:
    """The guide's "Kesediaan Pelanggan untuk Berpartisipasi": someone we may
    contact, someone who already said yes, a promoter, a good review."""
    reachable = [c for c in contacts if c.may_contact and not c.left_company and not c.archived]
    value, reasons = 0.0, []
    if reachable:
        value += 0.3
        reasons.append(_("A contact who may be contacted"))
    else:
        reasons.append(_("Nobody we may contact"))
    if any(c.agreed_to_participate for c in reachable):
        value += 0.3
        reasons.append(_("A contact agreed to take part"))
    if any(c.available_as_reference for c in reachable):
        value += 0.1
        reasons.append(_("A contact is available for reference calls"))
    if customer.nps_score is not None and customer.nps_score >= 9:
        value += 0.2
        reasons.append(_("NPS %(score)s (promoter)") % {"score": customer.nps_score})
    elif customer.nps_score is not None and customer.nps_score >= 7:
        value += 0.1
        reasons.append(_("NPS %(score)s (passive)") % {"score": customer.nps_score})
    if customer.last_business_review_sentiment == Customer.Sentiment.POSITIVE:
        value += 0.1
        reasons.append(_("Positive business review"))
    if customer.implementation_status == Customer.ImplementationStatus.CHURNED:
        return Part(0.0, [_("The customer has churned")])
    return Part(min(value, 1.0), reasons)


def appeal(
    customer: Customer,
    *,
    target_industry_ids: set[int],
    competitor_names: list[str],
    objection_names: list[str],
) -> Part:
    """The guide's "Target Buyer Appeal" and "Competitive Wins": a brand
    prospects know, an industry we sell into (one with a portfolio target), a
    competitive displacement, an objection the story answers."""
    value, reasons = 0.0, []
    if customer.well_known_brand:
        value += 0.3
        reasons.append(_("A brand our prospects know"))
    if customer.industry_id in target_industry_ids:
        value += 0.2
        reasons.append(_("An industry we sell into"))
    if competitor_names:
        value += 0.3
        reasons.append(
            _("Switched from %(competitors)s") % {"competitors": ", ".join(competitor_names)}
        )
    if objection_names:
        value += 0.2
        reasons.append(
            _("Answers the objection: %(objections)s") % {"objections": ", ".join(objection_names)}
        )
    if not reasons:
        reasons.append(_("No particular appeal recorded"))
    return Part(min(value, 1.0), reasons)


PRIORITY_VALUE = {1: 1.0, 2: 0.75}


def gap_fill(gaps: list["Gap"]) -> Part:
    """How much the story fills a portfolio gap: the most important gap it
    matches (priority 1 counts fully, 2 three quarters, lower half)."""
    if not gaps:
        return Part(0.0, [_("Fills no open portfolio gap")])
    best = max(PRIORITY_VALUE.get(g.target.priority, 0.5) for g in gaps)
    return Part(best, [g.name for g in gaps])


def combine(parts: dict[str, Part], weights: dict[str, float] | None = None) -> int:
    """The weighted total, 0-100."""
    weights = weights or settings.STORYLINE["SELECTION_WEIGHTS"]
    total_weight = sum(max(weights.get(name, 0), 0) for name in COMPONENTS)
    if total_weight <= 0:
        return 0
    value = sum(max(weights.get(name, 0), 0) * parts[name].value for name in COMPONENTS)
    return max(0, min(100, round(100 * value / total_weight)))


# --------------------------------------------------------------------------
# Portfolio coverage
# --------------------------------------------------------------------------


@dataclass
class StoryFacts:
    """What coverage needs to know of one story (no model instances)."""

    id: int
    state: str
    customer_id: int
    industry_id: int
    company_size: str
    region_id: int
    use_case_ids: set[int] = field(default_factory=set)
    product_ids: set[int] = field(default_factory=set)

    def matches(self, target: PortfolioTarget) -> bool:
        return (
            (target.industry_id is None or target.industry_id == self.industry_id)
            and (not target.company_size or target.company_size == self.company_size)
            and (target.region_id is None or target.region_id == self.region_id)
            and (target.use_case_id is None or target.use_case_id in self.use_case_ids)
            and (target.product_id is None or target.product_id in self.product_ids)
        )


@dataclass(frozen=True, slots=True)
class Cell:
    """A target's dimensions as plain values (model attribute access is a
    descriptor call: too slow for thousands of stories x hundreds of targets)."""

    industry_id: int | None
    company_size: str
    region_id: int | None
    use_case_id: int | None
    product_id: int | None

    @classmethod
    def of(cls, target: PortfolioTarget) -> "Cell":
        return cls(
            target.industry_id,
            target.company_size,
            target.region_id,
            target.use_case_id,
            target.product_id,
        )


class StoryIndex:
    """Stories by each dimension, so a target is matched against the smallest
    pool of stories that can match it, not against every story."""

    def __init__(self, stories: list[StoryFacts]):
        self.stories = stories
        self.industry = defaultdict(list)
        self.size = defaultdict(list)
        self.region = defaultdict(list)
        self.use_case = defaultdict(list)
        self.product = defaultdict(list)
        for story in stories:
            self.industry[story.industry_id].append(story)
            self.size[story.company_size].append(story)
            self.region[story.region_id].append(story)
            for use_case_id in story.use_case_ids:
                self.use_case[use_case_id].append(story)
            for product_id in story.product_ids:
                self.product[product_id].append(story)

    def matching(self, cell: Cell) -> list[StoryFacts]:
        pools = []
        if cell.industry_id is not None:
            pools.append(self.industry.get(cell.industry_id, []))
        if cell.company_size:
            pools.append(self.size.get(cell.company_size, []))
        if cell.region_id is not None:
            pools.append(self.region.get(cell.region_id, []))
        if cell.use_case_id is not None:
            pools.append(self.use_case.get(cell.use_case_id, []))
        if cell.product_id is not None:
            pools.append(self.product.get(cell.product_id, []))
        pool = min(pools, key=len) if pools else self.stories
        return [story for story in pool if story.matches(cell)]


def story_facts(states: Iterable[str], *, customer_products: bool = False) -> list[StoryFacts]:
    """Facts of every story in ``states``, in three or four queries.
    ``customer_products``: a candidate not yet tagged counts the products its
    customer uses."""
    states = list(states)
    rows = CaseStudy.objects.filter(state__in=states).values_list(
        "id",
        "state",
        "customer_id",
        "customer__industry_id",
        "customer__company_size",
        "customer__region_id",
    )
    facts = {row[0]: StoryFacts(*row) for row in rows}
    if not facts:
        return []
    through = CaseStudy.use_cases.through.objects.filter(casestudy__state__in=states)
    for cs_id, use_case_id in through.values_list("casestudy_id", "usecase_id"):
        facts[cs_id].use_case_ids.add(use_case_id)
    through = CaseStudy.products.through.objects.filter(casestudy__state__in=states)
    for cs_id, product_id in through.values_list("casestudy_id", "product_id"):
        facts[cs_id].product_ids.add(product_id)
    if customer_products:
        by_customer = defaultdict(set)
        customer_ids = {fact.customer_id for fact in facts.values()}
        through = Customer.products.through.objects.filter(customer_id__in=customer_ids)
        for customer_id, product_id in through.values_list("customer_id", "product_id"):
            by_customer[customer_id].add(product_id)
        for fact in facts.values():
            fact.product_ids |= by_customer.get(fact.customer_id, set())
    return list(facts.values())


def _label(terms: dict, term_id) -> str:
    term = terms.get(term_id)
    return term.name if term is not None else ""


def describe_cell(target: PortfolioTarget, *, terms: dict | None = None) -> str:
    """The cell in words: "enterprise healthcare story in Asia-Pacific"."""
    return target.describe(terms=terms)


@dataclass
class Gap:
    target: PortfolioTarget
    have: int
    published: int
    name: str
    candidates: list[dict] = field(default_factory=list)

    @property
    def cell(self) -> Cell:
        return Cell.of(self.target)

    @property
    def missing(self) -> int:
        return self.target.target - self.have


def _gap_name(cell: str, have: int, wanted: int) -> str:
    if have == 0:
        return _("No %(cell)s") % {"cell": cell}
    return _("Only %(have)s of %(wanted)s wanted: %(cell)s") % {
        "have": have,
        "wanted": wanted,
        "cell": cell,
    }


def _terms() -> dict[str, dict]:
    return {
        "industry": {t.pk: t for t in Industry.objects.filter(archived=False)},
        "region": {t.pk: t for t in Region.objects.filter(archived=False)},
        "use_case": {t.pk: t for t in UseCase.objects.filter(archived=False)},
        "product": {t.pk: t for t in Product.objects.filter(archived=False)},
    }


def find_gaps(
    targets: list[PortfolioTarget],
    stories: list[StoryFacts],
    *,
    terms: dict | None = None,
    index: StoryIndex | None = None,
) -> list[Gap]:
    """Targets with fewer published and in-progress stories than wanted,
    most important first (priority, then the most missing)."""
    gaps = []
    index = index or StoryIndex(stories)
    for target in targets:
        matching = index.matching(Cell.of(target))
        have = len(matching)
        if have >= target.target:
            continue
        cell = describe_cell(target, terms=terms)
        gaps.append(
            Gap(
                target=target,
                have=have,
                published=sum(1 for s in matching if s.state == S.PUBLISHED),
                name=_gap_name(cell, have, target.target),
            )
        )
    gaps.sort(key=lambda g: (g.target.priority, -g.missing, g.target.pk))
    return gaps


@dataclass(frozen=True)
class TargetProgress:
    """How far one target is: published and in-progress stories against
    the number wanted."""

    wanted: int
    published: int
    in_progress: int

    @property
    def have(self) -> int:
        return self.published + self.in_progress

    @property
    def met(self) -> bool:
        return self.have >= self.wanted

    @property
    def met_by_in_progress(self) -> bool:
        """Met, but only thanks to stories not published yet."""
        return self.met and self.published < self.wanted

    def describe(self) -> str:
        counts = {
            "have": self.have,
            "wanted": self.wanted,
            "published": self.published,
            "in_progress": self.in_progress,
            "missing": max(0, self.wanted - self.have),
        }
        if self.met_by_in_progress:
            return (
                _(
                    "Already met by stories in progress: %(have)s of %(wanted)s wanted "
                    "(published: %(published)s, in progress: %(in_progress)s). Publish them to "
                    "keep it met; another candidate here adds nothing."
                )
                % counts
            )
        if self.met:
            return _("Met: published %(published)s of %(wanted)s wanted.") % counts
        return (
            _(
                "Short by %(missing)s: %(have)s of %(wanted)s wanted (published: %(published)s, "
                "in progress: %(in_progress)s)."
            )
            % counts
        )


def target_progress(
    targets: Iterable[PortfolioTarget], *, index: StoryIndex | None = None
) -> dict[int, TargetProgress]:
    """Each target's published and in-progress counts, by its id (the stories
    are read once, whatever the number of targets)."""
    targets = list(targets)
    if not targets:
        return {}
    index = index or StoryIndex(story_facts(COVERED_STATES))
    progress = {}
    for target in targets:
        matching = index.matching(Cell.of(target))
        published = sum(1 for story in matching if story.state in PUBLISHED_STATES)
        progress[target.pk] = TargetProgress(
            wanted=target.target, published=published, in_progress=len(matching) - published
        )
    return progress


@dataclass
class Coverage:
    industries: list
    sizes: list
    matrix: list[dict]  # one row per industry: cells per size
    dimensions: list[dict]  # use case, region, product tables
    gaps: list[Gap]
    totals: dict
    # Targets met only thanks to stories not published yet: (the cell, in words).
    met_in_progress: list[tuple[str, str]] = field(default_factory=list)


def _count(stories: list[StoryFacts], pred) -> dict:
    published = sum(1 for s in stories if pred(s) and s.state == S.PUBLISHED)
    in_progress = sum(1 for s in stories if pred(s) and s.state != S.PUBLISHED)
    return {"published": published, "in_progress": in_progress, "total": published + in_progress}


def coverage(*, with_candidates: bool = True, candidates_per_gap: int = 5) -> Coverage:
    """The whole coverage view's data in a constant number of queries."""
    terms = _terms()
    stories = story_facts(COVERED_STATES)
    targets = list(PortfolioTarget.objects.all())

    # Targets by their exact cell, for the matrix and the dimension tables.
    wanted: dict[Cell, int] = {}
    for t in targets:
        wanted.setdefault(Cell.of(t), t.target)

    def single_target(**dims) -> int | None:
        return wanted.get(
            Cell(
                dims.get("industry"),
                dims.get("company_size", ""),
                dims.get("region"),
                dims.get("use_case"),
                dims.get("product"),
            )
        )

    # Index the stories by cell once: O(stories) instead of O(cells x stories).
    by_cell = defaultdict(list)
    for s in stories:
        by_cell[(s.industry_id, s.company_size)].append(s)
    sizes = list(CompanySize)
    matrix = []
    for industry in terms["industry"].values():
        cells = []
        for size in sizes:
            counts = _count(by_cell.get((industry.pk, size.value), []), lambda s: True)
            target = single_target(industry=industry.pk, company_size=size.value)
            counts["target"] = target
            counts["short"] = target is not None and counts["total"] < target
            counts["empty"] = counts["total"] == 0
            cells.append(counts)
        matrix.append({"industry": industry, "cells": cells})

    index = StoryIndex(stories)
    dimensions = []
    for key, title in (
        ("use_case", _("By use case")),
        ("region", _("By region")),
        ("product", _("By product or module")),
    ):
        rows = []
        for term in terms[key].values():
            counts = _count(getattr(index, key).get(term.pk, []), lambda s: True)
            target = single_target(**{key: term.pk})
            counts.update(
                term=term,
                target=target,
                short=target is not None and counts["total"] < target,
            )
            rows.append(counts)
        dimensions.append({"key": key, "title": title, "rows": rows})

    gaps = find_gaps(targets, stories, terms=terms, index=index)
    # A cell shows the gaps inside it too (e.g. only in one region).
    industry_index = {row["industry"].pk: row for row in matrix}
    size_index = {size.value: n for n, size in enumerate(sizes)}
    for gap in gaps:
        row = industry_index.get(gap.target.industry_id)
        if row is None:
            continue
        columns = (
            [size_index[gap.target.company_size]] if gap.target.company_size else range(len(sizes))
        )
        for column in columns:
            row["cells"][column].setdefault("gaps", []).append(gap.name)
    if with_candidates and gaps:
        rank_candidates_for_gaps(gaps)
    progress = target_progress(targets, index=index)
    met_in_progress = [
        (describe_cell(t, terms=terms), progress[t.pk].describe())
        for t in targets
        if progress[t.pk].met_by_in_progress
    ]
    return Coverage(
        met_in_progress=met_in_progress,
        industries=list(terms["industry"].values()),
        sizes=sizes,
        matrix=matrix,
        dimensions=dimensions,
        gaps=gaps,
        totals=_count(stories, lambda s: True),
    )


# What the readiness verdict reads of a customer (casestudies.customers.readiness).
READINESS_FIELDS = (
    "name",
    "archived",
    "implementation_status",
    "open_support_issues",
    "last_support_issue_on",
    "last_business_review_on",
    "last_business_review_sentiment",
    "last_milestone",
    "last_milestone_on",
    "renewal_date",
    "nps_score",
    "nps_recorded_on",
)


def rank_candidates_for_gaps(gaps: list[Gap], *, limit: int = 5) -> None:
    """Fill ``gap.candidates`` with the candidate stories that match each gap,
    highest score first, each with its readiness verdict."""
    from casestudies.customers.readiness import readiness_for_customers

    candidates = story_facts(CANDIDATE_STATES, customer_products=True)
    if not candidates:
        return
    index = StoryIndex(candidates)
    matches = {gap.target.pk: index.matching(Cell.of(gap.target)) for gap in gaps}
    ids = {fact.id for matching in matches.values() for fact in matching}
    studies = {
        cs.pk: cs
        for cs in CaseStudy.objects.filter(pk__in=ids)
        .select_related("customer")
        .only("id", "title", "state", "customer_id", *(f"customer__{f}" for f in READINESS_FIELDS))
    }
    scores = dict(
        CandidateScore.objects.filter(case_study_id__in=ids).values_list("case_study_id", "total")
    )
    verdicts = readiness_for_customers([cs.customer for cs in studies.values()])
    for gap in gaps:
        matching = matches[gap.target.pk]
        rows = []
        for fact in matching:
            cs = studies[fact.id]
            rows.append(
                {
                    "case_study": cs,
                    "score": scores.get(cs.pk, 0),
                    "readiness": verdicts.get(cs.customer_id),
                }
            )
        rows.sort(
            key=lambda r: (
                -(r["readiness"].ready if r["readiness"] else 0),
                -r["score"],
                r["case_study"].pk,
            )
        )
        gap.candidates = rows[:limit]


# --------------------------------------------------------------------------
# Computing and storing scores
# --------------------------------------------------------------------------


def score_parts(
    case_study: CaseStudy,
    *,
    metrics: list[Metric],
    contacts: list[Contact],
    stored: CandidateScore | None,
    gaps: list[tuple[Gap, Cell]],
    fact: StoryFacts | None,
    target_industry_ids: set[int],
    competitor_names: list[str],
    objection_names: list[str],
) -> dict[str, Part]:
    matched = [g for g, cell in gaps if fact is not None and fact.matches(cell)]
    return {
        "results": results_strength(metrics),
        "arc": arc_completeness(stored),
        "willingness": willingness(case_study.customer, contacts),
        "appeal": appeal(
            case_study.customer,
            target_industry_ids=target_industry_ids,
            competitor_names=competitor_names,
            objection_names=objection_names,
        ),
        "gap_fill": gap_fill(matched),
    }


def recompute_scores(case_study_ids: Iterable[int] | None = None) -> int:
    """Recompute and store the score of the candidate stories (all, or those
    of ``case_study_ids`` still candidates). Returns how many were stored.
    Unchanged scores are not rewritten (``computed_at`` is when the score
    last changed). A constant number of queries whatever the number of
    candidates."""
    candidates = CaseStudy.objects.filter(state__in=CANDIDATE_STATES).select_related("customer")
    if case_study_ids is not None:
        ids = list(case_study_ids)
        if not ids:
            return 0
        candidates = candidates.filter(pk__in=ids)
    candidates = list(candidates)
    if not candidates:
        return 0
    # All candidates: filter by state (a join) rather than by a long IN list.
    if case_study_ids is None:
        by_story = {"case_study__state__in": CANDIDATE_STATES}
        by_customer = {"customer__case_studies__state__in": CANDIDATE_STATES}
        by_through = {"casestudy__state__in": CANDIDATE_STATES}
    else:
        ids = [cs.pk for cs in candidates]
        by_story = {"case_study_id__in": ids}
        by_customer = {"customer_id__in": {cs.customer_id for cs in candidates}}
        by_through = {"casestudy_id__in": ids}
    metrics = defaultdict(list)
    for metric in Metric.objects.filter(**by_story):
        metrics[metric.case_study_id].append(metric)
    contacts = defaultdict(list)
    for contact in Contact.objects.filter(**by_customer).distinct():
        contacts[contact.customer_id].append(contact)
    stored = {s.pk: s for s in CandidateScore.objects.filter(**by_story)}
    competitors = defaultdict(list)
    for cs_id, name in CaseStudy.competitors.through.objects.filter(**by_through).values_list(
        "casestudy_id", "competitor__name"
    ):
        competitors[cs_id].append(name)
    objections = defaultdict(list)
    for cs_id, name in CaseStudy.objections.through.objects.filter(**by_through).values_list(
        "casestudy_id", "objection__name"
    ):
        objections[cs_id].append(name)
    targets = list(
        PortfolioTarget.objects.select_related("industry", "region", "use_case", "product")
    )
    target_industry_ids = {t.industry_id for t in targets if t.industry_id}
    gaps = find_gaps(targets, story_facts(COVERED_STATES)) if targets else []
    gap_cells = [(gap, gap.cell) for gap in gaps]
    facts = {f.id: f for f in story_facts(CANDIDATE_STATES, customer_products=True)}

    now = timezone.now()
    rows = []
    unchanged = 0
    for cs in candidates:
        previous = stored.get(cs.pk)
        parts = score_parts(
            cs,
            metrics=metrics[cs.pk],
            contacts=contacts[cs.customer_id],
            stored=previous,
            gaps=gap_cells,
            fact=facts.get(cs.pk),
            target_industry_ids=target_industry_ids,
            competitor_names=sorted(competitors[cs.pk]),
            objection_names=sorted(objections[cs.pk]),
        )
        values = {name: round(part.value * 100) for name, part in parts.items()}
        values["total"] = combine(parts)
        values["breakdown"] = {name: part.reasons for name, part in parts.items()}
        if (
            previous is not None
            and previous.computed_at is not None
            and all(getattr(previous, name) == value for name, value in values.items())
        ):
            unchanged += 1
            continue  # nothing to write
        row = previous or CandidateScore(case_study=cs)
        for name, value in values.items():
            setattr(row, name, value)
        row.computed_at = now
        rows.append(row)
    if not rows:
        return unchanged
    CandidateScore.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["case_study"],
        update_fields=[*COMPONENTS, "total", "breakdown", "computed_at"],
    )
    return len(rows) + unchanged


def _enqueue_full_recompute() -> None:
    from casestudies.tasks import recompute_candidate_scores

    recompute_candidate_scores.delay()


_enqueue_full_recompute.storyline_full_recompute = True  # marks the callback


def schedule_recompute(case_study_ids: Iterable[int] | None = None) -> None:
    """Recompute after the current transaction commits (inputs changed).

    A few stories are rescored in the request (cheap); every candidate (a
    story moved, a target changed: the gap part of every score changes) is
    rescored by a Celery task, queued once per transaction however many
    stories moved in it (a bulk admin action moves dozens)."""
    if case_study_ids is None:
        connection = transaction.get_connection()
        if connection.in_atomic_block and any(
            getattr(callback, "storyline_full_recompute", False)
            for _savepoints, callback, _robust in connection.run_on_commit
        ):
            return
        transaction.on_commit(_enqueue_full_recompute, robust=True)
        return
    ids = list(case_study_ids)
    transaction.on_commit(lambda: recompute_scores(ids), robust=True)


# --------------------------------------------------------------------------
# Freshness
# --------------------------------------------------------------------------


@dataclass
class StaleStory:
    case_study: CaseStudy
    reasons: list[str]
    retire: bool  # churned customer: retire rather than refresh


def stale_stories() -> list[StaleStory]:
    """Published stories older than ``FRESHNESS_MAX_AGE_DAYS``, whose featured
    contact left, whose product was renamed or retired, or whose customer
    churned; in four queries."""
    max_age = timedelta(days=settings.STORYLINE["FRESHNESS_MAX_AGE_DAYS"])
    now = timezone.now()
    stories = {
        cs.pk: cs
        for cs in CaseStudy.objects.filter(state=S.PUBLISHED)
        .select_related("customer")
        .only(
            "id",
            "title",
            "published_at",
            "customer__name",
            "customer__implementation_status",
            "customer__archived",
        )
    }
    reasons = defaultdict(list)
    retire = set()
    for cs in stories.values():
        if cs.published_at and now - cs.published_at > max_age:
            years = (now - cs.published_at).days // 365
            reasons[cs.pk].append(
                _("Published %(years)s years ago") % {"years": years}
                if years >= 2
                else _("Published more than %(days)s days ago") % {"days": max_age.days}
            )
        customer = cs.customer
        if (
            customer.implementation_status == Customer.ImplementationStatus.CHURNED
            or customer.archived
        ):
            reasons[cs.pk].append(
                _("%(customer)s is no longer a customer") % {"customer": customer}
            )
            retire.add(cs.pk)
    left = (
        Quote.objects.filter(case_study__state=S.PUBLISHED, speaker__left_company=True)
        .values_list("case_study_id", "speaker__name")
        .distinct()
    )
    for cs_id, name in left:
        reasons[cs_id].append(
            _("%(name)s, quoted in the story, has left the company") % {"name": name}
        )
    products = CaseStudy.products.through.objects.filter(casestudy__state=S.PUBLISHED).values_list(
        "casestudy_id", "product_id", "product__name", "product__archived"
    )
    product_ids = set()
    story_products = defaultdict(list)
    for cs_id, product_id, name, archived in products:
        story_products[cs_id].append((product_id, name, archived))
        product_ids.add(product_id)
    renames = defaultdict(list)
    for rename in ProductRename.objects.filter(product_id__in=product_ids):
        renames[rename.product_id].append(rename)
    for cs_id, items in story_products.items():
        cs = stories[cs_id]
        for product_id, name, archived in items:
            if archived:
                reasons[cs_id].append(_("%(product)s is retired") % {"product": name})
            for rename in renames.get(product_id, []):
                if cs.published_at is None or rename.renamed_at > cs.published_at:
                    reasons[cs_id].append(
                        _("%(old)s was renamed %(new)s")
                        % {"old": rename.old_name, "new": rename.new_name}
                    )
    result = [
        StaleStory(case_study=stories[cs_id], reasons=items, retire=cs_id in retire)
        for cs_id, items in reasons.items()
    ]
    result.sort(key=lambda s: (not s.retire, s.case_study.published_at or now))
    return result


# --------------------------------------------------------------------------
# Keeping scores current: inputs changed → recompute after commit
# --------------------------------------------------------------------------


def _metric_changed(sender, instance, **kwargs):
    schedule_recompute([instance.case_study_id])


def _case_study_tags_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, CaseStudy):
        schedule_recompute([instance.pk])


def recompute_customer_scores(customer_id: int) -> int:
    ids = CaseStudy.objects.filter(customer_id=customer_id, state__in=CANDIDATE_STATES)
    return recompute_scores(list(ids.values_list("pk", flat=True)))


def _customer_changed(sender, instance, **kwargs):
    customer_id = instance.pk
    transaction.on_commit(lambda: recompute_customer_scores(customer_id), robust=True)


def _contact_changed(sender, instance, **kwargs):
    customer_id = instance.customer_id
    transaction.on_commit(lambda: recompute_customer_scores(customer_id), robust=True)


def _everything_changed(sender, instance, created=True, **kwargs):
    # A story moved (coverage changed) or a target changed: every gap score.
    if sender.__name__ == "StateChange" and not created:
        return
    schedule_recompute(None)


def connect_signals() -> None:
    """Called from ``CasestudiesConfig.ready``. The handlers only schedule a
    recomputation of derived scores after commit."""
    from django.db.models import signals

    from casestudies.models import StateChange

    uid = "casestudies.selection"
    signals.post_save.connect(_metric_changed, sender=Metric, dispatch_uid=f"{uid}.metric")
    signals.post_delete.connect(_metric_changed, sender=Metric, dispatch_uid=f"{uid}.metric_del")
    for through in (
        CaseStudy.competitors.through,
        CaseStudy.objections.through,
        CaseStudy.use_cases.through,
        CaseStudy.products.through,
    ):
        signals.m2m_changed.connect(
            _case_study_tags_changed, sender=through, dispatch_uid=f"{uid}.{through.__name__}"
        )
    signals.post_save.connect(_customer_changed, sender=Customer, dispatch_uid=f"{uid}.customer")
    signals.post_save.connect(_contact_changed, sender=Contact, dispatch_uid=f"{uid}.contact")
    signals.post_save.connect(_everything_changed, sender=StateChange, dispatch_uid=f"{uid}.sc")
    signals.post_save.connect(
        _everything_changed, sender=PortfolioTarget, dispatch_uid=f"{uid}.target"
    )
    signals.post_delete.connect(
        _everything_changed, sender=PortfolioTarget, dispatch_uid=f"{uid}.target_del"
    )
