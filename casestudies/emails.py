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


@outbox.sender("casestudies.review_assigned")
def review_assigned_email(message: OutboxEmail) -> outbox.Sent | None:
    """Tell an internal reviewer (or every member of the group) that a story's
    review area is theirs to sign off."""
    from django.contrib.auth import get_user_model

    from casestudies.models import InternalReviewer

    row = (
        InternalReviewer.objects.select_related("case_study", "user", "group")
        .filter(pk=message.payload["assignment"])
        .first()
    )
    # The assignment may have changed since: only its current assignee.
    if (
        row is None
        or row.user_id != message.payload.get("user")
        or (row.group_id != message.payload.get("group"))
    ):
        return None
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(pk=row.user_id) if row.user_id else users.filter(groups=row.group_id)
    to = sorted({u.email for u in users})
    if not to:
        return None
    subject = send_templated_email(
        name="internal_review_assigned",
        to=to,
        context={"assignment": row, "case_study": row.case_study},
    )
    return outbox.Sent(to=to, subject=subject)
