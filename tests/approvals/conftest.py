"""A story in review with three customer reviewers, and the links they were emailed."""

import re

import pytest
from django.core import mail

from approvals import services
from approvals.models import ApprovalStep, StepKind
from casestudies.models import Contact
from tests import factories

LINK_RE = re.compile(r"/review/([A-Za-z0-9_-]{43})/")


def tokens_from_outbox(start: int = 0) -> dict[str, str]:
    """{recipient email: token} of the review links emailed since ``start``."""
    found = {}
    for message in mail.outbox[start:]:
        match = LINK_RE.search(message.body)
        if match:
            found[message.to[0]] = match.group(1)
    return found


def make_in_review(actor):
    """A story in review whose customer has a participant, a legal and a PR contact."""
    cs = factories.case_study_in_state("in_review", actor=actor)
    customer = cs.customer
    factories.ContactFactory(
        customer=customer,
        name="Pat Participant",
        email="pat@customer.example",
        role=Contact.Role.END_USER,
    )
    factories.ContactFactory(
        customer=customer, name="Lee Legal", email="lee@customer.example", role=Contact.Role.LEGAL
    )
    factories.ContactFactory(
        customer=customer, name="Robin PR", email="robin@customer.example", role=Contact.Role.PR
    )
    return cs


@pytest.fixture(scope="class")
def in_review_row(shared_db):
    """The story in review (``in_review``), made once for the class."""
    return make_in_review(factories.program_manager())


@pytest.fixture
def in_review(alice):
    """A story in review whose customer has a participant, a legal and a PR contact."""
    return make_in_review(alice)


def contact(cs, email: str) -> Contact:
    return cs.customer.contacts.get(email=email)


def chain_start(cs, actor, steps=None, **kwargs):
    """Start the approval chain of ``cs`` (by default Pat, Lee and Robin at
    stage 1, all required) and run its on-commit work (the emails) →
    (request, {reviewer email: clear token})."""
    from django.test import TestCase

    steps = steps or [
        (StepKind.PARTICIPANT, "pat@customer.example", 1, True),
        (StepKind.CUSTOMER_LEGAL, "lee@customer.example", 1, True),
        (StepKind.CUSTOMER_PR, "robin@customer.example", 1, True),
    ]
    specs = [
        services.StepSpec(kind=k, contact=contact(cs, e), stage=s, required=r)
        for k, e, s, r in steps
    ]
    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        request = services.approval_request_start(case_study=cs, steps=specs, actor=actor, **kwargs)
    return request, tokens_from_outbox(before)


@pytest.fixture
def start_chain(alice):
    """``start_chain(cs, [(kind, email, stage, required), ...])`` → (request, tokens)."""

    def start(cs, steps=None, **kwargs):
        return chain_start(cs, alice, steps, **kwargs)

    return start


def step_of(request, email: str) -> ApprovalStep:
    return request.steps.get(reviewer_email=email)
