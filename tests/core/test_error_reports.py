"""Errors are reported — by email to ADMINS, or to Sentry / GlitchTip when
SENTRY_DSN is set — and no secret of a tokenized address leaves in a report."""

import base64
import gzip
import json
import secrets
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from celery import shared_task
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.test.client import FakePayload
from django.urls import path

from config.sentry import init_sentry, redact_event

TOKEN = secrets.token_urlsafe(24)
DOWNLOAD = secrets.token_urlsafe(24)
DATABASE_PASSWORD = "db-" + secrets.token_hex(8)


def boom(request, token):
    raise RuntimeError("the review page broke")


# A test-only URLconf: a page opened by a secret in its path that raises.
urlpatterns = [path("review/<str:token>/boom/", boom)]


@shared_task(name="tests.core.failing_task")
def failing_task(email, token):
    raise ValueError("the CRM did not answer")


def _get_boom(client):
    return client.get(
        f"/review/{TOKEN}/boom/?lang=id&dl={DOWNLOAD}",
        HTTP_REFERER=f"https://stories.example.com/review/{TOKEN}/",
    )


# --- Without Sentry: mail to ADMINS ------------------------------------------


@pytest.mark.urls(__name__)
def test_a_500_mails_the_admins_without_the_token(db, settings):
    settings.ADMINS = [("Ops", "ops@example.com"), ("Jane", "jane@example.com")]
    settings.DATABASE_URL = f"postgres://storyline:{DATABASE_PASSWORD}@db:5432/storyline"
    response = _get_boom(Client(raise_request_exception=False))
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ops@example.com", "jane@example.com"]
    assert "Internal Server Error" in message.subject
    assert "the review page broke" in message.body
    everything = message.subject + message.body + str(message.alternatives)
    assert TOKEN not in everything
    assert DOWNLOAD not in everything
    assert DATABASE_PASSWORD not in everything
    assert "<redacted>" in message.subject


@pytest.mark.urls(__name__)
def test_no_admins_no_mail(db, settings):
    settings.ADMINS = []
    assert _get_boom(Client(raise_request_exception=False)).status_code == 500
    assert mail.outbox == []


def _fail_as_in_a_worker():
    # Eager tasks that propagate their error (the settings) raise before
    # Celery's failure handling; throw=False runs that handling as a worker
    # does, task_failure included.
    result = failing_task.apply(args=["someone@customer.example", TOKEN], throw=False)
    assert result.failed()
    return result


def test_a_failed_task_mails_the_admins_without_its_arguments(db, settings):
    settings.ADMINS = [("Ops", "ops@example.com")]
    result = _fail_as_in_a_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ops@example.com"]
    assert "tests.core.failing_task" in message.subject
    assert "ValueError: the CRM did not answer" in message.body
    assert f"Task id: {result.id}" in message.body
    assert "someone@customer.example" not in message.subject + message.body
    assert TOKEN not in message.subject + message.body


def test_a_failed_task_is_not_mailed_when_sentry_reports_it(db, settings):
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.SENTRY_ENABLED = True
    _fail_as_in_a_worker()
    assert mail.outbox == []


def test_admins_are_read_from_the_environment():
    from email.utils import getaddresses

    value = "Ops <ops@example.com>,Jane <jane@example.com>"
    assert [(n, a) for n, a in getaddresses([value]) if a] == [
        ("Ops", "ops@example.com"),
        ("Jane", "jane@example.com"),
    ]


# --- With Sentry / GlitchTip: envelopes to the DSN --------------------------


class _Collector(BaseHTTPRequestHandler):
    envelopes: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = (self.headers.get("Content-Encoding") or "").lower()
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        self.envelopes.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def sentry_server():
    """A local stand-in for Sentry / GlitchTip collecting envelopes, and the
    SDK pointed at it through SENTRY_DSN; switched off afterwards."""
    _Collector.envelopes = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    dsn = f"http://{secrets.token_hex(16)}@127.0.0.1:{server.server_port}/1"
    assert init_sentry({"SENTRY_DSN": dsn, "SENTRY_ENVIRONMENT": "test", "SENTRY_RELEASE": "r1"})
    try:
        yield _Collector.envelopes
    finally:
        sentry_sdk.get_client().close(timeout=2)
        sentry_sdk.get_global_scope().set_client(None)
        server.shutdown()
        server.server_close()


