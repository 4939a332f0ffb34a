"""Every change to an interview and what it produces, one function each.

The shape of ``casestudies/services.py``: lock the row, check the state and
the preconditions (raising :class:`~core.errors.TransitionError` with
a sentence a person can act on), write, audit, and only after commit enqueue
emails.
"""

import logging
import uuid
from datetime import date as date_type
from datetime import time as time_type
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from casestudies.models import EVIDENCE_LOCKED_STATES, Contact, Quote
from casestudies.services import story_version_create
from core import outbox
from core.audit import actor_name, audit_log
from core.errors import TransitionError
from core.uploads import refuse_markup
from interviews import guide, transcripts
from interviews.models import (
    SCHEDULABLE_STATES,
    ConsentRecord,
    FollowUpQuestion,
    GuideQuestion,
    Interview,
    QuoteSource,
    Stakeholder,
    StakeholderRole,
    SupplementaryFile,
    Transcript,
    TranscriptSegment,
    validate_time_zone,
)

logger = logging.getLogger(__name__)

__all__ = ["TransitionError"]

# The guide's "Record everything" wording, offered as the default text.
DEFAULT_CONSENT_WORDING = {
    "en": (
        "I agree that this interview is recorded so the interviewer can focus on our "
        "conversation instead of taking notes. The recording is transcribed and only "
        "quotes I approve are used."
    ),
    "id": (
        "Saya setuju wawancara ini direkam agar pewawancara bisa fokus pada percakapan "
        "kita, bukan mencatat. Rekaman akan ditranskripsi dan hanya kutipan yang saya "
        "setujui yang digunakan."
    ),
}


def _mb(setting: str, default: int) -> int:
    return int(settings.STORYLINE.get(setting, default))


def _locked_interview(interview_id: int) -> Interview:
    return (
        Interview.objects.select_for_update(of=("self",))
        .select_related("case_study__customer")
        .get(pk=interview_id)
    )


def _user(actor: Any):
    return actor if getattr(actor, "is_authenticated", False) else None


# --------------------------------------------------------------------------
# Scheduling
# --------------------------------------------------------------------------


def _check_schedulable(case_study) -> None:
    if case_study.state not in SCHEDULABLE_STATES:
        raise TransitionError(
            _(
                "Interviews are scheduled while a story is recruiting, interviewing or "
                "drafting; “%(title)s” is %(state)s."
            )
            % {"title": case_study.title, "state": case_study.get_state_display()}
        )


def _check_contact(interview: Interview, contact: Contact) -> None:
    if contact.customer_id != interview.case_study.customer_id:
        raise TransitionError(
            _("%(name)s is not a contact at %(customer)s.")
            % {"name": contact.name, "customer": interview.case_study.customer}
        )


def interview_schedule(
    *,
    case_study,
    actor: Any,
    date: date_type,
    start_time: time_type,
    time_zone: str,
    meeting_link: str,
    duration_minutes: int = 60,
    language: str = "en",
    stakeholders: list[tuple[Contact, str]] | None = None,
    notes: str = "",
    source: str = "",
) -> Interview:
    """Schedule an interview with ``stakeholders`` ((contact, role) pairs;
    an empty role takes the contact's own)."""
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise TransitionError(exc.messages[0]) from exc
    if language not in dict(settings.LANGUAGES):
        raise TransitionError(_("Unknown language “%(code)s”.") % {"code": language})
    with transaction.atomic():
        interview = Interview(
            case_study=case_study,
            date=date,
            start_time=start_time,
            time_zone=time_zone,
            duration_minutes=duration_minutes,
            meeting_link=meeting_link,
            language=language,
            notes=notes,
        )
        _check_schedulable(case_study)
        try:
            interview.full_clean()
        except ValidationError as exc:
            raise TransitionError(" ".join(exc.messages)) from exc
        interview.save()
        audit_log(
            action="interviews.interview.scheduled",
            obj=interview,
            actor=actor,
            data={"case_study": case_study.pk, "starts_at": interview.starts_at.isoformat()},
            source=source,
        )
        for contact, role in stakeholders or []:
            stakeholder_add(interview=interview, contact=contact, role=role, actor=actor)
    return interview


