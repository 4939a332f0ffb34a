"""The expected publication date from the approval chain: large companies
plan 4-6 weeks of approvals; the date moves as stages complete."""

import datetime

import pytest

from approvals.models import ApprovalChainContact
from recruitment import services
from recruitment.timeline import expected_publication

TODAY = datetime.date(2026, 6, 1)


def chain(case_study, **days):
    for role in (
        "participant",
        "department_leader",
        "customer_legal",
        "customer_pr",
        "executive_sponsor",
    ):
        ApprovalChainContact.objects.create(
            case_study=case_study, role=role, expected_review_days=days.get(role, 2)
        )


@pytest.mark.django_db
def test_a_large_company_plans_four_weeks_of_approvals_at_least(candidate):
    chain(candidate)  # 2+2+2+2 = 8 days, but an enterprise: 28
    timeline = expected_publication(candidate, today=TODAY)
    assert timeline.approval_days == 28
    # interview 10 + draft 14 + approvals 28 + publication 5
    assert timeline.expected_on == TODAY + datetime.timedelta(days=57)
    assert "4-6 weeks" in timeline.note


@pytest.mark.django_db
def test_legal_and_pr_review_side_by_side(candidate):
    candidate.customer.company_size = "mid-market"
    candidate.customer.save()
    chain(
        candidate,
        customer_legal=10,
        customer_pr=7,
        participant=5,
        department_leader=5,
        executive_sponsor=5,
    )
    timeline = expected_publication(candidate, today=TODAY)
    assert timeline.approval_days == 25  # 5 + 5 + max(10, 7) + 5
    labels = [s.label for s in timeline.steps]
    assert "Approval: customer legal, customer PR / communications" in labels


@pytest.mark.django_db
def test_the_date_moves_as_stages_complete(candidate, alice):
    candidate.customer.company_size = "mid-market"
    candidate.customer.save()
    chain(
        candidate,
        participant=5,
        department_leader=5,
        customer_legal=10,
        customer_pr=7,
        executive_sponsor=5,
    )
    before = expected_publication(candidate, today=TODAY).expected_on
    services.chain_member_set(
        case_study=candidate,
        role="participant",
        contact=None,
        expected_review_days=5,
        completed_on=TODAY,
        actor=alice,
    )
    after = expected_publication(candidate, today=TODAY).expected_on
    assert after == before - datetime.timedelta(days=5)


@pytest.mark.django_db
def test_without_a_chain_the_guides_usual_chain_is_assumed(candidate):
    candidate.customer.company_size = "smb"
    candidate.customer.save()
    timeline = expected_publication(candidate, today=TODAY)
    assert timeline.approval_days == 5 + 5 + 10 + 5
    assert "No approval chain captured yet" in timeline.note


@pytest.mark.django_db
def test_the_chain_refuses_a_contact_from_another_customer(candidate, alice):
    from core.errors import TransitionError
    from tests import factories

    stranger = factories.ContactFactory()
    with pytest.raises(TransitionError, match="must work at this story's customer"):
        services.chain_member_set(
            case_study=candidate,
            role="customer_legal",
            contact=stranger,
            expected_review_days=None,
            actor=alice,
        )
    with pytest.raises(TransitionError, match="Unknown approval role"):
        services.chain_member_set(
            case_study=candidate,
            role="internal_legal",
            contact=None,
            expected_review_days=None,
            actor=alice,
        )
