"""The staff dashboard: who may see it, constant queries, filters, CSV
escaping, "send now" and the monthly report (once)."""

import csv
import datetime
import io
import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from analytics import tasks
from analytics.events import record
from analytics.models import Deal, DealStory, Lead, ReportDispatch
from casestudies.models import CaseStudy
from core.imports import csv_safe
from tests import factories
from tests.conftest import real_worker, redeliver_every_email, wait_for

URL = "/admin/analytics/dashboard/"


def test_the_dashboard_lives_in_the_admin():
    assert reverse("analytics_dashboard:index") == URL


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_only_program_managers_see_it(client, request, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("analytics_dashboard:export")).status_code == 403
    assert client.post(reverse("analytics_dashboard:send")).status_code == 403


def test_the_admin_index_links_to_it_for_program_managers(client, alice, bob):
    client.force_login(alice)
    assert URL in client.get("/admin/").content.decode()
    client.force_login(bob)
    assert URL not in client.get("/admin/").content.decode()


def _portfolio(story_at, n: int, industry):
    stories = []
    today = timezone.localdate()
    for i in range(n):
        cs = story_at("published")
        stories.append(cs)
        record("view", case_study=cs, referrer_host="google.com")
        record("engagement", case_study=cs, value=30)
        record("download", case_study=cs, detail="pdf")
        Lead.objects.create(
            case_study=cs, name="n", email=f"p{i}@firm.example", company="c", role="r"
        )
        deal = Deal.objects.create(
            external_id=f"D{cs.pk}",
            name="d",
            amount=1000,
            outcome="won" if i % 2 == 0 else "lost",
            opened_on=today - datetime.timedelta(days=40),
            closed_on=today - datetime.timedelta(days=5),
            industry=industry,
            company_size="smb",
        )
        DealStory.objects.create(
            deal=deal, case_study=cs, source="pack", used_on=today - datetime.timedelta(days=20)
        )
        Deal.objects.create(
            external_id=f"N{cs.pk}",
            name="d",
            amount=800,
            outcome="lost",
            opened_on=today - datetime.timedelta(days=40),
            closed_on=today - datetime.timedelta(days=5),
            industry=industry,
            company_size="smb",
        )
    return stories


def test_it_shows_which_stories_drive_leads_and_wins(client, alice, story_at):
    industry = factories.IndustryFactory()
    stories = _portfolio(story_at, 2, industry)
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    r = response.context["r"]
    assert r["totals"]["views"] == 2
    assert r["totals"]["leads"] == 2
    assert r["deals"]["win_rate_with"] == 0.5
    assert r["deals"]["win_rate_without"] == 0
    assert r["deals"]["matched"].lift == 0.5
    assert r["stories"][0][0] == stories[0]  # the one whose deal was won
    html = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert 'id="table-series"' in html  # the charts' text alternative
    assert "+50.0 pp" in html


