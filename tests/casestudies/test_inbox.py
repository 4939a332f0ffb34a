""" "Needs me today", the program manager's admin home: every action waiting,
oldest first, each with its button, mine or everyone's, in a number of
queries that does not grow with the number of stories."""

from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casestudies import inbox, selection_services, services
from casestudies.models import CaseStudy, CaseStudyState
from core.roles import INTERNAL_REVIEWERS
from interviews import services as interview_services
from recruitment import services as recruitment_services
from recruitment.models import Outreach
from tests import factories

S = CaseStudyState
pytestmark = pytest.mark.django_db


def _program(alice, n: int):
    """``n`` stories of every kind of waiting work, owned by alice."""
    today = timezone.localdate()
    for i in range(n):
        candidate = factories.case_study_in_state(S.CANDIDATE, actor=alice)
        contact = candidate.customer.contacts.get()
        outreach = recruitment_services.outreach_send(
            case_study=candidate,
            contact=contact,
            subject="Would you tell your story?",
            body="Hello",
            language="en",
            actor=alice,
        )
        Outreach.objects.filter(pk=outreach.pk).update(sent_at=timezone.now() - timedelta(days=9))
        interviewing = factories.case_study_in_state(S.INTERVIEWING, actor=alice)
        person = interviewing.customer.contacts.get()
        interview_services.interview_schedule(
            case_study=interviewing,
            actor=alice,
            date=today + timedelta(days=2),
            start_time=time(10, 0),
            time_zone="Asia/Jakarta",
            meeting_link="https://meet.example.com/x",
            stakeholders=[(person, "")],
        )
        drafting = factories.case_study_in_state(S.DRAFTING, actor=alice)
        services.story_version_create(
            case_study=drafting, actor=alice, title="Draft", sections=factories.sections(10)
        )
        services.internal_reviewer_assign(
            case_study=drafting, area="legal", user=alice, actor=alice
        )
        published = factories.case_study_in_state(S.PUBLISHED, actor=alice)
        CaseStudy.objects.filter(pk=published.pk).update(
            rights_expire_on=today + timedelta(days=10)
        )
        stale = factories.case_study_in_state(S.RECRUITING, actor=alice)
        CaseStudy.objects.filter(pk=stale.pk).update(
            state_changed_at=timezone.now() - timedelta(days=45 + i)
        )
        selection_services.nomination_create(
            customer=factories.CustomerFactory(), reason="Great results", actor=alice
        )
        old = factories.case_study_in_state(S.PUBLISHED, actor=alice)
        CaseStudy.objects.filter(pk=old.pk).update(
            published_at=timezone.now() - timedelta(days=3 * 365)
        )


class TestOneOfEverything:
    """One story of every kind of waiting work, made once for the class."""

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def program(cls, shared_db):
        _program(factories.program_manager(), 1)

    def test_it_lists_every_kind_of_waiting_work_oldest_first(self, alice):
        items = inbox.needs_me(alice)
        kinds = {item.kind for item in items}
        assert {
            "outreach",
            "interview",
            "consent",
            "sign_off",
            "nomination",
            "rights",
            "stale",
        } <= kinds
        assert [i.due for i in items] == sorted(i.due for i in items)
        assert all(item.url and item.button for item in items)
        assert any(i.text.startswith("Refresh it: Published 3 years ago") for i in items)
        outreach = next(i for i in items if i.kind == "outreach")
        assert "has not answered the invitation for 9 days" in outreach.text

    def test_mine_and_everyone(self, alice, bob):
        assert {i.kind for i in inbox.needs_me(bob)} == {"nomination"}  # nothing else is bob's
        assert len(inbox.needs_me(bob, everyone=True)) == len(inbox.needs_me(alice, everyone=True))

    def test_the_admin_home_shows_it_above_the_pipeline(self, client, alice):
        client.force_login(alice)
        html = client.get(reverse("admin:index")).content.decode()
        assert 'id="needs-me"' in html and html.index('id="needs-me"') < html.index(
            "pipeline-dashboard"
        )
        assert "Record the answer" in html and "Review the draft" in html
        assert "?who=everyone" in html


def test_the_inbox_runs_a_constant_number_of_queries(alice):
    counts = []
    for n in (1, 4):
        _program(alice, n)
        with CaptureQueriesContext(connection) as queries:
            items = inbox.needs_me(alice, everyone=True)
        counts.append(len(queries))
        assert len(items) >= 8 * n
    assert counts[0] == counts[1], counts


def test_the_home_query_count_does_not_grow_with_the_program(
    client, alice, django_assert_max_num_queries
):
    client.force_login(alice)
    _program(alice, 1)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("admin:index"))
    _program(alice, 3)
    with django_assert_max_num_queries(len(small)):
        client.get(reverse("admin:index"))


def test_a_reviewer_sees_the_drafts_waiting_for_their_sign_off(client, alice, story_at):
    reviewer = factories.UserFactory(username="rita", first_name="Rita", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=INTERNAL_REVIEWERS))
    cs = story_at(S.DRAFTING)
    version = services.story_version_create(
        case_study=cs, actor=alice, title="Draft", sections=factories.sections(10)
    )
    services.internal_reviewer_assign(case_study=cs, area="marketing", user=reviewer, actor=alice)
    client.force_login(reviewer)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Marketing — messaging sign-off of version 1 (Rita)." in html
    assert reverse("admin:casestudies_casestudy_internal_review", args=[cs.pk]) in html
    services.internal_sign_off_record(
        version=version, area="marketing", decision="approved", actor=reviewer
    )
    html = client.get(reverse("admin:index")).content.decode()
    assert "Nothing needs you today." in html
