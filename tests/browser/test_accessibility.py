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


def _violations(page) -> list[str]:
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
    cs = factories.case_study_in_state(
        CaseStudyState.PUBLISHED, actor=alice, story_title="Meridian Health closes in 5 days"
    )
    factories.QuoteFactory(case_study=cs, kind="pull", text="We got our evenings back.")
    factories.QuoteFactory(case_study=cs, kind="recommendation", text="Do it sooner.")
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        for path in (
            "/case-studies/",
            "/case-studies/?industry=nope",
            cs.get_absolute_url(),
            "/case-studies/missing/",
        ):
            page.goto(f"{live_server.url}{path}")
            assert _violations(page) == [], path
    finally:
        context.close()