def test_the_query_count_does_not_grow_with_the_portfolio(
    client, alice, story_at, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    industry = factories.IndustryFactory()
    _portfolio(story_at, 2, industry)
    client.force_login(alice)
    client.get(URL)  # warm the session and content types
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    _portfolio(story_at, 4, industry)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(URL).status_code == 200


def test_filters_narrow_to_a_segment_and_bad_filters_are_messages(client, alice, story_at):
    industry = factories.IndustryFactory(slug="retail")
    _portfolio(story_at, 1, industry)
    client.force_login(alice)
    response = client.get(URL, {"industry": "retail", "company_size": "smb"})
    assert response.status_code == 200
    assert len(response.context["r"]["stories"]) == 0  # stories' customers are not retail
    assert response.context["r"]["deals"]["deals"] == 2
    for params in (
        {"start": "2026-13-45"},
        {"start": "2026-05-01", "end": "2026-04-01"},
        {"start": "2020-01-01", "end": "2026-01-01"},
        {"industry": "no-such"},
        {"company_size": "galactic"},
        {"end": "0001-01-01"},
        {"start": "abc", "end": "0001-01-01"},
        {"start": "9999-12-31", "end": "9999-12-31"},
    ):
        response = client.get(URL, params)
        assert response.status_code == 200, params
        assert response.context["form"].errors, params
    # The export and the story report read the same filters: never a 500.
    story = CaseStudy.objects.first()
    for params in ({"end": "0001-01-01"}, {"start": "9999-12-31", "end": "9999-12-31"}):
        assert client.get(f"{URL}export.csv", params).status_code < 500, params
        assert client.get(f"{URL}story/{story.pk}/", params).status_code < 500, params
    assert client.get(URL, {"start": "\x00"}).status_code == 400  # core's null-byte guard


def test_the_story_report(client, alice, story_at):
    industry = factories.IndustryFactory()
    a, _b = _portfolio(story_at, 2, industry)
    client.force_login(alice)
    DealStory.objects.filter(case_study=a).update(
        rep_feedback="helped", customer_reaction="Forwarded it to the board"
    )
    response = client.get(reverse("analytics_dashboard:story", args=[a.pk]))
    assert response.status_code == 200
    assert response.context["feedback"] == [{"label": "it helped", "n": 1}]
    assert "Forwarded it to the board" in response.content.decode()
    assert response.context["row"]["deal_won"] == 1
    assert response.context["row"]["leads"] == 1
    for bad in ("0", "abc", "9" * 30, "99999"):
        assert client.get(f"{URL}story/{bad}/").status_code == 404


def test_csv_cells_cannot_run_formulas():
    for dangerous in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"):
        assert csv_safe(dangerous) == "'" + dangerous
    assert csv_safe("Acme = good") == "Acme = good"
    assert csv_safe(12) == "12"
    assert csv_safe(None) == ""


def test_the_export_escapes_story_titles(client, alice, story_at):
    story_at("published", title='=HYPERLINK("http://evil.example","click")')
    client.force_login(alice)
    response = client.get(reverse("analytics_dashboard:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Story"
    assert rows[1][0].startswith("'=HYPERLINK")
    bad = client.get(reverse("analytics_dashboard:export"), {"start": "nope"})
    assert bad.status_code == 400


def test_send_now_emails_the_program_managers(
    client, alice, story_at, django_capture_on_commit_callbacks
):
    alice.email = "alice@storyline.example"
    alice.save()
    _portfolio(story_at, 1, factories.IndustryFactory())
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("analytics_dashboard:send"), {"start": "2026-01-01", "end": "2026-11-30"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@storyline.example"]
    assert "Case study impact" in message.subject
    assert "Win rate with stories" in message.body
    dispatch = ReportDispatch.objects.get()
    assert (dispatch.kind, dispatch.requested_by, dispatch.sent_at is not None) == (
        "manual",
        alice,
        True,
    )


def test_the_monthly_report_is_sent_once_a_month(alice, django_capture_on_commit_callbacks):
    alice.email = "alice@storyline.example"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_monthly_report() is True
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_monthly_report() is False  # beat fired twice
    assert len(mail.outbox) == 1
    dispatch = ReportDispatch.objects.get()
    assert dispatch.kind == "monthly"
    assert dispatch.period_start.day == 1
    assert dispatch.period_end < timezone.localdate().replace(day=1)
    # A redelivered send task finds the email sent and sends nothing.
    assert not any(redeliver_every_email())
    assert len(mail.outbox) == 1


def test_the_monthly_report_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["analytics-monthly-report"]
    assert entry["task"] == "analytics.tasks.send_monthly_report"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_monthly_report_once(alice):
    alice.email = "alice@storyline.example"
    alice.save()
    with real_worker() as worker:
        finished = worker.finished
        first = tasks.send_monthly_report.apply_async(queue=worker.queue)
        second = tasks.send_monthly_report.apply_async(queue=worker.queue)  # beat fired twice
        assert wait_for(lambda: first.id in finished and second.id in finished)
        assert sorted([finished[first.id], finished[second.id]]) == [False, True]
        assert wait_for(lambda: len(mail.outbox) == 1)
        time.sleep(0.5)
    assert len(mail.outbox) == 1
    assert ReportDispatch.objects.get().sent_at is not None
