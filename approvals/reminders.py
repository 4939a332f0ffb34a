"""Approval reminders, escalation and the program managers' daily digest.

The guide ("Customer Review and Approval"): allow one to two weeks; some
customers answer within a day, "others need three reminder emails". A pending
step (its request still open) is reminded on the days of
``STORYLINE["APPROVAL_REMINDER_DAYS"]`` (3, 7, 10) counted from when it was
asked (``activated_at``); on ``STORYLINE["APPROVAL_ESCALATION_DAY"]`` (12) the
customer's account owner and the program managers are told instead, and the
step's ``escalated_at`` is set. Program managers get one digest a day of
what is overdue.

Never twice
-----------
Each reminder is a :class:`ReminderLog` row ``(step, kind, sequence)`` with a
unique constraint, inserted (``ON CONFLICT DO NOTHING``, in batches, each its
own transaction) and committed *before* the email is sent; a row another
sweep inserted first is not returned to this one, which leaves it alone. A failed
send keeps the row (``sent_at`` empty, ``retry_at`` set) and a later sweep
takes *that row* over with a compare-and-set on ``attempts``; a sender that
died mid-send holds a lease (``retry_at``, :data:`LEASE`) before anyone else
may retry. So redelivered tasks, restarts and concurrent sweeps send one
email per row. Emails go out in batches over one email connection; each row
is marked sent by one statement right after its email went out (so a worker
killed mid-batch can send at most that one email again, after its lease),
and the batch's escalation marks and audit entries are written in one
transaction at its end. The digest
uses the same claim with :class:`ApprovalDigest`
``(day, user)``.

Only the latest due reminder goes out: a step first seen on day 8 gets
reminder 2 and reminder 1 is simply never sent (no row is written for it);
from the escalation day on, only the escalation is sent.

Customer reviewers' reminders carry no link: tokens are stored only as
hashes. They name the date of the email with the link and the person at our
side who can re-send it. Internal reviewers get the admin request page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from approvals import emails
from approvals.models import (
    ApprovalDigest,
    ApprovalRequest,
    ApprovalStep,
    ReminderLog,
    ReviewLink,
)
from casestudies.models import StoryVersion
from core.audit import audit_log_many
from core.roles import PROGRAM_MANAGERS

logger = logging.getLogger(__name__)

# How long a sender owns a claimed row before another sweep may retry it
# (a worker that died mid-send); far longer than one email takes.
LEASE = timedelta(minutes=30)
# A failed send is retried by the next sweep after this pause, at most
# MAX_ATTEMPTS times in all.
RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5
# Ledger rows claimed per INSERT statement.
CLAIM_BATCH = 500
# The digest lists at most this many steps (the oldest first) and says how
# many more there are.
DIGEST_LIMIT = 100

REMINDER = ReminderLog.Kind.REMINDER
ESCALATION = ReminderLog.Kind.ESCALATION


@dataclass(frozen=True)
class Due:
    kind: str
    sequence: int


def reminder_days() -> tuple[int, ...]:
    return tuple(sorted(int(d) for d in settings.STORYLINE.get("APPROVAL_REMINDER_DAYS", ())))


def escalation_day() -> int | None:
    day = settings.STORYLINE.get("APPROVAL_ESCALATION_DAY")
    return int(day) if day else None


def due_for(*, days: int, last_reminder: int, escalated: bool) -> Due | None:
    """What a step pending for ``days`` full days should get now, if anything."""
    escalate_on = escalation_day()
    if escalate_on is not None and days >= escalate_on:
        return None if escalated else Due(ESCALATION, 1)
    reached = sum(1 for day in reminder_days() if days >= day)
    if reached > last_reminder:
        return Due(REMINDER, reached)
    return None


def _first_day() -> int:
    days = [*reminder_days(), escalation_day() or 0]
    return min(d for d in days if d > 0) if any(d > 0 for d in days) else 0


def _pending():
    """Pending steps of open requests whose version is still the newest of
    its language (a stale request is about to be replaced: nobody is chased
    to approve text that has already changed)."""
    newer = StoryVersion.objects.filter(
        case_study_id=OuterRef("request__case_study_id"),
        language=OuterRef("request__version__language"),
        number__gt=OuterRef("request__version__number"),
    )
    return ApprovalStep.objects.filter(
        status=ApprovalStep.Status.PENDING,
        request__status=ApprovalRequest.Status.OPEN,
        activated_at__isnull=False,
    ).exclude(Exists(newer))


def _candidates(now: datetime):
    """Pending steps old enough for a reminder, with what they already got."""
    last_reminder = (
        ReminderLog.objects.filter(step=OuterRef("pk"), kind=REMINDER)
        .order_by("-sequence")
        .values("sequence")[:1]
    )
    return (
        _pending()
        .filter(activated_at__lte=now - timedelta(days=_first_day()))
        .annotate(
            last_reminder=Coalesce(Subquery(last_reminder, output_field=IntegerField()), Value(0)),
            escalated=Exists(ReminderLog.objects.filter(step=OuterRef("pk"), kind=ESCALATION)),
        )
        .order_by()
        .values_list("pk", "activated_at", "last_reminder", "escalated")
    )


# --- claiming -----------------------------------------------------------------


def _claim(items: list[tuple[int, Due]], now: datetime) -> list[ReminderLog]:
    """Insert the ledger rows, in transactions of their own, before anything
    is sent; return the rows this call inserted. A row that already exists
    (another sweep, an earlier run) is skipped by the database itself
    (``ON CONFLICT DO NOTHING`` on the unique constraint, PostgreSQL and
    SQLite alike), so a batch of claims is one statement, not one each."""
    ops = connection.ops
    field = ReminderLog._meta.get_field
    columns = ["step", "kind", "sequence", "created_at", "attempts", "retry_at"]
    names = ", ".join(ops.quote_name(field(c).column) for c in [*columns, "recipients"])
    names += ", " + ops.quote_name(field("last_error").column)
    conflict = ", ".join(ops.quote_name(field(c).column) for c in ("step", "kind", "sequence"))
    table = ops.quote_name(ReminderLog._meta.db_table)
    created = ops.adapt_datetimefield_value(now)
    lease = ops.adapt_datetimefield_value(now + LEASE)
    claimed: list[ReminderLog] = []
    for start in range(0, len(items), CLAIM_BATCH):
        chunk = items[start : start + CLAIM_BATCH]
        values = ", ".join(["(%s, %s, %s, %s, 1, %s, '', '')"] * len(chunk))
        params: list = []
        for step_id, due in chunk:
            params += [step_id, due.kind, due.sequence, created, lease]
        sql = (
            f"INSERT INTO {table} ({names}) VALUES {values} "  # noqa: S608 - our own names
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING "
            f"{ops.quote_name('id')}, {ops.quote_name(field('step').column)}, "
            f"{ops.quote_name('kind')}, {ops.quote_name('sequence')}"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            returned = cursor.fetchall()
        claimed += [
            ReminderLog(
                pk=pk,
                step_id=step_id,
                kind=kind,
                sequence=sequence,
                created_at=now,
                attempts=1,
                retry_at=now + LEASE,
            )
            for pk, step_id, kind, sequence in returned
        ]
    return claimed


def _take_over(row, model, now: datetime) -> bool:
    """Compare-and-set on ``attempts``: exactly one sweep wins an unsent row."""
    return (
        model.objects.filter(pk=row.pk, sent_at__isnull=True, attempts=row.attempts).update(
            attempts=F("attempts") + 1, retry_at=now + LEASE
        )
        == 1
    )


def _take_over_many(rows: list[ReminderLog], now: datetime) -> list[ReminderLog]:
    """:func:`_take_over` for many ledger rows in one statement per
    :data:`CLAIM_BATCH`: each row is won only if it is still unsent with the
    ``attempts`` this sweep read. On PostgreSQL the rows are locked in id
    order first (``FOR UPDATE`` re-reads a row another sweep just changed and
    drops it), so two sweeps taking over the same rows cannot deadlock."""
    ops = connection.ops
    field = ReminderLog._meta.get_field
    table = ops.quote_name(ReminderLog._meta.db_table)
    pk = ops.quote_name(ReminderLog._meta.pk.column)
    attempts = ops.quote_name(field("attempts").column)
    retry_at = ops.quote_name(field("retry_at").column)
    sent_at = ops.quote_name(field("sent_at").column)
    lease = ops.adapt_datetimefield_value(now + LEASE)
    won: list[ReminderLog] = []
    for start in range(0, len(rows), CLAIM_BATCH):
        chunk = sorted(rows[start : start + CLAIM_BATCH], key=lambda row: row.pk)
        cas = " OR ".join([f"({pk} = %s AND {attempts} = %s)"] * len(chunk))
        params: list = [lease]
        for row in chunk:
            params += [row.pk, row.attempts]
        where = f"{sent_at} IS NULL AND ({cas})"
        if connection.features.has_select_for_update:
            where = f"{pk} IN (SELECT {pk} FROM {table} WHERE {where} ORDER BY {pk} FOR UPDATE)"  # noqa: S608
        sql = (
            f"UPDATE {table} SET {attempts} = {attempts} + 1, {retry_at} = %s "  # noqa: S608
            f"WHERE {where} RETURNING {pk}"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = {pk_ for (pk_,) in cursor.fetchall()}
        for row in chunk:
            if row.pk in ids:
                row.attempts += 1
                row.retry_at = now + LEASE
                won.append(row)
    return won


def _retryable_reminders(now: datetime):
    """Claimed, unsent rows whose lease passed, for steps still pending; only
    a step's newest row (an older one was overtaken by a later reminder)."""
    newer = ReminderLog.objects.filter(
        step=OuterRef("step_id"), created_at__gt=OuterRef("created_at")
    )
    return (
        ReminderLog.objects.filter(
            sent_at__isnull=True,
            retry_at__lte=now,
            attempts__lt=MAX_ATTEMPTS,
            step__in=_pending(),
        )
        .exclude(Exists(newer))
        .order_by("pk")
    )


