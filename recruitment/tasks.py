"""Recruitment's background work: thin tasks over ``recruitment.services``.
The emails themselves are outbox emails (``recruitment/emails.py``)."""

from celery import shared_task

from recruitment import services


@shared_task(name="recruitment.tasks.send_followup")
def send_followup(outreach_id: int, number: int) -> bool:
    return services.outreach_followup_schedule(outreach_id=outreach_id, number=number)


@shared_task(name="recruitment.tasks.send_due_followups")
def send_due_followups() -> int:
    return services.outreach_followups_due()
