from celery import shared_task

from distribution import services


@shared_task
def render_document(document_id: int) -> bool:
    """Render one queued document; the claim inside makes redeliveries and
    concurrent workers render it once."""
    return services.document_render(document_id=document_id)


@shared_task
def expire_usage_rights() -> int:
    """Daily: archive published stories whose usage rights expired."""
    return len(services.usage_rights_expire())


@shared_task
def prune_documents() -> int:
    """Daily: remove stored documents of versions no longer public."""
    return services.documents_prune()


# Outreach tasks (campaign batches, share and reference notifications).
from distribution.outreach_tasks import *  # noqa: E402, F403


@shared_task
def render_proposal_pack(pack_id: int) -> bool:
    """Render one saved proposal pack (sales portal); the claim inside makes
    redeliveries render it once."""
    from distribution import sales_services

    return sales_services.proposal_pack_render(pack_id=pack_id)
