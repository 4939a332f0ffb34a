"""The customer's one-click answer page: no accessibility violation on a
phone, in both languages, and the answer recorded without JavaScript."""

import pytest

from core.tokens import new_token
from recruitment import services
from recruitment.models import Outreach
from tests import factories
from tests.browser.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_response_page_is_accessible_and_works_without_javascript(
    live_server, browser, alice, language
):
    customer = factories.CustomerFactory(name="Medika Prima")
    contact = factories.ContactFactory(customer=customer, agreed_to_participate=False)
    cs = factories.CaseStudyFactory(customer=customer)
    outreach = services.outreach_send(
        case_study=cs, contact=contact, subject="S", body="B", language=language, actor=alice
    )
    token, token_hash = new_token()
    Outreach.objects.filter(pk=outreach.pk).update(response_token_hash=token_hash)
    # The question, checked by axe (it needs JavaScript), on a phone.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/recruitment/respond/{token}/")
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{live_server.url}/recruitment/respond/not-a-token/")
        assert axe_violations(page) == []
    finally:
        context.close()
    # The answer, without JavaScript.
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/recruitment/respond/{token}/")
        assert page.locator("h1").count() == 1
        page.locator("button[value=yes]").click()
        page.wait_for_load_state()
        outreach.refresh_from_db()
        assert outreach.status == "accepted"
        assert page.locator("h1").count() == 1
    finally:
        context.close()
