"""Capture: views and time on page from the beacon, downloads server-side;
DNT/GPC honoured, bots filtered, no cookie, no raw IP."""

import json

import pytest
from django.urls import reverse

from analytics import capture
from analytics.models import Event, EventKind
from tests.analytics.conftest import BROWSER
from tests.conftest import fresh

URL = "/a/e"


@pytest.fixture
def story(published_row, db):
    return fresh(published_row)


def post(client, payload, **headers):
    body = payload if isinstance(payload, bytes | str) else json.dumps(payload)
    return client.generic("POST", URL, body, content_type="text/plain", **headers)


def test_the_beacon_url_is_short_and_named():
    assert reverse("analytics:beacon") == URL


class TestAPublishedStory:
    """Beacons and pages of one published story, made once for the class:
    each test's events and changes roll back."""

    def test_it_records_a_view_with_its_referrer_and_campaign(self, browser, story):
        response = post(
            browser,
            {
                "k": "view",
                "s": story.slug,
                "r": "https://www.google.com/search?q=finance+case+study",
                "u": {"source": "email", "medium": "campaign", "campaign": "q4-finance"},
            },
        )
        assert response.status_code == 204
        event = Event.objects.get()
        assert event.kind == EventKind.VIEW
        assert event.case_study == story
        assert event.referrer_host == "google.com"
        assert (event.utm_source, event.utm_medium, event.utm_campaign) == (
            "email",
            "campaign",
            "q4-finance",
        )
        assert len(event.visitor) == 16
        assert not response.cookies

    def test_it_records_time_on_page_and_whether_the_reader_went_on(self, browser, story):
        post(browser, {"k": "engagement", "s": story.slug, "t": 42, "c": True})
        post(browser, {"k": "engagement", "s": story.slug, "t": 3})
        rows = list(Event.objects.order_by("pk").values_list("kind", "value", "detail"))
        assert rows == [("engagement", 42, "continued"), ("engagement", 3, "")]

    def test_a_referrer_from_our_own_site_is_not_a_referrer(self, browser, story):
        post(browser, {"k": "view", "s": story.slug, "r": "http://testserver/case-studies/"})
        assert Event.objects.get().referrer_host == ""

    @pytest.mark.parametrize("header", [{"HTTP_DNT": "1"}, {"HTTP_SEC_GPC": "1"}])
    def test_do_not_track_and_gpc_store_nothing(self, browser, story, header):
        response = post(browser, {"k": "view", "s": story.slug}, **header)
        assert response.status_code == 204
        assert not Event.objects.exists()

    @pytest.mark.parametrize(
        "agent",
        [
            "Googlebot/2.1 (+http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0",
            "curl/8.5.0",
            "python-requests/2.32",
            "",
        ],
    )
    def test_bots_are_not_counted(self, client, story, agent):
        response = post(client, {"k": "view", "s": story.slug}, HTTP_USER_AGENT=agent)
        assert response.status_code == 204
        assert not Event.objects.exists()

    def test_a_beacon_from_another_site_is_refused(self, browser, story):
        response = post(browser, {"k": "view", "s": story.slug}, HTTP_ORIGIN="https://evil.example")
        assert response.status_code == 403
        assert not Event.objects.exists()

    def test_it_is_rate_limited_per_visitor(self, browser, story, settings):
        settings.STORYLINE = {
            **settings.STORYLINE,
            "ANALYTICS": {**settings.STORYLINE["ANALYTICS"], "BEACON_RATE_PER_MINUTE": 3},
        }
        codes = [post(browser, {"k": "view", "s": story.slug}).status_code for _ in range(5)]
        assert codes == [204, 204, 204, 429, 429]
        assert Event.objects.count() == 3

    def test_a_new_browser_per_request_does_not_reset_the_limit(self, client, story, settings):
        """The limit counts the address alone: rotating the User-Agent (a new
        "visitor" each time) still hits it."""
        settings.STORYLINE = {
            **settings.STORYLINE,
            "ANALYTICS": {**settings.STORYLINE["ANALYTICS"], "BEACON_RATE_PER_MINUTE": 3},
        }
        codes = [
            post(
                client,
                {"k": "view", "s": story.slug},
                HTTP_USER_AGENT=f"{BROWSER} Build/{i}",
                REMOTE_ADDR="198.51.100.20",
            ).status_code
            for i in range(5)
        ]
        assert codes == [204, 204, 204, 429, 429]
        assert Event.objects.count() == 3
        assert len(set(Event.objects.values_list("visitor", flat=True))) == 3  # still 3 visitors
        other = post(client, {"k": "view", "s": story.slug}, HTTP_USER_AGENT=BROWSER)
        assert other.status_code == 204  # another address has its own allowance

    def test_a_forged_forwarded_address_does_not_reset_the_limit(self, browser, story, settings):
        settings.TRUSTED_PROXIES = 1
        settings.STORYLINE = {
            **settings.STORYLINE,
            "ANALYTICS": {**settings.STORYLINE["ANALYTICS"], "BEACON_RATE_PER_MINUTE": 2},
        }
        codes = [
            post(
                browser,
                {"k": "view", "s": story.slug},
                HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.5",
            ).status_code
            for i in range(3)
        ]
        assert codes == [204, 204, 429]

    def test_no_raw_address_is_stored_anywhere(self, browser, story):
        post(browser, {"k": "view", "s": story.slug}, REMOTE_ADDR="198.51.100.77")
        row = Event.objects.values().get()
        assert not any("198.51.100" in str(value) for value in row.values())

    def test_the_cached_story_page_carries_the_beacon_script(self, client, story):
        first = client.get(story.get_absolute_url())
        second = client.get(story.get_absolute_url())
        for response in (first, second):
            html = response.content.decode()
            assert 'src="/static/js/impact.js"' in html
            assert f'data-story="{story.slug}"' in html
            assert 'data-endpoint="/a/e"' in html
            assert not response.cookies
        # The page itself never writes an event: views come from the beacon only
        # (so crawlers that run no JavaScript are never counted).
        assert not Event.objects.exists()

    def test_capture_can_be_switched_off(self, client, story, settings):
        settings.STORYLINE = {
            **settings.STORYLINE,
            "ANALYTICS": {**settings.STORYLINE["ANALYTICS"], "CAPTURE": False},
        }
        html = client.get(story.get_absolute_url()).content.decode()
        assert "impact.js" not in html

    def test_a_served_document_is_counted_once_with_its_campaign(self, browser, story):
        url = reverse("gallery:slides", kwargs={"slug": story.slug})
        response = browser.get(
            url, {"utm_source": "share", "utm_medium": "sales", "utm_campaign": "share-7"}
        )
        assert response.status_code == 200
        b"".join(response.streaming_content)
        event = Event.objects.get()
        assert (event.kind, event.detail, event.case_study) == ("download", "slides", story)
        assert event.utm_campaign == "share-7"
        # A revalidation (304) is not a second download.
        again = browser.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
        assert Event.objects.count() == 1

    def test_a_bot_fetching_a_document_is_not_counted(self, client, story):
        url = reverse("gallery:slides", kwargs={"slug": story.slug})
        response = client.get(url, HTTP_USER_AGENT="Googlebot/2.1")
        b"".join(response.streaming_content)
        assert not Event.objects.exists()

    def test_a_story_archived_after_its_first_beacon_is_refused_at_once(
        self, browser, story, alice
    ):
        from casestudies import services

        assert post(browser, {"k": "view", "s": story.slug}).status_code == 204  # cached id
        services.case_study_archive(case_study=story, actor=alice, reason="Rights ended.")
        assert post(browser, {"k": "view", "s": story.slug}).status_code == 400
        assert Event.objects.count() == 1

    def test_the_gallery_carries_the_beacon_without_a_story(self, client, story):
        html = client.get("/case-studies/").content.decode()
        assert 'src="/static/js/impact.js"' in html
        assert "data-story" not in html