def stakeholder_add(
    *, interview: Interview, contact: Contact, role: str = "", actor: Any, source: str = ""
) -> Stakeholder:
    _check_contact(interview, contact)
    role = role or StakeholderRole.from_contact_role(contact.role)
    if role not in StakeholderRole.values:
        raise TransitionError(_("Unknown stakeholder role."))
    with transaction.atomic():
        interview = _locked_interview(interview.pk)
        if interview.stakeholders.filter(contact=contact).exists():
            raise TransitionError(
                _("%(name)s is already a stakeholder in this interview.") % {"name": contact.name}
            )
        stakeholder = Stakeholder.objects.create(interview=interview, contact=contact, role=role)
        audit_log(
            action="interviews.stakeholder.added",
            obj=interview,
            actor=actor,
            data={"contact": contact.pk, "role": role},
            source=source,
        )
    return stakeholder


def _set_status(
    interview: Interview, *, to: str, sources: set[str], actor, reason, source, check=None
):
    with transaction.atomic():
        locked = _locked_interview(interview.pk)
        if check is not None:
            check(locked)
        if locked.status not in sources:
            raise TransitionError(
                _("The interview is %(status)s; it cannot become %(new)s.")
                % {
                    "status": locked.get_status_display().lower(),
                    "new": Interview.Status(to).label.lower(),
                }
            )
        old = locked.status
        locked.status = to
        locked.save(update_fields=["status", "updated_at"])
        audit_log(
            action=f"interviews.interview.{to}",
            obj=locked,
            actor=actor,
            data={"from": old, "to": to, "reason": reason},
            source=source,
        )
    return locked


def _evidence_of_holding(interview: Interview) -> bool:
    stakeholders = list(interview.stakeholders.all())
    return (
        bool(stakeholders)
        and all(s.has_consented for s in stakeholders)
        and interview.transcripts.exists()
    )


def interview_mark_held(*, interview: Interview, actor: Any, source: str = "") -> Interview:
    def check(locked: Interview) -> None:
        # Before its scheduled start only when the evidence that it took place
        # is in: every stakeholder's consent to record, and a transcript.
        if locked.starts_at > timezone.now() and not _evidence_of_holding(locked):
            raise TransitionError(
                _(
                    "The interview starts on %(when)s (%(zone)s); it can be marked as held "
                    "once it has started, or earlier once consent and a transcript are in. "
                    "If the date changed, edit it first."
                )
                % {
                    "when": formats.date_format(locked.starts_at, "DATETIME_FORMAT"),
                    "zone": locked.time_zone,
                }
            )

    return _set_status(
        interview,
        to=Interview.Status.HELD,
        sources={Interview.Status.SCHEDULED},
        actor=actor,
        reason="",
        source=source,
        check=check,
    )


def interview_cancel(
    *, interview: Interview, actor: Any, reason: str, source: str = ""
) -> Interview:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(_("Cancelling an interview needs a reason."))
    with transaction.atomic():
        cancelled = _set_status(
            interview,
            to=Interview.Status.CANCELLED,
            sources={Interview.Status.SCHEDULED},
            actor=actor,
            reason=reason,
            source=source,
        )
        # Everyone who got the invitation gets the cancellation (once each).
        invited = cancelled.stakeholders.filter(
            invitation_sent_at__isnull=False, cancellation_sent_at__isnull=True
        ).values_list("pk", flat=True)
        for pk in invited:
            outbox.enqueue(
                "interviews.cancellation",
                key=f"interviews.cancellation:{pk}:{cancelled.ics_sequence}",
                payload={"stakeholder": pk, "reason": reason},
                case_study_id=cancelled.case_study_id,
            )
    return cancelled


