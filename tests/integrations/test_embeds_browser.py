"""Done when: a web editor pastes the snippet into a plain HTML page served
from another local port, and Chromium shows the right three stories; a site
the embed key does not name shows none."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from analytics.models import Event
from integrations import embeds
from tests.conftest import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class HostSite:
    """A plain web server on its own port, serving one HTML page."""

    def __init__(self, html: str = ""):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = site.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.html = html
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sites():
    allowed, other = HostSite(), HostSite()
    yield allowed, other
    allowed.close()
    other.close()


def page_with(snippet: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ledger for retail'
        f"</title></head><body><h1>Ledger for retail</h1>{snippet}</body></html>"
    )


def test_the_pasted_snippet_shows_the_right_three_stories(
    live_server,
    browser,
    settings,
    alice,
    retail,
    sites,
):
    shown, _hidden = retail
    allowed, other = sites
    settings.SITE_URL = live_server.url
    key = embeds.embed_key_create(name="Retail page", allowed_origins=[allowed.origin], actor=alice)
    snippet = embeds.snippet(key, product="ledger", industry="retail", limit=3)
    allowed.html = other.html = page_with(snippet)

    page = browser.new_page()
    try:
        page.goto(allowed.origin + "/retail/ledger")
        frame = page.frame_locator(".storyline-embed iframe")
        frame.locator("[data-story]").first.wait_for(timeout=15000)
        ids = [
            int(x)
            for x in frame.locator("[data-story]").evaluate_all(
                "els => els.map(e => e.dataset.story)"
            )
        ]
        assert sorted(ids) == sorted(cs.pk for cs in shown)
        titles = frame.locator("h2").all_inner_texts()
        assert sorted(titles) == ["Alpha", "Beta", "Gamma"]
        # The view is recorded first-party, with the host page.
        assert wait_for(lambda: Event.objects.filter(kind="embed_view").count() == 3)
        assert set(Event.objects.values_list("detail", flat=True)) == {"127.0.0.1/retail/ledger"}
        assert page.context.cookies(live_server.url) == []

        # Another site pasting the same snippet gets nothing.
        page.goto(other.origin + "/copied")
        page.wait_for_timeout(1500)
        blocked = page.frame_locator(".storyline-embed iframe").locator("[data-story]")
        assert blocked.count() == 0
    finally:
        page.close()

    # Without JavaScript, the <noscript> iframe shows the same stories.
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(allowed.origin + "/retail/ledger")
        frame = page.frame_locator(".storyline-embed iframe")
        frame.locator("[data-story]").first.wait_for(timeout=15000)
        assert frame.locator("[data-story]").count() == 3
    finally:
        context.close()
