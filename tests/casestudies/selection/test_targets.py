"""Targets give feedback: have / wanted counts (published and in progress) on
the list, and a target already met by stories in progress says so."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casestudies import selection
from casestudies.models import PortfolioTarget
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def healthcare():
    return factories.IndustryFactory(name="Healthcare")


def stories(story_at, industry, state, n=1):
    for _ in range(n):
        story_at(state, customer=factories.CustomerFactory(industry=industry))


def test_progress_counts_published_and_in_progress(story_at, healthcare):
    stories(story_at, healthcare, "published")
    stories(story_at, healthcare, "drafting", 2)
    stories(story_at, healthcare, "candidate")  # not counted: not started
    stories(story_at, factories.IndustryFactory(name="Retail"), "published")
    target = PortfolioTarget.objects.create(industry=healthcare, target=3)
    info = selection.target_progress([target])[target.pk]
    assert (info.published, info.in_progress, info.have, info.wanted) == (1, 2, 3, 3)
    assert info.met and info.met_by_in_progress
    assert info.describe().startswith("Already met by stories in progress: 3 of 3 wanted")
    short = PortfolioTarget.objects.create(industry=healthcare, target=5)
    assert selection.target_progress([short])[short.pk].describe() == (
        "Short by 2: 3 of 5 wanted (published: 1, in progress: 2)."
    )
    done = PortfolioTarget.objects.create(industry=healthcare, target=1)
    assert selection.target_progress([done])[done.pk].describe() == (
        "Met: published 1 of 1 wanted."
    )


def test_the_list_shows_have_and_wanted(client, alice, story_at, healthcare):
    stories(story_at, healthcare, "published")
    stories(story_at, healthcare, "interviewing")
    PortfolioTarget.objects.create(industry=healthcare, target=2)
    client.force_login(alice)
    page = client.get(reverse("admin:casestudies_portfoliotarget_changelist")).content.decode()
    assert "Have / wanted" in page
    assert '<span class="target-met">2 / 2</span> — Already met by stories in progress' in page


def test_saving_a_target_already_met_says_so(client, alice, story_at, healthcare):
    stories(story_at, healthcare, "drafting")
    client.force_login(alice)
    response = client.post(
        reverse("admin:casestudies_portfoliotarget_add"),
        {"industry": healthcare.pk, "target": 1, "priority": 2, "note": ""},
        follow=True,
    )
    assert PortfolioTarget.objects.count() == 1
    assert "Already met by stories in progress: 1 of 1 wanted" in response.content.decode()


def test_the_coverage_page_names_targets_met_by_stories_in_progress(
    client, alice, story_at, healthcare
):
    stories(story_at, healthcare, "in_review")
    PortfolioTarget.objects.create(industry=healthcare, target=1)
    client.force_login(alice)
    page = client.get(reverse("admin:casestudies_coverage")).content.decode()
    assert "Targets met by stories in progress" in page
    assert "healthcare story</strong>: Already met by stories in progress" in page


def test_the_target_list_takes_constant_queries(client, alice, story_at):
    url = reverse("admin:casestudies_portfoliotarget_changelist")

    def add_rows():
        industry = factories.IndustryFactory()
        region = factories.RegionFactory()
        stories(story_at, industry, "published")
        stories(story_at, industry, "drafting")
        PortfolioTarget.objects.create(industry=industry, target=2)
        PortfolioTarget.objects.create(industry=industry, region=region, target=1)

    def count():
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        return len(context), response.content.decode().count("target-met")

    add_rows()
    client.force_login(alice)
    client.get(url)  # warm the per-process caches
    few, met = count()
    for _ in range(4):
        add_rows()
    many, met_many = count()
    assert (met, met_many) == (1, 5)
    assert many == few