def interview_reopen(*, interview: Interview, actor: Any, source: str = "") -> Interview:
    """Back to scheduled (a cancelled interview rescheduled, or held by mistake).
    After a cancellation everyone is to be invited again, with the next SEQUENCE."""
    with transaction.atomic():
        reopened = _set_status(
            interview,
            to=Interview.Status.SCHEDULED,
            sources={Interview.Status.CANCELLED, Interview.Status.HELD},
            actor=actor,
            reason="",
            source=source,
        )
        was_cancelled = reopened.stakeholders.filter(cancellation_sent_at__isnull=False)
        if was_cancelled.exists():
            reopened.ics_sequence += 2  # past the CANCEL, which used sequence + 1
            reopened.save(update_fields=["ics_sequence", "updated_at"])
            reopened.stakeholders.update(invitation_sent_at=None, cancellation_sent_at=None)
    return reopened


# --------------------------------------------------------------------------
# Invitations
# --------------------------------------------------------------------------


def invitations_send(
    *, interview: Interview, actor: Any, update: bool = False, source: str = ""
) -> int:
    """Enqueue one invitation per stakeholder not yet invited; with
    ``update`` (after a change of date or link) everyone gets the updated
    calendar event (same UID, next SEQUENCE). Returns how many are queued."""
    with transaction.atomic():
        locked = _locked_interview(interview.pk)
        if locked.status != Interview.Status.SCHEDULED:
            raise TransitionError(_("Only a scheduled interview sends invitations."))
        stakeholders = locked.stakeholders.select_related("contact")
        if not stakeholders:
            raise TransitionError(_("Add the stakeholders before sending invitations."))
        if not locked.guide_questions.exists():  # the questions go out in advance
            guide_generate(interview=locked, actor=actor, source=source)
        if update:
            locked.ics_sequence += 1
            locked.save(update_fields=["ics_sequence", "updated_at"])
            stakeholders.update(invitation_sent_at=None)
        pending = [s.pk for s in stakeholders.filter(invitation_sent_at__isnull=True)]
        if not pending:
            raise TransitionError(
                _(
                    "Every stakeholder has been invited. "
                    "Use “Send updated invitations” after a change."
                )
            )
        audit_log(
            action="interviews.invitations.queued",
            obj=locked,
            actor=actor,
            data={"stakeholders": pending, "sequence": locked.ics_sequence, "update": update},
            source=source,
        )
        for pk in pending:
            outbox.enqueue(
                "interviews.invitation",
                key=f"interviews.invitation:{pk}:{locked.ics_sequence}",
                payload={"stakeholder": pk, "sequence": locked.ics_sequence},
                case_study_id=locked.case_study_id,
            )
        if not update:  # the fatigue ledger of every ask of a customer
            from casestudies.customers.asks import record_interview_asks

            record_interview_asks(interview=locked, stakeholder_ids=pending, actor=actor)
    return len(pending)


# --------------------------------------------------------------------------
# The guide
# --------------------------------------------------------------------------


def guide_generate(
    *, interview: Interview, actor: Any, replace: bool = False, source: str = ""
) -> list[GuideQuestion]:
    """Write the guide's questions for this interview's stakeholders, in its
    language. An existing guide is kept unless ``replace`` (the staff asked
    to regenerate: edits and notes in it are lost)."""
    with transaction.atomic():
        locked = _locked_interview(interview.pk)
        existing = locked.guide_questions.all()
        if existing.exists():
            if not replace:
                raise TransitionError(
                    _("This interview already has a guide; regenerate it to start over.")
                )
            existing.delete()
        roles = list(locked.stakeholders.values_list("role", flat=True))
        rows = [
            GuideQuestion(
                interview=locked,
                section=item.section,
                position=(index + 1) * 10,
                question=item.question,
                probes="\n".join(item.probes),
                minutes=item.minutes,
                for_role=item.for_role,
            )
            for index, item in enumerate(guide.generate(roles, locked.language))
        ]
        GuideQuestion.objects.bulk_create(rows)
        audit_log(
            action="interviews.guide.regenerated" if replace else "interviews.guide.generated",
            obj=locked,
            actor=actor,
            data={"questions": len(rows), "roles": roles, "language": locked.language},
            source=source,
        )
    return list(locked.guide_questions.all())


