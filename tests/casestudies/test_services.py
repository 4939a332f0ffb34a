import threading

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from casestudies import services
from casestudies.models import CaseStudy, CaseStudyState, Contact, StateChange
from core.errors import TransitionError
from core.models import AuditEntry
from tests import factories
from tests.conftest import fresh, require_postgres

S = CaseStudyState
pytestmark = pytest.mark.django_db

# (from state, transition, to state) for every legal move.
LEGAL = [
    (S.CANDIDATE, "start_recruiting", S.RECRUITING),
    (S.RECRUITING, "start_interviewing", S.INTERVIEWING),
    (S.INTERVIEWING, "start_drafting", S.DRAFTING),
    (S.DRAFTING, "submit_for_review", S.IN_REVIEW),
    (S.IN_REVIEW, "request_changes", S.DRAFTING),
    (S.IN_REVIEW, "approve", S.APPROVED),
    (S.APPROVED, "publish", S.PUBLISHED),
    (S.PUBLISHED, "archive", S.ARCHIVED),
    (S.APPROVED, "archive", S.ARCHIVED),
    (S.CANDIDATE, "decline", S.DECLINED),
    (S.IN_REVIEW, "decline", S.DECLINED),
    (S.ON_HOLD, "decline", S.DECLINED),
    (S.DRAFTING, "put_on_hold", S.ON_HOLD),
    (S.ON_HOLD, "resume", S.RECRUITING),
    (S.DECLINED, "reconsider", S.CANDIDATE),
]


def _prepare(cs, name, actor):
    """The evidence a transition's preconditions ask for."""
    if name == "start_drafting":
        factories.MetricFactory(case_study=cs)
    if name == "submit_for_review":
        version = services.story_version_create(
            case_study=cs, actor=actor, title="T", sections=factories.sections()
        )
        factories.sign_off_internal_review(version, actor=actor)


@pytest.mark.parametrize(("source", "name", "target"), LEGAL)
def test_it_makes_each_legal_move_and_audits_it(story_at, alice, source, name, target):
    cs = story_at(source)
    _prepare(cs, name, alice)
    services.TRANSITION_FUNCTIONS[name](case_study=cs, actor=alice, reason="Checked with Ana.")

    cs.refresh_from_db()
    assert cs.state == target
    change = cs.history.first()
    assert (change.from_state, change.to_state) == (source, target)
    assert change.actor == alice
    assert change.actor_name == "alice" or change.actor_name.startswith("Alice")
    assert change.reason == "Checked with Ana."
    entry = AuditEntry.objects.filter(action=f"casestudies.case_study.{name}").latest("id")
    assert entry.object_id == str(cs.pk)
    assert entry.data["from"] == source
    assert entry.data["to"] == target
    assert entry.actor_user_id == alice.pk


ALL_STATES = list(S)


class TestIllegalMoves:
    """One story in every state, made once for the class."""

    @pytest.fixture(scope="class")
    @classmethod
    def every_state(cls, shared_db):
        alice = factories.program_manager()
        return {state: factories.case_study_in_state(state, actor=alice) for state in ALL_STATES}

    @pytest.mark.parametrize("name", list(services.TRANSITIONS))
    def test_it_refuses_every_illegal_move(self, every_state, alice, name):
        transition = services.TRANSITIONS[name]
        stories = fresh(every_state)
        for state in ALL_STATES:
            if state in transition.sources:
                continue
            cs = stories[state]
            history = cs.history.count()
            with pytest.raises(TransitionError, match="cannot be moved"):
                services.TRANSITION_FUNCTIONS[name](case_study=cs, actor=alice, reason="r")
            cs.refresh_from_db()
            assert cs.state == state
            assert cs.history.count() == history


def test_it_needs_a_reason_to_decline(story_at, alice):
    cs = story_at(S.CANDIDATE)
    with pytest.raises(TransitionError, match="reason"):
        services.case_study_decline(case_study=cs, actor=alice, reason="   ")
    cs.refresh_from_db()
    assert cs.state == S.CANDIDATE


def test_it_refuses_recruiting_without_a_contact(alice):
    cs = factories.CaseStudyFactory()
    with pytest.raises(TransitionError, match="contact"):
        services.case_study_start_recruiting(case_study=cs, actor=alice)


def test_it_refuses_recruiting_a_churned_customer(alice):
    customer = factories.CustomerFactory(implementation_status="churned")
    factories.ContactFactory(customer=customer)
    cs = factories.CaseStudyFactory(customer=customer)
    with pytest.raises(TransitionError, match="churned"):
        services.case_study_start_recruiting(case_study=cs, actor=alice)


def test_it_refuses_interviews_before_anyone_agreed(story_at, alice):
    cs = story_at(S.RECRUITING)
    Contact.objects.filter(customer=cs.customer).update(agreed_to_participate=False)
    with pytest.raises(TransitionError, match="agreed"):
        services.case_study_start_interviewing(case_study=cs, actor=alice)


