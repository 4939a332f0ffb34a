"""A prospect and a program manager, in a real browser, on a phone-sized screen."""

import pytest

from casestudies.models import CaseStudyState
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = CaseStudyState


def test_a_prospect_filters_the_gallery_reads_a_story_and_switches_language(
    live_server, page, alice
):
    retail = factories.IndustryFactory(name="Retail")
    health = factories.IndustryFactory(name="Healthcare")
    factories.case_study_in_state(
        S.PUBLISHED,
        actor=alice,
        story_title="Corner Stores grows revenue 25%",
        customer=factories.CustomerFactory(name="Corner Stores", industry=retail),
    )
    factories.case_study_in_state(
        S.PUBLISHED,
        actor=alice,
        story_title="Meridian Health closes books in 5 days",
        customer=factories.CustomerFactory(name="Meridian Health", industry=health),
    )

    page.goto(f"{live_server.url}/case-studies/")
    assert page.locator(".card").count() == 2

    page.get_by_label("Industry").select_option("retail")
    page.get_by_role("button", name="Show stories").click()
    # The empty fields of the form are dropped: the address is the clean, shareable one.
    page.wait_for_url("**/case-studies/?industry=retail")
    cards = page.locator(".card")
    assert cards.count() == 1
    assert "Corner Stores" in cards.first.inner_text()

    page.get_by_role("link", name="Corner Stores grows revenue 25%").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Corner Stores grows revenue 25%"
    assert page.locator(".metric-value").first.inner_text() == "66.7% reduction"

    page.get_by_role("navigation", name="Language").get_by_role(
        "link", name="Bahasa Indonesia"
    ).click()
    page.wait_for_load_state()
    assert "language=" not in page.url  # the choice is remembered, the address stays clean
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_text("Hasil sekilas").is_visible()

    # Nothing on a phone-sized page overflows sideways.
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False


def test_the_demo_manager_logs_in_and_sees_the_pipeline(live_server, page, alice, settings):
    settings.DEBUG = True
    from django.core.management import call_command

    call_command("ensure_demo_user", stdout=open("/dev/null", "w"))  # noqa: SIM115
    factories.case_study_in_state(S.DRAFTING, actor=alice)
    login = settings.STORYLINE["DEMO_LOGIN"]

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(login["username"])
    page.get_by_label("Password").fill(login["password"])
    page.get_by_role("button", name="Log in").click()
    dashboard = page.locator("#pipeline-dashboard")
    dashboard.wait_for()
    assert "Drafting" in dashboard.inner_text()
    page.locator("#pipeline-dashboard a", has_text="Drafting").click()
    page.wait_for_url("**state__exact=drafting*")
    assert page.locator("#result_list tbody tr").count() == 1
