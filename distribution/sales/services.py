"""State changes of the sales portal: recording sales use and proposal packs.

Same shape as :mod:`distribution.publication.services`: one function per change, rows
locked or claimed atomically, an audit entry for what staff do, the render
enqueued only after commit.
"""

import hashlib
import io
import logging
import time

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from analytics import events
from casestudies.models import CaseStudy, UsageChannel
from casestudies.selectors import public_version
from core.audit import audit_log
from distribution.models import Branding, ProposalPack, ProposalPackStory
from distribution.sales.packs import Profile

logger = logging.getLogger(__name__)

# What the portal records as "sales_use" (analytics Event.detail).
SALES_USES = ("copy_quote", "copy_metric", "copy_link", "one_pager", "slides", "pack")
# Stories in one pack: a prospect reads a handful, not a catalogue.
MAX_PACK_STORIES = 8


class PackError(ValueError):
    """A pack that cannot be built, with a sentence the rep can act on."""


def sales_use_record(*, case_study: CaseStudy, user, detail: str):
    """Record that a rep used a story (copied, downloaded, packed)."""
    if detail not in SALES_USES:
        raise ValueError(f"unknown sales use {detail!r}")
    return events.record("sales_use", case_study=case_study, user=user, detail=detail)


def proposal_pack_create(
    *,
    rep,
    prospect_company: str,
    prospect_name: str = "",
    profile: Profile,
    language: str,
    chosen: list[tuple[int, int, str]],
) -> ProposalPack:
    """Save a pack for a prospect and queue its render.

    ``chosen`` is ``[(case_study_id, score, reason), …]`` in the rep's order.
    Every story must be published, in rights and allowed in sales decks and
    proposal packs; otherwise :class:`PackError` says which is not.
    """
    prospect_company = " ".join((prospect_company or "").split())[:200]
    if not prospect_company:
        raise PackError(_("Name the prospect's company: it goes on the cover."))
    if not chosen:
        raise PackError(_("Pick at least one story for the pack."))
    if len(chosen) > MAX_PACK_STORIES:
        raise PackError(
            _("A pack holds at most %(n)s stories; pick the strongest.") % {"n": MAX_PACK_STORIES}
        )
    ids = [pk for pk, _score, _reason in chosen]
    if len(set(ids)) != len(ids):
        raise PackError(_("Each story can be in the pack once."))
    with transaction.atomic():
        stories = (
            CaseStudy.objects.usable()
            .select_for_update(of=("self",))
            .select_related("customer", "published_version")
            .in_bulk(ids)
        )
        for pk in ids:
            cs = stories.get(pk)
            if cs is None:
                raise PackError(_("One of the stories is no longer published; pick again."))
            if not cs.allows(UsageChannel.SALES_DECKS):
                raise PackError(
                    _("“%(title)s” may not be used in proposal packs (usage rights).")
                    % {"title": cs.anonymise_text(cs.published_version.title)}
                )
        pack = ProposalPack.objects.create(
            rep=rep,
            rep_name=rep.get_full_name() or rep.get_username(),
            prospect_company=prospect_company,
            prospect_name=" ".join((prospect_name or "").split())[:200],
            profile=profile.as_json(),
            language=language,
        )
        ProposalPackStory.objects.bulk_create(
            [
                ProposalPackStory(
                    pack=pack,
                    case_study_id=pk,
                    position=position,
                    score=max(0, min(int(score), 32767)),
                    reason=reason[:500],
                )
                for position, (pk, score, reason) in enumerate(chosen)
            ]
        )
        audit_log(
            action="distribution.pack.create",
            obj=pack,
            actor=rep,
            data={"stories": ids, "profile": profile.as_json()},
        )
        for pk in ids:
            sales_use_record(case_study=stories[pk], user=rep, detail="pack")
        _enqueue(pack.pk)
    return pack


def proposal_pack_rerender(*, pack: ProposalPack, actor) -> ProposalPack:
    """Render a saved pack again (stories changed, a render failed)."""
    with transaction.atomic():
        locked = ProposalPack.objects.select_for_update().get(pk=pack.pk)
        if locked.status in (ProposalPack.Status.QUEUED, ProposalPack.Status.RENDERING):
            return locked
        locked.status = ProposalPack.Status.QUEUED
        locked.progress = 0
        locked.error = ""
        locked.save(update_fields=["status", "progress", "error", "updated_at"])
        audit_log(action="distribution.pack.rerender", obj=locked, actor=actor)
        _enqueue(locked.pk)
    return locked


def _enqueue(pack_id: int) -> None:
    from distribution.sales.tasks import render_proposal_pack

    transaction.on_commit(lambda: render_proposal_pack.delay(pack_id), robust=True)


