"""Data the fault tests start from, built through the services (as staff
would), in the test process or, for a database of the test's own, in a
subprocess: ``python manage.py shell -c "from tests.faults.scenarios import …"``."""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib.auth.models import Group


def program_manager(username: str = "pm"):
    from core.roles import PROGRAM_MANAGERS, ensure_groups
    from tests import factories

    ensure_groups()
    user = factories.UserFactory(
        username=username, email=f"{username}@storyline.example", first_name="Priya", is_staff=True
    )
    user.groups.add(Group.objects.get(name=PROGRAM_MANAGERS))
    return user


def review_chain(reviewers: int, *, verify: bool = False, owner=None, first: int = 0):
    """A story in review and an approval request with ``reviewers`` customer
    reviewers deciding in parallel; their links are emailed by the outbox."""
    from approvals import services
    from approvals.models import StepKind
    from casestudies.models import Contact
    from tests import factories

    owner = owner or program_manager()
    cs = factories.case_study_in_state("in_review", actor=owner)
    contacts = [
        factories.ContactFactory(
            customer=cs.customer,
            name=f"Reviewer {i}",
            email=f"reviewer{i}@customer.example",
            role=Contact.Role.END_USER,
        )
        for i in range(first, first + reviewers)
    ]
    request = services.approval_request_start(
        case_study=cs,
        steps=[services.StepSpec(kind=StepKind.PARTICIPANT, contact=c) for c in contacts],
        actor=owner,
        verify_email_for_approve=verify,
    )
    return cs, request


def published_stories(count: int, owner=None) -> list:
    from tests import factories

    owner = owner or program_manager()
    return [
        factories.case_study_in_state("published", actor=owner, title=f"Fault story {i}")
        for i in range(count)
    ]


@contextmanager
def on_the_stack(redis_url: str):
    """Tasks enqueued by the test process go to the stack's broker and its
    worker (the test settings run them inline otherwise)."""
    from tests.conftest import celery_conf

    with celery_conf(task_always_eager=False, broker_url=redis_url, task_default_queue="celery"):
        yield
