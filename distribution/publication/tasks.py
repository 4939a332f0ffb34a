"""Publication's background work: thin tasks that take ids and call
services. Names are pinned (they were ``distribution.tasks.*`` before the
sub-packages) so queued messages and the beat schedule survive the move."""

from celery import shared_task

from distribution.publication import services


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
