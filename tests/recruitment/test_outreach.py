"""Sending a request, its answers, and the follow-ups: after the configured
days, at most the configured count, each sent once (a ledger row claimed
before sending), also with a real Celery worker."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from casestudies.models import CaseStudyState, StateChange
from core.errors import TransitionError
from core.models import AuditEntry, OutboxEmail
from recruitment import services
from recruitment.models import Outreach, OutreachFollowUp
from recruitment.tasks import send_due_followups, send_followup
from tests.conftest import deliver_outbox, real_worker, require_postgres, wait_for


def send(candidate, actor, **kwargs):
    return services.outreach_send(
        case_study=candidate,
        contact=candidate.customer.contacts.get(),
        subject="Your story",
        body="Would you take part? About 3 hours over 4-6 weeks.",
        language="en",
        actor=actor,
        **kwargs,
    )


def age(outreach, days):
    Outreach.objects.filter(pk=outreach.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=days)
    )


@pytest.mark.django_db
def test_sending_moves_a_candidate_to_recruiting_and_emails_once(
    candidate, alice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outreach = send(candidate, alice)
    candidate.refresh_from_db()
    assert candidate.state == CaseStudyState.RECRUITING
    assert StateChange.objects.filter(case_study=candidate, to_state="recruiting").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sari@medika.example"]
    assert mail.outbox[0].subject == "Your story"
    outreach.refresh_from_db()
    assert outreach.status == "sent" and outreach.email_sent_at
    assert AuditEntry.objects.filter(action="recruitment.outreach.sent").count() == 1
    # The ask is in the customer's fatigue ledger, once.
    from casestudies.models import CustomerAsk

    asks = CustomerAsk.objects.filter(customer=candidate.customer)
    assert [(a.kind, a.contact_id) for a in asks] == [("case_study", outreach.contact_id)]
    # One open request per story.
    with pytest.raises(TransitionError, match="already waiting"):
        send(candidate, alice)
    assert asks.count() == 1


@pytest.mark.django_db
def test_a_contact_who_left_or_may_not_be_contacted_is_refused(candidate, alice):
    contact = candidate.customer.contacts.get()
    contact.may_contact = False
    contact.save()
    with pytest.raises(TransitionError, match="may not be contacted"):
        send(candidate, alice)


@pytest.mark.django_db
def test_declining_needs_a_reason_and_frees_the_story_for_another_request(candidate, alice):
    outreach = send(candidate, alice)
    with pytest.raises(TransitionError, match="why they declined"):
        services.outreach_decline(outreach=outreach, reason=" ", actor=alice)
    services.outreach_decline(outreach=outreach, reason="Busy until Q3", actor=alice)
    outreach.refresh_from_db()
    assert outreach.status == "declined" and outreach.decline_reason == "Busy until Q3"
    assert send(candidate, alice).status == "sent"


@pytest.mark.django_db
def test_follow_ups_go_out_after_the_configured_days_up_to_the_maximum(candidate, alice, settings):
    settings.STORYLINE = {
        **settings.STORYLINE,
        "OUTREACH_FOLLOWUP_AFTER_DAYS": 5,
        "OUTREACH_FOLLOWUP_MAX": 2,
    }
    outreach = send(candidate, alice)
    deliver_outbox()
    mail.outbox.clear()
    age(outreach, 4)
    assert send_due_followups() == 0
    age(outreach, 5)
    assert send_due_followups() == 1
    assert deliver_outbox() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Following up: Your story"
    assert send_due_followups() == 0  # the second is due at 10 days
    assert send_followup(outreach.pk, 1) is False  # a redelivery: already in the ledger
    age(outreach, 11)
    assert send_due_followups() == 1
    age(outreach, 40)
    assert send_due_followups() == 0  # the maximum is 2
    deliver_outbox()
    assert len(mail.outbox) == 2
    assert list(outreach.followups.values_list("number", flat=True)) == [1, 2]
    # A week after the last one, the request is marked "no answer".
    OutreachFollowUp.objects.filter(outreach=outreach).update(
        claimed_at=timezone.now() - datetime.timedelta(days=8)
    )
    send_due_followups()
    outreach.refresh_from_db()
    assert outreach.status == "no_answer"


@pytest.mark.django_db
def test_an_answered_request_is_not_followed_up(candidate, alice):
    outreach = send(candidate, alice)
    services.outreach_mark_opened(outreach=outreach, actor=alice)
    age(outreach, 30)
    services.outreach_decline(outreach=outreach, reason="No time", actor=alice)
    mail.outbox.clear()
    assert send_due_followups() == 0
    assert send_followup(outreach.pk, 1) is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failed_send_is_retried_and_sent_once(candidate, alice, monkeypatch):
    outreach = send(candidate, alice)
    deliver_outbox()
    age(outreach, 6)
    mail.outbox.clear()

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    assert send_followup(outreach.pk, 1) is True
    monkeypatch.setattr("recruitment.emails.send_templated_email", broken)
    assert deliver_outbox() == 0
    row = OutboxEmail.objects.get(key=f"recruitment.followup:{outreach.pk}:1")
    assert row.status == OutboxEmail.Status.PENDING and "SMTP down" in row.last_error
    monkeypatch.undo()
    OutboxEmail.objects.filter(pk=row.pk).update(not_before=timezone.now())
    assert deliver_outbox() == 1
    assert deliver_outbox() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_follow_ups_send_once(candidate, alice):
    require_postgres()
    outreach = send(candidate, alice)
    age(outreach, 6)
    mail.outbox.clear()
    results = []
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        try:
            results.append(send_followup(outreach.pk, 1))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert OutreachFollowUp.objects.filter(outreach=outreach).count() == 1
    assert OutboxEmail.objects.filter(kind="recruitment.followup").count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_follow_up_once(candidate, alice):
    with real_worker() as worker:
        finished = worker.finished
        mail.outbox = []
        outreach = send(candidate, alice)  # the request itself goes through the worker
        assert wait_for(lambda: len(mail.outbox) == 1)
        age(outreach, 6)
        # The sweep twice (a beat overlap) and a redelivered task: one email.
        first = send_due_followups.apply_async(queue=worker.queue)
        second = send_due_followups.apply_async(queue=worker.queue)
        again = send_followup.apply_async(args=[outreach.pk, 1], queue=worker.queue)
        assert wait_for(lambda: {first.id, second.id, again.id} <= finished.keys())
        assert wait_for(lambda: len(mail.outbox) == 2)
        time.sleep(1)  # let any duplicate surface
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Following up: Your story"
    assert OutreachFollowUp.objects.filter(outreach=outreach).count() == 1


def _respond_url(message):
    import re

    match = re.search(r"https?://\S+/recruitment/respond/(\S+)/", message.body)
    assert match, message.body
    return f"/recruitment/respond/{match.group(1)}/"


@pytest.mark.django_db
def test_the_customer_accepts_through_the_link_in_the_email(
    candidate, alice, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outreach = send(candidate, alice)
    url = _respond_url(mail.outbox[0])
    page = client.get(url)
    assert page.status_code == 200
    assert "About 3 hours in total" in page.content.decode()
    outreach.refresh_from_db()
    assert outreach.status == "sent"  # a GET changes nothing
    assert client.post(url, {"answer": "yes"}).status_code == 200
    outreach.refresh_from_db()
    candidate.refresh_from_db()
    assert outreach.status == "accepted"
    assert candidate.state == CaseStudyState.INTERVIEWING
    assert AuditEntry.objects.filter(
        action="recruitment.outreach.accepted", source="response-link"
    ).exists()
    # Answered: the link now says so; a second POST changes nothing.
    assert "Already answered" in client.post(url, {"answer": "no"}).content.decode()
    outreach.refresh_from_db()
    assert outreach.status == "accepted"


@pytest.mark.django_db
def test_the_customer_can_say_not_now_through_the_link(
    candidate, alice, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outreach = send(candidate, alice)
    url = _respond_url(mail.outbox[0])
    client.post(url, {"answer": "no", "reason": "Ask us after the audit"})
    outreach.refresh_from_db()
    assert outreach.status == "declined" and outreach.decline_reason == "Ask us after the audit"


@pytest.mark.django_db
def test_a_wrong_link_is_a_plain_404(client):
    for token in ("nope", "x" * 300, "%00", "²"):
        response = client.get(f"/recruitment/respond/{token}/")
        assert response.status_code in (400, 404)
