"""Usage rights enforce themselves: the daily sweep archives stories whose
rights expired, once, however often and however concurrently it runs."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from casestudies.models import CaseStudy, CaseStudyState, StateChange
from core.models import AuditEntry
from distribution.publication import tasks
from distribution.publication.services import usage_rights_expire
from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db
S = CaseStudyState


@pytest.fixture
def stories(story_at):
    today = timezone.localdate()
    expired = story_at(S.PUBLISHED, rights_expire_on=today - timedelta(days=3))
    expires_today = story_at(S.PUBLISHED, rights_expire_on=today)
    later = story_at(S.PUBLISHED, rights_expire_on=today + timedelta(days=1))
    forever = story_at(S.PUBLISHED)
    approved = story_at(S.APPROVED, rights_expire_on=today - timedelta(days=1))
    return {
        "expired": expired,
        "today": expires_today,
        "later": later,
        "forever": forever,
        "approved": approved,
    }


def _states(stories):
    return {name: CaseStudy.objects.get(pk=cs.pk).state for name, cs in stories.items()}


def test_the_command_archives_expired_stories_with_a_reason(stories, capsys):
    call_command("expire_usage_rights")
    assert _states(stories) == {
        "expired": S.ARCHIVED,
        "today": S.ARCHIVED,
        "later": S.PUBLISHED,
        "forever": S.PUBLISHED,
        "approved": S.APPROVED,  # not public: nothing to withdraw
    }
    change = StateChange.objects.get(case_study=stories["expired"], to_state=S.ARCHIVED)
    expired_on = stories["expired"].rights_expire_on
    assert change.reason.startswith("Usage rights expired on")
    assert str(expired_on.year) in change.reason
    assert change.actor is None
    assert (
        AuditEntry.objects.filter(
            action="casestudies.case_study.archive", source="usage-rights sweep"
        ).count()
        == 2
    )
    assert "Archived 2 case studies." in capsys.readouterr().out


def test_running_it_twice_archives_once(stories):
    call_command("expire_usage_rights")
    call_command("expire_usage_rights")
    assert tasks.expire_usage_rights.delay().get() == 0
    assert StateChange.objects.filter(to_state=S.ARCHIVED).count() == 2


def test_the_beat_task_does_the_same(stories):
    assert tasks.expire_usage_rights.delay().get() == 2
    assert _states(stories)["expired"] == S.ARCHIVED


def test_the_task_is_scheduled_daily(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["expire-usage-rights"]
    assert schedule["task"] == "distribution.tasks.expire_usage_rights"
    assert schedule["schedule"].hour == {0}


def test_expired_stories_leave_the_gallery_before_the_sweep(client, stories):
    response = client.get("/case-studies/")
    shown = {cs.pk for cs in response.context["page"].object_list}
    assert stories["expired"].pk not in shown
    assert stories["today"].pk not in shown
    assert stories["later"].pk in shown
    assert client.get(f"/case-studies/{stories['expired'].slug}/slides/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_archive_each_story_once(stories):
    require_postgres()
    barrier = threading.Barrier(2)
    results: list[list[int]] = []

    def sweep():
        try:
            barrier.wait()
            results.append(usage_rights_expire())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    archived = sorted(pk for result in results for pk in result)
    assert archived == sorted([stories["expired"].pk, stories["today"].pk])
    assert StateChange.objects.filter(to_state=S.ARCHIVED).count() == 2
