import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casestudies.models import CaseStudyState, Metric
from tests import factories
from tests.conftest import fresh

pytestmark = pytest.mark.django_db
S = CaseStudyState
URL = "/case-studies/"


@pytest.fixture(scope="class")
def catalogue_rows(shared_db):
    """Three published stories in distinct segments and one draft."""
    alice = factories.program_manager()
    health = factories.IndustryFactory(name="Healthcare")
    retail = factories.IndustryFactory(name="Retail")
    europe = factories.RegionFactory(name="Europe")
    apac = factories.RegionFactory(name="Asia-Pacific")
    analytics = factories.UseCaseFactory(name="Sales analytics")
    module = factories.ProductFactory(name="Analytics module")

    a = factories.case_study_in_state(
        S.PUBLISHED,
        actor=alice,
        story_title="Meridian Health closes books in 5 days",
        customer=factories.CustomerFactory(
            name="Meridian Health", industry=health, region=europe, company_size="enterprise"
        ),
    )
    a.use_cases.add(analytics)
    a.products.add(module)
    b = factories.case_study_in_state(
        S.PUBLISHED,
        actor=alice,
        story_title="Corner Stores grows revenue 25%",
        customer=factories.CustomerFactory(
            name="Corner Stores", industry=retail, region=apac, company_size="smb"
        ),
    )
    c = factories.case_study_in_state(
        S.PUBLISHED,
        actor=alice,
        story_title="Brightmart cuts stock-outs",
        customer=factories.CustomerFactory(
            name="Brightmart", industry=retail, region=europe, company_size="mid-market"
        ),
    )
    draft = factories.case_study_in_state(
        S.IN_REVIEW,
        actor=alice,
        story_title="Secret draft",
        customer=factories.CustomerFactory(name="Hidden Co", industry=retail, region=europe),
    )
    return {"a": a, "b": b, "c": c, "draft": draft}


@pytest.fixture
def catalogue(catalogue_rows, db):
    return fresh(catalogue_rows)


def _titles(response):
    return {cs.published_version.title for cs in response.context["page"].object_list}


class TestTheCatalogue:
    """Three published stories and a draft, made once for the class."""

    def test_it_lists_only_published_stories(self, client, catalogue):
        response = client.get(URL)
        assert response.status_code == 200
        assert _titles(response) == {
            "Meridian Health closes books in 5 days",
            "Corner Stores grows revenue 25%",
            "Brightmart cuts stock-outs",
        }
        assert b"Secret draft" not in response.content

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("industry=retail", {"Corner Stores grows revenue 25%", "Brightmart cuts stock-outs"}),
            ("company_size=enterprise", {"Meridian Health closes books in 5 days"}),
            ("region=asia-pacific", {"Corner Stores grows revenue 25%"}),
            ("use_case=sales-analytics", {"Meridian Health closes books in 5 days"}),
            ("product=analytics-module", {"Meridian Health closes books in 5 days"}),
            ("industry=retail&region=europe", {"Brightmart cuts stock-outs"}),
            ("q=brightmart", {"Brightmart cuts stock-outs"}),
            ("q=REVENUE", {"Corner Stores grows revenue 25%"}),
            ("q=nothing-matches-this", set()),
        ],
    )
    def test_it_filters_by_the_spec_parameters(self, client, catalogue, query, expected):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200
        assert _titles(response) == expected

    @pytest.mark.parametrize(
        "query",
        [
            "industry=no-such-industry",
            "company_size=gigantic",
            "page=abc",
            "page=999",
            "q=" + "x" * 5000,
            "use_case[]=1",
            "product=<script>",
        ],
    )
    def test_it_answers_bad_input_without_an_error(self, client, catalogue, query):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200
        assert b"<script>" not in response.content

    def test_it_says_which_filter_it_ignored(self, client, catalogue):
        response = client.get(f"{URL}?industry=no-such-industry")
        assert any(n.startswith("Industry:") for n in response.context["notices"])
        assert b"could not be applied" in response.content
        assert len(_titles(response)) == 3

    def test_the_gallery_speaks_indonesian(self, client, catalogue):
        # Django's own switcher (a POST) still works...
        response = client.post(reverse("set_language"), {"language": "id", "next": URL})
        assert response.status_code == 302
        html = client.get(URL).content.decode()
        assert '<html lang="id">' in html
        assert "Kisah pelanggan" in html
        # ...and so do the header's links, which keep the page cacheable.
        response = client.get(f"{URL}?industry=retail&language=en")
        assert response.status_code == 302
        assert response["Location"] == f"{URL}?industry=retail"
        assert response.cookies["django_language"].value == "en"
        assert '<html lang="en">' in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/case-studies/?region=%00",
        "/admin/?q=%00",
        "/admin/casestudies/casestudy/?state__exact=%00",
    ],
)
def test_a_null_byte_is_a_bad_request_not_a_server_error(client, alice, url):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 400
    assert b"not allowed" in response.content


@pytest.fixture(scope="class")
def thirty_stories(shared_db):
    alice = factories.program_manager()
    retail = factories.IndustryFactory(name="Retail")
    analytics = factories.UseCaseFactory(name="Sales analytics")
    for i in range(30):
        cs = factories.case_study_in_state(
            S.PUBLISHED,
            actor=alice,
            story_title=f"Story {i} grows revenue",
            customer=factories.CustomerFactory(industry=retail),
        )
        factories.MetricFactory(case_study=cs, kind=Metric.Kind.REVENUE, before=10, after=13)
        cs.use_cases.add(analytics)


