"""Reminders on the guide's cadence (day 3, 7, 10), escalation on day 12, a
daily digest; each email exactly once whatever retries, redeliveries or
concurrent sweeps happen."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format

from approvals import reminders, tasks
from approvals.models import ApprovalDigest, ApprovalStep, ReminderLog, StepKind
from core.models import AuditEntry
from tests.approvals.staff import factories_b
from tests.conftest import require_postgres


def _rows(step):
    return list(
        ReminderLog.objects.filter(step=step).order_by("pk").values_list("kind", "sequence")
    )


def test_it_follows_the_cadence_and_sends_each_reminder_once(open_request, alice):
    step = factories_b.customer_step(open_request, days_ago=2)
    mail.outbox = []

    assert reminders.reminders_sweep().sent == 0
    assert mail.outbox == []

    now = timezone.now()
    for day, expected in [
        (3, [("reminder", 1)]),
        (5, []),
        (7, [("reminder", 2)]),
        (10, [("reminder", 3)]),
    ]:
        mail.outbox = []
        later = now + timedelta(days=day - 2)
        reminders.reminders_sweep(now=later)
        reminders.reminders_sweep(now=later)  # a second sweep the same hour: nothing more
        assert len(mail.outbox) == len(expected), day
        if expected:
            assert _rows(step)[-1] == expected[0]
            assert mail.outbox[0].to == [step.reviewer_email]
    assert _rows(step) == [("reminder", 1), ("reminder", 2), ("reminder", 3)]
    assert ReminderLog.objects.filter(step=step, sent_at__isnull=True).count() == 0


def test_a_customer_reminder_has_no_token_and_names_whom_to_ask(open_request, alice):
    step = factories_b.customer_step(open_request, days_ago=3)
    mail.outbox = []

    reminders.reminders_sweep()

    [message] = mail.outbox
    body = message.body + message.alternatives[0][0]
    assert "/review/" not in body and "http" not in message.body
    assert alice.email in message.body  # the story's owner re-sends the link
    link_date = step.links.get().sent_at
    assert f"our email of {date_format(link_date, 'DATE_FORMAT')}" in message.body
    assert "Reminder" in message.subject
    log = ReminderLog.objects.get(step=step)
    assert log.sent_at is not None and log.recipients == step.reviewer_email
    assert AuditEntry.objects.filter(action="approvals.reminder.sent").count() == 1


def test_a_step_found_late_gets_only_the_latest_reminder(open_request):
    step = factories_b.customer_step(open_request, days_ago=8)
    mail.outbox = []

    reminders.reminders_sweep()

    assert len(mail.outbox) == 1
    assert _rows(step) == [("reminder", 2)]  # reminder 1 is never sent


def test_an_internal_reviewer_is_pointed_to_the_admin_request_page(open_request, dave):
    factories_b.internal_step(open_request, user=dave, days_ago=3)
    mail.outbox = []

    reminders.reminders_sweep()

    [message] = mail.outbox
    assert message.to == [dave.email]
    assert f"/admin/approvals/approvalrequest/{open_request.pk}/change/" in message.body


def test_it_escalates_to_the_account_owner_and_the_program_managers(
    open_request, alice, dave, erin, bob
):
    step = factories_b.customer_step(open_request, days_ago=12)
    mail.outbox = []

    reminders.reminders_sweep()
    reminders.reminders_sweep()

    [message] = mail.outbox
    assert sorted(message.to) == sorted([alice.email, dave.email, erin.email])
    assert step.reviewer_email not in message.to
    assert step.reviewer_name in message.body
    assert "12 days" in message.body
    assert _rows(step) == [("escalation", 1)]
    step.refresh_from_db()
    assert step.escalated_at is not None
    # Past the escalation nothing more goes out.
    mail.outbox = []
    reminders.reminders_sweep(now=timezone.now() + timedelta(days=20))
    assert mail.outbox == []


def test_decided_waiting_and_closed_steps_get_nothing(open_request, in_review):
    decided = factories_b.customer_step(open_request, days_ago=5)
    factories_b.decide(decided)
    factories_b.customer_step(open_request, days_ago=5, status=ApprovalStep.Status.WAITING)
    mail.outbox = []

    reminders.reminders_sweep()

    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_a_failed_send_is_retried_on_the_same_row(open_request):
    step = factories_b.customer_step(open_request, days_ago=3)
    mail.outbox = []

    with mock.patch("approvals.emails.send_templated_email", side_effect=OSError("smtp down")):
        result = reminders.reminders_sweep()
    assert (result.claimed, result.sent, result.failed) == (1, 0, 1)
    row = ReminderLog.objects.get(step=step)
    assert row.sent_at is None and "smtp down" in row.last_error

    # Too soon: the row waits for its retry time.
    assert reminders.reminders_sweep().sent == 0
    later = timezone.now() + reminders.RETRY_AFTER + timedelta(seconds=1)
    result = reminders.reminders_sweep(now=later)
    assert (result.claimed, result.retried, result.sent) == (0, 1, 1)
    assert len(mail.outbox) == 1
    row = ReminderLog.objects.get(step=step)  # still the only row
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""


def test_a_sender_that_died_mid_send_is_taken_over_after_its_lease(open_request):
    step = factories_b.customer_step(open_request, days_ago=3)
    now = timezone.now()
    # Claimed by a worker that never came back.
    ReminderLog.objects.create(
        step=step, kind="reminder", sequence=1, created_at=now, retry_at=now + reminders.LEASE
    )
    mail.outbox = []

    assert reminders.reminders_sweep(now=now + timedelta(minutes=1)).sent == 0
    assert reminders.reminders_sweep(now=now + reminders.LEASE).sent == 1
    assert len(mail.outbox) == 1
    assert ReminderLog.objects.filter(step=step).count() == 1


def test_a_redelivered_task_sends_one_email(open_request):
    factories_b.customer_step(open_request, days_ago=7)
    factories_b.customer_step(open_request, days_ago=3, kind=StepKind.CUSTOMER_LEGAL)
    mail.outbox = []

    first = tasks.send_approval_reminders.apply().get()
    again = tasks.send_approval_reminders.apply().get()

    assert first == {"sent": 2, "failed": 0}
    assert again == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 2


def test_the_command_sends_reminders_and_the_digest(open_request, alice, dave, capsys):
    factories_b.customer_step(open_request, days_ago=11)
    mail.outbox = []

    call_command("send_approval_reminders")
    call_command("send_approval_reminders")

    out = capsys.readouterr().out
    assert "1 sent (1 new, 0 retried)" in out
    assert "Digests: 2 sent." in out and "Digests: 0 sent." in out
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 3 and sum("overdue approval" in s for s in subjects) == 2


def test_the_digest_goes_to_each_program_manager_once_a_day(open_request, alice, dave):
    late = factories_b.customer_step(
        open_request, days_ago=4, due_on=timezone.localdate() - timedelta(days=1)
    )
    factories_b.customer_step(open_request, days_ago=1)  # not overdue
    mail.outbox = []

    assert reminders.digests_send() == 2
    assert reminders.digests_send() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, dave.email])
    assert late.reviewer_name in mail.outbox[0].body
    assert "1 overdue approval" in mail.outbox[0].subject
    assert ApprovalDigest.objects.filter(sent_at__isnull=False).count() == 2

    tomorrow = timezone.now() + timedelta(days=1)
    assert reminders.digests_send(now=tomorrow) == 2


def test_no_digest_when_nothing_is_overdue(open_request, alice):
    factories_b.customer_step(open_request, days_ago=1)
    mail.outbox = []
    assert reminders.digests_send() == 0
    assert mail.outbox == []
    assert not ApprovalDigest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_in_parallel_send_one_email_each(open_request, alice, dave):
    require_postgres()
    steps = [factories_b.customer_step(open_request, days_ago=d) for d in (3, 3, 7, 10, 12)]
    mail.outbox = []
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait(timeout=10)
            reminders.reminders_sweep()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(mail.outbox) == 5
    assert ReminderLog.objects.filter(step__in=steps, sent_at__isnull=False).count() == 5


def test_a_customer_reviewing_an_indonesian_story_is_reminded_in_indonesian(in_review, alice):
    from casestudies import services

    base = in_review.versions.order_by("-number").first()
    version = services.story_version_create(
        case_study=in_review,
        actor=alice,
        title="Tutup buku lebih cepat",
        sections=base.sections(),
        language="id",
    )
    request = factories_b.approval_request(in_review, actor=alice, version=version)
    factories_b.customer_step(request, days_ago=3)
    mail.outbox = []

    reminders.reminders_sweep()

    [message] = mail.outbox
    assert message.subject == "Pengingat: tinjauan Anda atas “Tutup buku lebih cepat”"
    assert "pengingat ini tidak berisi tautan" in message.body


def test_with_no_owner_the_customer_is_told_to_reply(open_request):
    case_study = open_request.case_study
    case_study.owner = None
    case_study.save(update_fields=["owner"])
    case_study.customer.account_owner = None
    case_study.customer.save(update_fields=["account_owner"])
    factories_b.customer_step(open_request, days_ago=3)
    mail.outbox = []

    reminders.reminders_sweep()

    assert "Reply to this email" in mail.outbox[0].body


def test_escalation_with_nobody_to_tell_is_recorded_not_retried(open_request, alice):
    Group = alice.groups.model
    alice.groups.clear()
    assert not Group.objects.get(name="Program managers").user_set.exists()
    open_request.case_study.owner = None
    open_request.case_study.save(update_fields=["owner"])
    open_request.case_study.customer.account_owner = None
    open_request.case_study.customer.save(update_fields=["account_owner"])
    step = factories_b.customer_step(open_request, days_ago=12)
    mail.outbox = []

    result = reminders.reminders_sweep()
    later = reminders.reminders_sweep(now=timezone.now() + timedelta(hours=2))

    assert (result.failed, later.sent, later.retried) == (1, 0, 0)
    assert mail.outbox == []
    row = ReminderLog.objects.get(step=step)
    assert row.sent_at is None and row.retry_at is None and "Nobody" in row.last_error


def test_a_request_whose_version_was_replaced_is_not_chased(open_request, alice):
    """Text saved after the request went out makes it stale: reminding people
    to approve words that already changed would only confuse them."""
    from casestudies import services as cs_services
    from casestudies.models import SECTION_FIELDS

    step = factories_b.customer_step(open_request, days_ago=3)
    version = open_request.version
    cs_services.story_version_create(
        case_study=open_request.case_study,
        actor=alice,
        title=version.title,
        sections={
            **{name: getattr(version, name) for name in SECTION_FIELDS},
            "summary": version.summary + " Edited after the request went out.",
        },
        language=version.language,
    )
    mail.outbox = []

    assert reminders.reminders_sweep().sent == 0
    assert mail.outbox == []
    assert ReminderLog.objects.filter(step=step).count() == 0
