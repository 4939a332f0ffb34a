"""Every state change of a case study, one function each.

Each transition has the shape of pretix's ``approve_order``: lock the row,
check the current state and the preconditions (raising
:class:`TransitionError` with a sentence a person can act on), set the fields,
``save(update_fields=…)``, write the history row and the audit entry, and only
after commit enqueue side effects.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casestudies import checker
from casestudies.models import (
    ACTIVE_STATES,
    SECTION_FIELDS,
    CaseStudy,
    CaseStudyState,
    Contact,
    Customer,
    InternalReviewComment,
    InternalReviewer,
    InternalSignOff,
    StateChange,
    StoryTranslation,
    StoryVersion,
    internal_review_areas,
    review_area_label,
)
from core import outbox
from core.audit import actor_name, audit_log
from core.errors import TransitionError

S = CaseStudyState


class VersionConflict(TransitionError):
    """Another version was saved since the writer opened the editor."""

    def __init__(self, message: str, *, latest: StoryVersion):
        super().__init__(message)
        self.latest = latest


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any  # lazy translation
    sources: frozenset[str]
    target: str | None  # None: decided by the function (resume)
    needs_reason: bool = False


def _t(name: str, label: Any, sources: Iterable[str], target: str | None, **kw: Any) -> Transition:
    return Transition(name, label, frozenset(sources), target, **kw)


# The whole state machine in one table; the functions below are its only doors.
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("start_recruiting", gettext_lazy("Start recruiting"), [S.CANDIDATE], S.RECRUITING),
        _t(
            "start_interviewing", gettext_lazy("Start interviewing"), [S.RECRUITING], S.INTERVIEWING
        ),
        _t("start_drafting", gettext_lazy("Start drafting"), [S.INTERVIEWING], S.DRAFTING),
        _t("submit_for_review", gettext_lazy("Submit for review"), [S.DRAFTING], S.IN_REVIEW),
        _t(
            "request_changes",
            gettext_lazy("Request changes"),
            [S.IN_REVIEW],
            S.DRAFTING,
            needs_reason=True,
        ),
        _t("approve", gettext_lazy("Record approval"), [S.IN_REVIEW], S.APPROVED),
        _t("publish", gettext_lazy("Publish"), [S.APPROVED], S.PUBLISHED),
        _t(
            "archive",
            gettext_lazy("Archive"),
            [S.PUBLISHED, S.APPROVED],
            S.ARCHIVED,
            needs_reason=True,
        ),
        _t(
            "decline",
            gettext_lazy("Decline"),
            [*ACTIVE_STATES, S.ON_HOLD],
            S.DECLINED,
            needs_reason=True,
        ),
        _t("put_on_hold", gettext_lazy("Put on hold"), ACTIVE_STATES, S.ON_HOLD, needs_reason=True),
        _t("resume", gettext_lazy("Resume"), [S.ON_HOLD], None),
        _t("reconsider", gettext_lazy("Reconsider"), [S.DECLINED], S.CANDIDATE),
    ]
}


def _transition(
    case_study_id: int,
    transition: Transition,
    *,
    actor: Any,
    reason: str = "",
    source: str = "",
    check: Callable[[CaseStudy], None] | None = None,
    apply: Callable[[CaseStudy], list[str]] | None = None,
    version_after: Callable[[CaseStudy], StoryVersion | None] | None = None,
) -> CaseStudy:
    """The one way a case study changes state. ``check`` raises to refuse,
    ``apply`` sets extra fields (returning their names), ``version_after``
    names the story version the move concerns, for the history row."""
    reason = (reason or "").strip()
    with transaction.atomic():
        case_study = (
            CaseStudy.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=case_study_id)
        )
        old = case_study.state
        if old not in transition.sources:
            raise TransitionError(
                _("“%(title)s” is %(state)s; it cannot be moved by “%(action)s”.")
                % {
                    "title": case_study.title,
                    "state": CaseStudyState(old).label,
                    "action": transition.label,
                }
            )
        if transition.needs_reason and not reason:
            raise TransitionError(_("“%(action)s” needs a reason.") % {"action": transition.label})
        if check is not None:
            check(case_study)

        now = timezone.now()
        fields = apply(case_study) if apply is not None else []
        new = transition.target or case_study.state
        version = version_after(case_study) if version_after is not None else None
        case_study.state = new
        case_study.state_changed_at = now
        case_study.save(update_fields=["state", "state_changed_at", "updated_at", *fields])

        change = StateChange.objects.create(
            case_study=case_study,
            created_at=now,
            from_state=old,
            to_state=new,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_name=actor_name(actor),
            reason=reason,
            version=version,
        )
        audit_log(
            action=f"casestudies.case_study.{transition.name}",
            obj=case_study,
            actor=actor,
            data={
                "from": old,
                "to": new,
                "reason": reason,
                **(
                    {"version": version.number, "content_hash": version.content_hash}
                    if version
                    else {}
                ),
            },
            source=source,
        )
        if case_study.owner_id and case_study.owner_id != change.actor_id:
            # The outbox row commits with the move: a broker outage delays the
            # owner's email, never loses it or breaks the move.
            outbox.enqueue(
                "casestudies.state_change",
                key=f"casestudies.state_change:{change.pk}",
                payload={"change": change.pk},
                case_study_id=case_study.pk,
            )
    return case_study


# --------------------------------------------------------------------------
# Creation
# --------------------------------------------------------------------------


def _unique_slug(base: str, max_length: int = 80) -> str:
    base = slugify(base)
    if len(base) > max_length:  # cut at a word boundary: a readable public URL
        base = base[:max_length].rsplit("-", 1)[0]
    base = base or "case-study"
    slug, n = base, 2
    while CaseStudy.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _anonymous_slug(cs: CaseStudy) -> str | None:
    """A new slug for an anonymised story whose slug names the customer
    (the public URL must not give away what the page hides); None if fine."""
    name = slugify(cs.customer.name)
    if not cs.anonymised or not name or name not in cs.slug:
        return None
    version = cs.approved_version or cs.published_version
    base = slugify(cs.anonymise_text(version.title if version else cs.title))
    if name in base:
        base = slugify(cs.public_customer_name)
    return _unique_slug(base)


def case_study_anonymise_slug(*, case_study: CaseStudy, actor: Any, source: str = "") -> CaseStudy:
    """Give an anonymised story a slug without the customer's name (called
    when a story is anonymised after its slug was made)."""
    with transaction.atomic():
        cs = (
            CaseStudy.objects.select_for_update(of=("self",))
            .select_related("customer__industry", "approved_version", "published_version")
            .get(pk=case_study.pk)
        )
        new = _anonymous_slug(cs)
        if new is None:
            return cs
        old, cs.slug = cs.slug, new
        cs.save(update_fields=["slug", "updated_at"])
        audit_log(
            action="casestudies.case_study.slug_anonymised",
            obj=cs,
            actor=actor,
            data={"from": old, "to": new},
            source=source,
        )
    return cs


USAGE_RIGHTS_FIELDS = (
    "anonymised",
    "percentage_only",
    "rights_expire_on",
    "channel_web",
    "channel_pdf",
    "channel_sales_decks",
    "channel_social",
    "channel_events",
    "channel_paid",
    "logo_allowed",
)


def case_study_usage_rights_changed(
    *, case_study: CaseStudy, changes: dict[str, tuple[Any, Any]], actor: Any, source: str = ""
) -> CaseStudy:
    """Record a change of usage rights (``{field: (old, new)}``) in the audit
    log and keep an anonymised story's URL free of the customer's name."""
    if not changes:
        return case_study
    audit_log(
        action="casestudies.case_study.usage_rights_changed",
        obj=case_study,
        actor=actor,
        data={name: [str(old), str(new)] for name, (old, new) in changes.items()},
        source=source,
    )
    if case_study.anonymised:
        return case_study_anonymise_slug(case_study=case_study, actor=actor, source=source)
    return case_study


def case_study_create(
    *,
    customer: Customer,
    title: str,
    actor: Any,
    owner: Any = None,
    featured: bool = False,
    source: str = "",
) -> CaseStudy:
    """A new candidate story for ``customer``."""
    title = title.strip()
    if not title:
        raise TransitionError(_("A case study needs a working title."))
    if customer.archived:
        raise TransitionError(_("%(customer)s is archived.") % {"customer": customer})
    slug_base = title if customer.name.lower() in title.lower() else f"{customer.name} {title}"
    with transaction.atomic():
        for attempt in range(5):
            try:
                with transaction.atomic():  # a savepoint: a taken slug is retried
                    case_study = CaseStudy.objects.create(
                        customer=customer,
                        title=title,
                        slug=_unique_slug(slug_base),
                        owner=owner,
                        featured=featured,
                    )
                break
            except IntegrityError:
                if attempt == 4:
                    raise
        audit_log(
            action="casestudies.case_study.created",
            obj=case_study,
            actor=actor,
            data={"customer": customer.pk},
            source=source,
        )
    return case_study


# --------------------------------------------------------------------------
# The main line
# --------------------------------------------------------------------------


def case_study_start_recruiting(
    *, case_study: CaseStudy, actor: Any, reason: str = "", source: str = ""
) -> CaseStudy:
    def check(cs: CaseStudy) -> None:
        if cs.customer.implementation_status == Customer.ImplementationStatus.CHURNED:
            raise TransitionError(_("%(customer)s has churned.") % {"customer": cs.customer})
        contacts = cs.customer.contacts.filter(archived=False, left_company=False, may_contact=True)
        if not contacts.exists():
            raise TransitionError(
                _("Add a contact at %(customer)s who may be contacted before recruiting.")
                % {"customer": cs.customer}
            )

    return _transition(
        case_study.pk,
        TRANSITIONS["start_recruiting"],
        actor=actor,
        reason=reason,
        source=source,
        check=check,
    )


def case_study_start_interviewing(
    *, case_study: CaseStudy, actor: Any, reason: str = "", source: str = ""
) -> CaseStudy:
    def check(cs: CaseStudy) -> None:
        participants = Contact.objects.filter(
            customer_id=cs.customer_id,
            agreed_to_participate=True,
            archived=False,
            left_company=False,
        )
        if not participants.exists():
            raise TransitionError(
                _(
                    "No contact at %(customer)s has agreed to take part yet: tick “agreed to "
                    "take part” on the contact who said yes (Customers, %(customer)s, Contacts)."
                )
                % {"customer": cs.customer}
            )

    return _transition(
        case_study.pk,
        TRANSITIONS["start_interviewing"],
        actor=actor,
        reason=reason,
        source=source,
        check=check,
    )


def case_study_start_drafting(
    *, case_study: CaseStudy, actor: Any, reason: str = "", source: str = ""
) -> CaseStudy:
    def check(cs: CaseStudy) -> None:
        if not cs.metrics.exists() and not cs.quotes.exists():
            raise TransitionError(
                _("Capture at least one metric or quote from the interviews before drafting.")
            )

    return _transition(
        case_study.pk,
        TRANSITIONS["start_drafting"],
        actor=actor,
        reason=reason,
        source=source,
        check=check,
    )


def _latest_version(cs: CaseStudy, language: str | None = None) -> StoryVersion | None:
    versions = cs.versions.all()
    if language:
        versions = versions.filter(language=language)
    return versions.order_by("-number").first()


def _require_current(cs: CaseStudy, version: StoryVersion, *, stale: str) -> None:
    """``version`` must be the newest in its language and intact; ``stale`` is
    the refusal (with ``%(old)s``/``%(new)s``) when a newer one exists."""
    latest = _latest_version(cs, version.language)
    if latest is not None and latest.pk != version.pk:
        raise TransitionError(stale % {"old": version.number, "new": latest.number})
    if not version.verify_hash():
        raise TransitionError(_("Version %(n)s fails its content check.") % {"n": version.number})


def case_study_submit_for_review(
    *, case_study: CaseStudy, actor: Any, reason: str = "", source: str = ""
) -> CaseStudy:
    def check(cs: CaseStudy) -> None:
        latest = _latest_version(cs)
        if latest is None:
            raise TransitionError(_("Save a version of the story before submitting it for review."))
        # The gate: product, marketing and legal approved this exact version.
        _require_internal_review(
            latest,
            _(
                "Internal review of version %(n)s is not complete: %(areas)s must approve "
                "it before it goes to the customer."
            ),
        )

    return _transition(
        case_study.pk,
        TRANSITIONS["submit_for_review"],
        actor=actor,
        reason=reason,
        source=source,
        check=check,
        version_after=_latest_version,
    )


def case_study_request_changes(
    *, case_study: CaseStudy, actor: Any, reason: str, source: str = ""
) -> CaseStudy:
    return _transition(
        case_study.pk, TRANSITIONS["request_changes"], actor=actor, reason=reason, source=source
    )


def case_study_approve(
    *,
    case_study: CaseStudy,
    version: StoryVersion | None = None,
    actor: Any,
    reason: str = "",
    source: str = "",
) -> CaseStudy:
    """Record that ``version`` (by default the latest) is approved by everyone
    who must approve it. The approvals app calls this when its chain completes."""

    def check(cs: CaseStudy) -> None:
        nonlocal version  # resolved under the lock: "the latest" means now
        version = version or _latest_version(cs)
        if version is None:
            raise TransitionError(_("There is no version of the story to approve."))
        if version.case_study_id != cs.pk:
            raise TransitionError(_("That version belongs to another case study."))
        _require_current(
            cs, version, stale=_("Version %(old)s is stale: version %(new)s was saved after it.")
        )

    def apply(cs: CaseStudy) -> list[str]:
        cs.approved_version = version
        return ["approved_version"]

    return _transition(
        case_study.pk,
        TRANSITIONS["approve"],
        actor=actor,
        reason=reason,
        source=source,
        check=check,
        apply=apply,
        version_after=lambda cs: cs.approved_version,
    )


def _require_named_with_permission(cs: CaseStudy, version: StoryVersion) -> None:
    """The prose names nobody who has not agreed to be named (the checker's
    "named without permission"): publishing refuses, linking to the fix."""
    named = checker.unpermitted_names(version.sections(), checker.case_study_people(cs))
    if not named:
        return
    first = named[0]
    raise TransitionError(
        _(
            "Version %(n)s names %(name)s, who has not agreed to be named publicly "
            "(%(section)s, paragraph %(paragraph)s: “%(excerpt)s”). Record their "
            "permission to be named, or write their job title instead and have the new "
            "version approved."
        )
        % {
            "n": version.number,
            "name": " ".join(version.sections()[first.section][first.start : first.end].split()),
            "section": first.section_label,
            "paragraph": first.paragraph,
            "excerpt": first.excerpt[:120],
        },
        fix_url=first.fix_url,
        fix_label=first.fix_label,
    )


def case_study_publish(
    *, case_study: CaseStudy, actor: Any, reason: str = "", source: str = ""
) -> CaseStudy:
    """Publish exactly the approved version; refuse when a newer version exists."""

    def check(cs: CaseStudy) -> None:
        approved = cs.approved_version
        if approved is None:
            raise TransitionError(_("No approved version to publish."))
        if not cs.channel_web:
            raise TransitionError(
                _(
                    "The customer's usage rights do not allow the public website; "
                    "the story can be used only where they allow it."
                )
            )
        _require_current(
            cs,
            approved,
            stale=_(
                "Version %(new)s was saved after the approved version %(old)s; "
                "it must be approved before publishing."
            ),
        )
        _require_named_with_permission(cs, approved)

    def apply(cs: CaseStudy) -> list[str]:
        cs.published_version = cs.approved_version
        fields = ["published_version"]
        anonymous_slug = _anonymous_slug(cs)
        if anonymous_slug:
            cs.slug = anonymous_slug
            fields.append("slug")
        if cs.published_at is None:
            cs.published_at = timezone.now()
            fields.append("published_at")
        return fields

    return _transition(
        case_study.pk,
        TRANSITIONS["publish"],
        actor=actor,
        reason=reason,
        source=source,
        check=check,
        apply=apply,
        version_after=lambda cs: cs.published_version,
    )


def case_study_archive(
    *, case_study: CaseStudy, actor: Any, reason: str, source: str = ""
) -> CaseStudy:
    return _transition(
        case_study.pk, TRANSITIONS["archive"], actor=actor, reason=reason, source=source
    )


# --------------------------------------------------------------------------
# Exits
# --------------------------------------------------------------------------


def case_study_decline(
    *, case_study: CaseStudy, actor: Any, reason: str, source: str = ""
) -> CaseStudy:
    def apply(cs: CaseStudy) -> list[str]:
        # A declined story starts over if it is ever reconsidered: no approval
        # survives it.
        cs.held_from_state = ""
        cs.approved_version = None
        return ["held_from_state", "approved_version"]

    return _transition(
        case_study.pk,
        TRANSITIONS["decline"],
        actor=actor,
        reason=reason,
        source=source,
        apply=apply,
    )


def case_study_put_on_hold(
    *, case_study: CaseStudy, actor: Any, reason: str, source: str = ""
) -> CaseStudy:
    def apply(cs: CaseStudy) -> list[str]:
        cs.held_from_state = cs.state
        return ["held_from_state"]

    return _transition(
        case_study.pk,
        TRANSITIONS["put_on_hold"],
        actor=actor,
        reason=reason,
        source=source,
        apply=apply,
    )


def case_study_resume(
    *, case_study: CaseStudy, actor: Any, reason: str = "", source: str = ""
) -> CaseStudy:
    """Back to the state it was held from."""

    def apply(cs: CaseStudy) -> list[str]:
        cs.state = cs.held_from_state
        cs.held_from_state = ""
        return ["held_from_state"]

    return _transition(
        case_study.pk,
        TRANSITIONS["resume"],
        actor=actor,
        reason=reason,
        source=source,
        apply=apply,
    )


def case_study_reconsider(
    *, case_study: CaseStudy, actor: Any, reason: str = "", source: str = ""
) -> CaseStudy:
    return _transition(
        case_study.pk, TRANSITIONS["reconsider"], actor=actor, reason=reason, source=source
    )


# The main line, in order: each transition's target is the next one's source.
MAIN_LINE = (
    "start_recruiting",
    "start_interviewing",
    "start_drafting",
    "submit_for_review",
    "approve",
    "publish",
    "archive",
)


def main_line_to(state: str) -> list[str]:
    """The transitions that take a candidate to ``state`` along the main line."""
    path: list[str] = []
    current = S.CANDIDATE
    for name in MAIN_LINE:
        if current == state:
            break
        path.append(name)
        current = TRANSITIONS[name].target
    if current != state:
        raise ValueError(f"{state} is not on the main line")
    return path


# Name → function, for the admin actions and the command line.
TRANSITION_FUNCTIONS: dict[str, Callable[..., CaseStudy]] = {
    "start_recruiting": case_study_start_recruiting,
    "start_interviewing": case_study_start_interviewing,
    "start_drafting": case_study_start_drafting,
    "submit_for_review": case_study_submit_for_review,
    "request_changes": case_study_request_changes,
    "approve": case_study_approve,
    "publish": case_study_publish,
    "archive": case_study_archive,
    "decline": case_study_decline,
    "put_on_hold": case_study_put_on_hold,
    "resume": case_study_resume,
    "reconsider": case_study_reconsider,
}


# --------------------------------------------------------------------------
# Story versions
# --------------------------------------------------------------------------

EDITABLE_STATES = {S.INTERVIEWING, S.DRAFTING, S.IN_REVIEW}
# States in which a translation of the approved story may be written.
TRANSLATABLE_STATES = {S.APPROVED, S.PUBLISHED}


def story_editable(cs: CaseStudy, language: str | None = None) -> bool:
    """Whether a version in ``language`` may be saved now (any language when
    None): the story while it is written, a translation once it is approved."""
    if cs.state in EDITABLE_STATES:
        return True
    main = cs.published_version or cs.approved_version
    if cs.state not in TRANSLATABLE_STATES or main is None:
        return False
    return language is None or language != main.language


def story_version_create(
    *,
    case_study: CaseStudy,
    actor: Any,
    title: str,
    sections: dict[str, str],
    language: str = "en",
    note: str = "",
    source: str = "",
    base_number: int | None = None,
) -> StoryVersion:
    """Save the story as a new numbered, hashed, immutable version.

    A version saved while the story is in review makes any earlier approval
    stale: only the newest version can be approved or published; internal
    sign-offs too belong to one version.

    ``base_number`` is the number of the newest version in ``language`` the
    writer started from (0 for none): if another one was saved since, nothing
    is saved and :class:`VersionConflict` names it.
    """
    if language not in dict(settings.LANGUAGES):
        raise TransitionError(_("Unknown language “%(code)s”.") % {"code": language})
    unknown = set(sections) - set(SECTION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown sections: {sorted(unknown)}")
    title = title.strip()
    if not title:
        raise TransitionError(_("A story version needs a title."))
    clean = {name: (sections.get(name) or "").strip() for name in SECTION_FIELDS}
    with transaction.atomic():
        cs = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
        # Once approved, the main story is frozen; a version in another
        # language (a translation, approved on its own) may still be written.
        if not story_editable(cs, language):
            raise TransitionError(
                _(
                    "The story can be edited while interviewing, drafting or in review; "
                    "“%(title)s” is %(state)s."
                )
                % {"title": cs.title, "state": CaseStudyState(cs.state).label}
            )
        if base_number is not None:
            latest = _latest_version(cs, language)
            if latest is not None and latest.number != base_number:
                raise VersionConflict(
                    _(
                        "Version %(n)s was saved by %(who)s since you opened the editor; "
                        "nothing was overwritten."
                    )
                    % {"n": latest.number, "who": latest.created_by_name or _("someone")},
                    latest=latest,
                )
        number = (cs.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                version = StoryVersion.objects.create(
                    case_study=cs,
                    number=number,
                    language=language,
                    title=title,
                    **clean,
                    content_hash=StoryVersion.compute_hash(
                        language=language, title=title, sections=clean
                    ),
                    note=note.strip()[:300],
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                    created_by_name=actor_name(actor),
                )
        except IntegrityError as exc:  # pragma: no cover - the row lock prevents it
            raise TransitionError(_("Another version was saved at the same moment.")) from exc
        audit_log(
            action="casestudies.story_version.created",
            obj=cs,
            actor=actor,
            data={"version": number, "content_hash": version.content_hash, "language": language},
            source=source,
        )
    return version


# --------------------------------------------------------------------------
# Language versions
# --------------------------------------------------------------------------


def story_translation_approve(
    *, case_study: CaseStudy, version: StoryVersion, actor: Any, source: str = ""
) -> StoryTranslation:
    """Approve ``version`` as the story in its (second) language.

    The main language is the one of the approved version; any other language
    is approved on its own, once the main story is approved or published, and
    is public while the case study is published. Approving a newer version of
    the same language replaces the earlier one.
    """
    with transaction.atomic():
        cs = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
        if cs.state not in (S.APPROVED, S.PUBLISHED):
            raise TransitionError(
                _("Approve the main story first; a translation follows an approved story.")
            )
        if version.case_study_id != cs.pk:
            raise TransitionError(_("That version belongs to another case study."))
        main = cs.published_version or cs.approved_version
        if main is not None and main.language == version.language:
            raise TransitionError(
                _("Version %(n)s is in the story's main language; approve it as the story.")
                % {"n": version.number}
            )
        _require_current(
            cs, version, stale=_("Version %(old)s is stale: version %(new)s was saved after it.")
        )
        _require_internal_review(
            version,
            _(
                "Internal review of version %(n)s is not complete: %(areas)s must approve "
                "it before it is published."
            ),
        )
        translation, _created = StoryTranslation.objects.update_or_create(
            case_study=cs,
            language=version.language,
            defaults={
                "version": version,
                "approved_at": timezone.now(),
                "approved_by_name": actor_name(actor),
            },
        )
        audit_log(
            action="casestudies.translation.approved",
            obj=cs,
            actor=actor,
            data={
                "language": version.language,
                "version": version.number,
                "content_hash": version.content_hash,
            },
            source=source,
        )
    return translation


def story_translation_withdraw(
    *, case_study: CaseStudy, language: str, actor: Any, reason: str, source: str = ""
) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(_("Withdrawing a translation needs a reason."))
    with transaction.atomic():
        cs = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
        deleted, _rows = StoryTranslation.objects.filter(case_study=cs, language=language).delete()
        if not deleted:
            raise TransitionError(_("There is no approved translation in that language."))
        audit_log(
            action="casestudies.translation.withdrawn",
            obj=cs,
            actor=actor,
            data={"language": language, "reason": reason},
            source=source,
        )


# --------------------------------------------------------------------------
# Internal review: product, marketing and legal, per version
# --------------------------------------------------------------------------

COMMENT_MAX_LENGTH = 5000


def _require_internal_review(version: StoryVersion, refusal: str) -> None:
    """Refuse (``refusal`` with ``%(n)s`` and ``%(areas)s``) unless every
    required area approved ``version``."""
    missing = internal_review_missing(version)
    if missing:
        raise TransitionError(
            refusal
            % {"n": version.number, "areas": ", ".join(review_area_label(a) for a in missing)}
        )


def internal_review_missing(version: StoryVersion) -> list[str]:
    """The required areas that have not approved ``version``."""
    approved = set(
        InternalSignOff.objects.filter(
            version=version, decision=InternalSignOff.Decision.APPROVED
        ).values_list("area", flat=True)
    )
    return [area for area in internal_review_areas() if area not in approved]


def _check_reviewable(cs: CaseStudy, version: StoryVersion, area: str) -> None:
    if version.case_study_id != cs.pk:
        raise TransitionError(_("That version belongs to another case study."))
    if area not in internal_review_areas():
        raise TransitionError(
            _("“%(area)s” is not an internal review area; choose one of: %(areas)s.")
            % {
                "area": area,
                "areas": ", ".join(review_area_label(a) for a in internal_review_areas()),
            }
        )
    # The story is reviewed while it is written; a translation of an approved
    # story is reviewed on its own before it may be approved.
    if not story_editable(cs, version.language):
        raise TransitionError(
            _("“%(title)s” is %(state)s; its internal review is closed.")
            % {"title": cs.title, "state": CaseStudyState(cs.state).label}
        )
    latest = _latest_version(cs, version.language)
    if latest is not None and latest.pk != version.pk:
        raise TransitionError(
            _(
                "Version %(old)s is stale: version %(new)s was saved after it. "
                "Review the newest version."
            )
            % {"old": version.number, "new": latest.number}
        )
    if not version.verify_hash():
        raise TransitionError(_("Version %(n)s fails its content check.") % {"n": version.number})


def internal_sign_off_record(
    *,
    version: StoryVersion,
    area: str,
    decision: str,
    actor: Any,
    comment: str = "",
    source: str = "",
) -> InternalSignOff:
    """``area`` approves ``version`` or requests changes to it.

    Only the newest version can be signed off, once per area: the decision
    stands for that exact text (a new version needs new sign-offs). Two
    reviewers signing off the same area at the same moment: one wins, the
    other is told who was first.
    """
    comment = (comment or "").strip()
    if decision not in InternalSignOff.Decision.values:
        raise TransitionError(_("Choose “approve” or “request changes”."))
    if decision == InternalSignOff.Decision.CHANGES_REQUESTED and not comment:
        raise TransitionError(_("Say which changes you need: a comment is required."))
    if len(comment) > COMMENT_MAX_LENGTH:
        raise TransitionError(
            _("The comment is too long (at most %(n)d characters).") % {"n": COMMENT_MAX_LENGTH}
        )
    with transaction.atomic():
        cs = CaseStudy.objects.select_for_update().get(pk=version.case_study_id)
        _check_reviewable(cs, version, area)
        _check_reviewer(cs, version, area, actor)
        existing = (
            InternalSignOff.objects.filter(version=version, area=area).only("reviewer_name").first()
        )
        if existing is not None:
            raise TransitionError(
                _(
                    "%(area)s already signed off version %(n)s (%(who)s). "
                    "A new version needs a new sign-off."
                )
                % {
                    "area": review_area_label(area),
                    "n": version.number,
                    "who": existing.reviewer_name or _("someone"),
                }
            )
        try:
            with transaction.atomic():
                sign_off = InternalSignOff.objects.create(
                    version=version,
                    area=area,
                    decision=decision,
                    comment=comment,
                    reviewer=actor if getattr(actor, "is_authenticated", False) else None,
                    reviewer_name=actor_name(actor),
                    decided_at=timezone.now(),
                )
        except IntegrityError as exc:  # pragma: no cover - the row lock prevents it
            raise TransitionError(
                _("%(area)s was signed off by someone else at the same moment.")
                % {"area": review_area_label(area)}
            ) from exc
        audit_log(
            action="casestudies.internal_review.signed_off",
            obj=cs,
            actor=actor,
            data={
                "version": version.number,
                "content_hash": version.content_hash,
                "area": area,
                "decision": decision,
            },
            source=source,
        )
    return sign_off


def internal_review_comment_add(
    *,
    version: StoryVersion,
    area: str,
    section: str,
    body: str,
    actor: Any,
    source: str = "",
) -> InternalReviewComment:
    """A reviewer's comment on one section of the newest version."""
    body = (body or "").strip()
    if not body:
        raise TransitionError(_("Write the comment first."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise TransitionError(
            _("The comment is too long (at most %(n)d characters).") % {"n": COMMENT_MAX_LENGTH}
        )
    if section and section not in SECTION_FIELDS:
        raise TransitionError(_("Choose a section of the story."))
    with transaction.atomic():
        cs = CaseStudy.objects.select_for_update().get(pk=version.case_study_id)
        _check_reviewable(cs, version, area)
        comment = InternalReviewComment.objects.create(
            version=version,
            area=area,
            section=section,
            body=body,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            author_name=actor_name(actor),
        )
        audit_log(
            action="casestudies.internal_review.commented",
            obj=cs,
            actor=actor,
            data={"version": version.number, "area": area, "section": section},
            source=source,
        )
    return comment


# --------------------------------------------------------------------------
# Implied moves: the workspace's "Next step"
# --------------------------------------------------------------------------

# Forward moves a person may take in one step, passing through the stages in
# between (each checked and recorded as usual). Approval is the customer's
# (the approvals app) and publishing is its own decision: never implied.
IMPLIED_TARGETS = {S.RECRUITING, S.INTERVIEWING, S.DRAFTING, S.IN_REVIEW}


def case_study_advance(
    *, case_study: CaseStudy, target: str, actor: Any, reason: str = "", source: str = ""
) -> CaseStudy:
    """Move ``case_study`` forward along the main line to ``target`` in one
    transaction: every stage in between is passed through with its own checks,
    history row and audit entry (submitting from interviewing records
    "interviewing → drafting" then "drafting → in review"). If any step is
    refused, nothing moves."""
    if target not in IMPLIED_TARGETS:
        raise TransitionError(
            _("“%(state)s” is not reached by a next step.")
            % {"state": CaseStudyState(target).label if target in S.values else target}
        )
    with transaction.atomic():
        cs = CaseStudy.objects.select_for_update(of=("self",)).get(pk=case_study.pk)
        path = main_line_to(target)
        here = main_line_to(cs.state) if cs.state in IMPLIED_TARGETS | {S.CANDIDATE} else None
        if here is None or len(here) >= len(path) or path[: len(here)] != here:
            raise TransitionError(
                _("“%(title)s” is %(state)s; it cannot move on to %(target)s.")
                % {
                    "title": cs.title,
                    "state": CaseStudyState(cs.state).label,
                    "target": CaseStudyState(target).label,
                }
            )
        steps = path[len(here) :]
        for name in steps:
            cs = TRANSITION_FUNCTIONS[name](
                case_study=cs, actor=actor, reason=reason, source=source
            )
        if len(steps) > 1:
            audit_log(
                action="casestudies.case_study.advanced",
                obj=cs,
                actor=actor,
                data={"to": target, "through": steps},
                source=source,
            )
    return cs


# --------------------------------------------------------------------------
# Assigned internal reviewers
# --------------------------------------------------------------------------


def same_person_allowed() -> bool:
    return bool(getattr(settings, "INTERNAL_REVIEW_ALLOW_SAME_PERSON", False))


def _is_member(user: Any, group_id: int) -> bool:
    return user.groups.filter(pk=group_id).exists()


def _check_reviewer(cs: CaseStudy, version: StoryVersion, area: str, actor: Any) -> None:
    """The assigned reviewer (or a member of the assigned group) signs the
    area off; and unless a small team allows it, nobody signs off two areas
    of one version."""
    if not getattr(actor, "is_authenticated", False):
        return
    assignment = (
        InternalReviewer.objects.filter(case_study=cs, area=area).select_related("user", "group")
    ).first()
    if assignment is not None:
        allowed = (
            actor.pk == assignment.user_id
            if assignment.user_id
            else _is_member(actor, assignment.group_id)
        )
        if not allowed:
            raise TransitionError(
                _("%(area)s is assigned to %(who)s: only they can sign it off.")
                % {"area": review_area_label(area), "who": assignment.assignee_name}
            )
    if same_person_allowed():
        return
    other = (
        InternalSignOff.objects.filter(version=version, reviewer_id=actor.pk)
        .exclude(area=area)
        .values_list("area", flat=True)
        .first()
    )
    if other is not None:
        raise TransitionError(
            _("You already signed off %(other)s of version %(n)s: %(area)s needs another person.")
            % {
                "other": review_area_label(other),
                "n": version.number,
                "area": review_area_label(area),
            }
        )


def internal_reviewer_assign(
    *,
    case_study: CaseStudy,
    area: str,
    actor: Any,
    user: Any = None,
    group: Any = None,
    source: str = "",
) -> InternalReviewer:
    """Assign ``area`` of the story's internal review to ``user`` or to a
    ``group``; they are emailed. By default one user is assigned at most one
    area of a story (``INTERNAL_REVIEW_ALLOW_SAME_PERSON`` allows more)."""
    if area not in internal_review_areas():
        raise TransitionError(
            _("“%(area)s” is not an internal review area; choose one of: %(areas)s.")
            % {
                "area": area,
                "areas": ", ".join(review_area_label(a) for a in internal_review_areas()),
            }
        )
    if (user is None) == (group is None):
        raise TransitionError(_("Choose one reviewer or one group."))
    if user is not None and not (user.is_active and user.is_staff):
        raise TransitionError(
            _("%(name)s has no active staff account.")
            % {"name": user.get_full_name() or user.get_username()}
        )
    with transaction.atomic():
        cs = CaseStudy.objects.select_for_update(of=("self",)).get(pk=case_study.pk)
        if user is not None and not same_person_allowed():
            other = (
                InternalReviewer.objects.filter(case_study=cs, user=user)
                .exclude(area=area)
                .values_list("area", flat=True)
                .first()
            )
            if other is not None:
                raise TransitionError(
                    _(
                        "%(name)s already reviews %(other)s of this story: %(area)s needs "
                        "another person."
                    )
                    % {
                        "name": user.get_full_name() or user.get_username(),
                        "other": review_area_label(other),
                        "area": review_area_label(area),
                    }
                )
        row, _created = InternalReviewer.objects.update_or_create(
            case_study=cs,
            area=area,
            defaults={"user": user, "group": group, "assigned_by_name": actor_name(actor)},
        )
        audit_log(
            action="casestudies.internal_review.assigned",
            obj=cs,
            actor=actor,
            data={
                "area": area,
                "user": user.pk if user is not None else None,
                "group": group.pk if group is not None else None,
            },
            source=source,
        )
        outbox.enqueue(
            "casestudies.review_assigned",
            key=f"casestudies.review_assigned:{row.pk}:{timezone.now().isoformat()}",
            payload={
                "assignment": row.pk,
                "user": user.pk if user else None,
                "group": group.pk if group else None,
            },
            case_study_id=cs.pk,
        )
    return row
