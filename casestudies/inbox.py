""" "Needs me today": the program manager's admin home.

Everything that waits for a person's action, across the stages, oldest or
most overdue first, each with the button that does it. ``mine`` keeps the
stories I own and what is assigned to me; ``everyone`` shows the whole
program. One query per kind of item, whatever the number of stories.

Below it stay the pipeline counts and the stories waiting longest
(``casestudies.selectors``).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from casestudies.models import (
    ACTIVE_STATES,
    CaseStudy,
    CaseStudyState,
    InternalReviewer,
    InternalSignOff,
    Nomination,
    StoryVersion,
    review_area_label,
)
from casestudies.selectors import pipeline_counts, waiting_longest

S = CaseStudyState

KINDS = {
    "outreach": gettext_lazy("Outreach"),
    "interview": gettext_lazy("Interview"),
    "consent": gettext_lazy("Consent"),
    "followup": gettext_lazy("Follow-up question"),
    "sign_off": gettext_lazy("Sign-off"),
    "customer": gettext_lazy("Customer approval"),
    "nomination": gettext_lazy("Nomination"),
    "rights": gettext_lazy("Usage rights"),
    "stale": gettext_lazy("Stale story"),
}


@dataclass
class Item:
    kind: str
    text: str
    due: datetime  # oldest / most overdue first
    url: str
    button: str
    story: CaseStudy | None = None

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def overdue_days(self) -> int:
        return max(0, (timezone.now() - self.due).days)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _days_words(since: datetime) -> str:
    days = max(0, (timezone.now() - since).days)
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def _admin(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def _workspace(story: CaseStudy) -> str:
    return _admin("casestudies_casestudy_workspace", story.pk)


def needs_me(user, *, everyone: bool = False, today: date | None = None) -> list[Item]:
    """Every action waiting, sorted oldest/most overdue first."""
    from approvals.models import ApprovalStep
    from interviews.models import FollowUpQuestion, Interview
    from recruitment.models import Outreach

    today = today or timezone.localdate()
    now = timezone.now()
    conf = settings.STORYLINE
    items: list[Item] = []
    mine = Q() if everyone else Q(case_study__owner=user)

    # Outreach: answers to record (and follow-ups due once the wait is over).
    follow_after = timedelta(days=conf["OUTREACH_FOLLOWUP_AFTER_DAYS"])
    for outreach in (
        Outreach.objects.filter(mine, status__in=Outreach.OPEN_STATUSES)
        .select_related("case_study", "contact")
        .order_by("sent_at")
    ):
        overdue = outreach.sent_at + follow_after <= now
        text = (
            _(
                "%(name)s has not answered the invitation for %(days)s: "
                "follow up or record the answer."
            )
            if overdue
            else _("Record the answer of %(name)s to the invitation (sent %(days)s ago).")
        ) % {"name": outreach.contact.name, "days": _days_words(outreach.sent_at)}
        items.append(
            Item(
                "outreach",
                text,
                outreach.sent_at,
                _admin("recruitment_workspace", outreach.case_study_id),
                _("Record the answer"),
                outreach.case_study,
            )
        )

    # Interviews this week, and consent missing.
    interviews = (
        Interview.objects.filter(
            mine,
            status__in=[Interview.Status.SCHEDULED, Interview.Status.HELD],
            case_study__state__in=ACTIVE_STATES,
            date__gte=today - timedelta(days=30),
            date__lte=today + timedelta(days=7),
        )
        .select_related("case_study")
        .prefetch_related("stakeholders__contact", "stakeholders__consents")
        .order_by("date", "start_time")
    )
    for interview in interviews:
        if interview.status == Interview.Status.SCHEDULED and interview.date >= today:
            items.append(
                Item(
                    "interview",
                    _("Interview on %(date)s: invitations, guide and consent.")
                    % {"date": _date(interview.date)},
                    _aware(interview.date),
                    _admin("interviews_interview_change", interview.pk),
                    _("Prepare the interview"),
                    interview.case_study,
                )
            )
        missing = [s.contact.name for s in interview.stakeholders.all() if not _consented(s)]
        if missing and interview.date <= today + timedelta(days=7):
            items.append(
                Item(
                    "consent",
                    _("Consent to record is missing: %(names)s.") % {"names": ", ".join(missing)},
                    _aware(interview.date),
                    _admin("interviews_interview_consent", interview.pk),
                    _("Record consent"),
                    interview.case_study,
                )
            )

    # Follow-up questions sent and unanswered.
    for question in (
        FollowUpQuestion.objects.filter(
            Q(interview__case_study__owner=user) if not everyone else Q(),
            sent_at__isnull=False,
            answered_at__isnull=True,
            interview__case_study__state__in=ACTIVE_STATES,
        )
        .select_related("contact", "interview__case_study")
        .order_by("sent_at")
    ):
        items.append(
            Item(
                "followup",
                _("%(name)s has not answered a follow-up question (sent %(days)s ago).")
                % {"name": question.contact.name, "days": _days_words(question.sent_at)},
                question.sent_at,
                _admin("interviews_interview_followup_answer", question.interview_id, question.pk),
                _("Record the answer"),
                question.interview.case_study,
            )
        )

    items.extend(_sign_offs_waiting(user, everyone=everyone))

    # Customer approval steps overdue: chase or resend.
    step_filter = Q() if everyone else Q(request__case_study__owner=user) | Q(user=user)
    remind_after = timedelta(days=min(conf.get("APPROVAL_REMINDER_DAYS") or (3,)))
    for step in (
        ApprovalStep.objects.filter(
            step_filter,
            status=ApprovalStep.Status.PENDING,
            request__status="open",
        )
        .filter(Q(due_on__lt=today) | Q(activated_at__lte=now - remind_after))
        .select_related("request__case_study")
        .order_by("due_on", "activated_at")
    ):
        due = _aware(step.due_on) if step.due_on else step.activated_at or now
        items.append(
            Item(
                "customer",
                _("%(reviewer)s has not decided for %(days)s: chase or resend the link.")
                % {"reviewer": step.reviewer_name, "days": _days_words(step.activated_at or now)},
                due,
                _admin("approvals_approvalrequest_change", step.request_id),
                _("Chase or resend"),
                step.request.case_study,
            )
        )

    # Nominations to triage (the program decides them, whoever owns stories).
    for nomination in Nomination.objects.filter(status=Nomination.Status.PENDING).select_related(
        "customer"
    ):
        items.append(
            Item(
                "nomination",
                _("%(customer)s was nominated by %(name)s: accept or decline.")
                % {
                    "customer": nomination.customer.name,
                    "name": nomination.nominated_by_name or "—",
                },
                nomination.created_at,
                _admin("casestudies_nomination_change", nomination.pk),
                _("Decide"),
            )
        )

    # Usage rights expiring within 30 days.
    story_mine = Q() if everyone else Q(owner=user)
    for story in CaseStudy.objects.filter(
        story_mine,
        state=S.PUBLISHED,
        rights_expire_on__gte=today,
        rights_expire_on__lte=today + timedelta(days=30),
    ).order_by("rights_expire_on"):
        items.append(
            Item(
                "rights",
                _("Usage rights end on %(date)s: renew them with the customer or plan the end.")
                % {"date": _date(story.rights_expire_on)},
                _aware(story.rights_expire_on) - timedelta(days=30),
                _workspace(story),
                _("Open the story"),
                story,
            )
        )

    # Stale stories: in progress, nothing moved for a long time.
    stale_days = conf.get("STALE_AFTER_DAYS", 30)
    for story in CaseStudy.objects.filter(
        story_mine,
        state__in=ACTIVE_STATES,
        state_changed_at__lte=now - timedelta(days=stale_days),
    ).order_by("state_changed_at"):
        items.append(
            Item(
                "stale",
                _("%(state)s for %(days)s: move it on, put it on hold or decline it.")
                % {"state": story.get_state_display(), "days": _days_words(story.state_changed_at)},
                story.state_changed_at,
                _workspace(story),
                _("Open the story"),
                story,
            )
        )

    # Published stories gone stale (old, a quoted person left, a product
    # renamed, the customer churned): refresh or retire them.
    from casestudies.selection import stale_stories

    published_mine = (
        None
        if everyone
        else set(
            CaseStudy.objects.filter(owner=user, state=S.PUBLISHED).values_list("pk", flat=True)
        )
    )
    for stale in stale_stories():
        story = stale.case_study
        if published_mine is not None and story.pk not in published_mine:
            continue
        items.append(
            Item(
                "stale",
                (_("Retire it: %(reasons)s.") if stale.retire else _("Refresh it: %(reasons)s."))
                % {"reasons": "; ".join(str(r) for r in stale.reasons)},
                story.published_at or now,
                _admin("casestudies_freshness"),
                _("Refresh or retire"),
                story,
            )
        )

    items.sort(key=lambda item: item.due)
    return items


def _consented(stakeholder) -> bool:
    records = sorted(stakeholder.consents.all(), key=lambda r: (r.recorded_at, r.pk), reverse=True)
    return bool(records) and records[0].given


def _date(value) -> str:
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT")


def _sign_offs_waiting(user, *, everyone: bool) -> list[Item]:
    """Drafts waiting for an assigned internal reviewer's sign-off: the newest
    version of each story lacks an approval of the area."""
    rows = InternalReviewer.objects.filter(
        case_study__state__in=[S.INTERVIEWING, S.DRAFTING, S.IN_REVIEW]
    ).select_related("case_study", "user", "group")
    if not everyone:
        rows = rows.filter(Q(user=user) | Q(group__in=user.groups.all()))
    rows = list(rows)
    if not rows:
        return []
    story_ids = {row.case_study_id for row in rows}
    latest: dict[int, StoryVersion] = {}
    for version in (
        StoryVersion.objects.filter(case_study_id__in=story_ids)
        .only("pk", "case_study_id", "number", "created_at", "language")
        .order_by("case_study_id", "-number")
    ):
        latest.setdefault(version.case_study_id, version)
    decided = set(
        InternalSignOff.objects.filter(
            version_id__in=[v.pk for v in latest.values()],
            decision=InternalSignOff.Decision.APPROVED,
        ).values_list("version_id", "area")
    )
    items = []
    for row in rows:
        version = latest.get(row.case_study_id)
        if version is None or (version.pk, row.area) in decided:
            continue
        items.append(
            Item(
                "sign_off",
                _("%(area)s sign-off of version %(n)s (%(who)s).")
                % {
                    "area": review_area_label(row.area),
                    "n": version.number,
                    "who": row.assignee_name,
                },
                version.created_at,
                _admin("casestudies_casestudy_internal_review", row.case_study_id)
                + f"?area={row.area}",
                _("Review the draft"),
                row.case_study,
            )
        )
    return items


def admin_index_context(request) -> dict:
    """The admin home (``STORYLINE_ADMIN_INDEX``): "Needs me today" for whoever
    works on stories or signs them off, then the pipeline at a glance and the
    stories waiting longest."""
    from core.roles import INTERNAL_REVIEWERS, PROGRAM_MANAGERS, in_group

    user = request.user
    manager = in_group(user, PROGRAM_MANAGERS)
    context = {"impact_dashboard": manager}
    if manager or in_group(user, INTERNAL_REVIEWERS):
        everyone = manager and request.GET.get("who") == "everyone"
        if manager:
            context["needs_me"] = needs_me(user, everyone=everyone)
        else:  # a reviewer: only the drafts waiting for their sign-off
            context["needs_me"] = _sign_offs_waiting(user, everyone=False)
            context["needs_me"].sort(key=lambda item: item.due)
        context["needs_me_shown"] = True
        context["needs_me_everyone"] = everyone
        context["needs_me_filter"] = manager
    if user.has_perm("casestudies.view_casestudy"):
        context["pipeline"] = pipeline_counts()
        context["waiting"] = waiting_longest()
    return context
