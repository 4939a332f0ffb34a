"""Reviewers' suggestions accepted (as written or edited) into one new
version, others rejected with a note; two managers at once never build two
versions on the same base."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from approvals import suggestions
from approvals.models import ReviewComment, StepKind
from casestudies import services
from casestudies.models import StoryVersion
from core.errors import TransitionError
from core.models import AuditEntry
from tests.approvals.staff import factories_b
from tests.conftest import require_postgres


@pytest.fixture
def commented(open_request):
    sari = factories_b.customer_step(open_request)
    budi = factories_b.customer_step(open_request, kind=StepKind.CUSTOMER_LEGAL)
    return {
        "summary": factories_b.comment(
            sari, section="summary", body="Shorter, please.", suggested_text="A shorter summary."
        ),
        "results": factories_b.comment(
            budi, section="results", suggested_text="Results without the revenue figure."
        ),
        "whole": factories_b.comment(budi, section="", body="Lovely story overall."),
    }


def _url(approval_request):
    return reverse("approvals_staff:suggestions", args=[approval_request.pk])


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_staff_see_each_suggestion_beside_the_current_text(client, alice, open_request, commented):
    client.force_login(alice)
    page = client.get(_url(open_request)).content.decode()
    base = open_request.version
    assert "A shorter summary." in page and "Shorter, please." in page
    assert base.summary[:50] in page  # the current text beside it
    assert "Lovely story overall." in page
    assert f'name="base_number" value="{base.number}"' in page
    assert 'for="text-{}"'.format(commented["summary"].pk) in page


def test_the_page_runs_a_constant_number_of_queries(client, alice, open_request, commented):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)
    client.get(_url(open_request))
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(open_request)).status_code == 200
    step = factories_b.customer_step(open_request, kind=StepKind.CUSTOMER_PR)
    for section in ("challenge", "solution", "implementation", "future_plans"):
        factories_b.comment(step, section=section, suggested_text=f"New {section}.")
    factories_b.decide(commented["summary"].step)
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url(open_request)).status_code == 200
    assert len(many) == len(few) <= 12


def test_accepting_and_rejecting_creates_one_new_version(client, alice, open_request, commented):
    client.force_login(alice)
    base = open_request.version
    response = client.post(
        _url(open_request),
        {
            "base_number": base.number,
            f"decision-{commented['summary'].pk}": "accept",
            f"text-{commented['summary'].pk}": "A shorter summary, edited by us.",
            f"decision-{commented['results'].pk}": "reject",
            f"note-{commented['results'].pk}": "The figure is approved by your CFO.",
            f"decision-{commented['whole'].pk}": "accept",
        },
    )
    assert response.status_code == 302
    new = StoryVersion.objects.get(case_study=open_request.case_study, number=base.number + 1)
    assert new.summary == "A shorter summary, edited by us."
    assert new.results == base.results and new.challenge == base.challenge
    assert new.title == base.title and new.verify_hash()
    assert "suggestion" in new.note
    assert any("Version 2 created" in m for m in _messages(response))

    summary, results, whole = (
        ReviewComment.objects.get(pk=commented[k].pk) for k in ("summary", "results", "whole")
    )
    assert summary.status == "accepted" and summary.resulting_version == new
    assert summary.resolution_note == "Accepted with edits." and summary.resolved_by_name
    assert results.status == "rejected" and results.resulting_version is None
    assert results.resolution_note == "The figure is approved by your CFO."
    assert whole.status == "accepted" and whole.resulting_version == new
    entry = AuditEntry.objects.get(action="approvals.suggestions.resolved")
    assert entry.data["version"] == new.number and entry.data["edited"] == [summary.pk]
    assert entry.actor == alice

    # The page now lists them as resolved and offers nothing more.
    page = client.get(_url(open_request)).content.decode()
    assert "No open suggestions." in page and "The figure is approved by your CFO." in page


def test_rejecting_only_creates_no_version(client, alice, open_request, commented):
    client.force_login(alice)
    response = client.post(
        _url(open_request),
        {
            "base_number": open_request.version.number,
            f"decision-{commented['results'].pk}": "reject",
        },
    )
    assert response.status_code == 302
    assert open_request.case_study.versions.count() == 1
    assert ReviewComment.objects.get(pk=commented["results"].pk).status == "rejected"


def test_two_replacements_of_one_section_are_refused(client, alice, open_request, commented):
    other = factories_b.comment(
        commented["results"].step, section="summary", suggested_text="Another summary."
    )
    client.force_login(alice)
    response = client.post(
        _url(open_request),
        {
            "base_number": open_request.version.number,
            f"decision-{commented['summary'].pk}": "accept",
            f"decision-{other.pk}": "accept",
        },
    )
    assert response.status_code == 200
    assert any("same section" in m for m in _messages(response))
    assert open_request.case_study.versions.count() == 1
    assert not ReviewComment.objects.exclude(status="open").exists()


def test_a_version_saved_meanwhile_is_not_overwritten(client, alice, open_request, commented):
    base = open_request.version
    services.story_version_create(
        case_study=open_request.case_study,
        actor=alice,
        title=base.title,
        sections={**base.sections(), "challenge": "A colleague's rewrite."},
    )
    client.force_login(alice)
    response = client.post(
        _url(open_request),
        {"base_number": base.number, f"decision-{commented['summary'].pk}": "accept"},
    )
    assert response.status_code == 200
    assert any("since you opened the editor" in m for m in _messages(response))
    assert open_request.case_study.versions.count() == 2
    assert ReviewComment.objects.get(pk=commented["summary"].pk).status == "open"
    # Reloaded, the page builds on the newest version and keeps the colleague's text.
    page = client.get(_url(open_request)).content.decode()
    assert f'name="base_number" value="{base.number + 1}"' in page
    client.post(
        _url(open_request),
        {"base_number": base.number + 1, f"decision-{commented['summary'].pk}": "accept"},
    )
    newest = open_request.case_study.versions.order_by("-number").first()
    assert newest.number == 3
    assert newest.challenge == "A colleague's rewrite." and newest.summary == "A shorter summary."


@pytest.mark.parametrize(
    "data,expected",
    [
        ({}, "Choose at least one"),
        ({"decision-{pk}": "maybe"}, "Unknown choice"),
        ({"decision-{pk}": "accept", "text-{pk}": "   "}, "cannot leave its section empty"),
        ({"decision-{pk}": "accept", "base_number": "x"}, "form is incomplete"),
    ],
)
def test_bad_input_is_a_clear_message(client, alice, open_request, commented, data, expected):
    pk = commented["summary"].pk
    post = {"base_number": open_request.version.number}
    post.update({k.format(pk=pk): v for k, v in data.items()})
    client.force_login(alice)
    response = client.post(_url(open_request), post)
    assert response.status_code == 200
    assert any(expected in m for m in _messages(response)), _messages(response)
    assert open_request.case_study.versions.count() == 1


def test_it_is_for_program_managers_only(client, bob, charlie, open_request):
    url = _url(open_request)
    assert client.get(url).status_code == 302
    for user in (bob, charlie):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_managers_accepting_at_once_create_one_version(open_request, commented, alice, dave):
    require_postgres()
    base_number = open_request.version.number
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(user, comment):
        try:
            barrier.wait(timeout=10)
            version = suggestions.suggestions_resolve(
                approval_request=open_request,
                accept=[suggestions.Accept(comment.pk, text=comment.suggested_text)],
                reject=[],
                base_number=base_number,
                actor=user,
            )
            outcomes.append(("created", version.number))
        except (TransitionError, suggestions.SuggestionError) as exc:
            outcomes.append(("refused", type(exc).__name__))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(alice, commented["summary"])),
        threading.Thread(target=accept, args=(dave, commented["results"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == [("created", base_number + 1), ("refused", "VersionConflict")]
    assert open_request.case_study.versions.count() == 2
    assert ReviewComment.objects.filter(status="accepted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_managers_resolving_the_same_suggestion_leave_one_outcome(
    open_request, commented, alice, dave
):
    require_postgres()
    comment = commented["summary"]
    barrier = threading.Barrier(2)
    outcomes = []

    def resolve(user, accept):
        try:
            barrier.wait(timeout=10)
            suggestions.suggestions_resolve(
                approval_request=open_request,
                accept=[suggestions.Accept(comment.pk, text=comment.suggested_text)]
                if accept
                else [],
                reject=[] if accept else [suggestions.Reject(comment.pk, note="No.")],
                base_number=open_request.version.number,
                actor=user,
            )
            outcomes.append("done")
        except (TransitionError, suggestions.SuggestionError):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=resolve, args=(alice, True)),
        threading.Thread(target=resolve, args=(dave, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["done", "refused"]
    comment.refresh_from_db()
    assert comment.status in {"accepted", "rejected"}
    assert open_request.case_study.versions.count() == (2 if comment.status == "accepted" else 1)
