"""A real Celery worker, consuming from Redis, renders a story's PDF while
the visitor watches the "Preparing your PDF…" page."""

import time
import uuid

import pytest
from django.urls import reverse

from distribution.models import RenderedDocument
from tests.conftest import celery_conf, require_redis
from tests.distribution.conftest import body, pdf_info, pdf_text

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_on_redis_renders_the_pdf_once(client, published):
    from celery.contrib.testing.worker import start_worker

    url = require_redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"  # never consume another run's messages
    cs = published()
    pdf_url = reverse("gallery:pdf", args=[cs.slug])
    status_url = reverse("gallery:pdf_status", args=[cs.slug])

    with celery_conf(task_always_eager=False, broker_url=url, task_default_queue=queue) as app:
        # Without a worker yet: the visitor sees the waiting page, twice,
        # and only one render is queued.
        first = client.get(pdf_url)
        assert first.status_code == 200
        assert "Preparing your PDF" in first.content.decode()
        assert client.get(pdf_url).status_code == 200
        assert client.get(status_url).json()["status"] == "queued"
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
        ):
            assert _wait_for(lambda: client.get(status_url).json()["ready"])
        document = RenderedDocument.objects.get()
        assert document.status == RenderedDocument.Status.DONE
        assert document.attempts == 1
        response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = body(response)
    assert "A4" in pdf_info(content)["Page size"]
    assert "Executive summary" in pdf_text(content)
