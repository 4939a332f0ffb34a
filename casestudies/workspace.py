"""The story workspace: one page per case study for the program manager.

What it reads, from every stage (this module is not one of casestudies'
ground modules, so it may look at the later stages' models):

- :func:`stepper`: the main line, the date each stage was reached and the
  expected date of the next;
- :func:`next_step`: the single primary action for the current stage and
  what blocks it, in words, each with a link to fix it;
- :func:`timeline`: everything that happened to the story, newest first,
  each entry linking to its object, in a fixed number of queries.

Moves are made by ``casestudies.services`` (``case_study_advance`` for the
implied ones); this module only reads.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casestudies import services
from casestudies.models import (
    PIPELINE,
    CaseStudy,
    CaseStudyState,
    Contact,
    InternalSignOff,
    Quote,
    StateChange,
    StoryVersion,
    internal_review_areas,
    review_area_label,
)

S = CaseStudyState


def state_label(state: str) -> str:
    """A state as a person reads it ("In review"), never its code."""
    try:
        return str(CaseStudyState(state).label)
    except ValueError:
        return state


def _days(since: datetime | None) -> int:
    return max(0, (timezone.now() - since).days) if since else 0


def waiting_words(since: datetime | None) -> str:
    days = _days(since)
    if days == 0:
        return _("since today")
    return ngettext("waiting %(n)d day", "waiting %(n)d days", days) % {"n": days}


# --------------------------------------------------------------------------
# The stepper
# --------------------------------------------------------------------------


@dataclass
class Stage:
    state: str
    label: str
    status: str  # "done", "current", "todo"
    reached_at: datetime | None = None
    expected_on: date | None = None


def _stage_days() -> dict[str, int]:
    """Planned days in each stage before the next one (the guide's timeline)."""
    conf = settings.STORYLINE
    days = conf["TIMELINE_DAYS"]
    return {
        S.RECRUITING: conf["OUTREACH_FOLLOWUP_AFTER_DAYS"] + conf["OUTREACH_NO_ANSWER_AFTER_DAYS"],
        S.INTERVIEWING: days["interview"],
        S.DRAFTING: days["drafting"],
        S.APPROVED: days["publication"],
    }


def stepper(case_study: CaseStudy, history: list[StateChange], expected_publication=None):
    """The main line from candidate to published: when each stage was last
    reached, and for the next stage when it is expected."""
    history = sorted(history, key=lambda c: c.created_at)
    # A candidate no later than its first move (records imported or seeded
    # with their history may be newer than it).
    first = history[0].created_at if history else case_study.created_at
    reached: dict[str, datetime] = {S.CANDIDATE: min(case_study.created_at, first)}
    for change in history:
        reached[change.to_state] = change.created_at
    current = case_study.state
    if current == S.ON_HOLD:
        current = case_study.held_from_state
    position = PIPELINE.index(current) if current in PIPELINE else -1
    stages = []
    for index, state in enumerate(PIPELINE):
        if index < position or (index == position and state == S.PUBLISHED):
            status = "done"
        elif index == position:
            status = "current"
        else:
            status = "todo"
        stage = Stage(
            state=state,
            label=state_label(state),
            status=status,
            reached_at=reached.get(state) if index <= position else None,
        )
        stages.append(stage)
    active = case_study.state in PIPELINE and case_study.state != S.PUBLISHED
    if active and position + 1 < len(stages):
        following = stages[position + 1]
        if following.state == S.PUBLISHED and expected_publication is not None:
            following.expected_on = expected_publication.expected_on
        elif following.state == S.APPROVED and expected_publication is not None:
            days = expected_publication.approval_days
            following.expected_on = timezone.localdate(case_study.state_changed_at) + timedelta(
                days=days
            )
        else:
            days = _stage_days().get(current)
            if days is not None:
                following.expected_on = timezone.localdate(case_study.state_changed_at) + timedelta(
                    days=days
                )
    return stages


# --------------------------------------------------------------------------
# The next step
# --------------------------------------------------------------------------


@dataclass
class Blocker:
    text: str
    url: str = ""
    link_text: str = ""


@dataclass
class NextStep:
    title: str
    explanation: str = ""
    # A move the page posts ("advance" to ``target``, or a transition name),
    # or a page to open (``url``) where the step's work is done.
    move: str = ""
    target: str = ""
    url: str = ""
    post_url: str = ""  # a form posted to another page (its own confirmation skipped)
    button: str = ""
    blockers: list[Blocker] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.blockers


def _admin(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=args)


def next_step(case_study: CaseStudy, facts: "Facts") -> NextStep:
    """The one thing to do now, and what stands in its way."""
    cs = case_study
    state = cs.state
    if state == S.CANDIDATE:
        step = NextStep(
            title=_("Ask the customer to take part"),
            explanation=_(
                "Send the invitation from the outreach page; the story moves to recruiting "
                "when it is sent."
            ),
            url=_admin("recruitment_compose", cs.pk)
            + "?next="
            + _admin("casestudies_casestudy_workspace", cs.pk),
            button=_("Write the invitation"),
        )
        if not facts.reachable_contacts:
            step.blockers.append(
                Blocker(
                    _("Add a contact at %(customer)s who may be contacted.")
                    % {"customer": cs.customer.name},
                    _admin("casestudies_customer_change", cs.customer_id) + "#contacts-group",
                    _("add a contact"),
                )
            )
        return step
    if state == S.RECRUITING:
        open_outreach = facts.open_outreach
        if open_outreach is not None:
            return NextStep(
                title=_("Record the customer's answer"),
                explanation=_("When %(name)s says yes, the story moves to interviewing by itself.")
                % {"name": open_outreach.contact.name},
                url=_admin("recruitment_answer", open_outreach.pk, "accept")
                + "?next="
                + _admin("casestudies_casestudy_workspace", cs.pk),
                button=_("They said yes"),
                blockers=[
                    Blocker(
                        _("Invitation to %(name)s is unanswered, %(waiting)s.")
                        % {
                            "name": open_outreach.contact.name,
                            "waiting": waiting_words(open_outreach.sent_at),
                        },
                        _admin("recruitment_workspace", cs.pk),
                        _("record another answer or follow up"),
                    )
                ],
            )
        step = NextStep(
            title=_("Start interviewing"),
            explanation=_("Someone at the customer agreed to take part."),
            move="advance",
            target=S.INTERVIEWING,
            button=_("Start interviewing"),
        )
        if not facts.participants:
            step.blockers.append(
                Blocker(
                    _("Nobody at %(customer)s has agreed to take part yet.")
                    % {"customer": cs.customer.name},
                    _admin("recruitment_compose", cs.pk),
                    _("send an invitation"),
                )
            )
        return step
    if state in (S.INTERVIEWING, S.DRAFTING):
        return _writing_step(cs, facts)
    if state == S.IN_REVIEW:
        request = facts.open_request
        if request is None:
            return NextStep(
                title=_("Send the story to the customer for approval"),
                explanation=_("The approval page pre-fills the customer's reviewers and stages."),
                url=_admin("approvals_approvalrequest_start") + f"?case_study={cs.pk}",
                button=_("Start approval"),
            )
        step = NextStep(
            title=_("Wait for the customer's approval"),
            explanation=_("The story is approved when every required reviewer has approved."),
            url=_admin("approvals_approvalrequest_change", request.pk),
            button=_("Open the approval request"),
        )
        for pending in facts.pending_steps:
            step.blockers.append(
                Blocker(
                    _("%(reviewer)s has not decided, %(waiting)s.")
                    % {
                        "reviewer": pending.reviewer_name,
                        "waiting": waiting_words(pending.activated_at),
                    },
                    _admin("approvals_approvalrequest_change", request.pk),
                    _("chase or resend"),
                )
            )
        return step
    if state == S.APPROVED:
        step = NextStep(
            title=_("Publish the story"),
            explanation=_("Publishing puts exactly the approved version on the website."),
            move="publish",
            button=_("Publish"),
        )
        if not cs.channel_web:
            step.blockers.append(
                Blocker(
                    _("The customer's usage rights do not allow the public website."),
                    _admin("casestudies_casestudy_change", cs.pk) + "#fieldset-0-2",
                    _("see the usage rights"),
                )
            )
        if facts.latest_version and facts.latest_version.pk != cs.approved_version_id:
            step.blockers.append(
                Blocker(
                    _("Version %(n)s was saved after the approved version.")
                    % {"n": facts.latest_version.number},
                    _admin("casestudies_casestudy_versions", cs.pk),
                    _("compare the versions"),
                )
            )
        return step
    if state == S.PUBLISHED:
        return NextStep(
            title=_("The story is published"),
            explanation=_("Share it, put it in sales packs and watch what it earns."),
            url=cs.get_absolute_url(),
            button=_("View the public page"),
        )
    if state == S.ON_HOLD:
        return NextStep(
            title=_("The story is on hold"),
            explanation=_("Resume it to go back to %(state)s.")
            % {"state": state_label(cs.held_from_state)},
            move="resume",
            button=_("Resume"),
        )
    if state == S.DECLINED:
        return NextStep(
            title=_("The story was declined"),
            explanation=_("Reconsider it to start again as a candidate."),
            move="reconsider",
            button=_("Reconsider"),
        )
    return NextStep(title=state_label(state))


def _writing_step(cs: CaseStudy, facts: "Facts") -> NextStep:
    """Interviewing and drafting: interview, write, have it signed off, then
    submit (from interviewing the move passes through drafting)."""
    if cs.state == S.INTERVIEWING and not facts.interviews:
        return NextStep(
            title=_("Schedule the interview"),
            explanation=_("Pick a date, the stakeholders and the meeting link."),
            url=_admin("interviews_interview_add") + f"?case_study={cs.pk}",
            button=_("Schedule an interview"),
        )
    version = facts.latest_version
    interview = facts.interviews[0] if facts.interviews else None
    if (
        version is None
        and interview is not None
        and interview.status == "scheduled"
        and interview.pk in facts.transcribed
    ):
        return NextStep(
            title=_("Mark the interview as held"),
            explanation=_("The transcript is in: the interview took place."),
            move="interview_held",
            button=_("Mark as held"),
        )
    if version is None:
        step = NextStep(
            title=_("Write the first draft"),
            explanation=_("Assemble it from the interview, then edit it in the story editor."),
            url="" if interview is not None else _admin("casestudies_casestudy_story", cs.pk),
            post_url=_admin("interviews_interview_draft", interview.pk) if interview else "",
            button=_("Write the first draft"),
        )
        if interview is not None and interview.status == "scheduled":
            step.blockers.append(
                Blocker(
                    _("The interview of %(date)s is not marked as held yet.")
                    % {"date": _date(interview.date)},
                    _admin("interviews_interview_change", interview.pk),
                    _("open the interview"),
                )
            )
        if not facts.metric_count and not facts.quote_count:
            step.blockers.append(
                Blocker(
                    _("No metric or quote is captured from the interview yet."),
                    (
                        _admin("interviews_interview_transcript", interview.pk)
                        if interview is not None
                        else _admin("casestudies_casestudy_change", cs.pk) + "#metrics-group"
                    ),
                    _("capture quotes and metrics"),
                )
            )
        return step
    step = NextStep(
        title=_("Submit for review"),
        explanation=(
            _("The story goes to the customer's approval once it is in review.")
            if cs.state == S.DRAFTING
            else _(
                "The story is still interviewing: submitting moves it through drafting "
                "to review in one step, and the history shows both."
            )
        ),
        move="advance",
        target=S.IN_REVIEW,
        button=_("Submit for review"),
    )
    if cs.state == S.INTERVIEWING and not facts.metric_count and not facts.quote_count:
        step.blockers.append(
            Blocker(
                _("Drafting needs at least one metric or quote."),
                _admin("casestudies_casestudy_change", cs.pk) + "#metrics-group",
                _("add a metric"),
            )
        )
    signed = {s.area: s for s in facts.sign_offs if s.version_id == version.pk}
    assigned = facts.reviewers
    for area in internal_review_areas():
        sign_off = signed.get(area)
        if sign_off is not None and sign_off.approved:
            continue
        who = assigned.get(area)
        if sign_off is not None:
            text = _("%(area)s asked for changes to version %(n)s.") % {
                "area": review_area_label(area),
                "n": version.number,
            }
        elif who:
            text = _("%(area)s sign-off (%(who)s), %(waiting)s.") % {
                "area": review_area_label(area),
                "who": who,
                "waiting": waiting_words(version.created_at),
            }
        else:
            text = _("%(area)s sign-off, nobody assigned, %(waiting)s.") % {
                "area": review_area_label(area),
                "waiting": waiting_words(version.created_at),
            }
        step.blockers.append(
            Blocker(text, _admin("casestudies_casestudy_internal_review", cs.pk), _("review"))
        )
    return step


def _date(value) -> str:
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT")


# --------------------------------------------------------------------------
# Everything the page needs, in a fixed number of queries
# --------------------------------------------------------------------------


@dataclass
class Entry:
    at: datetime
    kind: str
    text: str
    url: str = ""
    actor: str = ""


@dataclass
class Facts:
    history: list = field(default_factory=list)
    reachable_contacts: int = 0
    participants: int = 0
    open_outreach: Any = None
    outreaches: list = field(default_factory=list)
    interviews: list = field(default_factory=list)
    metric_count: int = 0
    quote_count: int = 0
    versions: list = field(default_factory=list)
    sign_offs: list = field(default_factory=list)
    reviewers: dict = field(default_factory=dict)
    assignments: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    pending_steps: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    transcribed: set = field(default_factory=set)

    @property
    def latest_version(self):
        return self.versions[0] if self.versions else None

    @property
    def open_request(self):
        return next((r for r in self.requests if r.status == "open"), None)


def _at(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, datetime.min.time()))


