import threading

import pytest
from django.core import mail
from django.db import connections

from casestudies.services import TransitionError
from interviews import services
from interviews.models import FollowUpQuestion
from interviews.tasks import send_followups
from tests.conftest import real_worker, require_postgres, wait_for


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
    assert send_followups(interview.pk, sari.pk) == 0
    with pytest.raises(TransitionError, match="no unsent follow-up"):
        services.followups_send(interview=interview, contact=sari, actor=alice)
    assert len(mail.outbox) == 1

    # A later question goes out on its own.
    _questions(interview, alice, sari, 1)
    assert send_followups(interview.pk, sari.pk) == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_an_answer_is_recorded_against_its_question(interview, alice):
    sari = interview.stakeholders.get(contact__name="Sari Wijaya").contact
    (question,) = _questions(interview, alice, sari, 1)
    with pytest.raises(TransitionError, match="Send the question"):
        services.followup_answer(followup=question, answer="400 hours", actor=alice)
    send_followups(interview.pk, sari.pk)
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
def test_concurrent_sends_claim_the_questions_once(interview, alice):
    require_postgres()
    sari = interview.stakeholders.get(contact__name="Sari Wijaya").contact
    _questions(interview, alice, sari, 2)
    mail.outbox.clear()
    results = []
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        try:
            results.append(send_followups(interview.pk, sari.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 0, 0, 2]
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
        result = send_followups.apply_async(args=[interview.pk, sari.pk], queue=worker.queue)
        assert wait_for(lambda: result.id in finished)
        assert finished[result.id] == 0
    assert len(mail.outbox) == 1
    assert "Question 1?" in mail.outbox[0].body and "Question 2?" in mail.outbox[0].body
    assert FollowUpQuestion.objects.filter(contact=sari, sent_at__isnull=True).count() == 0
