"""The gallery's facet counts from derived cells (issue 16): after every kind
of change they equal a direct count of the public stories, in one statement
whether the cells were fresh or not, and a story whose usage rights expire
leaves them at midnight by itself, as it leaves the gallery."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casestudies import selectors
from casestudies.models import CaseStudy, CaseStudyState
from distribution.publication import facets
from distribution.publication.filters import GalleryFilter
from tests import factories
from tests.distribution.publication.test_gallery_filters import shelf  # noqa: F401

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the cells are PostgreSQL's"),
]
QUERIES = [
    "",
    "industry=retail",
    "industry=retail&region=europe",
    "use_case=store-operations",
    "company_size=smb&region=europe",
]


def _counts(query: str, *, cells: bool) -> dict:
    gallery = GalleryFilter(QueryDict(query), queryset=selectors.gallery_case_studies())
    with mock.patch.object(facets, "enabled", return_value=cells):
        found = gallery._count_facets(selectors.published_case_studies(), gallery.cleaned())
    return {name: sorted(rows) for name, rows in found.items()}


def _same_as_direct() -> dict:
    for query in QUERIES:
        assert _counts(query, cells=True) == _counts(query, cells=False), query
    return _counts("", cells=True)


def _story(industry: str, region: str) -> CaseStudy:
    return selectors.published_case_studies().get(
        customer__industry__slug=industry, customer__region__slug=region
    )


def _industries(counts: dict) -> dict:
    return {slug: n for slug, _name, n in counts["industry"]}


def test_cells_count_what_a_direct_count_counts(shelf):  # noqa: F811
    counts = _same_as_direct()
    assert _industries(counts) == {"retail": 3, "healthcare": 1}


def test_withdrawing_and_republishing_recount(shelf):  # noqa: F811
    story = _story("retail", "asia-pacific")
    story.channel_web = False  # the customer withdrew the public website
    story.save()
    assert _industries(_same_as_direct()) == {"retail": 2, "healthcare": 1}
    story.channel_web = True
    story.save()
    assert _industries(_same_as_direct()) == {"retail": 3, "healthcare": 1}


def test_use_cases_and_the_customer_s_taxonomy_recount(shelf):  # noqa: F811
    story = _story("healthcare", "europe")
    story.use_cases.add(factories.UseCaseFactory(name="Patient intake"))
    customer = story.customer
    customer.company_size = "smb"
    customer.save()
    counts = _same_as_direct()
    assert ("patient-intake", "Patient intake", 1) in counts["use_case"]
    assert ("smb", None, 2) in counts["company_size"]


def test_rights_expiring_leave_the_counts_at_midnight_by_themselves(shelf):  # noqa: F811
    today = timezone.localdate()
    story = _story("retail", "asia-pacific")
    story.rights_expire_on = today + timedelta(days=1)
    story.save()
    assert _industries(_same_as_direct()) == {"retail": 3, "healthcare": 1}
    with connection.cursor() as cursor:
        cursor.execute("SELECT built FROM distribution_facet_state")
        built = cursor.fetchone()[0]
    with mock.patch("django.utils.timezone.localdate", return_value=today + timedelta(days=1)):
        assert _industries(_same_as_direct()) == {"retail": 2, "healthcare": 1}
        assert not selectors.published_case_studies().filter(pk=story.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT built FROM distribution_facet_state")
        assert cursor.fetchone()[0] == built  # nothing was recounted: the day did it


def test_one_statement_whether_the_cells_are_stale_or_fresh(shelf):  # noqa: F811
    for _ in range(2):
        facets.mark_changed()
        with CaptureQueriesContext(connection) as stale:
            first = facets.counts({})
        with CaptureQueriesContext(connection) as fresh:
            second = facets.counts({})
        assert len(stale.captured_queries) == len(fresh.captured_queries) == 1
        assert first == second


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_counts_nothing(alice):
    factories.case_study_in_state(CaseStudyState.PUBLISHED, actor=alice)
    assert sum(n for _slug, _name, n in facets.counts({})["industry"]) == 1
    call_command("flush", interactive=False, verbosity=0)  # as TransactionTestCase does
    assert facets.counts({}) == {name: [] for name in facets.FACETS}
