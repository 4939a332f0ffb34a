"""The gallery's derived data — the five facet counts and a search's ranked
matches — is computed once and cached per page-cache generation: the other
pages of the same search reuse it, and publishing, editing or archiving a
story makes the next page count and search afresh (never a stale count)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casestudies import services
from casestudies.models import CaseStudyState
from tests import factories
from tests.conftest import fresh

pytestmark = pytest.mark.django_db
S = CaseStudyState
URL = "/case-studies/"


@pytest.fixture
def uncached(client):
    # A session cookie makes the gallery skip its server-side page copy, so
    # every request renders (as for staff), with only derived data cached.
    client.cookies["sessionid"] = "not-a-session"
    return client


def _retail_maker(actor, industry, europe):
    def story(title, region=europe):
        return factories.case_study_in_state(
            S.PUBLISHED,
            actor=actor,
            story_title=title,
            customer=factories.CustomerFactory(industry=industry, region=region),
        )

    return story


@pytest.fixture(scope="class")
def retail_rows(shared_db):
    """Three published retail stories in Europe, made once for a class."""
    industry = factories.IndustryFactory(name="Retail")
    europe = factories.RegionFactory(name="Europe")
    story = _retail_maker(factories.program_manager(), industry, europe)
    for title in ("Retail one", "Retail two", "Retail three"):
        story(title)
    return {"industry": industry, "europe": europe}


@pytest.fixture
def retail(retail_rows, alice):
    """The three retail stories; call it for another one."""
    rows = fresh(retail_rows)
    return _retail_maker(alice, rows["industry"], rows["europe"])


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


def _facet(response, name):
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {o.value: o.count for o in facet.options}


def _titles(response):
    return [cs.published_version.title for cs in response.context["page"].object_list]


def _searches(sqls):
    return [s for s in sqls if "distribution_storysearchentry" in s]


def _facet_queries(sqls):
    return [s for s in sqls if s.startswith("WITH base")]


class TestThreeRetailStories:
    """Three published retail stories, made once for the class."""

    def test_the_pages_of_a_search_share_its_matches_and_counts(self, uncached, retail, settings):
        settings.STORYLINE = {**settings.STORYLINE, "GALLERY_PAGE_SIZE": 1}
        first, sqls = _get(uncached, f"{URL}?q=retail")
        assert len(_searches(sqls)) == 1 and len(_facet_queries(sqls)) == 1
        second, sqls = _get(uncached, f"{URL}?q=retail&page=2")
        assert _searches(sqls) == [] and _facet_queries(sqls) == []
        assert second.context["page"].paginator.count == first.context["page"].paginator.count == 3
        assert _facet(second, "industry") == _facet(first, "industry") == {"retail": 3}
        assert _titles(first) != _titles(second)
        # All three pages together hold each matching story once.
        third, _ = _get(uncached, f"{URL}?q=retail&page=3")
        assert sorted(_titles(first) + _titles(second) + _titles(third)) == [
            "Retail one",
            "Retail three",
            "Retail two",
        ]

    def test_another_language_reuses_the_counts(self, uncached, retail):
        _get(uncached, f"{URL}?q=retail")
        uncached.cookies["django_language"] = "id"
        response, sqls = _get(uncached, f"{URL}?q=retail")
        assert '<html lang="id">' in response.content.decode()
        assert _searches(sqls) == [] and _facet_queries(sqls) == []
        assert _facet(response, "industry") == {"retail": 3}

    def test_publishing_and_archiving_refresh_the_counts_and_the_matches(
        self, uncached, alice, retail
    ):
        for url in (URL, f"{URL}?q=retail", f"{URL}?q=retail&region=europe"):
            assert _facet(_get(uncached, url)[0], "industry") == {"retail": 3}
        industry = factories.IndustryFactory(name="Retail")  # get_or_create by name
        approved = factories.case_study_in_state(
            S.APPROVED,
            actor=alice,
            story_title="Retail four",
            customer=factories.CustomerFactory(industry=industry),
        )
        assert _get(uncached, f"{URL}?q=retail")[0].context["page"].paginator.count == 3

        services.case_study_publish(case_study=approved, actor=alice)
        for url in (URL, f"{URL}?q=retail"):
            response, _ = _get(uncached, url)
            assert _facet(response, "industry") == {"retail": 4}
            assert response.context["page"].paginator.count == 4
            assert "Retail four" in _titles(response)

        services.case_study_archive(case_study=approved, actor=alice, reason="Rights withdrawn.")
        for url in (URL, f"{URL}?q=retail"):
            response, _ = _get(uncached, url)
            assert _facet(response, "industry") == {"retail": 3}
            assert response.context["page"].paginator.count == 3
            assert "Retail four" not in _titles(response)

    def test_moving_a_story_to_another_region_moves_its_count(self, uncached, retail):
        story = retail("Retail in Asia", region=factories.RegionFactory(name="Asia-Pacific"))
        assert _facet(_get(uncached, URL)[0], "region") == {"europe": 3, "asia-pacific": 1}
        customer = story.customer
        customer.region = factories.RegionFactory(name="Europe")
        customer.save()
        assert _facet(_get(uncached, URL)[0], "region") == {"europe": 4}

    def test_a_story_with_two_use_cases_counts_once_for_each(self, uncached, alice, retail):
        story = retail("Retail, two use cases")
        ops = factories.UseCaseFactory(name="Store operations")
        pricing = factories.UseCaseFactory(name="Pricing")
        story.use_cases.add(ops, pricing)
        response, _ = _get(uncached, URL)
        assert _facet(response, "use_case") == {"store-operations": 1, "pricing": 1}
        filtered, _ = _get(uncached, f"{URL}?use_case=pricing")
        assert _facet(filtered, "use_case") == {"store-operations": 1, "pricing": 1}
        assert _facet(filtered, "industry") == {"retail": 1}
        assert _titles(filtered) == ["Retail, two use cases"]

    def test_a_search_with_no_match_counts_nothing_without_a_facet_query(self, uncached, retail):
        response, sqls = _get(uncached, f"{URL}?q=zzzqqq")
        assert response.context["page"].paginator.count == 0
        assert _facet_queries(sqls) == []
        assert all(_facet(response, name) == {} for name in ("industry", "region", "use_case"))
