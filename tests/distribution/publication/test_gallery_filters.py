"""The gallery's URL is its state: facet counts, clean URLs, canonical links,
bad parameters."""

import pytest

from casestudies.models import CaseStudyState
from tests import factories

pytestmark = pytest.mark.django_db
S = CaseStudyState
URL = "/case-studies/"


@pytest.fixture(scope="class")
def shelf(shared_db):
    """Retail: 2 in Europe (one SMB), 1 in APAC; Healthcare: 1 in Europe; a draft.
    Made once for a class."""
    alice = factories.program_manager()
    retail = factories.IndustryFactory(name="Retail")
    health = factories.IndustryFactory(name="Healthcare")
    europe = factories.RegionFactory(name="Europe")
    apac = factories.RegionFactory(name="Asia-Pacific")
    factories.RegionFactory(name="North America")  # no story there
    ops = factories.UseCaseFactory(name="Store operations")

    def story(title, industry, region, size="mid-market"):
        return factories.case_study_in_state(
            S.PUBLISHED,
            actor=alice,
            story_title=title,
            customer=factories.CustomerFactory(industry=industry, region=region, company_size=size),
        )

    a = story("Retail Europe A", retail, europe, "smb")
    a.use_cases.add(ops)
    story("Retail Europe B", retail, europe)
    story("Retail APAC", retail, apac)
    story("Health Europe", health, europe, "enterprise")
    factories.case_study_in_state(
        S.APPROVED, actor=alice, customer=factories.CustomerFactory(industry=health, region=apac)
    )


def _facet(response, name):
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {o.value: (o.count, o.selected) for o in facet.options}


class TestTheShelf:
    """Four published stories and a draft, made once for the class."""

    def test_each_choice_counts_the_stories_behind_it(self, client, shelf):
        response = client.get(URL)
        assert _facet(response, "industry") == {"retail": (3, False), "healthcare": (1, False)}
        # No story in North America: the choice is not offered; the draft is not counted.
        assert _facet(response, "region") == {"europe": (3, False), "asia-pacific": (1, False)}
        assert _facet(response, "company_size") == {
            "enterprise": (1, False),
            "mid-market": (2, False),
            "smb": (1, False),
        }
        assert _facet(response, "use_case") == {"store-operations": (1, False)}
        html = response.content.decode()
        assert "Retail (3 stories)" in html
        assert "Healthcare (1 story)" in html

    def test_counts_follow_the_other_active_filters(self, client, shelf):
        response = client.get(f"{URL}?industry=retail&region=europe")
        assert len(response.context["page"].object_list) == 2
        # Industry counts are given the region (Europe), region counts given the industry.
        assert _facet(response, "industry") == {"retail": (2, True), "healthcare": (1, False)}
        assert _facet(response, "region") == {"europe": (2, True), "asia-pacific": (1, False)}
        assert _facet(response, "company_size") == {"mid-market": (1, False), "smb": (1, False)}

    def test_a_selected_choice_with_no_story_stays_selected(self, client, shelf):
        response = client.get(f"{URL}?industry=healthcare&region=asia-pacific")
        assert response.context["page"].paginator.count == 0
        assert _facet(response, "industry")["healthcare"] == (0, True)
        assert b"No story matches these filters yet" in response.content

    def test_an_empty_form_submission_redirects_to_the_clean_url(self, client, shelf):
        response = client.get(
            f"{URL}?q=&industry=retail&company_size=&use_case=&region=europe&product=&sort="
        )
        assert response.status_code == 302
        assert response["Location"] == f"{URL}?industry=retail&region=europe"
        response = client.get(f"{URL}?q=&industry=&company_size=&use_case=&region=&product=")
        assert response["Location"] == URL
        # The form always sends its sort order; the default one is left out.
        response = client.get(f"{URL}?q=&industry=retail&sort=newest")
        assert response["Location"] == f"{URL}?industry=retail"
        response = client.get(f"{URL}?q=tea&sort=relevance")
        assert response["Location"] == f"{URL}?q=tea"
        assert client.get(f"{URL}?q=tea&sort=newest").status_code == 200

    def test_a_repeated_parameter_redirects_to_one_value(self, client, shelf):
        response = client.get(f"{URL}?industry=healthcare&industry=retail&utm_source=x")
        assert response.status_code == 302
        assert response["Location"] == f"{URL}?industry=retail&utm_source=x"

    def test_the_canonical_link_is_the_clean_url_and_searches_are_not_indexed(self, client, shelf):
        html = client.get(f"{URL}?region=europe&industry=retail").content.decode()
        assert (
            '<link rel="canonical" href="http://127.0.0.1:8000/case-studies/'
            '?industry=retail&amp;region=europe">' in html
        )
        assert "noindex" not in html
        html = client.get(f"{URL}?industry=nope").content.decode()
        assert '<link rel="canonical" href="http://127.0.0.1:8000/case-studies/">' in html
        html = client.get(f"{URL}?q=retail").content.decode()
        assert '<meta name="robots" content="noindex, follow">' in html

    @pytest.mark.parametrize(
        ("query", "notice"),
        [
            ("page=abc", "not a page number"),
            ("page=99999", "There is no page 99999"),
            ("page=0", "There is no page 0"),
            ("page=-1", "There is no page -1"),
            ("sort=sideways", "Sort by"),
            ("company_size=gigantic", "Company size"),
            ("q=" + "word " * 300, "shortened"),
        ],
    )
    def test_bad_parameters_are_ignored_with_a_message(self, client, shelf, query, notice):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200
        assert notice in response.content.decode()

    @pytest.mark.parametrize(
        "url", [f"{URL}?q=%00", f"{URL}?industry=retail%00", f"{URL}?q=a\x00b"]
    )
    def test_nul_bytes_are_a_bad_request(self, client, shelf, url):
        assert client.get(url).status_code == 400


def test_pages_link_to_their_neighbours_and_keep_the_filters(client, alice, settings):
    settings.STORYLINE = {**settings.STORYLINE, "GALLERY_PAGE_SIZE": 1}
    retail = factories.IndustryFactory(name="Retail")
    for i in range(9):
        factories.case_study_in_state(
            S.PUBLISHED,
            actor=alice,
            story_title=f"Retail {i}",
            customer=factories.CustomerFactory(industry=retail),
        )
    response = client.get(f"{URL}?industry=retail&page=5")
    assert response.context["page_links"] == [1, None, 3, 4, 5, 6, 7, None, 9]
    html = response.content.decode()
    assert 'href="?industry=retail&amp;page=5" aria-current="page"' in html
    assert 'rel="next" href="?industry=retail&amp;page=6"' in html
    assert 'rel="prev" href="?industry=retail&amp;page=4"' in html
    assert "<title>Customer stories, page 5" in html


def test_featured_stories_come_first(client, alice):
    factories.case_study_in_state(
        S.PUBLISHED, actor=alice, story_title="Featured older", featured=True
    )
    factories.case_study_in_state(S.PUBLISHED, actor=alice, story_title="Plain newer")
    response = client.get(URL)
    titles = [c["title"] for c in response.context["cards"]]
    assert titles == ["Featured older", "Plain newer"]
    assert b'class="card featured"' in response.content


def test_cards_of_anonymised_stories_hide_the_customer(client, alice):
    customer = factories.CustomerFactory(name="Zenith Grocers", company_size="smb")
    cs = factories.case_study_in_state(
        S.PUBLISHED,
        actor=alice,
        customer=customer,
        story_title="Zenith Grocers halves waste",
        anonymised=True,
    )
    html = client.get(URL).content.decode()
    assert "Zenith" not in html
    assert cs.public_customer_name in html
