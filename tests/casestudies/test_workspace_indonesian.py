"""The workspace's pages in Bahasa Indonesia show no English UI string: every
translated message of the catalogue that is a phrase (three words or more,
no placeholder) must not appear in English on the admin home ("Needs me
today", the lifecycle sections) nor on a story's workspace at any stage."""

import re
from html import unescape
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from casestudies import services
from casestudies.models import CaseStudyState
from tests import factories

S = CaseStudyState
pytestmark = pytest.mark.django_db
PO = Path(__file__).resolve().parents[2] / "locale" / "id" / "LC_MESSAGES" / "django.po"


def _english_phrases() -> set[str]:
    phrases = set()
    for entry in polib.pofile(str(PO)):
        text = entry.msgid
        if entry.obsolete or entry.msgid_plural or "%" in text or "{" in text:
            continue
        if len(text.split()) >= 3 and entry.msgstr and entry.msgstr != text:
            phrases.add(text)
    return phrases


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", unescape(html))


def test_the_workspace_pages_in_indonesian_show_no_english(client, alice, story_at):
    stories = [story_at(state) for state in (S.CANDIDATE, S.RECRUITING, S.DRAFTING, S.PUBLISHED)]
    drafting = stories[2]
    services.story_version_create(
        case_study=drafting, actor=alice, title="Draft", sections=factories.sections(10)
    )
    services.internal_reviewer_assign(case_study=drafting, area="legal", user=alice, actor=alice)
    client.force_login(alice)
    client.cookies["django_language"] = "id"
    pages = [reverse("admin:index"), reverse("admin:casestudies_casestudy_changelist")]
    pages += [reverse("admin:casestudies_casestudy_workspace", args=[cs.pk]) for cs in stories]
    phrases = _english_phrases()
    assert len(phrases) > 500
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        assert 'lang="id"' in response.content.decode()[:300], url
        text = _visible_text(response.content.decode())
        found = sorted(p for p in phrases if p in text)
        assert found == [], (url, found)
    assert "Perlu saya hari ini" in _visible_text(
        client.get(reverse("admin:index")).content.decode()
    )
