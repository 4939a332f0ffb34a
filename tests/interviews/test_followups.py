import threading

import pytest
from django.core import mail
from django.db import connections

from core.errors import TransitionError
from core.models import OutboxEmail
from core.tasks import deliver_email
from interviews import services
from interviews.emails import followups_email
from interviews.models import FollowUpQuestion
from tests.conftest import (
    deliver_outbox,
    real_worker,
    redeliver_every_email,
    require_postgres,
    wait_for,
)


def _questions(interview, alice, contact, n):
    return [
        services.followup_add(
            interview=interview, contact=contact, question=f"Question {i}?", actor=alice
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.django_db
def test_all_unsent_questions_for_a_contact_go_in_one_email_once(
    interview, alice, django_capture_on_commit_callbacks
):
    sari = interview.stakeholders.get(contact__name="Sari Wijaya").contact
    budi = interview.stakeholders.get(contact__name="Budi Santoso").contact
    _questions(interview, alice, sari, 3)
    _questions(interview, alice, budi, 1)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.followups_send(interview=interview, contact=sari, actor=alice) == 3
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [sari.email]
    for i in (1, 2, 3):
        assert f"Question {i}?" in mail.outbox[0].body
    sent = FollowUpQuestion.objects.filter(contact=sari)
    assert all(q.sent_at for q in sent)
    assert len({q.sent_batch for q in sent}) == 1
    assert not FollowUpQuestion.objects.get(contact=budi).sent_at

    # A retry sends nothing; a second click is refused.
    assert not any(redeliver_every_email())
    with pytest.raises(TransitionError, match="no unsent follow-up"):
        services.followups_send(interview=interview, contact=sari, actor=alice)
    assert len(mail.outbox) == 1

    # A later question goes out on its own.
    _questions(interview, alice, sari, 1)
    services.followups_send(interview=interview, contact=sari, actor=alice)
    assert deliver_outbox() == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_an_answer_is_recorded_against_its_question(interview, alice):
    sari = interview.stakeholders.get(contact__name="Sari Wijaya").contact
    (question,) = _questions(interview, alice, sari, 1)
    with pytest.raises(TransitionError, match="Send the question"):
        services.followup_answer(followup=question, answer="400 hours", actor=alice)
    services.followups_send(interview=interview, contact=sari, actor=alice)
    deliver_outbox()
    services.followup_answer(followup=question, answer="400 hours a year.", actor=alice)
    question.refresh_from_db()
    assert question.answer == "400 hours a year."
    assert question.answered_at is not None


@pytest.mark.django_db
def test_only_a_stakeholder_can_be_asked(interview, alice):
    from tests import factories

    other = factories.ContactFactory(customer=interview.case_study.customer)
    with pytest.raises(TransitionError, match="not a stakeholder"):
        services.followup_add(interview=interview, contact=other, question="Q?", actor=alice)


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_for_one_contact_send_the_questions_once(interview, alice):
    """Two clicks queued two emails; four workers race over them: one email."""
    require_postgres()
    sari = interview.stakeholders.get(contact__name="Sari Wijaya").contact
    _questions(interview, alice, sari, 2)
    for key in ("a", "b"):
        OutboxEmail.objects.create(
            kind="interviews.followups",
            key=f"race:{key}",
            payload={"interview": interview.pk, "contact": sari.pk},
        )
    rows = list(OutboxEmail.objects.filter(key__startswith="race:"))
    mail.outbox.clear()
    results = []
    barrier = threading.Barrier(4)

    def run(row):
        barrier.wait()
        try:
            results.append(bool(followups_email(row)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(rows[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_follow_ups_once(interview, alice):
    sari = interview.stakeholders.get(contact__name="Sari Wijaya").contact
    _questions(interview, alice, sari, 2)
    mail.outbox = []
    with real_worker() as worker:
        finished = worker.finished
        services.followups_send(interview=interview, contact=sari, actor=alice)
        assert wait_for(lambda: len(mail.outbox) == 1)
        # A redelivery of the same task finds nothing left to send.
        row = OutboxEmail.objects.get(kind="interviews.followups")
        result = deliver_email.apply_async(args=[row.pk], queue=worker.queue)
        assert wait_for(lambda: result.id in finished)
        assert finished[result.id] is False
    assert len(mail.outbox) == 1
    assert "Question 1?" in mail.outbox[0].body and "Question 2?" in mail.outbox[0].body
    assert FollowUpQuestion.objects.filter(contact=sari, sent_at__isnull=True).count() == 0
