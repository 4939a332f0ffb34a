"""Portfolio coverage: the matrix, the gaps named in words, the candidates
that would fill each gap ranked; the stored score and its recomputation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casestudies import selection, selection_services
from casestudies.models import CandidateScore, Metric, PortfolioTarget
from tests import factories


@pytest.mark.django_db
def test_it_names_the_gap_and_ranks_the_candidates_that_fill_it(portfolio):
    selection.recompute_scores()
    data = selection.coverage()
    (gap,) = data.gaps  # the retail target is met
    assert gap.name == "No enterprise healthcare story in Asia-Pacific"
    assert gap.have == 0 and gap.missing == 1
    ranked = [row["case_study"] for row in gap.candidates]
    assert ranked == [portfolio["strong"], portfolio["weak"]]
    assert portfolio["other"] not in ranked
    assert gap.candidates[0]["score"] > gap.candidates[1]["score"]


@pytest.mark.django_db
def test_the_matrix_counts_published_and_in_progress_stories(portfolio, story_at):
    story_at(
        "drafting",
        customer=factories.CustomerFactory(
            industry=portfolio["healthcare"], region=portfolio["apac"], company_size="smb"
        ),
    )
    data = selection.coverage(with_candidates=False)
    rows = {row["industry"].name: row["cells"] for row in data.matrix}
    sizes = [s.value for s in data.sizes]
    retail_mid = rows["Retail"][sizes.index("mid-market")]
    assert (retail_mid["published"], retail_mid["in_progress"]) == (2, 0)
    healthcare_smb = rows["Healthcare"][sizes.index("smb")]
    assert (healthcare_smb["published"], healthcare_smb["in_progress"]) == (0, 1)
    healthcare_ent = rows["Healthcare"][sizes.index("enterprise")]
    assert healthcare_ent["target"] is None  # the target is for one region only
    assert healthcare_ent["gaps"] == ["No enterprise healthcare story in Asia-Pacific"]
    regions = {r["term"].name: r for r in data.dimensions[1]["rows"]}
    assert regions["Europe"]["published"] == 2
    assert regions["Asia-Pacific"]["in_progress"] == 1


@pytest.mark.django_db
def test_a_partly_filled_gap_says_how_many_are_missing(portfolio, story_at):
    portfolio["target"].target = 3
    portfolio["target"].save()
    story_at(
        "interviewing",
        customer=factories.CustomerFactory(
            industry=portfolio["healthcare"], region=portfolio["apac"], company_size="enterprise"
        ),
    )
    (gap,) = selection.coverage(with_candidates=False).gaps
    assert gap.name == "Only 1 of 3 wanted: enterprise healthcare story in Asia-Pacific"
    assert gap.missing == 2


@pytest.mark.django_db
def test_gaps_by_use_case_and_product_match_tagged_candidates():
    use_case = factories.UseCaseFactory(name="Finance automation")
    product = factories.ProductFactory(name="Analytics module")
    PortfolioTarget.objects.create(use_case=use_case, product=product, target=2)
    tagged = factories.CaseStudyFactory()
    tagged.use_cases.add(use_case)
    tagged.customer.products.add(product)  # a candidate counts its customer's products
    untagged = factories.CaseStudyFactory()
    (gap,) = selection.coverage().gaps
    assert gap.name == "No story about finance automation with Analytics module"
    assert [r["case_study"] for r in gap.candidates] == [tagged]
    assert untagged.pk not in [r["case_study"].pk for r in gap.candidates]


@pytest.mark.django_db
def test_the_stored_breakdown_explains_each_part(portfolio):
    selection.recompute_scores()
    score = CandidateScore.objects.get(case_study=portfolio["strong"])
    assert score.results == 80  # 40 % cost saving, no time-saved metric
    assert score.appeal == 100  # brand, target industry, displaced OldVendor, an objection
    assert score.gap_fill == 100
    assert "Switched from OldVendor" in score.breakdown["appeal"]
    assert score.breakdown["gap_fill"] == ["No enterprise healthcare story in Asia-Pacific"]
    assert 0 <= score.total <= 100


@pytest.mark.django_db
def test_the_score_is_recomputed_when_its_inputs_change(
    portfolio, alice, django_capture_on_commit_callbacks
):
    weak = portfolio["weak"]
    selection.recompute_scores()
    before = CandidateScore.objects.get(case_study=weak).total
    with django_capture_on_commit_callbacks(execute=True):
        factories.MetricFactory(
            case_study=weak,
            kind=Metric.Kind.EFFICIENCY,
            before=100,
            after=150,
            higher_is_better=True,
            label="Claims",
        )
    after_metric = CandidateScore.objects.get(case_study=weak)
    assert after_metric.total > before
    with django_capture_on_commit_callbacks(execute=True):
        selection_services.candidate_arc_update(
            case_study=weak, known={"arc_challenge": True, "arc_results": True}, actor=alice
        )
    assert CandidateScore.objects.get(case_study=weak).total > after_metric.total
    # A story filling the gap elsewhere removes the gap part from everyone.
    with django_capture_on_commit_callbacks(execute=True):
        weak.customer.well_known_brand = True
        weak.customer.save()
    assert CandidateScore.objects.get(case_study=weak).appeal > after_metric.appeal


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as context:
        func()
    return len(context)


@pytest.mark.django_db
def test_recomputing_every_candidate_takes_constant_queries(portfolio):
    few = _queries(selection.recompute_scores)
    for _ in range(10):
        factories.MetricFactory(case_study=factories.CaseStudyFactory())
    assert _queries(selection.recompute_scores) == few
    assert CandidateScore.objects.count() == 13


@pytest.mark.django_db
def test_the_coverage_data_takes_constant_queries(portfolio):
    selection.recompute_scores()
    few = _queries(selection.coverage)
    for _n in range(6):
        factories.CaseStudyFactory(
            customer=factories.CustomerFactory(
                industry=portfolio["healthcare"],
                region=portfolio["apac"],
                company_size="enterprise",
            )
        )
    assert _queries(selection.coverage) == few
    assert len(selection.coverage().gaps[0].candidates) == 5


@pytest.mark.django_db
def test_many_moves_in_one_transaction_queue_one_full_recompute(
    alice, django_capture_on_commit_callbacks
):
    """A bulk action moving many stories rescores every candidate once, in
    Celery, not once per story in the request."""
    from unittest import mock

    from django.db import transaction

    with mock.patch("casestudies.tasks.recompute_candidate_scores.delay") as delay:
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            transaction.atomic(),
        ):
            for _ in range(5):
                selection.schedule_recompute(None)
        assert delay.call_count == 1
        assert len(callbacks) == 1