def gather(case_study: CaseStudy) -> Facts:
    """Read everything the workspace shows: one query per kind of record,
    whatever the story's size."""
    from approvals.models import ApprovalRequest, ApprovalStep, Decision, QuoteReview, ReminderLog
    from core.models import OutboxEmail
    from distribution.models import RenderedDocument
    from interviews.models import ConsentRecord, FollowUpQuestion, Interview, Transcript
    from recruitment.models import Outreach, OutreachFollowUp

    cs = case_study
    facts = Facts()
    entries = facts.entries
    change_url = _admin("casestudies_casestudy_change", cs.pk)

    facts.history = list(
        StateChange.objects.filter(case_study=cs).select_related("version").order_by("-created_at")
    )
    for change in facts.history:
        text = _("%(from)s → %(to)s") % {
            "from": state_label(change.from_state),
            "to": state_label(change.to_state),
        }
        if change.reason:
            text += " · " + change.reason
        entries.append(
            Entry(change.created_at, _("Stage"), text, change_url + "#history", change.actor_name)
        )

    contacts = list(
        Contact.objects.filter(customer_id=cs.customer_id, archived=False, left_company=False)
    )
    facts.reachable_contacts = sum(1 for c in contacts if c.may_contact)
    facts.participants = sum(1 for c in contacts if c.agreed_to_participate)

    facts.outreaches = list(
        Outreach.objects.filter(case_study=cs).select_related("contact").order_by("-sent_at")
    )
    for outreach in facts.outreaches:
        url = _admin("recruitment_outreach_change", outreach.pk)
        entries.append(
            Entry(
                outreach.sent_at,
                _("Outreach"),
                _("Invitation sent to %(name)s") % {"name": outreach.contact.name},
                url,
                outreach.sent_by_name,
            )
        )
        if outreach.responded_at:
            entries.append(
                Entry(
                    outreach.responded_at,
                    _("Answer"),
                    _("%(name)s: %(answer)s")
                    % {"name": outreach.contact.name, "answer": outreach.get_status_display()},
                    url,
                )
            )
        if outreach.is_open and facts.open_outreach is None:
            facts.open_outreach = outreach
    for followup in OutreachFollowUp.objects.filter(outreach__case_study=cs).select_related(
        "outreach__contact"
    ):
        entries.append(
            Entry(
                followup.claimed_at,
                _("Reminder"),
                _("Follow-up %(n)d to %(name)s")
                % {"n": followup.number, "name": followup.outreach.contact.name},
                _admin("recruitment_outreach_change", followup.outreach_id),
            )
        )

    facts.interviews = list(Interview.objects.filter(case_study=cs).order_by("-date", "-id"))
    for interview in facts.interviews:
        entries.append(
            Entry(
                interview.created_at,
                _("Interview"),
                _("Interview scheduled for %(date)s (%(status)s)")
                % {"date": _date(interview.date), "status": interview.get_status_display()},
                _admin("interviews_interview_change", interview.pk),
            )
        )
    for consent in ConsentRecord.objects.filter(
        stakeholder__interview__case_study=cs
    ).select_related("stakeholder__contact"):
        entries.append(
            Entry(
                consent.recorded_at,
                _("Consent"),
                (
                    _("%(name)s consented to recording")
                    if consent.given
                    else _("%(name)s withdrew consent to recording")
                )
                % {"name": consent.stakeholder.contact.name},
                _admin("interviews_interview_consent", consent.stakeholder.interview_id),
                consent.recorded_by_name,
            )
        )
    for transcript in Transcript.objects.filter(interview__case_study=cs):
        facts.transcribed.add(transcript.interview_id)
        entries.append(
            Entry(
                transcript.uploaded_at,
                _("Transcript"),
                _("Transcript uploaded"),
                _admin("interviews_interview_transcript", transcript.interview_id),
                transcript.uploaded_by_name,
            )
        )
    for question in FollowUpQuestion.objects.filter(interview__case_study=cs).select_related(
        "contact"
    ):
        url = _admin("interviews_interview_transcript", question.interview_id)
        if question.sent_at:
            entries.append(
                Entry(
                    question.sent_at,
                    _("Follow-up question"),
                    _("Question sent to %(name)s") % {"name": question.contact.name},
                    url,
                )
            )
        if question.answered_at:
            entries.append(
                Entry(
                    question.answered_at,
                    _("Follow-up question"),
                    _("%(name)s answered a question") % {"name": question.contact.name},
                    url,
                )
            )

    quotes = list(Quote.objects.filter(case_study=cs))
    facts.quote_count = len(quotes)
    facts.metric_count = cs.metrics.count()
    for quote in quotes:
        entries.append(
            Entry(
                quote.created_at,
                _("Quote"),
                _("Quote from %(name)s (%(permission)s)")
                % {"name": quote.speaker_name, "permission": quote.get_permission_display()},
                _admin("casestudies_quote_change", quote.pk),
            )
        )
    for review in QuoteReview.objects.filter(quote__case_study=cs).select_related("step"):
        entries.append(
            Entry(
                review.created_at,
                _("Quote permission"),
                _("%(reviewer)s %(verdict)s a quote")
                % {"reviewer": review.step.reviewer_name, "verdict": review.get_verdict_display()},
                _admin("casestudies_quote_change", review.quote_id),
            )
        )

    facts.versions = list(
        StoryVersion.objects.filter(case_study=cs)
        .only("pk", "number", "language", "created_at", "created_by_name", "note", "case_study_id")
        .order_by("-number")
    )
    for version in facts.versions:
        text = _("Version %(n)s saved") % {"n": version.number}
        if version.note:
            text += " · " + version.note
        entries.append(
            Entry(
                version.created_at,
                _("Version"),
                text,
                _admin("casestudies_casestudy_versions", cs.pk),
                version.created_by_name,
            )
        )
    facts.sign_offs = list(
        InternalSignOff.objects.filter(version__case_study=cs).select_related("version")
    )
    for sign_off in facts.sign_offs:
        entries.append(
            Entry(
                sign_off.decided_at,
                _("Sign-off"),
                _("%(area)s: %(decision)s (version %(n)s)")
                % {
                    "area": sign_off.area_label,
                    "decision": sign_off.get_decision_display(),
                    "n": sign_off.version.number,
                },
                _admin("casestudies_casestudy_internal_review", cs.pk),
                sign_off.reviewer_name,
            )
        )
    facts.assignments = assignments(cs)
    facts.reviewers = {row.area: row.assignee_name for row in facts.assignments}

    facts.requests = list(
        ApprovalRequest.objects.filter(case_study=cs)
        .select_related("version")
        .order_by("-created_at")
    )
    for request in facts.requests:
        entries.append(
            Entry(
                request.created_at,
                _("Approval"),
                _("Approval of version %(n)s started (%(status)s)")
                % {"n": request.version.number, "status": request.get_status_display()},
                _admin("approvals_approvalrequest_change", request.pk),
                request.created_by_name,
            )
        )
    open_request = facts.open_request
    if open_request is not None:
        facts.pending_steps = list(
            ApprovalStep.objects.filter(
                request=open_request, status=ApprovalStep.Status.PENDING
            ).order_by("activated_at", "pk")
        )
    for decision in Decision.objects.filter(request__case_study=cs).select_related("version"):
        entries.append(
            Entry(
                decision.decided_at,
                _("Customer decision"),
                _("%(reviewer)s: %(outcome)s (version %(n)s)")
                % {
                    "reviewer": decision.reviewer_name,
                    "outcome": decision.get_outcome_display(),
                    "n": decision.version.number,
                },
                _admin("approvals_approvalrequest_change", decision.request_id),
            )
        )
    for reminder in ReminderLog.objects.filter(step__request__case_study=cs).select_related("step"):
        entries.append(
            Entry(
                reminder.sent_at or reminder.created_at,
                _("Reminder"),
                _("%(kind)s %(n)d to %(reviewer)s")
                % {
                    "kind": reminder.get_kind_display().capitalize(),
                    "n": reminder.sequence,
                    "reviewer": reminder.step.reviewer_name,
                },
                _admin("approvals_approvalrequest_change", reminder.step.request_id),
            )
        )
    for email in OutboxEmail.objects.filter(case_study_id=cs.pk).order_by("-created_at"):
        if email.status == OutboxEmail.Status.SKIPPED:
            continue
        text = (
            _("Email to %(to)s: %(subject)s") % {"to": email.recipients, "subject": email.subject}
            if email.status == OutboxEmail.Status.SENT
            else _("Email (%(kind)s): %(status)s")
            % {"kind": email.kind, "status": email.get_status_display()}
        )
        entries.append(
            Entry(
                email.sent_at or email.created_at,
                _("Email"),
                text,
                _admin("core_outboxemail_change", email.pk),
            )
        )
    for document in RenderedDocument.objects.filter(case_study=cs).select_related("version"):
        entries.append(
            Entry(
                document.created_at,
                _("Document"),
                _("%(kind)s, version %(n)s (%(status)s)")
                % {
                    "kind": document.get_kind_display(),
                    "n": document.version.number,
                    "status": document.get_status_display(),
                },
                _admin("distribution_rendereddocument_change", document.pk),
            )
        )
    entries.sort(key=lambda e: _at(e.at), reverse=True)
    return facts


