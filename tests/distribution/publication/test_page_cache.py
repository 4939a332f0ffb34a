"""Public pages are cacheable: ETags and 304s, a server-side copy for
anonymous visitors, refreshed when what they show changes; no cookie or
per-visitor token in them."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casestudies import services
from casestudies.models import CaseStudyState
from distribution.models import Branding
from tests import factories
from tests.conftest import fresh

pytestmark = pytest.mark.django_db
S = CaseStudyState
URL = "/case-studies/"


@pytest.fixture(scope="class")
def story_row(shared_db):
    """One published story, made once for a class."""
    alice = factories.program_manager()
    return factories.case_study_in_state(S.PUBLISHED, actor=alice, story_title="Cached story")


@pytest.fixture
def story(story_row, db):
    return fresh(story_row)


class TestACachedStory:
    """One published story, made once for the class."""

    @pytest.mark.parametrize("path", [URL, "story"])
    def test_a_repeat_visit_gets_a_304(self, client, story, path):
        url = story.get_absolute_url() if path == "story" else path
        first = client.get(url)
        assert first.status_code == 200
        assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
        assert "Accept-Language" in first["Vary"] and "Cookie" in first["Vary"]
        with CaptureQueriesContext(connection) as ctx:
            again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        assert again.content == b""
        assert len(ctx.captured_queries) == 0
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304

    def test_anonymous_pages_set_no_cookie_and_hold_no_csrf_token(self, client, story):
        for url in (URL, story.get_absolute_url()):
            response = client.get(url)
            assert not response.cookies
            assert b"csrfmiddlewaretoken" not in response.content

    def test_the_second_anonymous_visit_is_served_from_the_cache(self, client, story):
        client.get(URL)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert response.status_code == 200
        assert b"Cached story" in response.content
        assert len(ctx.captured_queries) == 0

    def test_publishing_and_archiving_refresh_the_gallery(self, client, alice, story):
        first = client.get(URL)
        approved = factories.case_study_in_state(S.APPROVED, actor=alice, story_title="Brand new")
        assert b"Brand new" not in client.get(URL).content
        services.case_study_publish(case_study=approved, actor=alice)
        response = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
        assert response.status_code == 200
        assert b"Brand new" in response.content

        services.case_study_archive(case_study=approved, actor=alice, reason="Rights withdrawn.")
        assert b"Brand new" not in client.get(URL).content
        assert client.get(approved.get_absolute_url()).status_code == 404

    def test_editing_a_published_story_refreshes_its_page(self, client, story):
        client.get(URL)
        story.featured = True
        story.save()
        assert b'class="card featured"' in client.get(URL).content
        story.anonymised = True
        story.save()
        assert story.customer.name.encode() not in client.get(story.get_absolute_url()).content

    def test_a_branding_change_refreshes_the_pages(self, client, story):
        client.get(URL)
        Branding.objects.create(company_name="Acme Analytics", primary_colour="#aa0000")
        html = client.get(URL).content.decode()
        assert "Acme Analytics" in html
        assert "/branding.css?v=aa0000" in html
        assert "--brand:#aa0000" in client.get("/branding.css?v=aa0000").content.decode()

    def test_each_language_has_its_own_cached_copy(self, client, story):
        assert '<html lang="en">' in client.get(URL).content.decode()
        client.cookies["django_language"] = "id"
        assert '<html lang="id">' in client.get(URL).content.decode()

    def test_staff_get_a_fresh_page(self, client, alice, story):
        client.force_login(alice)
        client.get(URL)
        with CaptureQueriesContext(connection) as ctx:
            client.get(URL)
        assert len(ctx.captured_queries) > 0

    def test_the_language_switcher_is_links_that_keep_the_page(self, client, story):
        html = client.get(f"{URL}?industry=retail").content.decode()
        assert 'href="/case-studies/?industry=retail&amp;language=id"' in html
        response = client.get(f"{URL}?industry=retail&language=id")
        assert response.status_code == 302
        assert response["Location"] == f"{URL}?industry=retail"
        assert response.cookies["django_language"].value == "id"
        # An unknown language sets nothing; a path can never redirect off-site.
        from django.test import RequestFactory

        from core.middleware import LanguageSwitchMiddleware

        request = RequestFactory().get("/", {"language": "xx"})
        request.path = "//evil.example/"
        response = LanguageSwitchMiddleware(lambda r: None)(request)
        assert response["Location"] == "/evil.example/"
        assert "django_language" not in response.cookies

    def test_the_cache_starts_over_when_cleared(self, client, story):
        client.get(URL)
        cache.clear()
        assert client.get(URL).status_code == 200

    def test_unknown_parameters_are_rendered_but_not_stored(self, client, story, monkeypatch):
        from core import page_cache

        stored = []
        real_set = page_cache.cache.set

        def spy(key, *args, **kwargs):
            stored.append(key)
            return real_set(key, *args, **kwargs)

        monkeypatch.setattr(page_cache.cache, "set", spy)
        for n in range(3):
            assert client.get(f"/case-studies/?utm_junk={n}").status_code == 200
        assert not [key for key in stored if key.startswith("distribution:page:")]
        assert (
            client.get("/case-studies/?industry=" + story.customer.industry.slug).status_code == 200
        )
        assert [key for key in stored if key.startswith("distribution:page:")]

    @pytest.mark.parametrize("path", [URL, "story", "/robots.txt", "/sitemap.xml"])
    def test_a_stored_page_is_answered_before_sessions_and_locale(
        self, client, story, path, monkeypatch
    ):
        """PageCacheMiddleware answers the second visit from the stored copy with
        the headers the middleware below it had added, without running them."""
        from django.contrib.sessions.middleware import SessionMiddleware
        from django.middleware.locale import LocaleMiddleware

        url = story.get_absolute_url() if path == "story" else path
        first = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
        assert first.status_code == 200

        def refuse(self, request):
            raise AssertionError(f"{type(self).__name__} ran for a stored page")

        monkeypatch.setattr(SessionMiddleware, "process_request", refuse)
        monkeypatch.setattr(LocaleMiddleware, "process_request", refuse)
        with CaptureQueriesContext(connection) as ctx:
            again = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
        assert len(ctx.captured_queries) == 0
        assert again.status_code == 200
        assert again.content == first.content
        for header in (
            "Content-Type",
            "Content-Language",
            "Content-Security-Policy",
            "X-Frame-Options",
            "ETag",
            "Last-Modified",
            "Cache-Control",
        ):
            assert again.get(header) == first.get(header), header
        assert "Accept-Language" in again["Vary"] and "Cookie" in again["Vary"]
        assert (
            client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_LANGUAGE="id").status_code
            == 304
        )
        monkeypatch.undo()
        # Another language is another copy, rendered in that language.
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert english.get("Content-Language") != "id"

    def test_a_signed_in_visitor_is_never_answered_from_the_stored_copy(self, client, alice, story):
        client.get(URL)
        client.force_login(alice)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert response.status_code == 200
        assert len(ctx.captured_queries) > 0


def test_staff_pages_keep_their_own_language_parameter(client, alice):
    """The public switch must not swallow ``?language=`` on admin pages (the
    story editor uses it for the language of the version being written)."""
    client.force_login(alice)
    response = client.get("/admin/?language=id")
    assert response.status_code == 200
    assert "django_language" not in response.cookies
