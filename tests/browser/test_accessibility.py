"""WCAG 2.2 AA, as far as a machine can tell: axe-core finds no violation on
the public pages, in both languages, on a phone and a desktop screen."""

import pytest

from casestudies.models import CaseStudyState
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    }
}


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_public_pages_have_no_accessibility_violations(
    live_server, browser, alice, language, width
):
    retail = factories.IndustryFactory(name="Retail")
    cs = factories.case_study_in_state(
        CaseStudyState.PUBLISHED,
        actor=alice,
        story_title="Meridian Health closes in 5 days",
        customer=factories.CustomerFactory(industry=retail),
    )
    factories.MetricFactory(case_study=cs, label="Revenue", before=100, after=130, unit="k€")
    factories.QuoteFactory(case_study=cs, kind="pull", text="We got our evenings back.")
    factories.QuoteFactory(case_study=cs, kind="recommendation", text="Do it sooner.")
    anonymous = factories.case_study_in_state(
        CaseStudyState.PUBLISHED,
        actor=alice,
        anonymised=True,
        percentage_only=True,
        customer=factories.CustomerFactory(industry=retail),
    )
    bilingual = factories.case_study_in_state(CaseStudyState.APPROVED, actor=alice)
    _translate_and_publish(bilingual, alice)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        for path in (
            "/case-studies/",
            "/case-studies/?industry=nope",
            "/case-studies/?industry=retail",
            "/case-studies/?q=evenings",
            cs.get_absolute_url(),
            anonymous.get_absolute_url(),
            f"{bilingual.get_absolute_url()}?lang=id",
            "/case-studies/missing/",
        ):
            page.goto(f"{live_server.url}{path}")
            assert axe_violations(page) == [], path
    finally:
        context.close()


def _translate_and_publish(case_study, actor):
    """An approved story gets an approved Indonesian version, then is published."""
    from casestudies import services
    from casestudies.models import StoryVersion

    # Written directly: the services save versions only while drafting, and
    # this story is already approved in English.
    indonesian = StoryVersion.objects.create(
        case_study=case_study,
        number=case_study.versions.count() + 1,
        language="id",
        title="Kisah dalam Bahasa Indonesia",
        summary="Ringkasan eksekutif kisah ini.",
        results="Hasilnya terukur.",
        content_hash=StoryVersion.compute_hash(
            language="id",
            title="Kisah dalam Bahasa Indonesia",
            sections={"summary": "Ringkasan eksekutif kisah ini.", "results": "Hasilnya terukur."},
        ),
    )
    factories.sign_off_internal_review(indonesian, actor=actor)
    services.story_translation_approve(case_study=case_study, version=indonesian, actor=actor)
    services.case_study_publish(case_study=case_study, actor=actor)
