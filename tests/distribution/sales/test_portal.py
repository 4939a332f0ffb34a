"""The sales portal /sales/: who may enter, search with the reason it
matched, each filter, bad input, rights, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import Event
from tests import factories
from tests.conftest import fresh, require_postgres
from tests.distribution.sales.conftest import build_terms, story_maker

URL = "/sales/"


@pytest.fixture(scope="class")
def catalogue_rows(shared_db):
    """Two published stories (price and speed), made once for a class."""
    terms = build_terms()
    make_story = story_maker(factories.program_manager())
    return {
        "price": make_story(
            "Fashion retailer cuts licence costs by 40%",
            objections=[terms["expensive"]],
            competitors=[terms["x"]],
            quote="The total cost was lower than we feared.",
            metric_label="Licence cost",
            use_case="Inventory planning",
            product="Core",
        ),
        "speed": make_story(
            "Clinic group live in six weeks",
            objections=[terms["slow"]],
            competitors=[terms["y"]],
            industry="Healthcare",
            region="Asia-Pacific",
            company_size="enterprise",
            quote="We went live in six weeks, not six months.",
            metric_label="Time to go live",
        ),
    }


@pytest.fixture
def catalogue(catalogue_rows, db):
    return fresh(catalogue_rows)


def titles(response) -> list[str]:
    return [r.title for r in response.context["results"]]


class TestAccess:
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, db):
        response = client.get(URL + "?q=cost")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=/sales/")

    def test_it_refuses_staff_outside_sales_and_the_program(self, client, charlie):
        client.force_login(charlie)
        assert client.get(URL).status_code == 403
        assert client.get("/sales/objections/").status_code == 403

    @pytest.mark.parametrize("who", ["alice", "bob"])
    def test_sales_reps_and_program_managers_may_enter(self, client, who, request):
        client.force_login(request.getfixturevalue(who))
        response = client.get(URL)
        assert response.status_code == 200
        assert (
            response["Cache-Control"].startswith("private")
            or "private" in response["Cache-Control"]
        )


class TestSearch:
    def test_it_finds_what_answers_an_objection_and_says_why(self, client, bob, catalogue):
        client.force_login(bob)
        response = client.get(URL, {"q": "too expensive"})
        assert titles(response)[0] == "Fashion retailer cuts licence costs by 40%"
        [first, *_] = response.context["results"]
        assert "objection" in first.reasons
        html = response.content.decode()
        assert "<mark>" in html

    def test_it_highlights_the_metric_and_the_quote_that_matched(self, client, bob, catalogue):
        require_postgres()
        client.force_login(bob)
        response = client.get(URL, {"q": "live"})
        assert titles(response) == ["Clinic group live in six weeks"]
        result = response.context["results"][0]
        assert "<mark>live</mark>" in result.quote_html
        assert result.metrics[0].matched
        assert "<mark>live</mark>" in result.metrics[0].html
        assert {"metric", "quote"} <= set(result.reasons)

    def test_the_full_text_search_stems_on_postgresql(self, client, bob, catalogue):
        require_postgres()
        client.force_login(bob)
        response = client.get(URL, {"q": "costing"})  # stem "cost"
        assert titles(response) == ["Fashion retailer cuts licence costs by 40%"]

    def test_it_finds_a_competitor_by_name(self, client, bob, catalogue):
        client.force_login(bob)
        response = client.get(URL, {"q": "Legacy Suite"})
        assert titles(response) == ["Clinic group live in six weeks"]
        assert response.context["results"][0].competitors[0][1] is True

    def test_what_people_type_is_escaped(self, client, bob, catalogue):
        client.force_login(bob)
        response = client.get(URL, {"q": "<script>alert(1)</script>"})
        assert response.status_code == 200
        assert b"<script>alert(1)</script>" not in response.content


class TestFilters:
    @pytest.mark.parametrize(
        "params, expected",
        [
            ({"industry": "healthcare"}, ["Clinic group live in six weeks"]),
            ({"company_size": "enterprise"}, ["Clinic group live in six weeks"]),
            ({"region": "europe"}, ["Fashion retailer cuts licence costs by 40%"]),
            ({"use_case": "inventory-planning"}, ["Fashion retailer cuts licence costs by 40%"]),
            ({"product": "core"}, ["Fashion retailer cuts licence costs by 40%"]),
            ({"objection": "implementation-time"}, ["Clinic group live in six weeks"]),
            ({"competitor": "competitor-x"}, ["Fashion retailer cuts licence costs by 40%"]),
            ({"competitor": "competitor-x", "q": "six weeks"}, []),
        ],
    )
    def test_each_filter_narrows(self, client, bob, catalogue, params, expected):
        client.force_login(bob)
        response = client.get(URL, params)
        assert response.status_code == 200
        assert titles(response) == expected

    def test_the_objection_view_has_its_question_as_heading(self, client, bob, catalogue):
        client.force_login(bob)
        response = client.get(URL, {"objection": "too-expensive"})
        assert "What answers “Too expensive”?" in response.content.decode()
        result = response.context["results"][0]
        assert result.objections[0] == ("<mark>Too expensive</mark>", True)

    @pytest.mark.parametrize(
        "params",
        [
            {"industry": "no-such-industry"},
            {"objection": "nope"},
            {"competitor": "x" * 300},
            {"company_size": "gigantic"},
            {"page": "abc"},
            {"page": "9999"},
            {"page": "-1"},
            {"q": "word " * 100},
            {"q": '"unbalanced -( or'},
        ],
    )
    def test_bad_input_is_ignored_with_a_message(self, client, bob, catalogue, params):
        client.force_login(bob)
        response = client.get(URL, params)
        assert response.status_code == 200
        if "q" not in params or len(params["q"]) > 200:
            assert response.context["notices"]

    def test_by_objection_and_by_competitor_pages_count_stories(self, client, bob, catalogue):
        client.force_login(bob)
        response = client.get("/sales/objections/")
        content = response.content.decode()
        assert "Too expensive" in content and "/sales/?objection=too-expensive" in content
        response = client.get("/sales/competitors/")
        assert "/sales/?competitor=competitor-x" in response.content.decode()


class TestRights:
    def test_only_published_stories_in_rights_are_shown(self, client, bob, catalogue, story_at):
        import datetime

        story_at("approved", title="Approved but not published")
        catalogue["speed"].__class__.objects.filter(pk=catalogue["speed"].pk).update(
            rights_expire_on=datetime.date(2000, 1, 1)
        )
        client.force_login(bob)
        response = client.get(URL)
        assert titles(response) == ["Fashion retailer cuts licence costs by 40%"]


class TestRightsOfTheirOwnStories:
    """Each test makes its own story and reads the whole result list: the
    shared catalogue would be among the results."""

    def test_anonymised_and_percentage_only_stories_hide_what_the_page_hides(
        self, client, bob, make_story, terms
    ):
        make_story(
            "Globex closes faster",
            customer_name="Globex",
            objections=[terms["expensive"]],
            quote="Globex saved money with it.",
            anonymised=True,
            percentage_only=True,
        )
        client.force_login(bob)
        response = client.get(URL, {"q": "expensive"})
        content = response.content.decode()
        assert "Globex" not in content
        assert "A mid-market retail company" in content
        assert "from 15 to 5" not in content
        assert "66.7% reduction" in content
        assert "Sarah Chen" not in content

    def test_a_story_without_the_web_channel_has_no_public_link(self, client, bob, make_story):
        make_story("Private story", channel_web=False)
        client.force_login(bob)
        response = client.get(URL)
        assert response.context["results"][0].public_url == ""
        assert "No public link" in response.content.decode()


def test_it_runs_the_same_number_of_queries_whatever_the_result_count(
    client, bob, make_story, terms
):
    def count(params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, params).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(bob)
    make_story("Cost story one", objections=[terms["expensive"]], competitors=[terms["x"]])
    few = {
        p: count({"q": "cost", **extra}) for p, extra in [("q", {}), ("f", {"industry": "retail"})]
    }
    for i in range(5):
        make_story(
            f"Cost story {i + 2}",
            objections=[terms["expensive"], terms["slow"]],
            competitors=[terms["x"], terms["y"]],
        )
    many = {
        p: count({"q": "cost", **extra}) for p, extra in [("q", {}), ("f", {"industry": "retail"})]
    }
    assert few == many
    # 30, plus the savepoint and release of the search's transaction (its
    # SET LOCAL), which inside the test's transaction are two more queries.
    assert max(many.values()) <= 32


class TestTheCatalogue:
    """The two stories of the catalogue, made once for the class."""

    def test_copying_records_a_sales_use(self, client, bob, catalogue):
        client.force_login(bob)
        cs = catalogue["price"]
        response = client.post(f"/sales/stories/{cs.slug}/use/", {"detail": "copy_quote"})
        assert response.status_code == 204
        event = Event.objects.get()
        assert (event.kind, event.detail, event.case_study, event.user) == (
            "sales_use",
            "copy_quote",
            cs,
            bob,
        )

    def test_the_portal_speaks_indonesian(self, client, bob, catalogue):
        client.force_login(bob)
        client.cookies["django_language"] = "id"
        response = client.get(URL, {"objection": "too-expensive"})
        content = response.content.decode()
        assert "Apa yang menjawab “Too expensive”?" in content
        assert "Tersalin ke papan klip" in content

    def test_a_new_objection_on_a_story_shows_at_once(self, client, bob, catalogue, terms):
        client.force_login(bob)
        assert client.get(URL, {"q": "too expensive"}).context["count"] == 1
        assert "1 story" in client.get("/sales/objections/").content.decode()
        catalogue["speed"].objections.add(terms["expensive"])
        assert client.get(URL, {"q": "too expensive"}).context["count"] == 2
        assert "2 stories" in client.get("/sales/objections/").content.decode()
