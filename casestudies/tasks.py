"""Drafting's background work: thin tasks that take ids (or nothing) and
call services. The owner's notification of a move is an outbox email
(``casestudies/emails.py``)."""

from celery import shared_task


@shared_task(
    name="casestudies.tasks.recompute_candidate_scores",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def recompute_candidate_scores() -> int:
    """Rescore every candidate (their portfolio-gap part depends on every
    other story): queued after a story moves or a target changes."""
    from casestudies.selection import recompute_scores

    return recompute_scores()
