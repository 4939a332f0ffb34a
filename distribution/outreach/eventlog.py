"""The log of a story's use at events, webinars and internal meetings
("Event Usage", "Internal Communication"). External use needs the customer's
permission for events and webinars; internal meetings (sales kickoff,
all-hands, training) do not leave the company and are always allowed."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from casestudies.models import CaseStudy, UsageChannel
from core.audit import audit_log
from core.errors import TransitionError
from distribution.models import StoryUse


def use_refusal(case_study: CaseStudy, kind: str) -> str:
    if StoryUse.Kind(kind) == StoryUse.Kind.INTERNAL:
        return ""
    if not case_study.allows(UsageChannel.EVENTS):
        return _(
            "The customer has not allowed this story at events and webinars; "
            "only internal meetings can use it."
        )
    return ""


def story_use_record(
    *,
    case_study: CaseStudy,
    kind: str,
    name: str,
    date: date,
    actor: Any,
    audience_size: int | None = None,
    notes: str = "",
    source: str = "",
) -> StoryUse:
    reason = use_refusal(case_study, kind)
    if reason:
        raise TransitionError(reason)
    with transaction.atomic():
        use = StoryUse.objects.create(
            case_study=case_study,
            kind=kind,
            name=name.strip(),
            date=date,
            audience_size=audience_size,
            notes=notes.strip(),
            recorded_by=actor,
        )
        audit_log(
            action="distribution.story_use.recorded",
            obj=use,
            actor=actor,
            data={"kind": kind, "name": use.name, "date": date.isoformat()},
            source=source,
        )
    return use