class TestQueryCounts:
    """Thirty published stories, made once for the class."""

    @pytest.mark.parametrize(
        "query",
        [
            "",
            "?q=revenue",
            "?industry=retail&use_case=sales-analytics&company_size=mid-market",
            "?q=story&industry=retail&sort=newest&page=2",
        ],
    )
    def test_it_runs_the_same_number_of_queries_whatever_the_page_size(
        self, client, thirty_stories, settings, query
    ):
        counts = {}
        for size in (5, 12):
            settings.STORYLINE = {**settings.STORYLINE, "GALLERY_PAGE_SIZE": size}
            cache.clear()  # measure the rendering, not the page cache
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"{URL}{query}")
            assert response.status_code == 200
            assert len(response.context["page"].object_list) == size
            counts[size] = len(ctx.captured_queries)
        assert counts[5] == counts[12]
        # count (or the search's ranked ids) + page + metrics + translations + the
        # five facets in one query + branding + one per chosen taxonomy slug
        assert counts[5] <= 9


def test_it_paginates_and_keeps_the_filters(client, alice, settings):
    settings.STORYLINE = {**settings.STORYLINE, "GALLERY_PAGE_SIZE": 2}
    retail = factories.IndustryFactory(name="Retail")
    for i in range(5):
        factories.case_study_in_state(
            S.PUBLISHED,
            actor=alice,
            story_title=f"Retail {i}",
            customer=factories.CustomerFactory(industry=retail),
        )
    response = client.get(f"{URL}?industry=retail&page=2")
    assert response.context["page"].number == 2
    assert b"industry=retail&amp;page=3" in response.content


class TestStoryPage:
    def test_it_shows_a_published_story(self, client, catalogue):
        cs = catalogue["a"]
        factories.QuoteFactory(
            case_study=cs, text="Only approved words appear.", permission="approved", kind="pull"
        )
        factories.QuoteFactory(case_study=cs, text="This one was refused.", permission="refused")
        response = client.get(cs.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "Meridian Health closes books in 5 days" in html
        assert "Only approved words appear." in html
        assert "This one was refused." not in html
        assert "66.7% reduction" in html  # the factory metric: 15 → 5 days
        assert '<link rel="canonical"' in html
        assert '<meta name="description"' in html

    def test_it_hides_unpublished_stories(self, client, catalogue):
        response = client.get(catalogue["draft"].get_absolute_url())
        assert response.status_code == 404

    def test_it_404s_an_unknown_slug(self, client, db):
        assert client.get("/case-studies/does-not-exist/").status_code == 404

    def test_it_escapes_and_sanitises_what_people_typed(self, client, alice):
        customer = factories.CustomerFactory(name='<script>alert("name")</script> Corp')
        cs = factories.case_study_in_state(
            S.PUBLISHED,
            actor=alice,
            customer=customer,
            story_title="Title <img src=x onerror=alert(1)>",
        )
        response = client.get(cs.get_absolute_url())
        html = response.content.decode()
        assert '<script>alert("name")' not in html
        assert "<img src=x onerror" not in html
        assert "&lt;script&gt;" in html


def test_the_story_body_markdown_is_sanitised(client, alice):
    from casestudies import services

    cs = factories.case_study_in_state(S.DRAFTING, actor=alice)
    version = services.story_version_create(
        case_study=cs,
        actor=alice,
        title="Safe",
        sections=factories.sections(
            results="**Bold** <script>alert(1)</script> [link](javascript:alert(2))"
        ),
    )
    factories.sign_off_internal_review(version, actor=alice)
    services.case_study_submit_for_review(case_study=cs, actor=alice)
    services.case_study_approve(case_study=cs, actor=alice)
    services.case_study_publish(case_study=cs, actor=alice)
    html = client.get(cs.get_absolute_url()).content.decode()
    assert "<strong>Bold</strong>" in html
    assert "<script>alert(1)" not in html
    assert "javascript:" not in html


@pytest.mark.parametrize(
    ("value", "english", "indonesian"),
    [
        ("2700000.0000", "2,700,000", "2.700.000"),
        ("7.4000", "7.4", "7,4"),
        ("15", "15", "15"),
        ("0.0500", "0.05", "0,05"),
        (None, "", ""),
    ],
)
def test_figures_read_naturally_in_each_language(value, english, indonesian):
    from decimal import Decimal

    from django.utils import translation

    from core.templatetags.storyline import figure

    number = Decimal(value) if value else None
    with translation.override("en"):
        assert figure(number) == english
    with translation.override("id"):
        assert figure(number) == indonesian


def test_a_quote_from_someone_who_may_not_be_named_is_attributed_by_title(client, alice):
    cs = factories.case_study_in_state(S.PUBLISHED, actor=alice)
    shy = factories.ContactFactory(customer=cs.customer, name="Private Person", may_be_named=False)
    factories.QuoteFactory(
        case_study=cs,
        speaker=shy,
        speaker_name="Private Person",
        speaker_title="Head of Finance, Acme",
        text="It paid for itself.",
    )
    html = client.get(cs.get_absolute_url()).content.decode()
    assert "It paid for itself." in html
    assert "Private Person" not in html
    assert "Head of Finance, Acme" in html
