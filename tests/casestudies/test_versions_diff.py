"""Versions stay immutable; any two can be compared side by side."""

import pytest
from django.urls import reverse
from django.utils import translation

from casestudies import services
from casestudies.diffing import diff_sections, word_diff
from casestudies.models import CaseStudyState, ImmutableError, StoryVersion
from tests import factories

S = CaseStudyState
pytestmark = pytest.mark.django_db


def test_word_diff_marks_removed_and_added_words_accessibly():
    with translation.override("en"):
        old, new, added, removed = word_diff("Close took 15 days <b>", "Close took 5 days <b>")
    assert '<del><span class="sr-only">Removed: </span>15' in old
    assert '<ins><span class="sr-only">Added: </span>5' in new
    assert (added, removed) == (1, 1)
    assert "&lt;b&gt;" in old and "<b>" not in old


def test_unchanged_sections_are_reported_unchanged():
    diffs = diff_sections({"summary": "Same", "results": "A"}, {"summary": "Same", "results": "B"})
    changed = {d.name: d.changed for d in diffs}
    assert changed["summary"] is False
    assert changed["results"] is True


def test_a_version_saved_through_the_editor_stays_immutable(client, story_at, alice):
    cs = story_at(S.DRAFTING)
    v = services.story_version_create(
        case_study=cs, actor=alice, title="T", sections=factories.sections()
    )
    v.results = "Rewritten"
    with pytest.raises(ImmutableError):
        v.save()
    with pytest.raises(ImmutableError):
        StoryVersion.objects.filter(pk=v.pk).update(results="Rewritten")
    v.refresh_from_db()
    assert v.verify_hash()


class TestComparePage:
    def _versions(self, story_at, alice):
        cs = story_at(S.DRAFTING)
        services.story_version_create(
            case_study=cs,
            actor=alice,
            title="Acme",
            sections=factories.sections(results="Close took 15 days."),
        )
        services.story_version_create(
            case_study=cs,
            actor=alice,
            title="Acme",
            note="Sharper results",
            sections=factories.sections(results="Close took 5 days."),
        )
        return cs

    def test_it_shows_both_versions_side_by_side_with_changes_marked(self, client, story_at, alice):
        cs = self._versions(story_at, alice)
        client.force_login(alice)
        url = reverse("admin:casestudies_casestudy_compare", args=[cs.pk])
        response = client.get(url, {"a": 1, "b": 2})
        html = response.content.decode()
        assert response.status_code == 200
        assert "15</span></del>" not in html  # label closes after the words
        assert '<del><span class="sr-only">Removed: </span>15' in html
        assert '<ins><span class="sr-only">Added: </span>5' in html
        assert response.context["changed_count"] == 1
        # Unchanged sections are collapsed, changed ones open.
        assert '<details class="diff-section" id="diff-results" open>' in html
        assert '<details class="diff-section" id="diff-challenge">' in html

    @pytest.mark.parametrize(
        "query",
        [
            {},
            {"a": "x", "b": "2"},
            {"a": 1, "b": 99},
            {"a": -1},
            {"a": "²", "b": "1"},
            {"a": "99999999999999999999", "b": "1"},
        ],
    )
    def test_bad_choices_go_back_to_the_list_with_a_message(self, client, story_at, alice, query):
        cs = self._versions(story_at, alice)
        client.force_login(alice)
        url = reverse("admin:casestudies_casestudy_compare", args=[cs.pk])
        response = client.get(url, query, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse(
            "admin:casestudies_casestudy_versions", args=[cs.pk]
        )
        messages = [str(m) for m in response.context["messages"]]
        assert messages and ("no version" in messages[0] or "Choose two" in messages[0])

    def test_the_version_list_shows_number_author_note_words_and_hash_check(
        self, client, story_at, alice
    ):
        cs = self._versions(story_at, alice)
        client.force_login(alice)
        url = reverse("admin:casestudies_casestudy_versions", args=[cs.pk])
        response = client.get(url)
        rows = response.context["rows"]
        assert [r["version"].number for r in rows] == [2, 1]
        assert rows[0]["words"] == 120 + 4 * 200 + 4
        assert rows[0]["intact"] is True
        html = response.content.decode()
        assert "Sharper results" in html and "Alice" in html and "Intact" in html

    def test_the_version_list_flags_a_tampered_version(self, client, story_at, alice):
        from django.db import connection

        cs = self._versions(story_at, alice)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE casestudies_storyversion SET results = %s WHERE case_study_id = %s "
                "AND number = 1",
                ["Tampered", cs.pk],
            )
        client.force_login(alice)
        response = client.get(reverse("admin:casestudies_casestudy_versions", args=[cs.pk]))
        assert [r["intact"] for r in response.context["rows"]] == [True, False]

    def test_the_version_list_takes_a_constant_number_of_queries(
        self, client, story_at, alice, django_assert_max_num_queries
    ):
        cs = self._versions(story_at, alice)
        client.force_login(alice)
        url = reverse("admin:casestudies_casestudy_versions", args=[cs.pk])
        client.get(url)
        with django_assert_max_num_queries(12) as small:
            client.get(url)
        for _ in range(8):
            v = services.story_version_create(
                case_study=cs, actor=alice, title="More", sections=factories.sections()
            )
        factories.sign_off_internal_review(v, actor=alice)
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(url)

    def test_outsiders_cannot_see_versions(self, client, story_at, alice, charlie):
        cs = self._versions(story_at, alice)
        client.force_login(charlie)
        url = reverse("admin:casestudies_casestudy_versions", args=[cs.pk])
        assert client.get(url).status_code == 403
        compare = reverse("admin:casestudies_casestudy_compare", args=[cs.pk])
        assert client.get(compare, {"a": 1, "b": 2}).status_code == 403