# --------------------------------------------------------------------------
# Consent
# --------------------------------------------------------------------------


def consent_record(
    *,
    stakeholder: Stakeholder,
    actor: Any,
    given: bool = True,
    wording: str = "",
    method: str,
    when=None,
    source: str = "",
) -> ConsentRecord:
    """Record consent to be recorded (or its withdrawal) with the exact wording."""
    wording = (wording or "").strip()
    if given and not wording:
        raise TransitionError(_("Write down the wording the person agreed to."))
    if method not in ConsentRecord.Method.values:
        raise TransitionError(_("Say how consent was given: on the call, by email or on a form."))
    with transaction.atomic():
        locked = (
            Stakeholder.objects.select_for_update().select_related("contact").get(pk=stakeholder.pk)
        )
        current = locked.consent()
        if not given and (current is None or not current.given):
            raise TransitionError(
                _("%(name)s has not consented; there is nothing to withdraw.")
                % {"name": locked.contact.name}
            )
        record = ConsentRecord.objects.create(
            stakeholder=locked,
            given=given,
            wording=wording or (current.wording if current else ""),
            method=method,
            recorded_at=when or timezone.now(),
            recorded_by_name=actor_name(actor),
        )
        audit_log(
            action="interviews.consent.given" if given else "interviews.consent.withdrawn",
            obj=locked.interview,
            actor=actor,
            data={"contact": locked.contact_id, "method": method, "wording": record.wording},
            source=source,
        )
    return record


# --------------------------------------------------------------------------
# Uploads
# --------------------------------------------------------------------------

HEADER_BYTES = 8192


def _too_large(upload, limit_mb: int) -> bool:
    return upload.size is not None and upload.size > limit_mb * 1024 * 1024


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEADER_BYTES)
    upload.seek(0)
    return head


def _refuse_markup(upload) -> None:
    """No SVG, HTML or XML, whatever the upload is for (core.uploads)."""
    try:
        refuse_markup(upload)
    except ValidationError as exc:
        raise TransitionError(exc.messages[0]) from exc


def recording_upload(*, interview: Interview, upload, actor: Any, source: str = "") -> Interview:
    """Attach the audio or video recording: every stakeholder must have
    consented; the type is read from the content, not the name."""
    limit = _mb("INTERVIEW_RECORDING_MAX_MB", 500)
    if _too_large(upload, limit):
        raise TransitionError(
            _("The recording is larger than %(limit)d MB. Compress it or upload the audio only.")
            % {"limit": limit}
        )
    _refuse_markup(upload)
    kind = filetype.guess(_head(upload))
    if kind is None or not kind.mime.startswith(("audio/", "video/")):
        raise TransitionError(
            _(
                "“%(name)s” is not an audio or video file (checked by its content, not its "
                "name). Upload the recording itself, e.g. MP3, M4A, WAV, MP4 or WebM."
            )
            % {"name": upload.name}
        )
    with transaction.atomic():
        locked = _locked_interview(interview.pk)
        stakeholders = list(locked.stakeholders.select_related("contact"))
        if not stakeholders:
            raise TransitionError(_("Add the stakeholders and their consent before uploading."))
        missing = [s.contact.name for s in stakeholders if not s.has_consented]
        if missing:
            raise TransitionError(
                _(
                    "A recording needs everyone's consent. Not consented: %(names)s. "
                    "Record their consent first."
                )
                % {"names": ", ".join(missing)}
            )
        previous = locked.recording.name
        locked.recording.save(f"interview-{locked.pk}.{kind.extension}", upload, save=False)
        locked.recording_mime = kind.mime
        locked.recording_uploaded_at = timezone.now()
        locked.save(
            update_fields=["recording", "recording_mime", "recording_uploaded_at", "updated_at"]
        )
        audit_log(
            action="interviews.recording.uploaded",
            obj=locked,
            actor=actor,
            data={
                "file": locked.recording.name,
                "type": kind.mime,
                "size": upload.size,
                "replaced": previous,
            },
            source=source,
        )
    return locked


