"""The sales portal's cast of stories: published stories answering
objections and displacing competitors, with metrics and quotes."""

import itertools

import pytest
from django.core.cache import cache

from casestudies.models import CaseStudy, Competitor, Objection, Product, Quote
from distribution.sales.index import sales_index_refresh
from tests import factories

_numbers = itertools.count()


@pytest.fixture
def terms(db):
    return {
        "expensive": Objection.objects.create(name="Too expensive", slug="too-expensive"),
        "slow": Objection.objects.create(
            name="Implementation takes too long", slug="implementation-time"
        ),
        "x": Competitor.objects.create(name="Competitor X", slug="competitor-x"),
        "y": Competitor.objects.create(name="Legacy Suite", slug="legacy-suite"),
    }


@pytest.fixture
def make_story(alice):
    """``make_story(title, objections=[...], competitors=[...], **customer/fields)``:
    a published story by its own customer, with a metric and a pull quote."""

    def make(
        title,
        *,
        objections=(),
        competitors=(),
        industry="Retail",
        region="Europe",
        company_size="mid-market",
        customer_name=None,
        use_case=None,
        product=None,
        quote=None,
        metric_label=None,
        **fields,
    ):
        n = next(_numbers)
        customer = factories.CustomerFactory(
            name=customer_name or f"Customer {n}",
            slug=f"sales-customer-{n}",
            industry=factories.IndustryFactory(name=industry),
            region=factories.RegionFactory(name=region),
            company_size=company_size,
        )
        # Rights a customer may withdraw after publication (the public
        # website) are set once the story is published.
        later = {name: fields.pop(name) for name in ("channel_web",) if name in fields}
        cs = factories.case_study_in_state(
            "published", actor=alice, customer=customer, story_title=title, **fields
        )
        if later:
            CaseStudy.objects.filter(pk=cs.pk).update(**later)
            cs.refresh_from_db()
        cs.objections.set(objections)
        cs.competitors.set(competitors)
        if use_case:
            cs.use_cases.add(factories.UseCaseFactory(name=use_case))
        if product:
            cs.products.add(Product.objects.get_or_create(name=product, slug=product.lower())[0])
        if quote:
            Quote.objects.filter(case_study=cs).update(text=quote)
        if metric_label:
            cs.metrics.update(label=metric_label)
        if quote or metric_label:  # bulk updates send no signals
            sales_index_refresh([cs.pk])
        cache.clear()
        return cs

    return make
