"""The sales search box promises "an objection, a competitor, a result, a
customer's words": one test per promise, each through the portal page with
the reason the result matched (issue 18), plus the combined query, the
Indonesian stemmer and the reindex command."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from casestudies.models import Competitor, Objection, StoryTranslation, StoryVersion
from distribution.models import SalesSearchEntry
from distribution.sales import search as sales_search
from tests import factories
from tests.conftest import fresh, require_postgres
from tests.distribution.sales.conftest import story_maker

URL = "/sales/"


@pytest.fixture(scope="class")
def shelf_rows(shared_db):
    """Four stories, each with one kind of evidence the others lack, and one
    with two: made once for a class."""
    require_postgres()
    make_story = story_maker(factories.program_manager())
    expensive = Objection.objects.create(name="Too expensive", slug="too-expensive")
    legacy = Competitor.objects.create(name="LegacySoft", slug="legacysoft")
    return {
        "both": make_story(
            "Distributor cuts costs and leaves", objections=[expensive], competitors=[legacy]
        ),
        "objection": make_story("Bank answers the budget question", objections=[expensive]),
        "competitor": make_story("Insurer moves its claims desk", competitors=[legacy]),
        "quote": make_story(
            "Clinic goes live", quote="We were running on the new system within a fortnight."
        ),
        "metric": make_story("Plant starts sooner", metric_label="Line commissioning time"),
    }


@pytest.fixture
def shelf(shelf_rows, db):
    return fresh(shelf_rows)


def search(client, bob, q):
    client.force_login(bob)
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return response, response.context["results"]


class TestTheShelf:
    """Five stories, made once for the class: each test searches among them."""

    def test_an_objection(self, client, bob, shelf):
        _response, results = search(client, bob, "too expensive")
        assert {r.cs for r in results[:2]} == {shelf["both"], shelf["objection"]}
        assert all("objection" in r.reasons for r in results[:2])
        assert "<mark>expensive</mark>" in str(results[0].objections[0][0])

    def test_a_competitor(self, client, bob, shelf):
        _response, results = search(client, bob, "legacysoft")
        assert {r.cs for r in results} == {shelf["both"], shelf["competitor"]}
        assert all("competitor" in r.reasons for r in results)

    def test_a_result_a_word_only_in_a_metric_label(self, client, bob, shelf):
        response, results = search(client, bob, "commissioning")
        assert [r.cs for r in results] == [shelf["metric"]]
        assert results[0].reasons[0] == "metric"
        assert "<mark>commissioning</mark>" in response.content.decode()

    def test_a_customers_words_a_word_only_in_a_pull_quote(self, client, bob, shelf):
        _response, results = search(client, bob, "fortnight")
        assert [r.cs for r in results] == [shelf["quote"]]
        assert "quote" in results[0].reasons
        assert "<mark>fortnight</mark>" in str(results[0].quote_html)

    def test_an_objection_and_a_competitor_rank_the_story_answering_both_first(
        self, client, bob, shelf
    ):
        response, results = search(client, bob, "too expensive LegacySoft")
        found = [r.cs for r in results]
        # Tiers: both words in what reps search first (objection and
        # competitor) first, then one of them (the objection's or the
        # competitor's story).
        assert found[0] == shelf["both"]
        assert set(found[1:3]) == {shelf["objection"], shelf["competitor"]}
        assert len(found) == 3
        assert {"objection", "competitor"} <= set(results[0].reasons)
        assert response.context["count"] == 3

    def test_the_words_and_the_tiers(self, db, shelf):
        terms = sales_search.query_terms("too expensive LegacySoft expense")
        # "too" is an English stop word; "expense" has the stem of "expensive".
        assert terms == ["'expens' | 'expensive' | 'expense'", "'legacysoft'"]
        assert sales_search.at_least(["a", "b", "c"], 2) == (
            "( ( a ) & ( b ) ) | ( ( a ) & ( c ) ) | ( ( b ) & ( c ) )"
        )
        assert [column for column, _q in sales_search.tiers(terms)] == [
            "strong",
            "document",
            "strong",
            "document",
        ]
        ids, count = sales_search.top_ids("too expensive LegacySoft", offset=0, limit=2)
        assert (ids[0], count) == (shelf["both"].pk, 3)

    def test_the_count_stops_at_the_cap(self, db, shelf, monkeypatch):
        monkeypatch.setattr(sales_search, "COUNT_CAP", 2)
        ids, count = sales_search.top_ids("too expensive LegacySoft", offset=0, limit=20)
        assert (len(ids), count) == (2, 2)

    def test_the_reindex_command_rebuilds_every_entry(self, db, shelf):
        SalesSearchEntry.objects.all().delete()
        call_command("reindex_sales_search", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert SalesSearchEntry.objects.count() == len(shelf)
        ids, count = sales_search.top_ids("fortnight", offset=0, limit=20)
        assert (ids, count) == ([shelf["quote"].pk], 1)


def _indonesian(cs, **texts):
    version = StoryVersion.objects.create(
        case_study=cs,
        number=cs.versions.count() + 1,
        language="id",
        title=texts.get("title", "Cerita pelanggan"),
        summary=texts.get("summary", ""),
        results=texts.get("results", ""),
        content_hash="x",
    )
    StoryTranslation.objects.create(case_study=cs, language="id", version=version)
    cache.clear()
    return version


def test_an_inflected_indonesian_word_finds_its_stem(client, bob, make_story):
    require_postgres()
    cs = make_story("Retailer sells more")
    _indonesian(cs, results="Penjualan naik tiga puluh persen dalam satu kuartal.")
    entry = SalesSearchEntry.objects.get(case_study=cs)
    assert "indonesian" in entry.configs
    # "menjual" (to sell) and "penjualan" (sales) share the stem "jual".
    _response, results = search(client, bob, "menjual")
    assert [r.cs for r in results] == [cs]
    assert "text" in results[0].reasons
    assert "<mark>Penjualan</mark>" in str(results[0].excerpt)


def test_an_indonesian_quote_is_found_by_its_stem(client, bob, make_story):
    require_postgres()
    cs = make_story("Bank saves", quote="Kami menghemat biaya setiap bulan.")
    _indonesian(cs)
    _response, results = search(client, bob, "hemat")
    assert [r.cs for r in results] == [cs]
    assert "quote" in results[0].reasons


def test_pages_page_through_the_ranked_matches(client, bob, make_story, monkeypatch):
    require_postgres()
    # Pages of four: seven matches make a full first page and a shorter
    # second one, as 23 did with the portal's pages of twenty.
    monkeypatch.setattr(sales_search, "PAGE_SIZE", 4)
    objection = Objection.objects.create(name="Security review", slug="security")
    stories = [make_story(f"Story {i}", objections=[objection]) for i in range(7)]
    client.force_login(bob)
    first = client.get(URL, {"q": "security"})
    second = client.get(URL, {"q": "security", "page": "2"})
    assert first.context["count"] == second.context["count"] == 7
    assert (len(first.context["results"]), len(second.context["results"])) == (4, 3)
    seen = [r.cs for r in first.context["results"]] + [r.cs for r in second.context["results"]]
    assert len(seen) == 7 and set(seen) == set(stories)
    # Same score: featured first, then newest, then id (the last made first).
    assert seen[0] == stories[-1]


def _long_story(make_story, monkeypatch, title, text):
    """A story whose sections end, after ~10 KB of filler, with ``text``."""
    from tests import factories

    sections = factories.sections
    filler = "The operations team met every week to review the rollout plan. " * 140
    monkeypatch.setattr(factories, "sections", lambda: sections(results=filler + text))
    try:
        return make_story(title)
    finally:
        monkeypatch.setattr(factories, "sections", sections)


def test_the_excerpt_finds_a_word_deep_in_a_long_story(client, bob, make_story, monkeypatch):
    """The excerpt reads a window of the sections around the first likely
    match, the whole text only when the window holds none ("dying" has the
    stem "die" but does not contain it), and nothing for a story whose text
    does not match (found by its objection)."""
    require_postgres()
    deep = _long_story(
        make_story,
        monkeypatch,
        "Distributor grows",
        "The warehouse praised the replenishment dashboard.",
    )
    stemmed = _long_story(
        make_story, monkeypatch, "Hospital modernises", "The old server was dying every week."
    )
    objection = Objection.objects.create(name="Replenishment worries", slug="replenishment")
    by_objection = make_story("Retailer answers", objections=[objection])

    _response, results = search(client, bob, "replenishment")
    by_story = {r.cs: r for r in results}
    assert set(by_story) == {deep, by_objection}
    assert "<mark>replenishment</mark>" in str(by_story[deep].excerpt)
    assert "text" in by_story[deep].reasons
    assert by_story[by_objection].excerpt is None
    assert "objection" in by_story[by_objection].reasons

    _response, results = search(client, bob, "die")
    assert [r.cs for r in results] == [stemmed]
    assert "<mark>dying</mark>" in str(results[0].excerpt)
