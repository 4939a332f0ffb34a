"""The story editor: prefilled from the latest version, saves a new version,
refuses without losing the text, detects concurrent edits, checks live."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from casestudies import services
from casestudies.models import SECTION_FIELDS, CaseStudyState, StoryVersion
from tests import factories

S = CaseStudyState
pytestmark = pytest.mark.django_db


def _editor(cs, **query):
    url = reverse("admin:casestudies_casestudy_story", args=[cs.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _post_data(base: int, **overrides):
    data = {
        "title": "Acme closes in 5 days",
        "language": "en",
        "note": "Tightened the results",
        "base_version": str(base),
        **factories.sections(results="Close went from 15 days to 5 days."),
        "action": "save",
    }
    data.update(overrides)
    return data


class TestOpening:
    def test_it_is_prefilled_from_the_latest_version_of_the_language(self, client, story_at, alice):
        cs = story_at(S.DRAFTING)
        services.story_version_create(
            case_study=cs, actor=alice, title="English v1", sections=factories.sections()
        )
        services.story_version_create(
            case_study=cs,
            actor=alice,
            title="Versi Indonesia",
            language="id",
            sections=factories.sections(results="Dari 15 hari menjadi 5 hari."),
        )
        client.force_login(alice)
        english = client.get(_editor(cs, language="en"))
        assert english.status_code == 200
        assert english.context["form"]["title"].value() == "English v1"
        assert english.context["form"]["base_version"].value() == 1
        indonesian = client.get(_editor(cs, language="id"))
        assert indonesian.context["form"]["title"].value() == "Versi Indonesia"
        assert indonesian.context["form"]["base_version"].value() == 2
        assert "Dari 15 hari menjadi 5 hari." in indonesian.content.decode()

    def test_it_shows_word_counts_and_findings_without_javascript(self, client, story_at, alice):
        cs = story_at(S.DRAFTING)
        services.story_version_create(
            case_study=cs,
            actor=alice,
            title="T",
            sections=factories.sections(summary="We dramatically improved things."),
        )
        client.force_login(alice)
        response = client.get(_editor(cs))
        html = response.content.decode()
        counts = response.context["counts"]
        assert counts["sections"]["summary"] == 4
        assert counts["total"] == 4 + 5 * 200
        assert "4 words (target 100\u2013150)" in html
        assert "1004 words in all (target 1000\u20131500)" in html
        assert "dramatically" in html
        assert 'href="/admin/casestudies/casestudy/writing-advice/#vague-claim"' in html

    def test_the_case_study_page_links_to_the_editor(self, client, story_at, alice):
        cs = story_at(S.DRAFTING)
        client.force_login(alice)
        html = client.get(reverse("admin:casestudies_casestudy_change", args=[cs.pk])).content
        assert _editor(cs).encode() in html


class TestSaving:
    def test_save_creates_a_new_numbered_version(self, client, story_at, alice):
        cs = story_at(S.DRAFTING)
        client.force_login(alice)
        response = client.post(_editor(cs), _post_data(0))
        assert response.status_code == 302
        assert response["Location"] == _editor(cs, language="en")
        version = StoryVersion.objects.get(case_study=cs)
        assert (version.number, version.title, version.note) == (
            1,
            "Acme closes in 5 days",
            "Tightened the results",
        )
        assert version.results == "Close went from 15 days to 5 days."
        assert version.created_by == alice
        assert version.verify_hash()
        page = client.get(response["Location"]).content.decode()
        assert "Version 1 saved." in page

    def test_saving_unchanged_text_keeps_the_version_and_its_sign_offs(
        self, client, story_at, alice
    ):
        # A second click on "Save" (or a reload) used to copy the newest
        # version, which made every internal sign-off on it stale.
        cs = story_at(S.DRAFTING)
        client.force_login(alice)
        client.post(_editor(cs), _post_data(0))
        version = cs.versions.get()
        services.internal_sign_off_record(
            version=version, area="product", decision="approved", actor=alice
        )
        response = client.post(_editor(cs), _post_data(1, note="Clicked again"), follow=True)
        assert response.status_code == 200
        assert "Nothing changed since version 1, so no new version was saved." in (
            response.content.decode()
        )
        assert list(cs.versions.values_list("number", flat=True)) == [1]
        assert "Acme closes in 5 days" in response.content.decode()
        # A real change still saves.
        client.post(_editor(cs), _post_data(1, results="Close went from 15 days to 4 days."))
        assert sorted(cs.versions.values_list("number", flat=True)) == [1, 2]

    def test_check_does_not_save(self, client, story_at, alice):
        cs = story_at(S.DRAFTING)
        client.force_login(alice)
        response = client.post(
            _editor(cs), _post_data(0, action="check", summary="Secara signifikan lebih baik.")
        )
        assert response.status_code == 200
        assert not StoryVersion.objects.filter(case_study=cs).exists()
        codes = [f.code for f in response.context["findings"]]
        assert "vague-claim" in codes
        assert "Secara signifikan lebih baik." in response.content.decode()

    def test_a_refusal_is_shown_and_the_text_is_kept(self, client, story_at, alice):
        cs = story_at(S.APPROVED)
        client.force_login(alice)
        response = client.post(
            _editor(cs), _post_data(1, challenge="My carefully written challenge.")
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "can be edited while interviewing, drafting or in review" in html
        assert "My carefully written challenge." in html
        assert cs.versions.count() == 1

    def test_invalid_input_is_reported_and_kept(self, client, story_at, alice):
        cs = story_at(S.DRAFTING)
        client.force_login(alice)
        response = client.post(
            _editor(cs),
            _post_data(0, title="", language="xx", base_version="nope", results="Kept text"),
        )
        assert response.status_code == 200
        assert set(response.context["form"].errors) >= {"title", "language", "base_version"}
        assert "Kept text" in response.content.decode()
        assert not cs.versions.exists()

    def test_a_concurrent_edit_is_not_overwritten(self, client, story_at, alice, django_user_model):
        cs = story_at(S.DRAFTING)
        services.story_version_create(
            case_study=cs, actor=alice, title="T", sections=factories.sections()
        )
        client.force_login(alice)
        opened = client.get(_editor(cs)).context["form"]["base_version"].value()
        assert opened == 1
        # Meanwhile a colleague saves version 2.
        maya = factories.UserFactory(username="maya", first_name="Maya")
        services.story_version_create(
            case_study=cs,
            actor=maya,
            title="T",
            sections=factories.sections(results="Maya's new results paragraph."),
        )
        response = client.post(_editor(cs), _post_data(opened, results="Alice's results."))
        html = response.content.decode()
        assert response.status_code == 200
        assert cs.versions.count() == 2
        assert "Version 2 was saved by Maya since you opened the editor" in html
        assert "Alice&#x27;s results." in html  # the writer's text is kept
        assert "<del>" in html and "Maya&#x27;s" in html  # what changed is shown
        assert response.context["form"]["base_version"].value() == "2"
        # Saving again is deliberate: it becomes version 3.
        again = client.post(_editor(cs), _post_data(2, results="Alice's results."))
        assert again.status_code == 302
        assert cs.versions.latest("number").results == "Alice's results."


class TestTheLiveChecker:
    def _check_url(self, cs):
        return reverse("admin:casestudies_casestudy_story_check", args=[cs.pk])

    def test_it_answers_counts_findings_and_a_safe_preview(self, client, story_at, alice):
        cs = story_at(S.DRAFTING)
        client.force_login(alice)
        response = client.post(
            self._check_url(cs),
            {
                "summary": "Kami meningkatkan performa tim. <script>alert(1)</script>",
                "results": "From 8 hours to 45 minutes.",
            },
        )
        assert response.status_code == 200
        data = json.loads(response.content)
        assert data["counts"]["sections"]["summary"] == 5
        vague = [f for f in data["findings"] if f["code"] == "vague-claim"]
        assert vague[0]["section"] == "summary"
        assert (vague[0]["start"], vague[0]["end"]) == (5, 26)
        assert vague[0]["advice_url"].endswith("/writing-advice/#vague-claim")
        assert "no-before-after" not in [f["code"] for f in data["findings"]]
        assert "<script>" not in data["previews"]["summary"]
        assert set(data["previews"]) == set(SECTION_FIELDS)

    def test_it_needs_post_and_csrf(self, client, story_at, alice):
        cs = story_at(S.DRAFTING)
        client.force_login(alice)
        assert client.get(self._check_url(cs)).status_code == 405
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(alice)
        assert strict.post(self._check_url(cs), {"summary": "x"}).status_code == 403

    def test_oversized_text_is_a_clear_400(self, client, story_at, alice):
        cs = story_at(S.DRAFTING)
        client.force_login(alice)
        response = client.post(self._check_url(cs), {"summary": "x" * 30_000})
        assert response.status_code == 400
        assert "summary" in json.loads(response.content)["errors"]


class TestPermissions:
    def test_sales_and_outsiders_are_refused(self, client, story_at, alice, bob, charlie):
        cs = story_at(S.DRAFTING)
        urls = [
            _editor(cs),
            reverse("admin:casestudies_casestudy_story_check", args=[cs.pk]),
        ]
        for user in (bob, charlie):
            client.force_login(user)
            assert client.get(urls[0]).status_code == 403
            assert client.post(urls[0], _post_data(0)).status_code == 403
            assert client.post(urls[1], {"summary": "x"}).status_code == 403
        assert not cs.versions.exists()

    def test_anonymous_visitors_are_sent_to_log_in(self, client, story_at):
        cs = story_at(S.DRAFTING)
        response = client.get(_editor(cs))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    def test_an_unknown_case_study_is_a_404(self, client, alice):
        client.force_login(alice)
        url = reverse("admin:casestudies_casestudy_story", args=[999999])
        assert client.get(url).status_code in (302, 404)

    def test_the_advice_page_is_for_staff_with_access(self, client, alice, bob, charlie):
        url = reverse("admin:casestudies_writing_advice")
        client.force_login(alice)
        html = client.get(url).content.decode()
        for anchor in ("vague-claim", "no-before-after", "quote-refused", "no-customer-voice"):
            assert f'id="{anchor}"' in html
        client.force_login(bob)
        assert client.get(url).status_code == 200
        client.force_login(charlie)
        assert client.get(url).status_code == 403

    def test_the_advice_page_speaks_indonesian(self, client, alice):
        client.force_login(alice)
        url = reverse("admin:casestudies_writing_advice")
        with translation.override("en"):  # the request's language must not leak
            html = client.get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
        assert "Lemah" in html


class TestTheCaseStudyPage:
    def test_view_on_site_is_offered_only_for_a_published_story(self, client, story_at, alice):
        # Before, every stage showed "View on site", which led to a 404.
        client.force_login(alice)
        drafting = story_at(S.DRAFTING)
        html = client.get(
            reverse("admin:casestudies_casestudy_change", args=[drafting.pk])
        ).content.decode()
        assert "View on site" not in html
        assert "css/object-tools.css" in html  # the buttons no longer cover the title
        published = story_at(S.PUBLISHED)
        html = client.get(
            reverse("admin:casestudies_casestudy_change", args=[published.pk])
        ).content.decode()
        assert html.count("View on site") == 1
        assert published.get_absolute_url() in html