# --- who hears, and what ----------------------------------------------------------


def program_managers():
    return (
        get_user_model()
        .objects.filter(groups__name=PROGRAM_MANAGERS, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def request_admin_url(request_id: int) -> str:
    """The staff page of an approval request (the admin's change page)."""
    try:
        path = reverse("admin:approvals_approvalrequest_change", args=[request_id])
    except NoReverseMatch:
        path = f"/admin/approvals/approvalrequest/{request_id}/change/"
    return f"{settings.SITE_URL}{path}"


# What a reminder, an escalation and its audit entry read of the step's
# story, customer, version and people (approvals/emails.py, the templates
# emails/approval_{reminder_customer,reminder_internal,escalation}_*): only
# these columns are loaded, not the story's text. A template reading another
# field would cost a query per email (tests/approvals/staff/test_reminders.py
# counts them).
_USER = ["email", "is_active", "first_name", "last_name", "username"]
_READ = [
    "request__case_study__title",
    "request__case_study__customer_id",
    "request__case_study__owner_id",
    "request__case_study__customer__name",
    "request__case_study__customer__account_owner_id",
    *(f"request__case_study__customer__account_owner__{f}" for f in _USER),
    *(f"request__case_study__owner__{f}" for f in _USER),
    "request__version__title",
    "request__version__number",
    "request__version__language",
    *(f"user__{f}" for f in _USER),
]


def _load_steps(step_ids):
    """The steps of one batch with everything their emails show: two queries."""
    own = [f.name for f in ApprovalStep._meta.concrete_fields]
    request = [f"request__{f.name}" for f in ApprovalRequest._meta.concrete_fields]
    links = ReviewLink.objects.only("step_id", "created_at", "sent_at", "revoked_at")
    return (
        ApprovalStep.objects.select_related(
            "request__case_study__customer__account_owner",
            "request__case_study__owner",
            "request__version",
            "user",
        )
        .only(*own, *request, *_READ)
        .prefetch_related(Prefetch("links", queryset=links))
        .in_bulk(step_ids)
    )


def _update_each(
    model, columns: list[str], values: list[tuple], *, also=None, only_if_null: str = ""
) -> None:
    """One UPDATE giving many rows values of their own: ``values`` holds
    ``(pk, value of each column...)``; ``also`` sets the same value on every
    row; ``only_if_null`` leaves rows whose that field is already set.
    (``UPDATE ... FROM (VALUES ...)``, PostgreSQL and SQLite >= 3.33 alike: the
    ORM's ``bulk_update`` builds a CASE per row and field, which costs more
    Python time than the emails.)"""
    if not values:
        return
    ops = connection.ops
    meta = model._meta
    table = ops.quote_name(meta.db_table)
    fields = [meta.get_field(name) for name in columns]
    sets = [
        f"{ops.quote_name(field.column)} = v.column{i}" for i, field in enumerate(fields, start=2)
    ]
    params: list = []
    for name, value in (also or {}).items():
        field = meta.get_field(name)
        sets.append(f"{ops.quote_name(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    rows = ", ".join(["(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"] * len(values))
    for pk, *cells in values:
        params.append(pk)
        params += [
            f.get_db_prep_save(cell, connection) for f, cell in zip(fields, cells, strict=True)
        ]
    where = f"{table}.{ops.quote_name(meta.pk.column)} = v.column1"
    if only_if_null:
        where += f" AND {table}.{ops.quote_name(meta.get_field(only_if_null).column)} IS NULL"
    sql = (
        f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES {rows}) AS v "  # noqa: S608
        f"WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _deliver_batch(
    rows: list[ReminderLog], now: datetime, managers: list, result: SweepResult
) -> None:
    """Send one batch of claimed ledger rows over one email connection. Each
    row is marked sent (``sent_at``, recipients) by one statement right after
    its email went out; the batch's outcome is then recorded in one
    transaction: the steps escalated, the audit entries, the rows that failed
    (retried after :data:`RETRY_AFTER`) or had nobody to go to. The steps and
    everything their emails show are loaded in two queries per batch.

    A crash mid-batch leaves the rows not yet sent claimed under their lease,
    so they are retried (never re-claimed) once it has passed; at most the
    one email being sent at that moment can go out twice."""
    steps = _load_steps([row.step_id for row in rows])
    admin_urls: dict[int, str] = {}
    sent: list[tuple[ReminderLog, ApprovalStep, list[str]]] = []
    failed: list[ReminderLog] = []
    nobody: list[int] = []
    with emails.reminder_connection() as mailer:
        for row in rows:
            step = steps[row.step_id]
            if step.request_id not in admin_urls:
                admin_urls[step.request_id] = request_admin_url(step.request_id)
            name, to, context, language = emails.reminder_message(
                step,
                escalation=row.kind == ESCALATION,
                sequence=row.sequence,
                days=(now - step.activated_at).days if step.activated_at else 0,
                reminders_total=len(reminder_days()),
                admin_url=admin_urls[step.request_id],
                managers=managers,
            )
            if not to:
                nobody.append(row.pk)
                continue
            try:
                emails.send_reminder(
                    name=name, to=to, context=context, language=language, connection=mailer
                )
            except Exception as exc:  # any transport error: the row is retried later
                logger.warning(
                    "approval %s %s for step %s failed: %s", row.kind, row.sequence, step.pk, exc
                )
                row.retry_at = now + RETRY_AFTER
                row.last_error = str(exc)[:300] or exc.__class__.__name__
                failed.append(row)
                emails.reset_connection(mailer)
                continue
            row.sent_at = timezone.now()
            row.retry_at = None
            row.last_error = ""
            row.recipients = ", ".join(to)
            # Recorded at once, not with the batch: a worker killed later in
            # the batch leaves no email it sent looking unsent.
            _update_each(
                ReminderLog,
                ["sent_at", "recipients"],
                [(row.pk, row.sent_at, row.recipients)],
                also={"retry_at": None, "last_error": ""},
            )
            sent.append((row, step, to))

    with transaction.atomic():
        if sent:
            _update_each(
                ApprovalStep,
                ["escalated_at"],
                [(step.pk, row.sent_at) for row, step, _to in sent if row.kind == ESCALATION],
                only_if_null="escalated_at",
            )
            audit_log_many(
                [
                    (
                        f"approvals.{row.kind}.sent",
                        step.request,
                        {
                            "step": step.pk,
                            "reviewer": step.reviewer_name,
                            "sequence": row.sequence,
                            "recipients": to,
                        },
                    )
                    for row, step, to in sent
                ],
                source="approvals.reminders",
            )
        _update_each(
            ReminderLog,
            ["retry_at", "last_error"],
            [(row.pk, row.retry_at, row.last_error) for row in failed],
        )
        if nobody:
            ReminderLog.objects.filter(pk__in=nobody).update(
                retry_at=None, last_error="Nobody to send it to."
            )
    result.sent += len(sent)
    result.failed += len(failed) + len(nobody)


# --- the sweeps -------------------------------------------------------------------


@dataclass
class SweepResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return (
            f"{self.sent} sent ({self.claimed} new, {self.retried} retried), {self.failed} failed"
        )


def reminders_sweep(*, now: datetime | None = None, batch_size: int = 100) -> SweepResult:
    """Send every reminder and escalation that is due, each once.

    Claims first (one INSERT per :data:`CLAIM_BATCH` rows, each committed
    before anything is sent), then takes over the rows whose lease passed
    (one compare-and-set statement), then sends ``batch_size`` emails at a
    time over one email connection, marking each row sent as its email goes
    out and recording the rest of each batch in one transaction. Beyond one
    statement per email sent, the number of queries grows with the number of
    batches."""
    now = now or timezone.now()
    result = SweepResult()

    # Read first, then claim: the claims are short transactions of their own.
    due_now = []
    for step_id, activated_at, last_reminder, escalated in list(_candidates(now)):
        due = due_for(
            days=(now - activated_at).days, last_reminder=last_reminder, escalated=escalated
        )
        if due is not None:
            due_now.append((step_id, due))
    # In step order, so two sweeps claiming at once meet the same keys in the
    # same order.
    due_now.sort(key=lambda item: item[0])
    work = _claim(due_now, now)
    result.claimed = len(work)
    retried = _take_over_many(list(_retryable_reminders(now)), now)
    result.retried = len(retried)
    work += retried

    managers = list(program_managers()) if any(row.kind == ESCALATION for row in work) else []
    for start in range(0, len(work), batch_size):
        _deliver_batch(work[start : start + batch_size], now, managers, result)
    if result.sent or result.failed:
        logger.info("approval reminders: %s", result)
    return result


def overdue_steps(now: datetime | None = None):
    """Pending steps past their due date, or pending longer than the whole
    reminder cadence (no due date), the oldest first."""
    now = now or timezone.now()
    days = reminder_days()
    longest = days[-1] if days else escalation_day() or 14
    return (
        _pending()
        .filter(
            Q(due_on__lt=timezone.localdate(now))
            | Q(due_on__isnull=True, activated_at__lte=now - timedelta(days=longest))
        )
        .select_related("request__case_study__customer", "request__version")
        .order_by("due_on", "activated_at", "pk")
    )


def _claim_digest(user, day, now: datetime) -> ApprovalDigest | None:
    try:
        with transaction.atomic():
            return ApprovalDigest.objects.create(
                day=day, user=user, created_at=now, attempts=1, retry_at=now + LEASE
            )
    except IntegrityError:
        row = ApprovalDigest.objects.filter(
            day=day,
            user=user,
            sent_at__isnull=True,
            retry_at__lte=now,
            attempts__lt=MAX_ATTEMPTS,
        ).first()
        if row is not None and _take_over(row, ApprovalDigest, now):
            return row
        return None


def digests_send(*, now: datetime | None = None) -> int:
    """Each program manager's digest of overdue approvals, once a day.
    Nothing overdue: nothing is sent (and nothing claimed)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    overdue = overdue_steps(now)
    total = overdue.count()
    if not total:
        return 0
    steps = list(overdue[:DIGEST_LIMIT])
    rows = [
        {
            "step": step,
            "days": (now - step.activated_at).days,
            "late_days": (day - step.due_on).days if step.due_on else None,
            "admin_url": request_admin_url(step.request_id),
        }
        for step in steps
    ]
    sent = 0
    for user in program_managers():
        row = _claim_digest(user, day, now)
        if row is None:
            continue
        context = {
            "user": user,
            "rows": rows,
            "total": total,
            "more": total - len(rows),
            "day": day,
        }
        try:
            emails.send_digest(user=user, context=context)
        except Exception as exc:
            logger.warning("approval digest for user %s failed: %s", user.pk, exc)
            ApprovalDigest.objects.filter(pk=row.pk).update(
                retry_at=now + RETRY_AFTER, last_error=str(exc)[:300] or exc.__class__.__name__
            )
            continue
        ApprovalDigest.objects.filter(pk=row.pk).update(
            sent_at=timezone.now(), retry_at=None, last_error="", recipients=user.email, steps=total
        )
        sent += 1
    return sent
