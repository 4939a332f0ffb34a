"""The sales portal's background work: rendering proposal packs. The name
is pinned (it was ``distribution.tasks.render_proposal_pack``) so queued
messages survive the move."""

from celery import shared_task

from distribution.sales import services


@shared_task(name="distribution.tasks.render_proposal_pack")
def render_proposal_pack(pack_id: int) -> bool:
    """Render one saved proposal pack; the claim inside makes redeliveries
    render it once."""
    return services.proposal_pack_render(pack_id=pack_id)


@shared_task(name="distribution.tasks.requeue_stale_packs", ignore_result=True)
def requeue_stale_packs() -> int:
    """Packs lost with a killed worker, and queued ones nobody picked up."""
    return services.proposal_packs_requeue_stale()
