"""The guide's "Timing Request Matters", one signal at a time."""

import datetime

import pytest

from casestudies.customers.readiness import Verdict, readiness
from casestudies.models import RelationshipSignal
from tests import factories

TODAY = datetime.date(2026, 6, 1)


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


def verdict(customer, signals=()):
    return readiness(customer, signals=signals, today=TODAY)


@pytest.fixture
def customer(db):
    return factories.CustomerFactory(implementation_status="live")


def test_no_signal_means_no_verdict_to_ask(customer):
    assert verdict(customer).verdict == Verdict.NO_SIGNAL


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"last_milestone": "Go-live in 12 branches", "last_milestone_on": days_ago(10)},
            "Milestone",
        ),
        (
            {"last_business_review_sentiment": "positive", "last_business_review_on": days_ago(20)},
            "Positive business review",
        ),
        ({"renewal_date": days_ago(30)}, "Renewed on"),
        ({"nps_score": 9, "nps_recorded_on": days_ago(40)}, "NPS 9: a promoter"),
        ({"nps_score": 10, "nps_recorded_on": days_ago(40)}, "NPS 10: a promoter"),
    ],
)
def test_it_says_ask_after_a_positive_moment(customer, fields, reason):
    for name, value in fields.items():
        setattr(customer, name, value)
    result = verdict(customer)
    assert result.verdict == Verdict.ASK
    assert any(r.startswith(reason) for r in result.reasons_for)


@pytest.mark.parametrize(
    "fields",
    [
        {"last_milestone": "Go-live", "last_milestone_on": days_ago(200)},
        {"last_business_review_sentiment": "positive", "last_business_review_on": days_ago(90)},
        {"renewal_date": days_ago(120)},
        {"nps_score": 8, "nps_recorded_on": days_ago(5)},
        {"nps_score": 10, "nps_recorded_on": days_ago(400)},
    ],
)
def test_old_or_lukewarm_signals_do_not_count(customer, fields):
    for name, value in fields.items():
        setattr(customer, name, value)
    assert verdict(customer).verdict == Verdict.NO_SIGNAL


def test_an_enthusiastic_message_counts_for_a_while(customer):
    fresh = RelationshipSignal(customer=customer, kind="enthusiasm", noted_on=days_ago(3))
    stale = RelationshipSignal(customer=customer, kind="enthusiasm", noted_on=days_ago(90))
    assert verdict(customer, [fresh]).verdict == Verdict.ASK
    assert verdict(customer, [stale]).verdict == Verdict.NO_SIGNAL


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"implementation_status": "implementing"}, "Still implementing"),
        ({"implementation_status": "not-started"}, "Not live yet"),
        ({"open_support_issues": 2}, "2 open support issues"),
        ({"last_support_issue_on": days_ago(7)}, "A support issue on"),
        (
            {"last_business_review_sentiment": "negative", "last_business_review_on": days_ago(7)},
            "The last business review was negative",
        ),
    ],
)
def test_it_says_wait_during_implementation_or_after_a_support_issue(customer, fields, reason):
    # Even with an NPS of 10: the wait wins.
    customer.nps_score, customer.nps_recorded_on = 10, days_ago(1)
    for name, value in fields.items():
        setattr(customer, name, value)
    result = verdict(customer)
    assert result.verdict == Verdict.WAIT
    assert result.reasons[0].startswith(reason)
    assert "NPS 10: a promoter" in result.reasons_for


def test_a_support_issue_long_ago_no_longer_holds_back(customer):
    customer.last_support_issue_on = days_ago(31)
    customer.nps_score, customer.nps_recorded_on = 9, days_ago(1)
    assert verdict(customer).verdict == Verdict.ASK


def test_thresholds_are_configurable(customer, settings):
    settings.STORYLINE = {
        **settings.STORYLINE,
        "READINESS": {**settings.STORYLINE["READINESS"], "NPS_PROMOTER": 8},
    }
    customer.nps_score, customer.nps_recorded_on = 8, days_ago(1)
    assert verdict(customer).verdict == Verdict.ASK


def test_a_churned_customer_is_never_asked(customer):
    customer.implementation_status = "churned"
    customer.nps_score, customer.nps_recorded_on = 10, days_ago(1)
    assert verdict(customer).verdict == Verdict.NEVER
