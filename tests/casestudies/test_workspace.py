"""The story workspace: one page per story, its stepper, its one Next step
with blockers in words, implied moves in one audited step, secondary actions
without a confirmation page, and a timeline read in a fixed number of
queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casestudies import services, workspace
from casestudies.models import CaseStudyState, StateChange
from core.errors import TransitionError
from core.models import AuditEntry, OutboxEmail
from tests import factories

S = CaseStudyState
pytestmark = pytest.mark.django_db


def _url(cs, name="casestudies_casestudy_workspace"):
    return reverse(f"admin:{name}", args=[cs.pk])


def _interviewing_with_signed_draft(story_at, alice):
    cs = story_at(S.INTERVIEWING)
    factories.MetricFactory(case_study=cs)
    version = services.story_version_create(
        case_study=cs, actor=alice, title="Draft", sections=factories.sections()
    )
    factories.sign_off_internal_review(version, actor=alice)
    return cs, version


class TestImpliedMoves:
    def test_submitting_from_interviewing_passes_through_drafting(self, story_at, alice):
        cs, _version = _interviewing_with_signed_draft(story_at, alice)
        services.case_study_advance(case_study=cs, target=S.IN_REVIEW, actor=alice)
        cs.refresh_from_db()
        assert cs.state == S.IN_REVIEW
        moves = list(
            StateChange.objects.filter(case_study=cs)
            .order_by("created_at", "id")
            .values_list("from_state", "to_state")
        )[-2:]
        assert moves == [(S.INTERVIEWING, S.DRAFTING), (S.DRAFTING, S.IN_REVIEW)]
        entry = AuditEntry.objects.get(action="casestudies.case_study.advanced")
        assert entry.data == {"to": "in_review", "through": ["start_drafting", "submit_for_review"]}

    def test_a_refused_step_moves_nothing(self, story_at, alice):
        cs = story_at(S.INTERVIEWING)
        factories.MetricFactory(case_study=cs)
        services.story_version_create(
            case_study=cs, actor=alice, title="Draft", sections=factories.sections()
        )
        before = StateChange.objects.filter(case_study=cs).count()
        with pytest.raises(TransitionError, match="Internal review"):
            services.case_study_advance(case_study=cs, target=S.IN_REVIEW, actor=alice)
        cs.refresh_from_db()
        assert cs.state == S.INTERVIEWING  # drafting was rolled back with it
        assert StateChange.objects.filter(case_study=cs).count() == before

    @pytest.mark.parametrize(
        ("state", "target"), [(S.IN_REVIEW, S.APPROVED), (S.DRAFTING, S.RECRUITING)]
    )
    def test_approval_and_backwards_moves_are_never_implied(self, story_at, alice, state, target):
        cs = story_at(state)
        with pytest.raises(TransitionError):
            services.case_study_advance(case_study=cs, target=target, actor=alice)


class TestThePage:
    def test_it_shows_the_stepper_the_next_step_and_the_history_in_words(
        self, client, alice, story_at
    ):
        cs = story_at(S.DRAFTING)
        client.force_login(alice)
        html = client.get(_url(cs)).content.decode()
        assert 'id="stepper"' in html and 'aria-current="step"' in html
        assert 'id="next-step"' in html
        assert "Write the first draft" in html  # drafting, no version yet
        assert "Interviewing → Drafting" in html  # human names, not state codes
        assert "interviewing →" not in html

    def test_the_blockers_say_what_is_missing_and_link_to_fix_it(self, client, alice, story_at):
        cs = story_at(S.DRAFTING)
        services.story_version_create(
            case_study=cs, actor=alice, title="Draft", sections=factories.sections()
        )
        factories.sign_off_internal_review(cs.versions.get(), actor=alice, areas=["product"])
        client.force_login(alice)
        html = client.get(_url(cs)).content.decode()
        assert "Submit for review needs:" in html
        assert "Marketing — messaging sign-off, nobody assigned, since today." in html
        assert _url(cs, "casestudies_casestudy_internal_review") in html
        assert 'id="primary-action" disabled' in html

    def test_every_state_renders(self, client, alice, story_at):
        client.force_login(alice)
        for state in [*S.values]:
            cs = story_at(state)
            response = client.get(_url(cs))
            assert response.status_code == 200, state
            assert response["Cache-Control"]

    def test_the_next_step_posts_the_implied_move(self, client, alice, story_at):
        cs, _version = _interviewing_with_signed_draft(story_at, alice)
        client.force_login(alice)
        response = client.post(
            _url(cs, "casestudies_casestudy_workspace_move"),
            {"move": "advance", "target": S.IN_REVIEW},
        )
        assert response.status_code == 302 and response["Location"] == _url(cs)
        cs.refresh_from_db()
        assert cs.state == S.IN_REVIEW

    def test_hold_needs_a_reason_and_has_no_confirmation_page(self, client, alice, story_at):
        cs = story_at(S.DRAFTING)
        client.force_login(alice)
        move = _url(cs, "casestudies_casestudy_workspace_move")
        page = client.post(move, {"move": "put_on_hold"}, follow=True).content.decode()
        assert "needs a reason" in page
        cs.refresh_from_db()
        assert cs.state == S.DRAFTING
        client.post(move, {"move": "put_on_hold", "reason": "Customer reorganising"})
        cs.refresh_from_db()
        assert cs.state == S.ON_HOLD
        assert client.get(move).status_code == 302  # GET never moves nor confirms

    def test_approval_cannot_be_posted_from_the_workspace(self, client, alice, story_at):
        cs = story_at(S.IN_REVIEW)
        client.force_login(alice)
        page = client.post(
            _url(cs, "casestudies_casestudy_workspace_move"), {"move": "approve"}, follow=True
        ).content.decode()
        assert "Unknown action" in page
        cs.refresh_from_db()
        assert cs.state == S.IN_REVIEW

    def test_outsiders_are_refused(self, client, charlie, story_at):
        cs = story_at(S.CANDIDATE)
        assert client.get(_url(cs)).status_code == 302  # to the login
        client.force_login(charlie)
        assert client.get(_url(cs)).status_code == 403
        assert client.post(_url(cs, "casestudies_casestudy_workspace_move")).status_code == 403

    def test_the_list_opens_a_story_on_its_workspace(self, client, alice, story_at):
        cs = story_at(S.CANDIDATE)
        client.force_login(alice)
        html = client.get(reverse("admin:casestudies_casestudy_changelist")).content.decode()
        assert _url(cs) in html


def _grow(cs, alice, n):
    """``n`` of each kind of record the timeline shows."""
    for i in range(n):
        factories.MetricFactory(case_study=cs, label=f"Metric {i}")
        factories.QuoteFactory(case_study=cs, text=f"Quote {i}")
        services.story_version_create(
            case_study=cs, actor=alice, title=f"Draft {i}", sections=factories.sections(10)
        )
        OutboxEmail.objects.create(
            kind="casestudies.state_change",
            key=f"test:{cs.pk}:{i}",
            case_study_id=cs.pk,
            status=OutboxEmail.Status.SENT,
            recipients="owner@example.com",
            subject=f"Subject {i}",
        )


def test_the_timeline_reads_in_a_constant_number_of_queries(story_at, alice):
    small, large = story_at(S.DRAFTING), story_at(S.DRAFTING)
    _grow(small, alice, 1)
    _grow(large, alice, 6)
    counts = []
    for cs in (small, large):
        with CaptureQueriesContext(connection) as queries:
            context = workspace.workspace(cs)
        counts.append(len(queries))
        assert any(e.text.startswith("Email to owner@example.com") for e in context["entries"])
    assert counts[0] == counts[1], counts
    entries = workspace.workspace(large)["entries"]
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert all(e.url for e in entries)


def test_a_story_was_a_candidate_no_later_than_its_first_move(story_at):
    """Records imported or seeded with their history can be newer than it:
    the stepper never dates the candidate stage after the next one."""
    from datetime import timedelta

    cs = story_at(CaseStudyState.INTERVIEWING)
    history = list(StateChange.objects.filter(case_study=cs))
    earlier = cs.created_at - timedelta(days=30)
    StateChange.objects.filter(pk=history[0].pk).update(created_at=earlier)
    steps = workspace.stepper(cs, list(StateChange.objects.filter(case_study=cs)))
    reached = {step.state: step.reached_at for step in steps if step.reached_at}
    assert reached[CaseStudyState.CANDIDATE] == earlier
    assert reached[CaseStudyState.CANDIDATE] <= reached[CaseStudyState.RECRUITING]
