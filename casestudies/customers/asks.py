"""The fatigue ledger: every ask we make of a customer (an interview, a
reference call, a case study request, a press quote, a talk…), whoever
asked, in one place, so nobody is over-used. Stages record their asks here,
inside the transaction that makes the ask; reps see :func:`ask_summary` as a
warning before asking again ("Value harus flow both directions")."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from casestudies.models import AskKind, Contact, Customer, CustomerAsk
from core.audit import actor_name


def record_ask(
    *,
    customer: Customer | int,
    kind: str,
    source: str = "",
    contact: Contact | int | None = None,
    by: Any = None,
    asked_at: datetime | None = None,
) -> CustomerAsk:
    """Write one ask of a customer to the ledger (interviews, references,
    recruitment outreach, PR, events…). Call it inside the transaction that
    makes the ask, so the row exists if and only if the ask does."""
    user = by if getattr(by, "is_authenticated", False) else None
    return CustomerAsk.objects.create(
        customer_id=customer if isinstance(customer, int) else customer.pk,
        contact_id=contact if isinstance(contact, int) or contact is None else contact.pk,
        kind=AskKind(kind),
        source=str(source)[:300],
        asked_by=user,
        asked_by_name=actor_name(user),
        asked_at=asked_at or timezone.now(),
    )


@dataclass
class AskSummary:
    customer_id: int
    days: int
    total: int
    by_kind: list[tuple[str, int]]
    last: CustomerAsk | None

    @property
    def warn(self) -> bool:
        return self.total >= settings.STORYLINE["ASK_FATIGUE_WARNING"]


def ask_summary(customer: Customer, *, days: int | None = None) -> AskSummary:
    """How often we asked ``customer`` for something in the last ``days``."""
    days = days or settings.STORYLINE["ASK_FATIGUE_WINDOW_DAYS"]
    since = timezone.now() - timedelta(days=days)
    asks = CustomerAsk.objects.filter(customer=customer, asked_at__gte=since)
    labels = dict(AskKind.choices)
    rows = asks.values_list("kind").annotate(n=Count("id")).order_by("-n", "kind")
    by_kind = [(str(labels.get(kind, kind)), n) for kind, n in rows]
    return AskSummary(
        customer_id=customer.pk,
        days=days,
        total=sum(n for _kind, n in by_kind),
        by_kind=by_kind,
        last=asks.order_by("-asked_at").first(),
    )


def record_interview_asks(*, interview: Any, stakeholder_ids: list[int], actor: Any) -> None:
    """One ledger row per stakeholder invited to an interview."""
    customer_id = interview.case_study.customer_id
    title = interview.case_study.title
    for contact_id in interview.stakeholders.filter(pk__in=stakeholder_ids).values_list(
        "contact_id", flat=True
    ):
        record_ask(
            customer=customer_id,
            contact=contact_id,
            kind=AskKind.INTERVIEW,
            source=_("Interview for “%(title)s”") % {"title": title},
            by=actor,
        )
