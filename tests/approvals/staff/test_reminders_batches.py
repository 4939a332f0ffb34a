"""The reminder sweep works in batches (issue 16, S8): beyond one statement
per email (marking it sent), its queries grow with the number of batches,
and batching keeps "each reminder once" through failed sends, crashes, lease
take-overs and concurrent sweeps."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals import emails, reminders
from approvals.models import ApprovalStep, ReminderLog, StepKind
from core.models import AuditEntry
from tests.approvals.staff import factories_b
from tests.conftest import require_postgres


def _mix(request, user, n):
    """``n`` of each email the sweep writes: a customer reminder (with its
    link's date and whom to ask), an internal reminder, an escalation."""
    steps = []
    for _ in range(n):
        steps.append(factories_b.customer_step(request, days_ago=3))
        steps.append(factories_b.internal_step(request, user=user, days_ago=7))
        steps.append(factories_b.customer_step(request, days_ago=12, kind=StepKind.CUSTOMER_LEGAL))
    return steps


def _sweep_queries(**kwargs):
    with CaptureQueriesContext(connection) as captured:
        result = reminders.reminders_sweep(**kwargs)
    return result, len(captured.captured_queries)


def test_the_sweeps_queries_grow_by_one_per_email(open_request, alice, dave, erin):
    _mix(open_request, dave, 1)
    reminders.reminders_sweep()  # warms the process's caches (content types)
    _mix(open_request, dave, 1)
    mail.outbox = []
    few, few_queries = _sweep_queries()
    assert few.sent == 3 and len(mail.outbox) == 3

    _mix(open_request, dave, 6)  # six times as many emails, one batch
    mail.outbox = []
    many, many_queries = _sweep_queries()
    assert many.sent == 18 and len(mail.outbox) == 18

    # One statement per email (its row marked sent as it goes out: a crash
    # can resend at most that one), everything else per batch.
    assert many_queries - few_queries == 18 - 3
    assert few_queries - 3 <= 15
    assert AuditEntry.objects.filter(action="approvals.reminder.sent").count() == 16
    assert AuditEntry.objects.filter(action="approvals.escalation.sent").count() == 8
    assert ReminderLog.objects.filter(sent_at__isnull=True).count() == 0
    assert not ApprovalStep.objects.filter(
        kind=StepKind.CUSTOMER_LEGAL, escalated_at__isnull=True
    ).exists()


def test_the_sweeps_queries_grow_per_batch(open_request, alice, dave, erin):
    _mix(open_request, dave, 1)
    reminders.reminders_sweep()  # warms the process's caches (content types)
    _mix(open_request, dave, 2)  # 6 emails
    mail.outbox = []
    one, one_batch = _sweep_queries(batch_size=6)

    _mix(open_request, dave, 2)
    mail.outbox = []
    three, three_batches = _sweep_queries(batch_size=2)

    assert (one.sent, three.sent, len(mail.outbox)) == (6, 6, 6)
    per_batch = (three_batches - one_batch) / 2
    # Load the steps (2), record the batch in one transaction (rows sent,
    # steps escalated, audit entries; a savepoint inside the test's own).
    assert 0 < per_batch <= 8


def test_each_email_records_its_own_recipients_and_time(open_request, alice, dave, erin):
    customer, internal, escalated = _mix(open_request, dave, 1)
    mail.outbox = []
    before = timezone.now()

    reminders.reminders_sweep()

    rows = {row.step_id: row for row in ReminderLog.objects.all()}
    assert rows[customer.pk].recipients == customer.reviewer_email
    assert rows[internal.pk].recipients == dave.email
    assert rows[escalated.pk].kind == "escalation"
    assert rows[escalated.pk].recipients == ", ".join(
        sorted([alice.email, dave.email, erin.email], key=str.lower)
    )
    for row in rows.values():
        assert row.sent_at >= before and row.retry_at is None and row.last_error == ""
    escalated.refresh_from_db()
    assert escalated.escalated_at == rows[escalated.pk].sent_at
    entry = AuditEntry.objects.get(action="approvals.escalation.sent")
    assert entry.object_id == str(open_request.pk)
    assert entry.data["step"] == escalated.pk and entry.source == "approvals.reminders"


def test_one_failed_send_in_a_batch_is_retried_alone(open_request, alice):
    steps = [factories_b.customer_step(open_request, days_ago=3) for _ in range(3)]
    mail.outbox = []
    real = emails.send_templated_email
    calls = []

    def second_fails(**kwargs):
        calls.append(kwargs["connection"])
        if len(calls) == 2:
            raise OSError("451 try again later")
        return real(**kwargs)

    with (
        mock.patch("approvals.emails.send_templated_email", side_effect=second_fails),
        mock.patch("approvals.emails.reset_connection", wraps=emails.reset_connection) as reset,
    ):
        result = reminders.reminders_sweep()

    assert (result.claimed, result.sent, result.failed) == (3, 2, 1)
    assert len(set(map(id, calls))) == 1  # one connection for the batch
    assert reset.call_count == 1
    failed = ReminderLog.objects.get(sent_at__isnull=True)
    assert failed.step_id == steps[1].pk and "451" in failed.last_error
    assert failed.retry_at is not None

    later = timezone.now() + reminders.RETRY_AFTER + timedelta(seconds=1)
    again = reminders.reminders_sweep(now=later)
    assert (again.retried, again.sent) == (1, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.reviewer_email for s in steps)


class Crash(BaseException):
    """The worker dying mid-batch (not an Exception: nothing catches it)."""


def test_a_crash_mid_sweep_resends_nothing_that_was_recorded(open_request, alice):
    steps = [factories_b.customer_step(open_request, days_ago=3) for _ in range(3)]
    mail.outbox = []
    real = emails.send_templated_email
    calls = []

    def dies_on_the_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Crash
        return real(**kwargs)

    now = timezone.now()
    with (
        mock.patch("approvals.emails.send_templated_email", side_effect=dies_on_the_second),
        pytest.raises(Crash),
    ):
        reminders.reminders_sweep(now=now)  # the three in one batch

    # The email sent before the crash was recorded as it went out, though its
    # batch never finished; the others stay claimed under their lease.
    assert len(mail.outbox) == 1
    assert ReminderLog.objects.filter(sent_at__isnull=False).count() == 1
    assert ReminderLog.objects.filter(sent_at__isnull=True).count() == 2
    assert reminders.reminders_sweep(now=now + timedelta(minutes=5)).sent == 0

    after_lease = reminders.reminders_sweep(now=now + reminders.LEASE)
    assert (after_lease.claimed, after_lease.retried, after_lease.sent) == (0, 2, 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.reviewer_email for s in steps)
    assert ReminderLog.objects.filter(sent_at__isnull=True).count() == 0


def test_an_overtaken_unsent_row_is_not_retried(open_request):
    """A row claimed for reminder 1 whose sender died, found again on day 8:
    reminder 2 is claimed and sent, reminder 1 never."""
    step = factories_b.customer_step(open_request, days_ago=8)
    now = timezone.now()
    ReminderLog.objects.create(
        step=step,
        kind="reminder",
        sequence=1,
        created_at=now - timedelta(days=5),
        retry_at=now - timedelta(days=5) + reminders.LEASE,
    )
    mail.outbox = []

    result = reminders.reminders_sweep(now=now)

    assert (result.claimed, result.retried, result.sent) == (1, 0, 1)
    assert len(mail.outbox) == 1
    assert ReminderLog.objects.get(step=step, sequence=2).sent_at is not None
    assert ReminderLog.objects.get(step=step, sequence=1).sent_at is None


def _race(sweep, n=2):
    barrier = threading.Barrier(n)
    errors, results = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(sweep())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_three_sweeps_in_small_batches_send_each_email_once(open_request, alice, dave, erin):
    require_postgres()
    steps = _mix(open_request, dave, 8)  # 24 emails
    mail.outbox = []

    results = _race(lambda: reminders.reminders_sweep(batch_size=3), n=3)

    assert sum(r.sent for r in results) == 24
    assert len(mail.outbox) == 24
    assert ReminderLog.objects.filter(step__in=steps, sent_at__isnull=False).count() == 24
    assert AuditEntry.objects.filter(action__startswith="approvals.").count() >= 24


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_taking_over_the_same_expired_leases_send_each_once(open_request, alice):
    require_postgres()
    now = timezone.now()
    steps = [factories_b.customer_step(open_request, days_ago=3) for _ in range(12)]
    # Claimed by a worker that died an hour ago.
    ReminderLog.objects.bulk_create(
        ReminderLog(
            step=step,
            kind="reminder",
            sequence=1,
            created_at=now - timedelta(hours=1),
            retry_at=now - timedelta(hours=1) + reminders.LEASE,
        )
        for step in steps
    )
    mail.outbox = []

    results = _race(lambda: reminders.reminders_sweep(now=now, batch_size=5))

    assert sum(r.retried for r in results) == 12
    assert sum(r.sent for r in results) == 12
    assert len(mail.outbox) == 12
    assert sorted(ReminderLog.objects.values_list("attempts", flat=True)) == [2] * 12
    assert ReminderLog.objects.filter(sent_at__isnull=True).count() == 0
