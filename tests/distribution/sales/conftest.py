"""The sales portal's cast of stories: published stories answering
objections and displacing competitors, with metrics and quotes."""

import itertools

import pytest
from django.core.cache import cache

from casestudies.models import CaseStudy, Competitor, Objection, Product, Quote
from distribution.sales.index import sales_index_refresh
from tests import factories

_numbers = itertools.count()


def build_terms() -> dict:
    """Two objections and two competitors; the same rows again when they
    exist (a class's shared rows made them: ``terms`` in a test then hands
    over those)."""

    def term(model, name, slug):
        return model.objects.get_or_create(slug=slug, defaults={"name": name})[0]

    return {
        "expensive": term(Objection, "Too expensive", "too-expensive"),
        "slow": term(Objection, "Implementation takes too long", "implementation-time"),
        "x": term(Competitor, "Competitor X", "competitor-x"),
        "y": term(Competitor, "Legacy Suite", "legacy-suite"),
    }


@pytest.fixture
def terms(db):
    return build_terms()


def story_maker(actor):
    """``make_story`` with its author given: what a class-scoped fixture
    (inside ``shared_db``) builds its shared stories with."""

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
            "published", actor=actor, customer=customer, story_title=title, **fields
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


@pytest.fixture
def make_story(alice):
    """``make_story(title, objections=[...], competitors=[...], **customer/fields)``:
    a published story by its own customer, with a metric and a pull quote."""
    return story_maker(alice)
