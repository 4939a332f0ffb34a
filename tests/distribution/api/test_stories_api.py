"""The read-only JSON API: filters, search, rights in the serializer,
throttling, token authentication and the OpenAPI schema."""

import pytest
from rest_framework.authtoken.models import Token

from distribution.api import views as api
from tests import factories
from tests.conftest import fresh, require_postgres

LIST = "/api/stories/"


@pytest.fixture(scope="class")
def catalogue_rows(shared_db):
    """Two published stories and the sales terms, made once for the class.
    The sales conftest's ``make_story`` and ``terms`` are function-scoped
    fixtures: their builders are called directly (``__wrapped__``)."""
    from tests.distribution.sales import conftest as sales

    make_story = sales.make_story.__wrapped__(factories.program_manager())
    sales.terms.__wrapped__(None)
    return {
        "retail": make_story(
            "Fashion retailer cuts licence costs by 40%",
            use_case="Inventory planning",
            product="Core",
            metric_label="Licence cost",
        ),
        "health": make_story(
            "Clinic group live in six weeks",
            industry="Healthcare",
            region="Asia-Pacific",
            company_size="enterprise",
        ),
    }


@pytest.fixture
def catalogue(catalogue_rows, db):
    return fresh(catalogue_rows)


def slugs(response) -> list[str]:
    return [s["slug"] for s in response.json()["results"]]


class TestTheCatalogue:
    """Two published stories, made once for the class."""

    def test_it_lists_published_stories_for_anyone(self, client, catalogue, story_at):
        story_at("approved")
        response = client.get(LIST)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        story = next(s for s in body["results"] if s["slug"] == catalogue["retail"].slug)
        assert story["title"] == "Fashion retailer cuts licence costs by 40%"
        assert story["industry"] == {"slug": "retail", "name": "Retail"}
        assert story["metrics"][0]["before"] == "15.0000"
        assert story["quotes"][0]["attribution"] == "Sarah Chen, VP of Operations"
        assert story["url"].endswith(f"/case-studies/{catalogue['retail'].slug}/")

    @pytest.mark.parametrize(
        "params, expected",
        [
            ({"industry": "healthcare"}, ["health"]),
            ({"company_size": "enterprise"}, ["health"]),
            ({"region": "europe"}, ["retail"]),
            ({"use_case": "inventory-planning"}, ["retail"]),
            ({"product": "core"}, ["retail"]),
            ({"q": "clinic"}, ["health"]),
        ],
    )
    def test_each_filter_narrows(self, client, catalogue, params, expected):
        response = client.get(LIST, params)
        assert response.status_code == 200
        assert slugs(response) == [catalogue[name].slug for name in expected]

    def test_search_ranks_the_best_match_first(self, client, catalogue):
        require_postgres()
        response = client.get(LIST, {"q": "licence costs"})
        assert slugs(response) == [catalogue["retail"].slug]

    def test_a_bad_filter_value_is_a_400_with_the_reason(self, client, catalogue):
        response = client.get(LIST, {"industry": "atlantis"})
        assert response.status_code == 400
        assert "industry" in response.json()
        assert client.get(LIST, {"page": "abc"}).status_code == 404

    def test_taxonomy_lists_the_filter_values(self, client, catalogue):
        body = client.get("/api/taxonomy/").json()
        assert {"slug": "retail", "name": "Retail"} in body["industries"]
        assert {"slug": "enterprise", "name": "Enterprise"} in body["company_sizes"]

    def test_anonymous_readers_are_throttled(self, client, catalogue, monkeypatch):
        monkeypatch.setattr(api.AnonThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
        codes = [client.get(LIST).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert "Retry-After" in client.get(LIST)

    @pytest.mark.parametrize("proxies", [0, 1])
    def test_a_new_forwarded_address_per_request_does_not_escape_the_limit(
        self, client, catalogue, monkeypatch, settings, proxies
    ):
        """A random X-Forwarded-For per request: still one client (the peer, or
        the address our one proxy appended), so request N+1 is refused."""
        settings.TRUSTED_PROXIES = proxies
        monkeypatch.setattr(api.AnonThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
        codes = [
            client.get(
                LIST,
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7"
                if proxies
                else f"198.51.100.{i}",
            ).status_code
            for i in range(4)
        ]
        assert codes == [200, 200, 200, 429]

    def test_behind_a_proxy_each_client_has_its_own_allowance(
        self, client, catalogue, monkeypatch, settings
    ):
        settings.TRUSTED_PROXIES = 1
        monkeypatch.setattr(api.AnonThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
        first = client.get(LIST, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
        second = client.get(LIST, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.8")
        again = client.get(LIST, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)

    def test_token_integrations_get_the_higher_rate(self, client, catalogue, bob, monkeypatch):
        monkeypatch.setattr(api.AnonThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
        monkeypatch.setattr(api.StaffThrottle, "THROTTLE_RATES", {"user": "5/minute"})
        headers = {"HTTP_AUTHORIZATION": f"Token {_moved_token(bob)}"}
        codes = [client.get(LIST, **headers).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        assert client.get(LIST, HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_anonymised_and_percentage_only_stories_leak_nothing(client, make_story):
    cs = make_story(
        "Globex closes its books in 5 days",
        customer_name="Globex",
        quote="Globex saved money with it.",
        anonymised=True,
        percentage_only=True,
    )
    for response in (client.get(LIST), client.get(f"{LIST}{cs.slug}/")):
        text = response.content.decode()
        assert "Globex" not in text
        assert "Sarah Chen" not in text
    story = client.get(f"{LIST}{cs.slug}/").json()
    assert story["customer"] == "A mid-market retail company"
    assert story["customer_logo"] is None
    assert story["metrics"][0]["before"] is None
    assert story["metrics"][0]["after"] is None
    assert story["metrics"][0]["improvement"] == "66.7% reduction"


def test_stories_kept_off_the_web_are_not_in_the_api(client, make_story):
    cs = make_story("Quiet story", channel_web=False)
    assert client.get(LIST).json()["count"] == 0
    assert client.get(f"{LIST}{cs.slug}/").status_code == 404


def test_unpublished_stories_404(client, story_at):
    cs = story_at("approved")
    assert client.get(f"{LIST}{cs.slug}/").status_code == 404


def test_the_list_runs_a_constant_number_of_queries(
    client, make_story, django_assert_max_num_queries
):
    make_story("One")
    with django_assert_max_num_queries(8) as few:
        client.get(LIST)
    for i in range(6):
        make_story(f"More {i}", use_case="Inventory planning", product="Core")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).json()["count"] == 7


def _moved_token(user) -> str:
    """A story API token made before integration tokens, moved (hashed) by
    the migration that retires the clear copies: its key still works."""
    from importlib import import_module

    from django.apps import apps

    from integrations.models import IntegrationToken

    key = Token.objects.create(user=user).key
    import_module("integrations.migrations.0005_retire_clear_api_tokens").forward(apps, None)
    assert not Token.objects.exists()  # no clear copy left
    moved = IntegrationToken.objects.get(user=user)
    assert moved.token_hash != key and moved.scopes == ["stories:read"]
    return key


def test_the_openapi_schema_validates(client, db):
    from openapi_spec_validator import validate

    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/stories/", "/api/stories/{slug}/", "/api/taxonomy/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/stories/"]["get"]["parameters"]}
    assert {"q", "industry", "company_size", "use_case", "region", "product", "page"} <= parameters
