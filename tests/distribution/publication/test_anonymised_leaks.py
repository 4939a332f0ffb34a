"""An anonymised story names its customer nowhere: not in the chart, not on a
gallery card's headline metric, not on the page shown while a document is made."""

import pytest
from django.urls import reverse

from distribution.models import RenderedDocument
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_story(published):
    cs = published()
    cs.metrics.all().delete()
    factories.MetricFactory(
        case_study=cs, label="Meridian Health close time", before=15, after=5, unit="days"
    )
    cs.anonymised = True
    cs.save()
    return cs


def test_the_chart_and_the_cards_do_not_name_the_customer(client, anonymous_story):
    page = client.get(anonymous_story.get_absolute_url()).content.decode()
    assert "results-chart" in page
    assert "Meridian" not in page
    gallery = client.get("/case-studies/").content.decode()
    assert "headline-metric" in gallery
    assert "Meridian" not in gallery.replace("meridian-health", "")  # slugs in logo paths aside


def test_the_document_waiting_page_does_not_name_the_customer(client, anonymous_story):
    from config.celery_app import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the render waits for a worker (after commit)
    try:
        response = client.get(reverse("gallery:pdf", args=[anonymous_story.slug]))
    finally:
        app.conf.task_always_eager = eager
    body = response.content.decode()
    assert response.status_code == 200
    assert RenderedDocument.objects.filter(case_study=anonymous_story).exists()
    assert "Preparing" in body
    assert "Meridian" not in body
