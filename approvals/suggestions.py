"""Reviewers' suggestions into a new story version.

Staff accept some of a request's review comments (their suggested text, as
suggested or edited, replaces the section) and reject others with a note.
The accepted replacements become ONE new :class:`StoryVersion` through
:func:`casestudies.services.story_version_create`, built on the newest
version staff looked at (``base_number``): if a colleague saved or accepted
meanwhile, nothing is saved and :class:`VersionConflict` says so. The
comments are locked while they are resolved, so two managers resolving the
same suggestions leave one outcome. The manager then starts the request for
the new version (the stale request's page offers it, reviewers ticked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals.models import ApprovalRequest, ReviewComment
from approvals.services import next_version_sections
from casestudies import services as casestudy_services
from casestudies.models import StoryVersion
from core.audit import actor_name, audit_log

MAX_TEXT = 20_000
MAX_NOTE = 2_000


class SuggestionError(Exception):
    """A refusal a person can act on."""


@dataclass(frozen=True)
class Accept:
    comment_id: int
    text: str | None = None  # None: keep the section as it is (a plain comment)
    note: str = ""


@dataclass(frozen=True)
class Reject:
    comment_id: int
    note: str = ""


def base_version(approval_request: ApprovalRequest) -> StoryVersion:
    """The newest version in the request's language: what the replacements
    are applied to (usually the requested version itself)."""
    return (
        approval_request.case_study.versions.filter(language=approval_request.version.language)
        .order_by("-number")
        .first()
    ) or approval_request.version


def request_comments(approval_request: ApprovalRequest):
    return ReviewComment.objects.filter(step__request=approval_request)


def suggestions_resolve(
    *,
    approval_request: ApprovalRequest,
    accept: list[Accept],
    reject: list[Reject],
    base_number: int,
    actor: Any,
    source: str = "",
) -> StoryVersion | None:
    """Accept and reject review comments; accepted replacement texts become
    one new version (returned; None when no text changed)."""
    if not accept and not reject:
        raise SuggestionError(_("Choose at least one suggestion to accept or reject."))
    ids = [a.comment_id for a in accept] + [r.comment_id for r in reject]
    if len(set(ids)) != len(ids):
        raise SuggestionError(_("Each suggestion can be accepted or rejected, not both."))
    replacing = [a for a in accept if a.text is not None]
    for item in replacing:
        if not item.text.strip():
            raise SuggestionError(_("An accepted suggestion cannot leave its section empty."))
        if len(item.text) > MAX_TEXT:
            raise SuggestionError(
                _("A section can be at most %(n)s characters long.") % {"n": MAX_TEXT}
            )
    if any(len(item.note) > MAX_NOTE for item in [*accept, *reject]):
        raise SuggestionError(_("A note can be at most %(n)s characters long.") % {"n": MAX_NOTE})

    name = actor_name(actor)
    with transaction.atomic():
        comments = {
            c.pk: c
            for c in request_comments(approval_request)
            .select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
        }
        if len(comments) != len(ids):
            raise SuggestionError(_("Some of these suggestions are not part of this request."))
        if any(c.status != ReviewComment.Status.OPEN for c in comments.values()):
            raise SuggestionError(
                _(
                    "Someone resolved some of these suggestions meanwhile; nothing was changed. "
                    "Reload the page to see what they decided."
                )
            )
        sections_replaced: dict[str, int] = {}
        for item in replacing:
            section = comments[item.comment_id].section
            if not section:
                raise SuggestionError(
                    _(
                        "A suggestion for the whole story cannot replace a section: accept it "
                        "without text and edit the story instead."
                    )
                )
            if section in sections_replaced:
                raise SuggestionError(
                    _(
                        "Two accepted suggestions replace the same section (%(section)s): "
                        "accept one, merged by editing it, and reject the other."
                    )
                    % {"section": comments[item.comment_id].get_section_display()}
                )
            sections_replaced[section] = item.comment_id

        version = None
        if replacing:
            base = base_version(approval_request)
            sections = base.sections()
            for item in replacing:
                sections[comments[item.comment_id].section] = item.text
            # The customer's answers travel too: refused quotes and applied
            # confidential phrases stay out of the new version.
            sections, _changed = next_version_sections(approval_request.case_study, sections)
            count = len(replacing)
            version = casestudy_services.story_version_create(
                case_study=approval_request.case_study,
                actor=actor,
                title=base.title,
                sections=sections,
                language=base.language,
                note=ngettext(
                    "%(n)s reviewer suggestion accepted",
                    "%(n)s reviewer suggestions accepted",
                    count,
                )
                % {"n": count},
                base_number=base_number,
                source=source,
            )

        now = timezone.now()
        for item in accept:
            comment = comments[item.comment_id]
            edited = item.text is not None and item.text.strip() != comment.suggested_text.strip()
            note = item.note.strip() or (_("Accepted with edits.") if edited else "")
            comment.status = ReviewComment.Status.ACCEPTED
            comment.resolution_note = note
            comment.resulting_version = version
            comment.resolved_at = now
            comment.resolved_by_name = name
            comment.save(
                update_fields=[
                    "status",
                    "resolution_note",
                    "resulting_version",
                    "resolved_at",
                    "resolved_by_name",
                    "updated_at",
                ]
            )
        for item in reject:
            comment = comments[item.comment_id]
            comment.status = ReviewComment.Status.REJECTED
            comment.resolution_note = item.note.strip()
            comment.resolved_at = now
            comment.resolved_by_name = name
            comment.save(
                update_fields=[
                    "status",
                    "resolution_note",
                    "resolved_at",
                    "resolved_by_name",
                    "updated_at",
                ]
            )
        audit_log(
            action="approvals.suggestions.resolved",
            obj=approval_request,
            actor=actor,
            data={
                "accepted": sorted(a.comment_id for a in accept),
                "rejected": sorted(r.comment_id for r in reject),
                "edited": sorted(
                    a.comment_id
                    for a in replacing
                    if a.text.strip() != comments[a.comment_id].suggested_text.strip()
                ),
                "version": version.number if version else None,
                "base_number": base_number,
            },
            source=source,
        )
    return version
