"""The impact models in the admin: program managers manage deals, gates,
backlinks and the value ledger; events, leads and reports are read-only."""

import datetime

import pytest
from django.urls import reverse

from analytics.events import record
from analytics.models import (
    Backlink,
    CustomerValue,
    Deal,
    DealStory,
    DownloadGate,
    Lead,
    ReportDispatch,
)
from core.models import AuditEntry

MODELS = [
    "event",
    "lead",
    "deal",
    "downloadgate",
    "backlink",
    "customervalue",
    "reportdispatch",
]


@pytest.fixture
def filled(story):
    record("view", case_study=story)
    Lead.objects.create(case_study=story, name="n", email="a@firm.example", company="c", role="r")
    deal = Deal.objects.create(external_id="X1", name="Deal", opened_on=datetime.date(2026, 1, 1))
    DealStory.objects.create(deal=deal, case_study=story)
    DownloadGate.objects.create(case_study=story)
    Backlink.objects.create(case_study=story, url="https://www.news.example/a")
    CustomerValue.objects.create(customer=story.customer, kind="award", amount=1)
    ReportDispatch.objects.create(
        kind="manual", period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 31)
    )
    return story


@pytest.mark.parametrize("model", MODELS)
def test_program_managers_open_every_list_and_record(client, alice, filled, model):
    client.force_login(alice)
    response = client.get(reverse(f"admin:analytics_{model}_changelist"))
    assert response.status_code == 200
    assert "1 " in response.content.decode() or "result" in response.content.decode()


def test_events_and_leads_cannot_be_added_or_changed(client, alice, filled):
    client.force_login(alice)
    assert client.get(reverse("admin:analytics_event_add")).status_code == 403
    assert client.get(reverse("admin:analytics_lead_add")).status_code == 403


def test_a_deal_entered_by_hand_links_its_stories_and_is_audited(client, alice, story):
    client.force_login(alice)
    response = client.post(
        reverse("admin:analytics_deal_add"),
        {
            "external_id": "HAND-1",
            "name": "Hand deal",
            "amount": "5000",
            "currency": "USD",
            "stage": "Proposal",
            "opened_on": "2026-01-01",
            "closed_on": "",
            "outcome": "open",
            "company_size": "smb",
            "deal_stories-TOTAL_FORMS": "1",
            "deal_stories-INITIAL_FORMS": "0",
            "deal_stories-0-case_study": str(story.pk),
            "deal_stories-0-source": "logged",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    deal = Deal.objects.get(external_id="HAND-1")
    assert list(deal.stories.all()) == [story]
    assert AuditEntry.objects.filter(action="analytics.deal.created").exists()


def test_a_won_deal_without_a_close_date_is_refused_in_the_form(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("admin:analytics_deal_add"),
        {
            "external_id": "HAND-2",
            "name": "x",
            "amount": "1",
            "currency": "USD",
            "opened_on": "2026-01-01",
            "outcome": "won",
            "deal_stories-TOTAL_FORMS": "0",
            "deal_stories-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "needs its close date" in response.content.decode()
    assert not Deal.objects.exists()


def test_sales_reps_read_but_do_not_change_deals(client, bob, filled):
    client.force_login(bob)
    assert client.get(reverse("admin:analytics_deal_changelist")).status_code == 200
    assert client.get(reverse("admin:analytics_deal_add")).status_code == 403


def test_the_backlink_domain_is_derived_from_its_address(story):
    link = Backlink.objects.create(case_study=story, url="https://WWW.Blog.example/post")
    assert link.domain == "blog.example"
