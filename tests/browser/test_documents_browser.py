"""The "Preparing your PDF…" page in a real browser: accessible, and its
script opens the document by itself once the worker is done."""

import pytest

from distribution.models import RenderedDocument
from distribution.publication import services
from tests.browser.test_accessibility import axe_violations
from tests.conftest import celery_conf
from tests.distribution.publication import conftest as documents_fixtures

branding = documents_fixtures.branding  # fixtures shared with tests/distribution
published = documents_fixtures.published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_waiting_page_is_accessible_and_delivers_the_pdf(
    live_server,
    browser,
    published,
    language,
):
    cs = published()
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        # A broker nobody consumes yet: the render waits in the queue.
        with celery_conf(task_always_eager=False, broker_url="memory://"):
            page.goto(f"{live_server.url}/case-studies/{cs.slug}/pdf/?paper=letter")
            assert page.locator("progress").count() == 1
            assert page.locator("h1").inner_text()
            assert axe_violations(page) == []
            document = RenderedDocument.objects.get()
            with page.expect_download() as download:
                # The worker renders it; the page's script notices and opens it.
                services.document_render(document_id=document.pk)
            assert download.value.suggested_filename == f"{cs.slug}-en.pdf"
    finally:
        context.close()


def test_the_failure_page_is_accessible(live_server, browser, published, monkeypatch):
    from distribution.publication import documents

    def explode(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(documents, "render_slides", explode)
    cs = published()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        response = page.goto(f"{live_server.url}/case-studies/{cs.slug}/slides/")
        assert response.status == 200
        assert page.get_by_role("link", name=cs.published_version.title).count() == 1
        assert axe_violations(page) == []
    finally:
        context.close()