def _match_contact(label: str, contacts: list[Contact]) -> Contact | None:
    """The stakeholder a transcript's speaker label names, if it is clear."""
    wanted = " ".join(label.casefold().split())
    if not wanted:
        return None
    exact = [c for c in contacts if " ".join(c.name.casefold().split()) == wanted]
    if len(exact) == 1:
        return exact[0]
    first = [c for c in contacts if c.name.casefold().split()[:1] == [wanted]]
    if len(first) == 1:
        return first[0]
    partial = [c for c in contacts if wanted in c.name.casefold()]
    return partial[0] if len(partial) == 1 else None


def transcript_upload(*, interview: Interview, upload, actor: Any, source: str = "") -> Transcript:
    """Parse and store a transcript (.txt, .vtt, .srt). A broken file is
    refused whole, naming the line; speakers are matched to stakeholders."""
    limit = _mb("INTERVIEW_TRANSCRIPT_MAX_MB", 10)
    if _too_large(upload, limit):
        raise TransitionError(_("The transcript is larger than %(limit)d MB.") % {"limit": limit})
    _refuse_markup(upload)
    upload.seek(0)
    data = upload.read()
    try:
        fmt, segments = transcripts.parse(data, upload.name or "")
    except transcripts.TranscriptError as exc:
        raise TransitionError(str(exc)) from exc
    with transaction.atomic():
        locked = _locked_interview(interview.pk)
        contacts = [s.contact for s in locked.stakeholders.select_related("contact")]
        transcript = Transcript(
            interview=locked,
            format=fmt,
            uploaded_at=timezone.now(),
            uploaded_by_name=actor_name(actor),
        )
        transcript.file.save(f"interview-{locked.pk}.{fmt}", ContentFile(data), save=False)
        transcript.save()
        TranscriptSegment.objects.bulk_create(
            [
                TranscriptSegment(
                    transcript=transcript,
                    position=index,
                    speaker=segment.speaker[:200],
                    contact=_match_contact(segment.speaker, contacts),
                    start=segment.start,
                    end=segment.end,
                    text=segment.text,
                )
                for index, segment in enumerate(segments, start=1)
            ]
        )
        audit_log(
            action="interviews.transcript.uploaded",
            obj=locked,
            actor=actor,
            data={"transcript": transcript.pk, "format": fmt, "segments": len(segments)},
            source=source,
        )
    return transcript


def supplementary_image_check(upload) -> str:
    """For before/after screenshots: an image by its content. Returns its MIME type."""
    kind = filetype.guess(_head(upload))
    if kind is None or not kind.mime.startswith("image/"):
        raise TransitionError(
            _("“%(name)s” is not an image (checked by its content). Upload a PNG, JPEG or WebP.")
            % {"name": upload.name}
        )
    return kind.mime


def supplementary_size_check(upload) -> None:
    limit = _mb("INTERVIEW_FILE_MAX_MB", 20)
    if _too_large(upload, limit):
        raise TransitionError(_("The file is larger than %(limit)d MB.") % {"limit": limit})


def supplementary_file_check(upload, *, kind: str) -> None:
    """A supplementary file: within the size limit, never markup (SVG,
    HTML, XML); a before/after screenshot is an image by its content."""
    supplementary_size_check(upload)
    _refuse_markup(upload)
    if kind in (SupplementaryFile.Kind.BEFORE, SupplementaryFile.Kind.AFTER):
        supplementary_image_check(upload)