def test_it_refuses_drafting_without_evidence(story_at, alice):
    cs = story_at(S.INTERVIEWING)
    with pytest.raises(TransitionError, match="metric or quote"):
        services.case_study_start_drafting(case_study=cs, actor=alice)


def test_it_refuses_review_without_a_version(story_at, alice):
    cs = story_at(S.DRAFTING)
    with pytest.raises(TransitionError, match="version"):
        services.case_study_submit_for_review(case_study=cs, actor=alice)


def test_it_refuses_a_stale_version(story_at, alice):
    cs = story_at(S.IN_REVIEW)
    old = cs.versions.get(number=1)
    services.story_version_create(
        case_study=cs, actor=alice, title="Better", sections=factories.sections()
    )
    with pytest.raises(TransitionError, match="stale"):
        services.case_study_approve(case_study=cs, version=old, actor=alice)
    cs.refresh_from_db()
    assert cs.state == S.IN_REVIEW
    assert cs.approved_version is None


def test_it_publishes_exactly_the_approved_version(story_at, alice):
    cs = story_at(S.APPROVED)
    services.case_study_publish(case_study=cs, actor=alice)
    cs.refresh_from_db()
    assert cs.published_version_id == cs.approved_version_id
    assert cs.published_at is not None
    assert cs.history.first().version_id == cs.approved_version_id
    entry = AuditEntry.objects.filter(action="casestudies.case_study.publish").latest("id")
    assert entry.object_id == str(cs.pk)


def test_it_refuses_to_publish_when_a_newer_version_exists(story_at, alice):
    cs = story_at(S.IN_REVIEW)
    services.case_study_approve(case_study=cs, actor=alice)
    # A version slipped in after approval (written straight to the table, as a
    # buggy import might): publishing must still refuse.
    v1 = cs.versions.get()
    CaseStudy.objects.filter(pk=cs.pk).update(state=S.IN_REVIEW)
    services.story_version_create(
        case_study=cs, actor=alice, title="Changed", sections=factories.sections()
    )
    CaseStudy.objects.filter(pk=cs.pk).update(state=S.APPROVED, approved_version=v1)
    with pytest.raises(TransitionError, match="saved after the approved version"):
        services.case_study_publish(case_study=cs, actor=alice)


def test_a_declined_story_keeps_no_approval(story_at, alice):
    cs = story_at(S.APPROVED)
    services.case_study_put_on_hold(case_study=cs, actor=alice, reason="Reorg")
    services.case_study_decline(case_study=cs, actor=alice, reason="Reorg cancelled it")
    services.case_study_reconsider(case_study=cs, actor=alice)
    cs.refresh_from_db()
    assert cs.state == S.CANDIDATE
    assert cs.approved_version is None