def proposal_pack_render(*, pack_id: int) -> bool:
    """Render one queued pack (the Celery task's body): claim it (one UPDATE,
    so one worker wins), draw the PDF then the deck, store both. Stories that
    left publication or lost the sales-decks right since the pack was saved
    are left out. Returns whether this call rendered it."""
    now = timezone.now()
    from distribution.publication.services import RenderHeartbeat, render_lease

    claimed = ProposalPack.objects.filter(
        Q(status=ProposalPack.Status.QUEUED)
        | Q(status=ProposalPack.Status.RENDERING, updated_at__lt=now - render_lease()),
        pk=pack_id,
    ).update(
        status=ProposalPack.Status.RENDERING,
        progress=5,
        error="",
        started_at=now,
        finished_at=None,
        updated_at=now,
    )
    if claimed != 1:
        return False
    pack = ProposalPack.objects.get(pk=pack_id)

    def progress(percent: int) -> None:
        ProposalPack.objects.filter(pk=pack_id, status=ProposalPack.Status.RENDERING).update(
            progress=min(99, percent), updated_at=timezone.now()
        )

    started = time.monotonic()
    try:
        with RenderHeartbeat(ProposalPack, pack_id):
            pdf, slides = render_pack(pack, progress)
        digest = hashlib.sha256(pdf).hexdigest()[:10]
        old = [pack.pdf.name, pack.slides.name]
        pack.pdf.save(f"{pack.file_name('pdf')[:-4]}-{digest}.pdf", ContentFile(pdf), save=False)
        pack.slides.save(
            f"{pack.file_name('pptx')[:-5]}-{digest}.pptx", ContentFile(slides), save=False
        )
    except Exception as exc:
        logger.exception("rendering proposal pack %s failed", pack_id)
        ProposalPack.objects.filter(pk=pack_id).update(
            status=ProposalPack.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:4000],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return True
    ProposalPack.objects.filter(pk=pack_id).update(
        status=ProposalPack.Status.DONE,
        progress=100,
        pdf=pack.pdf.name,
        slides=pack.slides.name,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    for name in old:
        if name and name not in (pack.pdf.name, pack.slides.name):
            pack.pdf.storage.delete(name)
    logger.info("proposal pack %s rendered in %.1fs", pack_id, time.monotonic() - started)
    return True


def pack_stories(pack: ProposalPack) -> list[tuple[CaseStudy, object]]:
    """(case study, public version) of the pack's stories still allowed in
    packs, in the rep's order."""
    items = pack.items.select_related(
        "case_study__customer__industry", "case_study__customer__region"
    ).order_by("position", "id")
    kept = []
    for item in items:
        cs = item.case_study
        version = public_version(cs)
        if version is not None and cs.allows(UsageChannel.SALES_DECKS):
            kept.append((cs, version))
    return kept


def render_pack(pack: ProposalPack, progress=None) -> tuple[bytes, bytes]:
    """(PDF bytes, .pptx bytes) of a pack: a cover for the prospect and one
    one-pager per story; the deck has a cover slide then each story's slides."""
    from core.pdf import render_document
    from distribution.publication import documents

    stories = pack_stories(pack)
    if not stories:
        raise ValueError("None of the pack's stories may be used in proposal packs any more.")
    branding = Branding.current()
    with translation.override(pack.language):
        titles = [cs.anonymise_text(version.title) for cs, version in stories]
        cover_html = render_to_string(
            "sales/pack_cover.html",
            {
                "pack": pack,
                "titles": titles,
                "branding": branding,
                "primary": documents.colour(branding.primary_colour, "#1f4e79"),
                "lang": pack.language,
            },
        )
        cover = render_document(cover_html)
    pages = list(cover.pages)
    datas = []
    step = 60 // (len(stories) * 2)
    for i, (cs, version) in enumerate(stories):
        # Each one-pager in its story's language, as on the story's own download.
        with translation.override(version.language):
            data = documents.document_data(cs, version)
            pages.extend(documents.one_pager_document(data, "a4").pages)
        datas.append(data)
        if progress:
            progress(10 + step * (i + 1))
    pdf = cover.copy(pages).write_pdf()

    deck = documents.new_deck()
    props = deck.core_properties
    props.title = f"{branding.company_name} · {pack.prospect_company}"
    props.author = props.last_modified_by = branding.company_name
    with translation.override(pack.language):
        _cover_slide(deck, pack, branding, titles)
    for i, data in enumerate(datas):
        with translation.override(data.language):
            documents.add_story_slides(deck, data)
        if progress:
            progress(70 + 25 * (i + 1) // len(datas))
    out = io.BytesIO()
    deck.save(out)
    return pdf, out.getvalue()


def _cover_slide(deck, pack: ProposalPack, branding: Branding, titles: list[str]) -> None:
    from pptx.util import Inches, Pt

    from distribution.publication import documents

    slide = deck.slides.add_slide(deck.slide_layouts[6])
    primary = documents.rgb(documents.colour(branding.primary_colour, "#1f4e79"))
    white = documents.rgb("#ffffff")
    background = slide.background.fill
    background.solid()
    background.fore_color.rgb = primary
    lines = [
        (_("Customer stories for %(company)s") % {"company": pack.prospect_company}, 36, True),
        (
            _("Prepared for %(name)s") % {"name": pack.prospect_name} if pack.prospect_name else "",
            20,
            False,
        ),
        (branding.company_name, 18, False),
        *((f"• {title}", 16, False) for title in titles),
    ]
    box = slide.shapes.add_textbox(Inches(0.8), Inches(0.8), Inches(11.7), Inches(6))
    frame = box.text_frame
    frame.word_wrap = True
    first = True
    for text, size, bold in lines:
        if not text:
            continue
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        paragraph.text = text
        paragraph.space_after = Pt(10)
        for run in paragraph.runs:
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = white


def pack_status(pack: ProposalPack) -> dict:
    return {
        "status": pack.status,
        "progress": pack.progress,
        "ready": pack.status == ProposalPack.Status.DONE,
        "failed": pack.status == ProposalPack.Status.FAILED,
    }


def proposal_packs_requeue_stale() -> int:
    """The sweep (beat): packs whose render was lost with a killed worker, or
    queued and never picked up, are queued again."""
    from distribution.publication.services import requeue_lost
    from distribution.sales.tasks import render_proposal_pack

    return requeue_lost(ProposalPack, render_proposal_pack)