# --------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------


def _check_evidence_open(case_study) -> None:
    if case_study.state in EVIDENCE_LOCKED_STATES:
        raise TransitionError(
            _("“%(title)s” is %(state)s: its quotes are what the customer approved.")
            % {"title": case_study.title, "state": case_study.get_state_display()}
        )


# A quote is a sentence or two a reader remembers, never a whole passage.
QUOTE_MAX_LENGTH = 1000


def quote_capture(
    *,
    interview: Interview,
    text: str,
    actor: Any,
    kind: str = Quote.Kind.INLINE,
    permission: str = Quote.Permission.NOT_ASKED,
    speaker: Contact | None = None,
    segment: TranscriptSegment | None = None,
    section: str = "",
    source: str = "",
) -> Quote:
    """A quote from the transcript, remembered with the passage it came from."""
    text = " ".join((text or "").split())
    if not text:
        raise TransitionError(_("Select or type the words to quote."))
    if len(text) > QUOTE_MAX_LENGTH:
        raise TransitionError(
            _(
                "A quote is at most %(max)d characters and this one has %(n)d: "
                "keep the strongest sentence or two."
            )
            % {"max": QUOTE_MAX_LENGTH, "n": len(text)}
        )
    if kind not in Quote.Kind.values or permission not in Quote.Permission.values:
        raise TransitionError(_("Pick the kind of quote and its permission state."))
    with transaction.atomic():
        locked = _locked_interview(interview.pk)
        case_study = locked.case_study
        _check_evidence_open(case_study)
        if segment is not None and segment.transcript.interview_id != locked.pk:
            raise TransitionError(_("That passage belongs to another interview."))
        if speaker is None and segment is not None:
            speaker = segment.contact
        if speaker is not None:
            _check_contact(locked, speaker)
        name = speaker.name if speaker else (segment.speaker if segment else "")
        if not name:
            raise TransitionError(_("Say who said it: pick the speaker."))
        position = (case_study.quotes.aggregate(n=Max("position"))["n"] or 0) + 1
        quote = Quote.objects.create(
            case_study=case_study,
            speaker=speaker,
            speaker_name=name,
            speaker_title=(speaker.title if speaker else ""),
            text=text,
            kind=kind,
            permission=permission,
            position=position,
        )
        QuoteSource.objects.create(
            quote=quote, interview=locked, segment=segment, section=section or ""
        )
        audit_log(
            action="interviews.quote.captured",
            obj=quote,
            actor=actor,
            data={
                "interview": locked.pk,
                "segment": segment.pk if segment else None,
                "kind": kind,
                "permission": permission,
            },
            source=source,
        )
    return quote


def quote_permission_set(*, quote: Quote, permission: str, actor: Any, source: str = "") -> Quote:
    """Not asked → asked → approved / refused (a refusal can be asked again)."""
    if permission not in Quote.Permission.values:
        raise TransitionError(_("Unknown permission state."))
    with transaction.atomic():
        locked = (
            Quote.objects.select_for_update(of=("self",))
            .select_related("case_study")
            .get(pk=quote.pk)
        )
        _check_evidence_open(locked.case_study)
        old = locked.permission
        if old == permission:
            raise TransitionError(
                _("The quote's permission is already “%(state)s”.")
                % {"state": locked.get_permission_display()}
            )
        if permission == Quote.Permission.NOT_ASKED:
            raise TransitionError(_("A quote that has been asked about cannot become “not asked”."))
        locked.permission = permission
        locked.save(update_fields=["permission", "updated_at"])
        audit_log(
            action="interviews.quote.permission",
            obj=locked,
            actor=actor,
            data={"from": old, "to": permission},
            source=source,
        )
    return locked


# --------------------------------------------------------------------------
# Follow-up questions
# --------------------------------------------------------------------------


