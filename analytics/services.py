"""State changes of the impact app: leads, deal links, report dispatches.
Each one locks what it changes, writes an audit entry, and sends email only
after commit (the task claims the row's "sent" marker first)."""

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from analytics.models import DealStory, Lead, ReportDispatch
from core import outbox
from core.audit import audit_log
from core.roles import PROGRAM_MANAGERS


def lead_submit(*, case_study, data: dict, attribution: dict) -> tuple[Lead, bool]:
    """Record a lead for ``case_study`` (``data``: name, email, company, role;
    ``attribution``: document, page, referrer_host, utm_*, share_link_id).
    The same email asking twice for one story is one lead and one email:
    returns (lead, created)."""
    email = data["email"].strip().lower()
    fields = {
        "name": data["name"].strip(),
        "company": data["company"].strip(),
        "role": data["role"].strip(),
        **attribution,
    }
    try:
        with transaction.atomic():
            lead, created = Lead.objects.select_for_update().get_or_create(
                case_study=case_study, email=email, defaults=fields
            )
            if created:
                audit_log(
                    action="analytics.lead.created",
                    obj=lead,
                    data={"case_study": case_study.pk, "document": fields.get("document", "")},
                    source="lead form",
                )
                outbox.enqueue(
                    "analytics.lead_download",
                    key=f"analytics.lead_download:{lead.pk}",
                    payload={"lead": lead.pk},
                    case_study_id=case_study.pk,
                )
    except IntegrityError:  # a concurrent twin won the race: theirs is the lead
        lead, created = Lead.objects.get(case_study=case_study, email=email), False
    return lead, created


def deal_story_link(*, deal, case_study, source: str, actor=None) -> tuple[DealStory, bool]:
    with transaction.atomic():
        link, created = DealStory.objects.get_or_create(
            deal=deal, case_study=case_study, defaults={"source": source}
        )
        if created:
            audit_log(
                action="analytics.deal.story_linked",
                obj=deal,
                actor=actor,
                data={"case_study": case_study.pk, "source": source},
            )
    return link, created


def open_deals():
    """Deals a rep may attach stories to: the open ones, newest first."""
    from analytics.models import Deal, DealOutcome

    return Deal.objects.filter(outcome=DealOutcome.OPEN).order_by("-opened_on", "-pk")


def deal_link_stories(*, deal_id: str, case_studies, source: str, actor=None) -> tuple[Any, int]:
    """Attach every story of a proposal pack or share link to an open deal
    (``DealStory`` rows with that source; stories already on the deal stay
    as they were). Returns the deal and how many stories were added; an
    unknown or closed deal raises ``ValueError`` with a sentence to show."""
    from core.ids import is_id

    if not is_id(str(deal_id or "")):
        raise ValueError(_("Choose the deal the stories were used in."))
    deal = open_deals().filter(pk=int(deal_id)).first()
    if deal is None:
        raise ValueError(_("That deal does not exist or is already closed."))
    added = sum(
        deal_story_link(deal=deal, case_study=cs, source=source, actor=actor)[1]
        for cs in case_studies
    )
    return deal, added


def program_manager_emails() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=PROGRAM_MANAGERS)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return list(users)


def report_dispatch_request(
    *, start: date, end: date, filters: dict, actor=None, monthly: bool = False
) -> ReportDispatch | None:
    """Queue the impact report for the period. A monthly report exists once
    per month (a second beat run finds it and returns None)."""
    kind = ReportDispatch.Kind.MONTHLY if monthly else ReportDispatch.Kind.MANUAL
    try:
        with transaction.atomic():
            dispatch = ReportDispatch.objects.create(
                kind=kind,
                period_start=start,
                period_end=end,
                filters=filters,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_log(
                action=f"analytics.report.{kind}",
                obj=dispatch,
                actor=actor,
                data={"from": start.isoformat(), "to": end.isoformat(), **filters},
            )
            outbox.enqueue(
                "analytics.impact_report",
                key=f"analytics.impact_report:{dispatch.pk}",
                payload={"dispatch": dispatch.pk},
            )
    except IntegrityError:
        return None
    return dispatch