def test_gallery_searches_record_the_filters_used_not_the_terms(browser, db):
    assert post(browser, {"k": "gallery_search", "f": ["q", "industry"]}).status_code == 204
    event = Event.objects.get()
    assert (event.kind, event.detail, event.case_study) == ("gallery_search", "industry,q", None)


def test_only_published_stories_are_counted(browser, story_at):
    draft = story_at("drafting")
    response = post(browser, {"k": "view", "s": draft.slug})
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_get_is_not_allowed(browser, db):
    assert browser.get(URL).status_code == 405


def test_the_visitor_hash_hides_the_address_and_changes_every_day(rf):
    import datetime

    request = rf.post(URL, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT=BROWSER)
    today = capture.visitor_hash(request, datetime.date(2026, 11, 24))
    tomorrow = capture.visitor_hash(request, datetime.date(2026, 11, 25))
    assert today != tomorrow
    assert "203" not in today
    other = rf.post(URL, REMOTE_ADDR="203.0.113.10", HTTP_USER_AGENT=BROWSER)
    assert capture.visitor_hash(other, datetime.date(2026, 11, 24)) != today


def test_search_engines_are_recognised():
    assert capture.is_search_engine("google.co.id")
    assert capture.is_search_engine("duckduckgo.com")
    assert capture.is_search_engine("m.bing.com")
    assert not capture.is_search_engine("googleblog.example")
    assert not capture.is_search_engine("linkedin.com")
