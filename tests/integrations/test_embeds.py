"""Embeds: the gallery's usage rights, the allowed origins (CSP
frame-ancestors and the Origin/Referer check), the cache lifetime, the
layouts and languages, the first-party view/click events, oEmbed."""

import json

import pytest
from django.urls import reverse

from analytics.models import Event
from casestudies import services as cs_services
from core.errors import TransitionError
from integrations import embeds
from tests import factories
from tests.conftest import fresh
from tests.integrations.conftest import make_retail

pytestmark = pytest.mark.django_db

HOST = "https://www.example.com"


@pytest.fixture(scope="class")
def embed_rows(shared_db):
    """The retail stories (``retail``) and an embed key for them, made once
    for the class."""
    alice = factories.program_manager()
    shown, hidden = make_retail(alice)
    key = embeds.embed_key_create(name="Product pages", allowed_origins=[HOST], actor=alice)
    return {"shown": shown, "hidden": hidden, "key": key}


@pytest.fixture
def shared(embed_rows, db):
    return fresh(embed_rows)


@pytest.fixture
def key(shared):
    return shared["key"]


@pytest.fixture
def retail(shared):
    return shared["shown"], shared["hidden"]


def frame(client, key, referer=HOST + "/pricing", **params):
    query = {"product": "ledger", "industry": "retail", "limit": "3", **params}
    headers = {"HTTP_REFERER": referer} if referer else {}
    return client.get(reverse("embeds:frame", args=[key.key]), query, **headers)


