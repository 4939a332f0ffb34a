"""Selection's state changes: nominations (any staff member nominates, the
program manager accepts or declines) and what is known of a candidate's story
arc. Each locks its row, audits, and leaves score recomputation to after
commit."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casestudies import selection
from casestudies.models import (
    CandidateScore,
    CaseStudy,
    Customer,
    Nomination,
    Product,
    ProductRename,
)
from casestudies.services import case_study_create
from core.audit import actor_name, audit_log
from core.errors import TransitionError


def nomination_create(
    *, customer: Customer, reason: str, actor: Any, source: str = ""
) -> Nomination:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(_("Say why this customer would make a strong story."))
    if customer.archived:
        raise TransitionError(_("%(customer)s is archived.") % {"customer": customer})
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                customer=customer,
                reason=reason,
                nominated_by=actor if getattr(actor, "is_authenticated", False) else None,
                nominated_by_name=actor_name(actor),
            )
            audit_log(
                action="casestudies.nomination.created",
                obj=nomination,
                actor=actor,
                data={"customer": customer.pk},
                source=source,
            )
    except IntegrityError:
        raise TransitionError(
            _("%(customer)s is already nominated and waiting for a decision.")
            % {"customer": customer}
        ) from None
    return nomination


def nomination_update(
    *, nomination: Nomination, reason: str, actor: Any, source: str = ""
) -> Nomination:
    """Complete or correct the reason of a nomination not decided yet."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(_("Say why this customer would make a strong story."))
    with transaction.atomic():
        locked = _lock_pending(nomination)
        if locked.reason == reason:
            return locked
        locked.reason = reason
        locked.save(update_fields=["reason", "updated_at"])
        audit_log(
            action="casestudies.nomination.updated",
            obj=locked,
            actor=actor,
            data={"customer": locked.customer_id},
            source=source,
        )
    return locked


def _lock_pending(nomination: Nomination) -> Nomination:
    locked = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=nomination.pk)
    )
    if locked.status != Nomination.Status.PENDING:
        raise TransitionError(
            _("This nomination was already decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def nomination_accept(
    *, nomination: Nomination, actor: Any, title: str = "", note: str = "", source: str = ""
) -> Nomination:
    """Accept: a candidate story is created for the customer (or the one
    already open is reused) and scored."""
    with transaction.atomic():
        locked = _lock_pending(nomination)
        customer = locked.customer
        case_study = (
            CaseStudy.objects.filter(customer=customer, state__in=selection.CANDIDATE_STATES)
            .order_by("pk")
            .first()
        )
        if case_study is None:
            case_study = case_study_create(
                customer=customer,
                title=(title or "").strip()
                or _("%(customer)s case study") % {"customer": customer.name},
                actor=actor,
                owner=actor if getattr(actor, "is_authenticated", False) else None,
                source=source or "nomination",
            )
        CandidateScore.objects.get_or_create(case_study=case_study)
        locked.status = Nomination.Status.ACCEPTED
        locked.case_study = case_study
        locked.decided_by_name = actor_name(actor)
        locked.decided_at = timezone.now()
        locked.decision_note = (note or "").strip()
        locked.save(
            update_fields=[
                "status",
                "case_study",
                "decided_by_name",
                "decided_at",
                "decision_note",
                "updated_at",
            ]
        )
        audit_log(
            action="casestudies.nomination.accepted",
            obj=locked,
            actor=actor,
            data={"case_study": case_study.pk, "note": locked.decision_note},
            source=source,
        )
        selection.schedule_recompute([case_study.pk])
    return locked


def nomination_decline(
    *, nomination: Nomination, actor: Any, note: str, source: str = ""
) -> Nomination:
    note = (note or "").strip()
    if not note:
        raise TransitionError(_("Say why, so the colleague who nominated knows."))
    with transaction.atomic():
        locked = _lock_pending(nomination)
        locked.status = Nomination.Status.DECLINED
        locked.decided_by_name = actor_name(actor)
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save(
            update_fields=["status", "decided_by_name", "decided_at", "decision_note", "updated_at"]
        )
        audit_log(
            action="casestudies.nomination.declined",
            obj=locked,
            actor=actor,
            data={"note": note},
            source=source,
        )
    return locked


def candidate_arc_update(
    *, case_study: CaseStudy, known: dict[str, bool], actor: Any, source: str = ""
) -> CandidateScore:
    """Record which parts of the story arc are known; the score follows."""
    unknown = set(known) - set(CandidateScore.ARC_FIELDS)
    if unknown:
        raise TransitionError(_("Unknown story arc part."))
    with transaction.atomic():
        score, _created = CandidateScore.objects.select_for_update().get_or_create(
            case_study=case_study
        )
        changed = {
            name: bool(value)
            for name, value in known.items()
            if getattr(score, name) != bool(value)
        }
        for name, value in changed.items():
            setattr(score, name, value)
        if changed:
            score.save(update_fields=list(changed))
            audit_log(
                action="casestudies.candidate.arc_updated",
                obj=case_study,
                actor=actor,
                data=changed,
                source=source,
            )
        selection.schedule_recompute([case_study.pk])
    return score


def product_save(*, product: Product, actor: Any, source: str = "") -> Product:
    """Save a product; a new name is a business fact: the old name is kept
    (``ProductRename``), so the freshness list names stories about the old
    product, and the rename is audited."""
    with transaction.atomic():
        old = None
        if product.pk is not None:
            old = (
                Product.objects.select_for_update()
                .filter(pk=product.pk)
                .values_list("name", flat=True)
                .first()
            )
        product.save()
        if old and old != product.name:
            ProductRename.objects.create(product=product, old_name=old, new_name=product.name)
            audit_log(
                action="casestudies.product.renamed",
                obj=product,
                actor=actor,
                data={"from": old, "to": product.name},
                source=source,
            )
    return product