def _events(envelopes: list[bytes]) -> list[dict]:
    """The "event" items of the envelopes: an envelope header line, then
    per item a header line and its payload (``length`` bytes, or one line)."""
    events = []
    for envelope in envelopes:
        pos = envelope.index(b"\n") + 1
        while pos < len(envelope):
            end = envelope.find(b"\n", pos)
            end = len(envelope) if end == -1 else end
            line, pos = envelope[pos:end], end + 1
            if not line.strip():
                continue
            header = json.loads(line)
            if "length" in header:
                payload, pos = envelope[pos : pos + header["length"]], pos + header["length"] + 1
            else:
                end = envelope.find(b"\n", pos)
                end = len(envelope) if end == -1 else end
                payload, pos = envelope[pos:end], end + 1
            if header.get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_settings_load_without_a_dsn():
    assert init_sentry({}) is False
    assert init_sentry({"SENTRY_DSN": "  "}) is False


def _wsgi_get_boom() -> str:
    """The request as gunicorn makes it: through Django's WSGI handler (where
    Sentry's integration reads the URL and headers), not the test client."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=f"/review/{TOKEN}/boom/",
        QUERY_STRING=f"lang=id&dl={DOWNLOAD}",
        HTTP_REFERER=f"https://stories.example.com/review/{TOKEN}/",
        REQUEST_METHOD="GET",
        **{"wsgi.input": FakePayload(b"")},
    )
    statuses = []
    # As the test client does: the test's transaction must stay open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        handler = WSGIHandler()
        b"".join(handler(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return statuses[0]


@pytest.mark.urls(__name__)
def test_a_500_reaches_sentry_once_and_without_the_token(db, settings, sentry_server):
    settings.ADMINS = []
    assert _wsgi_get_boom().startswith("500")
    sentry_sdk.flush(timeout=5)
    events = _events(sentry_server)
    assert len(events) == 1
    event = events[0]
    assert event["environment"] == "test" and event["release"] == "r1"
    assert event["exception"]["values"][-1]["value"] == "the review page broke"
    raw = b"".join(sentry_server).decode("utf-8", "replace")
    assert TOKEN not in raw
    assert DOWNLOAD not in raw
    assert "/review/<redacted>/boom/" in event["request"]["url"]
    assert "dl=<redacted>" in event["request"]["query_string"]
    assert event["request"]["headers"]["Referer"].endswith("/review/<redacted>/")
    assert "vars" not in json.dumps(event["exception"])  # no local variables
    assert "cookies" not in event["request"]


def test_a_failed_task_reaches_sentry(db, settings, sentry_server):
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.SENTRY_ENABLED = True
    with pytest.raises(ValueError):
        failing_task.delay("someone@customer.example", TOKEN)
    sentry_sdk.flush(timeout=5)
    events = _events(sentry_server)
    assert len(events) == 1
    assert events[0]["exception"]["values"][-1]["type"] == "ValueError"
    raw = b"".join(sentry_server).decode("utf-8", "replace")
    assert TOKEN not in raw
    assert "someone@customer.example" not in raw
    assert mail.outbox == []  # Sentry reports it, not a mail


def test_before_send_redacts_breadcrumbs_headers_and_messages():
    event = {
        "request": {
            "url": f"https://stories.example.com/unsubscribe/{TOKEN}/",
            "query_string": f"dl={DOWNLOAD}&lang=id",
            "headers": {"Referer": f"https://stories.example.com/s/{TOKEN}/"},
        },
        "logentry": {"message": "Not Found: %s", "params": [f"/preferences/{TOKEN}/"]},
        "breadcrumbs": {"values": [{"message": f"GET /review/{TOKEN}/code/"}]},
        "extra": {"sys.argv": ["gunicorn"]},
        "level": "error",
    }
    clean = json.dumps(redact_event(event))
    assert TOKEN not in clean and DOWNLOAD not in clean
    assert base64.b64encode(TOKEN.encode()).decode() not in clean
    assert "lang=id" in clean
