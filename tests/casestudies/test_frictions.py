"""Small frictions of issue 15: a time metric is not "higher is better" by
default, "Expected publication" is gone once published, the history speaks
in state names, a pending nomination can be edited, the guide is compact."""

import pytest
from django.urls import reverse

from casestudies import selection_services
from casestudies.forms import MetricForm
from casestudies.models import CaseStudyState, Metric, Nomination
from core.errors import TransitionError
from tests import factories

S = CaseStudyState
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "unit", "direction", "expected"),
    [
        ("other", "days", "", False),
        ("efficiency", "hours per claim", "", False),
        ("other", "hari", "", False),
        ("revenue", "USD", "", True),
        ("efficiency", "claims per day", "", True),  # a rate: more is better
        ("efficiency", "invoices/hour", "", True),
        ("cost_saving", "USD", "", False),
        ("other", "days", "higher", True),
        ("revenue", "USD", "lower", False),
    ],
)
def test_which_way_is_better_is_derived_unless_chosen(story_at, kind, unit, direction, expected):
    cs = story_at(S.DRAFTING)
    form = MetricForm(
        data={
            "case_study": cs.pk,
            "kind": kind,
            "label": "Measured",
            "before": "10",
            "after": "5",
            "unit": unit,
            "higher_is_better": direction,
            "position": "0",
        }
    )
    assert form.is_valid(), form.errors
    assert form.save().higher_is_better is expected


def test_an_existing_metric_shows_its_direction(story_at):
    metric = factories.MetricFactory(case_study=story_at(S.DRAFTING), higher_is_better=False)
    assert MetricForm(instance=metric).initial["higher_is_better"] == "lower"
    assert MetricForm().initial["higher_is_better"] == ""
    assert Metric.derive_higher_is_better(kind="other", unit="NPS points") is True


def test_expected_publication_is_hidden_once_published(client, alice, story_at):
    client.force_login(alice)
    for state, shown in ((S.DRAFTING, True), (S.PUBLISHED, False)):
        cs = story_at(state)
        html = client.get(reverse("admin:casestudies_casestudy_change", args=[cs.pk])).content
        assert (b'id="expected-publication"' in html) is shown, state
        page = client.get(reverse("admin:casestudies_casestudy_workspace", args=[cs.pk])).content
        assert (b"Expected publication:" in page) is shown, state


def test_the_history_names_states_as_people_read_them(story_at):
    cs = story_at(S.IN_REVIEW)
    assert str(cs.history.first()).endswith("Drafting → In review")


def test_a_pending_nomination_can_be_edited_a_decided_one_cannot(client, alice):
    customer = factories.CustomerFactory()
    nomination = selection_services.nomination_create(
        customer=customer, reason="Strong results", actor=alice
    )
    client.force_login(alice)
    url = reverse("admin:casestudies_nomination_change", args=[nomination.pk])
    response = client.post(url, {"reason": "Strong results, and a renewal last month"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.reason == "Strong results, and a renewal last month"
    selection_services.nomination_decline(nomination=nomination, actor=alice, note="Not now")
    client.post(url, {"reason": "Changed after the decision"})
    nomination.refresh_from_db()
    assert nomination.reason == "Strong results, and a renewal last month"
    assert nomination.status == Nomination.Status.DECLINED
    with pytest.raises(TransitionError, match="already decided"):
        selection_services.nomination_update(nomination=nomination, reason="x", actor=alice)
