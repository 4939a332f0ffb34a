"""The interview emails, one function each (templates under templates/emails/)."""

from core.emails import send_templated_email
from interviews.calendar import invitation_ics
from interviews.models import FollowUpQuestion, GuideSection, Interview, Stakeholder


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