class TestAnEmbedOfTheRetailStories:
    """The retail stories and one embed key, made once for the class: each
    test's events and changes roll back."""

    def test_it_shows_the_matching_published_stories_with_the_gallerys_rights(
        self, client, key, retail
    ):
        shown, hidden = retail
        response = frame(client, key)
        body = response.content.decode()
        assert response.status_code == 200
        for cs in shown:
            assert f'data-story="{cs.pk}"' in body
        for cs in hidden:
            assert f'data-story="{cs.pk}"' not in body
        assert "Gamma Inc" not in body  # anonymised: the customer is described, not named
        assert "utm_source=embed" in body and "utm_campaign=Product+pages" in body

    def test_only_the_allowed_origins_may_frame_it(self, client, key, retail):
        response = frame(client, key)
        csp = response["Content-Security-Policy"]
        assert f"frame-ancestors {HOST}" in csp
        assert "X-Frame-Options" not in response
        refused = frame(client, key, referer="https://evil.example/page")
        assert refused.status_code == 403 and refused.content == b""
        assert (
            client.get(
                reverse("embeds:frame", args=[key.key]), HTTP_ORIGIN="https://evil.example"
            ).status_code
            == 403
        )
        assert client.get(reverse("embeds:frame", args=["ek_unknown"])).status_code == 404

    def test_a_withdrawn_story_leaves_within_the_documented_cache_lifetime(
        self, client, key, retail, alice
    ):
        shown, _hidden = retail
        response = frame(client, key)
        assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
        cs_services.case_study_archive(case_study=shown[0], actor=alice, reason="Withdrawn")
        assert f'data-story="{shown[0].pk}"' not in frame(client, key).content.decode()

    def test_no_cookie_is_set(self, client, key, retail):
        assert not frame(client, key).cookies
        assert not client.get(reverse("embeds:script")).cookies

    def test_the_layouts_and_the_limit(self, client, key, retail):
        shown, _hidden = retail
        for cs in shown:
            quote = cs.quotes.first()
            quote.permission = "approved"
            quote.save()
        metrics = frame(client, key, layout="metrics", limit="2").content.decode()
        assert metrics.count("data-story=") == 2
        assert 'class="embed metrics"' in metrics
        quote = frame(client, key, layout="quote").content.decode()
        assert quote.count("<blockquote") == 1
        bad = frame(client, key, layout="<script>", limit="lots")
        assert bad.status_code == 200 and bad.content.decode().count("data-story=") == 3

    def test_it_speaks_the_visitors_language(self, client, key, retail):
        body = frame(client, key, lang="id", layout="metrics").content.decode()
        assert '<html lang="id">' in body

    def test_views_and_clicks_are_first_party_events_with_their_host_page(
        self, client, key, retail
    ):
        shown, hidden = retail
        url = reverse("embeds:event", args=[key.key])
        own = "http://testserver"
        payload = {
            "kind": "view",
            "stories": [cs.pk for cs in shown] + [hidden[0].pk],
            "page": HOST + "/pricing?secret=1",
            "layout": "cards",
        }
        response = client.post(url, json.dumps(payload), "application/json", HTTP_ORIGIN=own)
        assert response.status_code == 204 and not response.cookies
        click = {**payload, "kind": "click", "stories": [shown[0].pk]}
        client.post(url, json.dumps(click), "application/json", HTTP_ORIGIN=own)
        views = Event.objects.filter(kind="embed_view")
        assert sorted(views.values_list("case_study_id", flat=True)) == sorted(c.pk for c in shown)
        event = views.first()
        assert (event.detail, event.utm_source, event.utm_campaign) == (
            "www.example.com/pricing",
            "embed",
            "Product pages",
        )
        assert Event.objects.filter(kind="embed_click").count() == 1

        other_site = client.post(url, json.dumps(payload), "application/json", HTTP_ORIGIN=HOST)
        assert other_site.status_code == 403
        bad_page = {**payload, "page": "https://evil.example/"}
        assert (
            client.post(url, json.dumps(bad_page), "application/json", HTTP_ORIGIN=own).status_code
            == 403
        )
        assert client.post(url, "nonsense", "application/json", HTTP_ORIGIN=own).status_code == 400

    def test_oembed_returns_a_card_for_a_story_url(self, client, key, retail, settings):
        shown, hidden = retail
        story_url = "http://testserver" + shown[0].get_absolute_url()
        response = client.get(
            reverse("oembed"), {"url": story_url, "key": key.key, "maxwidth": 600}
        )
        data = response.json()
        assert (data["type"], data["version"], data["width"]) == ("rich", "1.0", 600)
        assert f"/embed/{key.key}/story/{shown[0].slug}/" in data["html"]
        card = client.get(
            reverse("embeds:story", args=[key.key, shown[0].slug]), HTTP_REFERER=HOST + "/blog"
        )
        assert card.status_code == 200 and f'data-story="{shown[0].pk}"' in card.content.decode()
        for url in ("http://testserver" + hidden[0].get_absolute_url(), "https://evil.example/x"):
            assert client.get(reverse("oembed"), {"url": url, "key": key.key}).status_code == 404
        assert client.get(reverse("oembed"), {"url": story_url, "key": "nope"}).status_code == 404

    def test_placements_show_in_the_impact_dashboard_and_on_the_storys_admin_page(
        self, client, alice, key, retail
    ):
        shown, _hidden = retail
        url = reverse("embeds:event", args=[key.key])
        for kind, ids in (("view", [c.pk for c in shown]), ("click", [shown[0].pk])):
            client.post(
                url,
                json.dumps({"kind": kind, "stories": ids, "page": HOST + "/pricing"}),
                "application/json",
                HTTP_ORIGIN="http://testserver",
            )
        client.force_login(alice)
        dashboard = client.get(reverse("analytics_dashboard:index")).content.decode()
        assert "Embeds by placement" in dashboard
        assert "www.example.com/pricing" in dashboard and "Product pages" in dashboard
        report = client.get(
            reverse("analytics_dashboard:story", args=[shown[0].pk])
        ).content.decode()
        assert "Where this story is shown" in report and "www.example.com/pricing" in report
        admin_page = client.get(
            reverse("admin:casestudies_casestudy_change", args=[shown[0].pk])
        ).content.decode()
        assert 'id="shown-on"' in admin_page
        assert "www.example.com/pricing (Product pages): shown 1, clicked 1" in admin_page

    def test_the_frame_runs_a_constant_number_of_queries(self, client, key, retail):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        frame(client, key, limit="1")  # the branding, read once and cached
        with CaptureQueriesContext(connection) as one:
            frame(client, key, limit="1")
        with CaptureQueriesContext(connection) as three:
            frame(client, key, limit="3")
        assert len(three.captured_queries) == len(one.captured_queries)


def test_an_embed_key_needs_real_origins(alice):
    with pytest.raises(TransitionError):
        embeds.embed_key_create(name="x", allowed_origins=["not a site"], actor=alice)
    assert embeds.normal_origin("https://WWW.example.com:443/path?q") == "https://www.example.com"