def test_a_broker_outage_does_not_undo_or_break_a_move(
    story_at, alice, bob, django_capture_on_commit_callbacks
):
    """The move commits with its outbox row; the owner's email waits for the sweep."""
    from core import outbox
    from core.models import OutboxEmail
    from tests.conftest import celery_conf

    cs = story_at(S.CANDIDATE)
    with (
        celery_conf(
            task_always_eager=False,
            broker_url="redis://127.0.0.1:1/0",
            broker_connection_retry=False,
            broker_connection_max_retries=0,
            task_publish_retry=False,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.case_study_start_recruiting(case_study=cs, actor=bob)
    cs.refresh_from_db()
    assert cs.state == S.RECRUITING
    change = cs.history.first()
    assert change.notified_at is None
    row = OutboxEmail.objects.get(key=f"casestudies.state_change:{change.pk}")
    assert row.status == OutboxEmail.Status.PENDING and row.attempts == 0

    # Later, with the broker back, the sweep sends what was missed, once.
    OutboxEmail.objects.filter(pk=row.pk).update(
        not_before=row.not_before - __import__("datetime").timedelta(minutes=1)
    )
    mail.outbox.clear()
    assert outbox.deliver_due() == 1
    assert len(mail.outbox) == 1
    assert outbox.deliver_due() == 0
    assert len(mail.outbox) == 1
    change.refresh_from_db()
    assert change.notified_at is not None


def test_a_failed_send_is_retried_later_and_sent_once(story_at, alice, bob, monkeypatch):
    from casestudies import emails
    from core import outbox
    from core.models import OutboxEmail

    cs = story_at(S.CANDIDATE)
    services.case_study_start_recruiting(case_study=cs, actor=bob)
    change = cs.history.first()
    row = OutboxEmail.objects.get(key=f"casestudies.state_change:{change.pk}")

    def refuse(**kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(emails, "send_templated_email", refuse)
    assert outbox.deliver(row.pk) is False
    row.refresh_from_db()
    change.refresh_from_db()
    assert change.notified_at is None
    assert row.status == OutboxEmail.Status.PENDING and row.attempts == 1
    assert "SMTP down" in row.last_error and row.not_before > timezone.now()
    monkeypatch.undo()
    mail.outbox.clear()
    assert outbox.deliver(row.pk) is False  # not before its retry time
    OutboxEmail.objects.filter(pk=row.pk).update(not_before=timezone.now())
    assert outbox.deliver(row.pk) is True
    assert len(mail.outbox) == 1


def test_it_resumes_to_the_state_it_was_held_from(story_at, alice):
    cs = story_at(S.DRAFTING)
    services.case_study_put_on_hold(case_study=cs, actor=alice, reason="Fiscal year end")
    cs.refresh_from_db()
    assert (cs.state, cs.held_from_state) == (S.ON_HOLD, S.DRAFTING)
    services.case_study_resume(case_study=cs, actor=alice)
    cs.refresh_from_db()
    assert (cs.state, cs.held_from_state) == (S.DRAFTING, "")


def test_it_refuses_editing_a_published_story(story_at, alice):
    cs = story_at(S.PUBLISHED)
    with pytest.raises(TransitionError, match="edited"):
        services.story_version_create(
            case_study=cs, actor=alice, title="Sneaky", sections=factories.sections()
        )


def test_it_numbers_versions_and_audits_them(story_at, alice):
    cs = story_at(S.DRAFTING)
    v1 = services.story_version_create(
        case_study=cs, actor=alice, title="One", sections=factories.sections()
    )
    v2 = services.story_version_create(
        case_study=cs, actor=alice, title="Two", sections=factories.sections()
    )
    assert (v1.number, v2.number) == (1, 2)
    assert v1.content_hash != v2.content_hash
    assert AuditEntry.objects.filter(action="casestudies.story_version.created").count() == 2


def test_it_emails_the_owner_once_when_someone_else_moves_the_story(
    story_at, alice, bob, django_capture_on_commit_callbacks
):
    cs = story_at(S.CANDIDATE)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_study_start_recruiting(case_study=cs, actor=bob)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.email]
    assert cs.title in message.subject
    change = StateChange.objects.get(case_study=cs, to_state=S.RECRUITING)
    assert change.notified_at is not None

    # A retry or a second worker finds the email sent and sends nothing.
    from core.models import OutboxEmail
    from core.tasks import deliver_email

    row = OutboxEmail.objects.get(key=f"casestudies.state_change:{change.pk}")
    assert deliver_email(row.pk) is False
    assert len(mail.outbox) == 1


def test_the_email_keeps_what_people_typed_as_plain_text(
    story_at, alice, bob, django_capture_on_commit_callbacks
):
    cs = story_at(S.CANDIDATE, title='AT&T <fast> "close"')
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_study_decline(case_study=cs, actor=bob, reason="Legal & PR said 'no'")
    message = mail.outbox[0]
    assert 'AT&T <fast> "close"' in message.subject
    assert "Legal & PR said 'no'" in message.body
    html = message.alternatives[0][0]
    assert "AT&amp;T &lt;fast&gt;" in html  # and escaped where it is HTML


def test_it_does_not_email_the_owner_about_their_own_moves(
    story_at, alice, django_capture_on_commit_callbacks
):
    cs = story_at(S.CANDIDATE)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_study_start_recruiting(case_study=cs, actor=alice)
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_move_the_story_once(alice):
    """Two staff click "publish" at the same moment: one wins, one is told."""
    require_postgres()
    cs = factories.case_study_in_state(S.APPROVED, actor=alice)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def publish():
        try:
            barrier.wait()
            services.case_study_publish(case_study=cs, actor=alice)
            outcomes.append("ok")
        except TransitionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert StateChange.objects.filter(case_study=cs, to_state=S.PUBLISHED).count() == 1


@pytest.mark.parametrize(
    ("state", "path"),
    [
        (S.CANDIDATE, []),
        (S.DRAFTING, ["start_recruiting", "start_interviewing", "start_drafting"]),
        (S.ARCHIVED, list(services.MAIN_LINE)),
    ],
)
def test_the_main_line_leads_to_each_state(state, path):
    assert services.main_line_to(state) == path


def test_the_exits_are_not_on_the_main_line():
    with pytest.raises(ValueError, match="not on the main line"):
        services.main_line_to(S.DECLINED)


def test_it_makes_short_readable_unique_slugs(alice):
    customer = factories.CustomerFactory(name="Brightpath Academy")
    long_title = "How Brightpath Academy achieved 37% lower collaboration tool spend " * 3
    a = services.case_study_create(customer=customer, title=long_title, actor=alice)
    b = services.case_study_create(customer=customer, title=long_title, actor=alice)
    assert a.slug.startswith("how-brightpath-academy-achieved-37-lower")
    assert len(a.slug) <= 80
    assert not a.slug.endswith("-")
    assert b.slug == f"{a.slug}-2"
    c = services.case_study_create(customer=customer, title="Faster grading", actor=alice)
    assert c.slug == "brightpath-academy-faster-grading"
