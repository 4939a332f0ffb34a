import pytest
from django.core.cache import cache

from casestudies import services
from casestudies.models import CaseStudyState
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Database rows roll back between tests, the cache does not: start clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bilingual_story(alice):
    """A published story in English with an approved Indonesian version."""

    def make(*, customer=None, title="Meridian Health closes books in 5 days", **fields):
        cs = factories.case_study_in_state(
            CaseStudyState.DRAFTING, actor=alice, customer=customer, **fields
        )
        indonesian = services.story_version_create(
            case_study=cs,
            actor=alice,
            title="Meridian Health menutup buku dalam 5 hari",
            language="id",
            sections=factories.sections(
                summary="Ringkasan: tim keuangan menutup buku jauh lebih cepat.",
                challenge="Tantangan: penutupan akhir bulan memakan waktu lima belas hari.",
            ),
        )
        services.story_version_create(
            case_study=cs,
            actor=alice,
            title=title,
            sections=factories.sections(summary="Finance closes the books much faster."),
        )
        services.case_study_submit_for_review(case_study=cs, actor=alice)
        services.case_study_approve(case_study=cs, actor=alice)
        services.story_translation_approve(case_study=cs, version=indonesian, actor=alice)
        services.case_study_publish(case_study=cs, actor=alice)
        cs.refresh_from_db()
        return cs

    return make