def followup_add(
    *,
    interview: Interview,
    contact: Contact,
    question: str,
    actor: Any,
    segment: TranscriptSegment | None = None,
    guide_question: GuideQuestion | None = None,
    source: str = "",
) -> FollowUpQuestion:
    question = (question or "").strip()
    if not question:
        raise TransitionError(_("Write the follow-up question."))
    with transaction.atomic():
        locked = _locked_interview(interview.pk)
        if not locked.stakeholders.filter(contact=contact).exists():
            raise TransitionError(
                _("%(name)s is not a stakeholder of this interview.") % {"name": contact.name}
            )
        if segment is not None and segment.transcript.interview_id != locked.pk:
            raise TransitionError(_("That passage belongs to another interview."))
        if guide_question is not None and guide_question.interview_id != locked.pk:
            raise TransitionError(_("That guide question belongs to another interview."))
        followup = FollowUpQuestion.objects.create(
            interview=locked,
            contact=contact,
            question=question,
            segment=segment,
            guide_question=guide_question,
        )
        audit_log(
            action="interviews.followup.added",
            obj=locked,
            actor=actor,
            data={"followup": followup.pk, "contact": contact.pk},
            source=source,
        )
    return followup


def followups_send(*, interview: Interview, contact: Contact, actor: Any, source: str = "") -> int:
    """Enqueue ONE email with every unsent question for ``contact``; the task
    claims them, so concurrent clicks and retries send nothing more."""
    with transaction.atomic():
        locked = _locked_interview(interview.pk)
        unsent = locked.followups.filter(contact=contact, sent_at__isnull=True).count()
        if not unsent:
            raise TransitionError(
                _("There are no unsent follow-up questions for %(name)s.") % {"name": contact.name}
            )
        audit_log(
            action="interviews.followups.queued",
            obj=locked,
            actor=actor,
            data={"contact": contact.pk, "questions": unsent},
            source=source,
        )
        outbox.enqueue(
            "interviews.followups",
            key=f"interviews.followups:{locked.pk}:{contact.pk}:{uuid.uuid4().hex}",
            payload={"interview": locked.pk, "contact": contact.pk},
            case_study_id=locked.case_study_id,
        )
    return unsent


def followup_answer(
    *, followup: FollowUpQuestion, answer: str, actor: Any, source: str = ""
) -> FollowUpQuestion:
    answer = (answer or "").strip()
    if not answer:
        raise TransitionError(_("Write the answer you received."))
    with transaction.atomic():
        locked = FollowUpQuestion.objects.select_for_update().get(pk=followup.pk)
        if locked.sent_at is None:
            raise TransitionError(_("Send the question before recording an answer."))
        locked.answer = answer
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "answered_at", "updated_at"])
        audit_log(
            action="interviews.followup.answered",
            obj=locked,
            actor=actor,
            data={"interview": locked.interview_id},
            source=source,
        )
    return locked


# --------------------------------------------------------------------------
# First draft
# --------------------------------------------------------------------------


def draft_assemble(*, interview: Interview, actor: Any, source: str = ""):
    """Assemble the first draft from this interview and save it as a new
    story version, in the interview's language."""
    from interviews import drafting

    interview = Interview.objects.select_related("case_study__customer").get(pk=interview.pk)
    sections = drafting.assemble(interview)
    with translation.override(interview.language):
        note = _("First draft assembled from interview %(date)s") % {
            "date": formats.date_format(interview.date, "SHORT_DATE_FORMAT")
        }
    version = story_version_create(
        case_study=interview.case_study,
        actor=actor,
        title=interview.case_study.title,
        sections=sections,
        language=interview.language,
        note=note,
        source=source or "interviews.draft",
    )
    audit_log(
        action="interviews.draft.assembled",
        obj=interview,
        actor=actor,
        data={"version": version.number},
        source=source,
    )
    return version
