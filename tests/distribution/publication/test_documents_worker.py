"""A real Celery worker, consuming from Redis, renders a story's PDF while
the visitor watches the "Preparing your PDF…" page."""

import pytest
from django.urls import reverse

from distribution.models import RenderedDocument
from tests.conftest import real_worker, wait_for
from tests.distribution.publication.conftest import body, pdf_info, pdf_text

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_on_redis_renders_the_pdf_once(client, published):
    cs = published()
    pdf_url = reverse("gallery:pdf", args=[cs.slug])
    status_url = reverse("gallery:pdf_status", args=[cs.slug])

    with real_worker(start=False) as worker:
        # Without a worker yet: the visitor sees the waiting page, twice,
        # and only one render is queued.
        first = client.get(pdf_url)
        assert first.status_code == 200
        assert "Preparing your PDF" in first.content.decode()
        assert client.get(pdf_url).status_code == 200
        assert client.get(status_url).json()["status"] == "queued"
        with worker.running():
            assert wait_for(
                lambda: client.get(status_url).json()["ready"], timeout=60.0, interval=0.2
            )
        document = RenderedDocument.objects.get()
        assert document.status == RenderedDocument.Status.DONE
        assert document.attempts == 1
        response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = body(response)
    assert "A4" in pdf_info(content)["Page size"]
    assert "Executive summary" in pdf_text(content)
