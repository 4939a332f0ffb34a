"""A real HTTP receiver on a local port, and endpoints that may reach it
(loopback is refused unless a test allows it explicitly)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from integrations import services
from tests import factories
from tests.approvals.conftest import in_review, start_chain  # noqa: F401 (fixtures)
from tests.distribution.outreach.conftest import dave, sari, story  # noqa: F401 (fixtures)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: str

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; answers with the next of ``replies`` ((status,
    delay seconds, extra headers)), then 200."""

    server: ThreadingHTTPServer
    requests: list[Request] = field(default_factory=list)
    replies: list[tuple[int, float, dict]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/storyline"

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return True
            time.sleep(0.05)
        return False


def start_receiver() -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            with receiver.lock:
                receiver.requests.append(
                    Request(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                    )
                )
                status, delay, extra = (
                    receiver.replies.pop(0) if receiver.replies else (200, 0.0, {})
                )
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:  # the client gave up (timeout)
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(server=server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver


@pytest.fixture
def receiver():
    r = start_receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def allow_loopback(settings):
    """What a test must say to reach 127.0.0.1 (production refuses it)."""
    settings.STORYLINE = {
        **settings.STORYLINE,
        "INTEGRATIONS": {
            **settings.STORYLINE.get("INTEGRATIONS", {}),
            "WEBHOOK_ALLOWED_NETWORKS": ["127.0.0.1/32"],
            "WEBHOOK_ALLOW_HTTP": True,
            "WEBHOOK_TIMEOUT_SECONDS": 1.0,
            "WEBHOOK_RETRY_SECONDS": 30,
        },
    }
    return settings


def set_integrations(settings, **values) -> None:
    settings.STORYLINE = {
        **settings.STORYLINE,
        "INTEGRATIONS": {**settings.STORYLINE.get("INTEGRATIONS", {}), **values},
    }


@pytest.fixture
def endpoint_for(alice, allow_loopback):
    """``endpoint_for(receiver, [event types])`` → a registered endpoint."""

    def make(receiver, events, **kwargs):
        return services.endpoint_create(
            name="CRM", url=kwargs.pop("url", receiver.url), events=events, owner=alice, **kwargs
        )

    return make


def make_retail(actor):
    """Three published retail stories using the product, and what must not
    show: (shown, hidden)."""
    industry = factories.IndustryFactory(slug="retail", name="Retail")
    product = factories.ProductFactory(slug="ledger", name="Ledger")

    def make(title, state="published", **fields):
        customer = factories.CustomerFactory(industry=industry, name=f"{title} Inc")
        cs = factories.case_study_in_state(
            state, actor=actor, customer=customer, title=title, story_title=title, **fields
        )
        cs.products.add(product)
        return cs

    shown = [make("Alpha"), make("Beta"), make("Gamma", anonymised=True)]
    hidden = [make("Not on the web"), make("Draft", state="approved")]
    # The customer took the public website back after publication.
    type(hidden[0]).objects.filter(pk=hidden[0].pk).update(channel_web=False)
    expired = make("Expired")
    type(expired).objects.filter(pk=expired.pk).update(
        rights_expire_on=timezone.localdate() - timedelta(days=1)
    )
    other = factories.IndustryFactory(slug="banking", name="Banking")
    bank = factories.case_study_in_state(
        "published", actor=actor, customer=factories.CustomerFactory(industry=other), title="Bank"
    )
    bank.products.add(product)
    return shown, [*hidden, expired, bank]


@pytest.fixture
def retail(alice):
    """Three published retail stories using the product, and what must not show."""
    return make_retail(alice)
