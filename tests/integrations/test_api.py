"""Integration tokens (hashed, shown once, scoped, expiring, revocable),
deal matching with the proposal packs' ranking, and deals pushed by a CRM."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from analytics.models import Deal, DealStory
from integrations import tokens
from integrations.models import IntegrationToken
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_for(alice):
    def make(*scopes, days=30):
        _token, raw = tokens.token_create(
            name="HubSpot", scopes=list(scopes), user=alice, days=days, actor=alice
        )
        return raw

    return make


def auth(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_token_is_stored_hashed_and_works_until_revoked_or_expired(client, token_for, alice):
    raw = token_for("matches:read")
    token = IntegrationToken.objects.get()
    assert raw.startswith(f"sl_{token.prefix}_") and len(raw) > 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM integrations_integrationtoken")
        assert raw not in repr(cursor.fetchall())
    url = reverse("api_match")
    assert client.get(url, **auth(raw)).status_code == 200
    assert client.get(url).status_code in (401, 403)
    assert client.get(url, **auth(raw[:-2] + "xx")).status_code == 401
    IntegrationToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url, **auth(raw)).status_code == 401
    IntegrationToken.objects.update(expires_at=timezone.now() + timedelta(days=1))
    tokens.token_revoke(token_id=token.pk, actor=alice)
    assert client.get(url, **auth(raw)).status_code == 401


def test_each_endpoint_needs_its_scope(client, token_for):
    reader = token_for("stories:read")
    assert client.get(reverse("api_match"), **auth(reader)).status_code == 403
    assert client.post(reverse("api_deals"), {}, **auth(reader)).status_code == 403
    assert client.get(reverse("api:stories"), **auth(reader)).status_code == 200
    matcher = token_for("matches:read")
    assert client.get(reverse("api:stories"), **auth(matcher)).status_code == 403


def test_match_ranks_like_the_packs_with_reasons_and_rights(client, token_for, story_at):
    retail = factories.IndustryFactory(slug="retail", name="Retail")
    product = factories.ProductFactory(slug="ledger", name="Ledger")
    best = story_at("published", customer=factories.CustomerFactory(industry=retail))
    best.products.add(product)
    quote = best.quotes.first()
    quote.permission = "approved"
    quote.save()
    factories.ContactFactory(customer=best.customer, available_as_reference=True)
    no_sales = story_at("published", customer=factories.CustomerFactory(industry=retail))
    type(no_sales).objects.filter(pk=no_sales.pk).update(channel_sales_decks=False)
    other_product = story_at("published", customer=factories.CustomerFactory(industry=retail))
    response = client.get(
        reverse("api_match"),
        {"industry": "retail", "product": "ledger", "objections": "price,risk"},
        **auth(token_for("matches:read")),
    )
    data = response.json()
    assert response.status_code == 200
    assert [r["id"] for r in data["results"]] == [best.pk]
    result = data["results"][0]
    assert "Same industry: Retail" in result["reasons"]
    assert result["quotes"][0]["text"] == quote.text
    assert result["reference_available"] is True
    assert data["left_out_by_rights"] == 1
    assert other_product.pk not in [r["id"] for r in data["results"]]
    bad = client.get(
        reverse("api_match"), {"company_size": "huge"}, **auth(token_for("matches:read"))
    )
    assert bad.status_code == 400


def test_a_crm_pushes_a_deal_and_its_stories(client, token_for, story_at):
    story = story_at("published")
    raw = token_for("deals:write")
    body = {
        "external_id": "HS-1001",
        "name": "Globex rollout",
        "amount": "125000.00",
        "currency": "eur",
        "opened_on": "2026-10-01",
        "stories": [story.slug],
    }
    response = client.post(reverse("api_deals"), body, content_type="application/json", **auth(raw))
    assert response.status_code == 201, response.content
    deal = Deal.objects.get(external_id="HS-1001")
    assert (deal.currency, str(deal.amount)) == ("EUR", "125000.00")
    assert DealStory.objects.get(deal=deal).source == "import"

    won = {**body, "outcome": "won", "closed_on": "2026-11-20"}
    again = client.post(reverse("api_deals"), won, content_type="application/json", **auth(raw))
    assert again.status_code == 200 and again.json()["linked"] == 0
    deal.refresh_from_db()
    assert deal.outcome == "won"
    assert DealStory.objects.count() == 1

    for bad in (
        {**body, "stories": ["no-such-story"]},
        {**body, "outcome": "won", "closed_on": None},
        {**body, "opened_on": "yesterday"},
        {"name": "no id"},
    ):
        response = client.post(
            reverse("api_deals"), bad, content_type="application/json", **auth(raw)
        )
        assert response.status_code == 400, bad


def test_a_program_manager_sees_a_new_token_once(client, alice, bob):
    client.force_login(alice)
    response = client.post(
        reverse("admin:integrations_integrationtoken_add"),
        {"name": "Salesforce", "scopes": ["matches:read", "deals:write"], "days": "90"},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = IntegrationToken.objects.get()
    raw = response.context["raw"]
    assert tokens.digest(raw) == token.token_hash
    assert raw in response.content.decode()
    change = client.get(reverse("admin:integrations_integrationtoken_change", args=[token.pk]))
    assert raw not in change.content.decode() and token.prefix in change.content.decode()
    client.post(reverse("admin:integrations_integrationtoken_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.force_login(bob)
    listing = client.get(reverse("admin:integrations_integrationtoken_changelist"))
    assert listing.status_code == 403
