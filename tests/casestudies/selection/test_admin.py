"""The selection pages: who sees them, and constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casestudies import selection
from casestudies.models import PortfolioTarget
from tests import factories


def count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "admin:casestudies_coverage",
        "admin:casestudies_candidatescore_changelist",
        "admin:casestudies_nomination_changelist",
        "admin:recruitment_outreach_changelist",
        "admin:casestudies_freshness",
    ],
)
def test_list_pages_take_constant_queries(client, alice, name, story_at):
    from recruitment import services

    healthcare = factories.IndustryFactory(name="Healthcare")
    PortfolioTarget.objects.create(industry=healthcare, target=100)

    def add_rows():
        customer = factories.CustomerFactory(industry=healthcare)
        cs = factories.CaseStudyFactory(customer=customer)
        contact = factories.ContactFactory(customer=customer)
        factories.MetricFactory(case_study=cs)
        from casestudies.selection_services import nomination_create

        nomination_create(customer=customer, reason="Strong", actor=alice)
        services.outreach_send(
            case_study=cs, contact=contact, subject="S", body="B", language="en", actor=alice
        )
        story_at("published", customer=factories.CustomerFactory(industry=healthcare))

    add_rows()
    selection.recompute_scores()
    client.force_login(alice)
    url = reverse(name)
    client.get(url)  # warm the per-process caches (content types, session)
    few = count(client, url)
    for _ in range(4):
        add_rows()
    selection.recompute_scores()
    assert count(client, url) == few


@pytest.mark.django_db
def test_outsiders_see_none_of_it(client, charlie):
    client.force_login(charlie)
    for name in ("admin:casestudies_coverage", "admin:casestudies_freshness"):
        assert client.get(reverse(name)).status_code == 403
    cs = factories.CaseStudyFactory()
    assert client.get(reverse("admin:recruitment_workspace", args=[cs.pk])).status_code == 403


@pytest.mark.django_db
def test_sales_reads_coverage_but_cannot_recruit(client, bob):
    client.force_login(bob)
    assert client.get(reverse("admin:casestudies_coverage")).status_code == 200
    cs = factories.CaseStudyFactory()
    assert client.get(reverse("admin:recruitment_workspace", args=[cs.pk])).status_code == 403
    assert client.get(reverse("admin:recruitment_compose", args=[cs.pk])).status_code == 403


@pytest.mark.django_db
def test_the_score_page_shows_the_breakdown_and_records_the_arc(
    client, alice, django_capture_on_commit_callbacks
):
    cs = factories.CaseStudyFactory()
    factories.MetricFactory(case_study=cs, kind="cost_saving", before=100, after=60)
    selection.recompute_scores()
    client.force_login(alice)
    url = reverse("admin:casestudies_candidatescore_change", args=[cs.pk])
    page = client.get(url).content.decode()
    assert "meets the guide" in page and "Results strength" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"arc_challenge": "on", "arc_results": "on"})
    assert response.status_code == 302
    score = cs.candidate_score
    score.refresh_from_db()
    assert score.arc_challenge and score.arc == 40


@pytest.mark.django_db
def test_bad_ids_are_404_not_500(client, alice):
    client.force_login(alice)
    for url in (
        reverse("admin:recruitment_workspace", args=["abc"]),
        reverse("admin:recruitment_compose", args=["99999"]),
        reverse("admin:recruitment_concern", args=["1²"]),
        reverse("admin:recruitment_answer", args=["1", "accept"]),
        reverse("admin:recruitment_answer", args=["1", "explode"]),
    ):
        assert client.get(url).status_code == 404
