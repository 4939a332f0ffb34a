import pytest

from casestudies.models import Competitor, Objection, PortfolioTarget
from tests import factories


@pytest.fixture
def portfolio(alice, story_at):
    """Two published stories (retail in Europe), a target for an enterprise
    healthcare story in Asia-Pacific (none yet) and two candidates that
    would fill it, one stronger than the other."""
    healthcare = factories.IndustryFactory(name="Healthcare")
    retail = factories.IndustryFactory(name="Retail")
    europe = factories.RegionFactory(name="Europe")
    apac = factories.RegionFactory(name="Asia-Pacific")
    for n in range(2):
        story_at(
            "published",
            customer=factories.CustomerFactory(
                name=f"Shop {n}", industry=retail, region=europe, company_size="mid-market"
            ),
        )
    target = PortfolioTarget.objects.create(
        industry=healthcare, company_size="enterprise", region=apac, target=1, priority=1
    )
    PortfolioTarget.objects.create(industry=retail, target=1, priority=3)  # met
    strong_customer = factories.CustomerFactory(
        name="Medika Prima",
        industry=healthcare,
        region=apac,
        company_size="enterprise",
        well_known_brand=True,
        nps_score=10,
    )
    factories.ContactFactory(customer=strong_customer, name="Sari Wijaya", title="CFO")
    strong = factories.CaseStudyFactory(customer=strong_customer, title="Medika Prima story")
    factories.MetricFactory(
        case_study=strong, kind="cost_saving", label="Cost per claim", before=100, after=60
    )
    strong.competitors.add(Competitor.objects.create(name="OldVendor", slug="oldvendor"))
    strong.objections.add(Objection.objects.create(name="Too expensive", slug="too-expensive"))
    weak_customer = factories.CustomerFactory(
        name="Klinik Sehat", industry=healthcare, region=apac, company_size="enterprise"
    )
    weak = factories.CaseStudyFactory(customer=weak_customer, title="Klinik Sehat story")
    other = factories.CaseStudyFactory(
        customer=factories.CustomerFactory(name="Toko", industry=retail, region=europe),
        title="Toko story",
    )
    return {
        "target": target,
        "strong": strong,
        "weak": weak,
        "other": other,
        "healthcare": healthcare,
        "apac": apac,
    }
