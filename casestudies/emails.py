"""Drafting emails, each an outbox sender (``core.outbox``)."""

from datetime import timedelta

from django.utils import timezone

from casestudies.models import StateChange
from core import outbox
from core.emails import send_templated_email
from core.models import OutboxEmail

# Sent within this window, or never: an owner does not want week-old news.
NOTIFY_WITHIN = timedelta(days=2)


@outbox.sender("casestudies.state_change")
def state_change_email(message: OutboxEmail) -> outbox.Sent | None:
    """Tell the case study's owner that someone else moved it."""
    change = (
        StateChange.objects.select_related("case_study__owner")
        .filter(pk=message.payload["change"])
        .first()
    )
    owner = change.case_study.owner if change is not None else None
    if (
        owner is None
        or not owner.email
        or change.actor_id == owner.pk
        or change.created_at < timezone.now() - NOTIFY_WITHIN
    ):
        return None
    subject = send_templated_email(
        name="state_change",
        to=[owner.email],
        context={"change": change, "case_study": change.case_study, "owner": owner},
    )
    StateChange.objects.filter(pk=change.pk).update(notified_at=timezone.now())
    return outbox.Sent(to=[owner.email], subject=subject)
