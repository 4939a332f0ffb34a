"""The interview emails, one outbox sender each (``core.outbox``; templates
under templates/emails/): written with the change that promises them, sent
once by a worker, each setting its "sent" marker after it left."""

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from core import outbox
from core.emails import send_templated_email
from core.models import OutboxEmail
from interviews.calendar import invitation_ics
from interviews.models import FollowUpQuestion, GuideSection, Interview, Stakeholder

logger = logging.getLogger(__name__)


def _questions_by_section(interview: Interview) -> list[tuple[str, list[str]]]:
    labels = dict(GuideSection.choices)
    grouped: dict[str, list[str]] = {}
    for question in interview.guide_questions.all():
        grouped.setdefault(question.section, []).append(question.question)
    return [(str(labels[section]), grouped[section]) for section in labels if section in grouped]


def send_invitation_email(stakeholder: Stakeholder) -> None:
    interview = stakeholder.interview
    send_templated_email(
        name="interview_invitation",
        to=[stakeholder.contact.email],
        language=interview.language,
        context={
            "interview": interview,
            "stakeholder": stakeholder,
            "contact": stakeholder.contact,
            "customer": interview.case_study.customer,
            "sections": _questions_by_section(interview),
            "update": interview.ics_sequence > 0,
        },
        attachments=[("interview.ics", invitation_ics(interview, stakeholder), "text/calendar")],
    )


def send_cancellation_email(stakeholder: Stakeholder, reason: str) -> None:
    interview = stakeholder.interview
    send_templated_email(
        name="interview_cancellation",
        to=[stakeholder.contact.email],
        language=interview.language,
        context={
            "interview": interview,
            "contact": stakeholder.contact,
            "customer": interview.case_study.customer,
            "reason": reason,
        },
        attachments=[("interview.ics", invitation_ics(interview, stakeholder), "text/calendar")],
    )


def send_followups_email(interview: Interview, contact, questions: list[FollowUpQuestion]) -> None:
    send_templated_email(
        name="interview_followups",
        to=[contact.email],
        language=interview.language,
        context={
            "interview": interview,
            "contact": contact,
            "customer": interview.case_study.customer,
            "questions": questions,
        },
    )


def _stakeholder(stakeholder_id: int) -> Stakeholder | None:
    return (
        Stakeholder.objects.select_related("contact", "interview__case_study__customer")
        .filter(pk=stakeholder_id)
        .first()
    )


@outbox.sender("interviews.invitation")
def invitation_email(message: OutboxEmail) -> outbox.Sent | None:
    """The invitation (with its .ics) to one stakeholder, for one calendar
    sequence."""
    stakeholder = _stakeholder(message.payload["stakeholder"])
    if (
        stakeholder is None
        or stakeholder.invitation_sent_at is not None
        or stakeholder.interview.status != Interview.Status.SCHEDULED
        or stakeholder.interview.ics_sequence != message.payload.get("sequence")
    ):
        return None
    send_invitation_email(stakeholder)
    Stakeholder.objects.filter(pk=stakeholder.pk).update(invitation_sent_at=timezone.now())
    return outbox.Sent(to=[stakeholder.contact.email])


@outbox.sender("interviews.cancellation")
def cancellation_email(message: OutboxEmail) -> outbox.Sent | None:
    """Tell an invited stakeholder the interview is cancelled (a METHOD:CANCEL
    calendar file removes the event)."""
    stakeholder = _stakeholder(message.payload["stakeholder"])
    if (
        stakeholder is None
        or stakeholder.invitation_sent_at is None
        or stakeholder.cancellation_sent_at is not None
        or stakeholder.interview.status != Interview.Status.CANCELLED
    ):
        return None
    send_cancellation_email(stakeholder, message.payload.get("reason", ""))
    Stakeholder.objects.filter(pk=stakeholder.pk).update(cancellation_sent_at=timezone.now())
    return outbox.Sent(to=[stakeholder.contact.email])


@outbox.sender("interviews.followups")
def followups_email(message: OutboxEmail) -> outbox.Sent | None:
    """Every unsent follow-up question for the contact, in one email. The
    questions stay locked while it is sent, so a concurrent sender for the
    same contact waits and then finds none left."""
    interview_id, contact_id = message.payload["interview"], message.payload["contact"]
    with transaction.atomic():
        questions = list(
            FollowUpQuestion.objects.select_for_update()
            .select_related("contact")
            .filter(interview_id=interview_id, contact_id=contact_id, sent_at__isnull=True)
            .order_by("created_at", "id")
        )
        if not questions:
            return None
        interview = Interview.objects.select_related("case_study__customer").get(pk=interview_id)
        contact = questions[0].contact
        send_followups_email(interview, contact, questions)
        FollowUpQuestion.objects.filter(pk__in=[q.pk for q in questions]).update(
            sent_at=timezone.now(), sent_batch=uuid.uuid4()
        )
    logger.info("sent %d follow-up questions for interview %s", len(questions), interview_id)
    return outbox.Sent(to=[contact.email])
