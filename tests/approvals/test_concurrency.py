"""Simultaneous decisions against PostgreSQL: row locks on the request and the
step, and the one-decision-per-step constraint, leave exactly one decision and
one transition to approved."""

import threading

import pytest
from django.db import connection

from approvals import services
from approvals.models import ApprovalRequest, Decision, ReviewLink, StepKind
from approvals.services import ApprovalError
from casestudies.models import CaseStudyState, StateChange
from core.tokens import hash_token
from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)

PAT, LEE, ROBIN = "pat@customer.example", "lee@customer.example", "robin@customer.example"


def run_at_once(calls) -> list:
    """Run each callable in its own thread (own connection), released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # collected and asserted on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def link(token: str) -> ReviewLink:
    return ReviewLink.objects.select_related("step").get(token_hash=hash_token(token))


def test_many_simultaneous_decisions_on_one_link_leave_one(in_review, start_chain):
    require_postgres()
    request, tokens = start_chain(in_review, verify_email_for_approve=False)
    lk = link(tokens[PAT])

    def decide(outcome):
        return lambda: services.review_decision_record(
            link=lk, outcome=outcome, message="Because." if outcome != "approved" else ""
        )

    results = run_at_once([decide("approved") for _ in range(6)] + [decide("changes_requested")])
    decisions = [r for r in results if isinstance(r, Decision)]
    errors = [r for r in results if isinstance(r, ApprovalError)]
    assert len(decisions) == 1 and len(errors) == len(results) - 1, results
    assert Decision.objects.filter(step__request=request).count() == 1


def test_the_last_two_required_steps_deciding_at_once_approve_once(in_review, start_chain):
    require_postgres()
    request, tokens = start_chain(
        in_review,
        steps=[
            (StepKind.PARTICIPANT, PAT, 1, True),
            (StepKind.CUSTOMER_LEGAL, LEE, 1, True),
            (StepKind.CUSTOMER_PR, ROBIN, 1, True),
        ],
        verify_email_for_approve=False,
    )
    services.review_decision_record(link=link(tokens[PAT]), outcome="approved")
    lee, robin = link(tokens[LEE]), link(tokens[ROBIN])
    results = run_at_once(
        [
            lambda: services.review_decision_record(link=lee, outcome="approved"),
            lambda: services.review_decision_record(link=robin, outcome="approved"),
        ]
    )
    assert all(isinstance(r, Decision) for r in results), results
    request.refresh_from_db()
    in_review.refresh_from_db()
    assert request.status == ApprovalRequest.Status.APPROVED
    assert in_review.state == CaseStudyState.APPROVED
    assert StateChange.objects.filter(case_study=in_review, to_state="approved").count() == 1


def test_concurrent_starts_leave_one_open_request(in_review, alice):
    require_postgres()
    pat = in_review.customer.contacts.get(email=PAT)

    def start():
        return services.approval_request_start(
            case_study=in_review,
            steps=[services.StepSpec(kind=StepKind.PARTICIPANT, contact=pat)],
            actor=alice,
        )

    results = run_at_once([start for _ in range(4)])
    assert sum(isinstance(r, ApprovalRequest) for r in results) == 1, results
    assert all(isinstance(r, ApprovalRequest | ApprovalError) for r in results), results
    assert ApprovalRequest.objects.filter(case_study=in_review, status="open").count() == 1


def test_the_last_flag_dismissed_as_the_last_reviewer_approves_approves_once(
    in_review, start_chain, alice, bob
):
    """The request row is locked by both writers: whichever comes second
    completes the request, once; the other leaves it open for it."""
    require_postgres()
    from approvals.models import ConfidentialFlag
    from core.models import AuditEntry

    request, tokens = start_chain(in_review, verify_email_for_approve=False)
    flags = [
        services.confidential_flag_add(link=link(tokens[PAT]), phrase=f"phrase {i}")
        for i in range(2)
    ]
    services.review_decision_record(link=link(tokens[PAT]), outcome="approved")
    services.review_decision_record(link=link(tokens[LEE]), outcome="approved")
    robin = link(tokens[ROBIN])
    results = run_at_once(
        [
            lambda: services.review_decision_record(link=robin, outcome="approved"),
            lambda: services.confidential_flag_dismiss(flag=flags[0], actor=alice, reason="Public"),
            lambda: services.confidential_flag_dismiss(flag=flags[1], actor=alice, reason="Public"),
            # The same flag twice: one dismissal wins, the other is refused.
            lambda: services.confidential_flag_dismiss(flag=flags[1], actor=alice, reason="Again"),
        ]
    )
    assert sum(isinstance(r, ApprovalError) for r in results) == 1, results
    request.refresh_from_db()
    in_review.refresh_from_db()
    assert request.status == ApprovalRequest.Status.APPROVED
    assert in_review.state == CaseStudyState.APPROVED
    assert StateChange.objects.filter(case_study=in_review, to_state="approved").count() == 1
    assert AuditEntry.objects.filter(action="approvals.request.approved").count() == 1
    assert set(ConfidentialFlag.objects.values_list("status", flat=True)) == {"dismissed"}
