"""Publication's background work: thin tasks that take ids and call
services. Names are pinned so queued messages and the beat schedule survive
a move of the module."""

from celery import shared_task

# The campaign tasks live beside their sender; importing them here registers
# them in every worker (Celery autodiscovers only ``tasks`` modules).
from distribution import (
    outreach_tasks,  # noqa: F401
    services,
)


@shared_task(name="distribution.tasks.render_document")
def render_document(document_id: int) -> bool:
    """Render one queued document; the claim inside makes redeliveries and
    concurrent workers render it once."""
    return services.document_render(document_id=document_id)


@shared_task(name="distribution.tasks.requeue_stale_documents", ignore_result=True)
def requeue_stale_documents() -> int:
    """Renders lost with a killed worker, and queued ones nobody picked up."""
    return services.documents_requeue_stale()


@shared_task(name="distribution.tasks.expire_usage_rights")
def expire_usage_rights() -> int:
    """Daily: archive published stories whose usage rights expired."""
    return len(services.usage_rights_expire())


@shared_task(name="distribution.tasks.prune_documents")
def prune_documents() -> int:
    """Daily: remove stored documents of versions no longer public."""
    return services.documents_prune()


@shared_task(name="distribution.tasks.render_proposal_pack")
def render_proposal_pack(pack_id: int) -> bool:
    """Render one saved proposal pack (sales portal); the claim inside makes
    redeliveries render it once."""
    from distribution import sales_services

    return sales_services.proposal_pack_render(pack_id=pack_id)
