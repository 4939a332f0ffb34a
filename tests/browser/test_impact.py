"""Impact capture and the dashboard in a real browser: the beacon sends a view
and the time on page; Do Not Track sends nothing; the lead form works on a
phone without accessibility violations; the dashboard draws its charts."""

import time

import pytest

from analytics.models import DownloadGate, Event, Lead
from casestudies.models import CaseStudyState
from tests import factories
from tests.browser.test_accessibility import axe_violations
from tests.conftest import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Headless Chromium says "HeadlessChrome": the bot filter would (rightly) drop it.
READER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


@pytest.fixture
def reader(browser):
    context = browser.new_context(user_agent=READER, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_reader_is_counted_once_with_time_on_page(live_server, reader, alice):
    page = reader
    cs = factories.case_study_in_state(CaseStudyState.PUBLISHED, actor=alice)
    page.goto(f"{live_server.url}{cs.get_absolute_url()}?utm_source=email&utm_campaign=q4")
    assert wait_for(lambda: Event.objects.filter(kind="view").exists())
    view = Event.objects.get(kind="view")
    assert (view.case_study_id, view.utm_source, view.utm_campaign) == (cs.pk, "email", "q4")
    # Download links carry the campaign on (no cookie needed).
    href = page.get_by_role("link", name="Download the PDF").get_attribute("href")
    assert "utm_campaign=q4" in href
    assert page.context.cookies() == []
    # Leaving the page (here: the browser hides it) sends the visible time.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    assert wait_for(lambda: Event.objects.filter(kind="engagement").exists())
    engagement = Event.objects.get(kind="engagement")
    assert engagement.case_study_id == cs.pk and engagement.value is not None
    assert Event.objects.filter(kind="view", case_study=cs).count() == 1


def test_do_not_track_sends_nothing(live_server, browser, alice):
    cs = factories.case_study_in_state(CaseStudyState.PUBLISHED, actor=alice)
    context = browser.new_context(user_agent=READER, extra_http_headers={"DNT": "1"})
    context.add_init_script("Object.defineProperty(navigator, 'doNotTrack', {get: () => '1'})")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{cs.get_absolute_url()}")
        page.goto(f"{live_server.url}/case-studies/")
        time.sleep(1)
        assert not Event.objects.exists()
    finally:
        context.close()


def test_the_lead_form_on_a_phone(live_server, reader, alice):
    page = reader
    cs = factories.case_study_in_state(CaseStudyState.PUBLISHED, actor=alice)
    DownloadGate.objects.create(case_study=cs)
    page.goto(f"{live_server.url}/case-studies/{cs.slug}/pdf/")
    page.get_by_role("heading", name="Get the PDF").wait_for()
    assert axe_violations(page) == []
    page.get_by_label("Your name").fill("Dewi Lestari")
    page.get_by_label("Work email").fill("dewi@gmail.com")
    page.get_by_label("Company").fill("Nusantara Logistics")
    page.get_by_label("Role").fill("CFO")
    time.sleep(3.1)  # the time trap: people take a few seconds
    page.get_by_role("button", name="Download").click()
    page.get_by_text("personal mail service").wait_for()
    assert not Lead.objects.exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_dashboard_draws_its_charts(live_server, page, alice):
    from demo.analytics import seed_analytics

    for _ in range(2):
        factories.case_study_in_state(CaseStudyState.PUBLISHED, actor=alice)
    seed_analytics()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/analytics/dashboard/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Headline figures").wait_for()
    # Deferred scripts run once the page's stylesheets are in: wait for them.
    page.wait_for_load_state("load")
    for chart in ("chart-series", "chart-win", "chart-stories"):
        page.wait_for_function(
            f"window.Chart && !!Chart.getChart(document.getElementById('{chart}'))"
        )
    assert errors == []