def workspace(case_study: CaseStudy) -> dict:
    """The context of the workspace page."""
    from recruitment.timeline import expected_publication

    facts = gather(case_study)
    expected = expected_publication(case_study)
    step = next_step(case_study, facts)
    secondary = [
        services.TRANSITIONS[name]
        for name in ("put_on_hold", "decline", "request_changes", "archive")
        if case_study.state in services.TRANSITIONS[name].sources
    ]
    return {
        "stages": stepper(case_study, facts.history, expected),
        "next_step": step,
        "secondary": secondary,
        "entries": facts.entries,
        "facts": facts,
        "expected": expected if case_study.state != S.PUBLISHED else None,
        "assigned": {row.area: row.choice_value for row in facts.assignments},
    }


# --------------------------------------------------------------------------
# Assigned internal reviewers: the picker
# --------------------------------------------------------------------------


def assignments(case_study: CaseStudy) -> list:
    from casestudies.models import InternalReviewer

    return list(
        InternalReviewer.objects.filter(case_study=case_study).select_related("user", "group")
    )


def reviewer_choices() -> list[tuple[str, str]]:
    """Colleagues who may sign off (internal reviewers, program managers,
    superusers) and the groups, as ``(value, label)`` for the picker."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Q

    from core.roles import INTERNAL_REVIEWERS, PROGRAM_MANAGERS

    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=[INTERNAL_REVIEWERS, PROGRAM_MANAGERS]))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    choices = [(f"user:{u.pk}", u.get_full_name() or u.get_username()) for u in users]
    choices += [
        (f"group:{g.pk}", _("Anyone in %(group)s") % {"group": g.name})
        for g in Group.objects.order_by("name")
    ]
    return choices


def parse_reviewer_choice(value: str):
    """``"user:3"`` → (user, None), ``"group:2"`` → (None, group); unknown →
    (None, None)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.ids import is_id

    kind, _sep, pk = (value or "").partition(":")
    if not is_id(pk):
        return None, None
    if kind == "user":
        return get_user_model().objects.filter(pk=pk).first(), None
    if kind == "group":
        return None, Group.objects.filter(pk=pk).first()
    return None, None
