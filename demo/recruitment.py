"""Demo selection and recruitment for ``seed_demo``: portfolio targets whose
gaps the demo candidates would fill (so the coverage view names gaps and
ranks candidates), one target nobody fills yet, two nominations from sales,
fresh relationship signals on the strongest candidates, what is known of
their story arcs, and one request sent with a concern answered.
Idempotent: everything is looked up before it is created."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from casestudies import selection, selection_services
from casestudies.models import (
    CandidateScore,
    CaseStudy,
    CaseStudyState,
    Customer,
    Industry,
    Metric,
    Nomination,
    PortfolioTarget,
    Region,
    RelationshipSignal,
)
from recruitment import services, templating
from recruitment.models import Concern, Outreach

S = CaseStudyState


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _targets() -> None:
    """One target per cell of the first three candidates whose cell has no
    published or in-progress story: each becomes a named gap they fill."""
    covered = selection.story_facts(selection.COVERED_STATES)
    taken = set()
    candidates = (
        CaseStudy.objects.filter(state=S.CANDIDATE).select_related("customer").order_by("pk")
    )
    made = 0
    for cs in candidates:
        c = cs.customer
        cell = (c.industry_id, c.company_size, c.region_id)
        if cell in taken:
            continue
        taken.add(cell)
        have = sum(1 for s in covered if (s.industry_id, s.company_size, s.region_id) == cell)
        PortfolioTarget.objects.get_or_create(
            industry_id=c.industry_id,
            company_size=c.company_size,
            region_id=c.region_id,
            use_case=None,
            product=None,
            defaults={"target": have + 1, "priority": 1 + made % 2},
        )
        made += 1
        if made == 3:
            break
    # Breadth: every industry wants at least two stories.
    for industry in Industry.objects.filter(archived=False):
        PortfolioTarget.objects.get_or_create(
            industry=industry,
            company_size="",
            region=None,
            use_case=None,
            product=None,
            defaults={"target": 2, "priority": 3},
        )
    # A gap nobody fills yet: ask sales for nominations.
    region = Region.objects.filter(name="Latin America").first() or Region.objects.first()
    industry = Industry.objects.filter(name="Healthcare").first()
    if region and industry:
        PortfolioTarget.objects.get_or_create(
            industry=industry,
            company_size="enterprise",
            region=region,
            use_case=None,
            product=None,
            defaults={"target": 1, "priority": 2, "note": "Prospects in the region keep asking."},
        )


DEMO_RESULTS = [(40, 58), (12, 8), (30, 36)]


def _signals_and_arcs(manager) -> None:
    today = timezone.localdate()
    candidates = list(
        CaseStudy.objects.filter(state=S.CANDIDATE).select_related("customer").order_by("pk")
    )
    for n, cs in enumerate(candidates[:3]):
        customer = cs.customer
        if n == 0 and not customer.nps_recorded_on:
            Customer.objects.filter(pk=customer.pk).update(
                nps_score=10, nps_recorded_on=today - datetime.timedelta(days=12)
            )
        if n == 1 and not customer.relationship_signals.exists():
            RelationshipSignal.objects.create(
                customer=customer,
                kind=RelationshipSignal.Kind.ENTHUSIASM,
                noted_on=today - datetime.timedelta(days=5),
                note="Posted about the go-live on LinkedIn and thanked the team.",
            )
        if n == 2 and not customer.last_support_issue_on:
            Customer.objects.filter(pk=customer.pk).update(
                last_support_issue_on=today - datetime.timedelta(days=4)
            )
        if not cs.metrics.exists():
            # What the account team already knows from the business review.
            before, after = DEMO_RESULTS[n]
            Metric.objects.create(
                case_study=cs,
                kind=Metric.Kind.EFFICIENCY if n != 1 else Metric.Kind.COST_SAVING,
                label="Orders processed per person per day" if n != 1 else "Cost per order",
                before=before,
                after=after,
                higher_is_better=n != 1,
                source="Quarterly business review",
            )
        if not CandidateScore.objects.filter(case_study=cs).exists():
            known = dict.fromkeys(CandidateScore.ARC_FIELDS[: 5 - n], True)
            selection_services.candidate_arc_update(
                case_study=cs, known=known, actor=manager, source="seed_demo"
            )


def _nominations() -> None:
    if Nomination.objects.exists():
        return
    busy = set(CaseStudy.objects.exclude(state=S.DECLINED).values_list("customer_id", flat=True))
    free = Customer.objects.exclude(pk__in=busy).order_by("pk")[:2]
    reasons = [
        "Their CFO told me they cut month-end close from 12 to 4 days. Renewal signed last week.",
        "Switched from a competitor last year and are now our biggest reference in the region.",
    ]
    for customer, reason, seller in zip(free, reasons, ("sam.demo", "lena.demo"), strict=False):
        selection_services.nomination_create(
            customer=customer, reason=reason, actor=_user(seller), source="seed_demo"
        )


def _outreach(manager) -> None:
    cs = (
        CaseStudy.objects.filter(state=S.RECRUITING, outreaches__isnull=True)
        .select_related("customer")
        .order_by("pk")
        .first()
    )
    if cs is None or Outreach.objects.exists():
        return
    contact = cs.customer.contacts.filter(
        may_contact=True, left_company=False, archived=False
    ).first()
    if contact is None:
        return
    from recruitment.models import OutreachTemplate

    if not cs.metrics.exists():
        Metric.objects.create(
            case_study=cs,
            kind=Metric.Kind.TIME_SAVED,
            label="Time to close the books",
            before=12,
            after=4,
            unit="days",
            higher_is_better=False,
            source="Renewal call",
        )
    template = OutreachTemplate.objects.filter(language="en", is_default=True).first()
    try:
        email = templating.render(
            subject=template.subject,
            body=template.body,
            case_study=cs,
            contact=contact,
            sender_name=manager.get_full_name() if manager else "",
            language="en",
        )
    except templating.TemplateDataMissing:
        return
    outreach = services.outreach_send(
        case_study=cs,
        contact=contact,
        subject=email.subject,
        body=email.body,
        language="en",
        template=template,
        actor=manager,
        source="seed_demo",
    )
    concern = Concern.objects.filter(slug="approval-complexity").first()
    if concern:
        services.concern_record(
            outreach=outreach,
            concern=concern,
            customer_words="Our legal team reviews every external mention; it can take a month.",
            answer=concern.answers.filter(language="en").values_list("text", flat=True).first()
            or "",
            status="resolved",
            actor=manager,
            source="seed_demo",
        )


def seed_recruitment(stdout=None) -> None:
    manager = _user("maya.demo")
    with transaction.atomic():
        templating.ensure_defaults()
        _targets()
        _signals_and_arcs(manager)
        _nominations()
        _outreach(manager)
    selection.recompute_scores()
    if stdout is not None:
        gaps = len(selection.coverage(with_candidates=False).gaps)
        stdout.write(f"Selection: {PortfolioTarget.objects.count()} targets, {gaps} open gaps.")
