import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from casestudies.customers import asks
from casestudies.models import CustomerAsk
from core.errors import TransitionError
from core.models import AuditEntry
from distribution.models import ReferencePreference, ReferenceRequest
from distribution.outreach import references
from tests.conftest import require_postgres

State = ReferenceRequest.State


def ask(story, contact, rep, prospect="Globex"):
    return references.reference_request_create(
        case_study=story,
        contact=contact,
        prospect_company=prospect,
        purpose="Implementation time.",
        actor=rep,
    )


@pytest.mark.django_db
def test_a_request_is_recorded_in_the_ledger_and_the_owner_is_asked_once(
    story, sari, bob, dave, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(story, sari, bob)
    assert request.state == State.REQUESTED
    assert [m.to for m in mail.outbox] == [[dave.email]]
    assert "Globex" in mail.outbox[0].body
    assert reverse("outreach:reference_detail", args=[request.pk]) in mail.outbox[0].body
    ask_row = CustomerAsk.objects.get()
    assert (ask_row.customer, ask_row.contact, ask_row.kind) == (story.customer, sari, "reference")
    assert ask_row.asked_by == bob
    assert AuditEntry.objects.filter(action="distribution.reference.requested").count() == 1
    # A retry of the notification sends nothing more.
    from tests.conftest import redeliver_every_email

    assert not any(redeliver_every_email())
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_only_contacts_available_as_reference_can_be_asked(story, sari, shy, bob):
    assert references.reference_contacts(story) == [sari]
    with pytest.raises(TransitionError, match="not available for reference calls"):
        ask(story, shy, bob)
    assert not ReferenceRequest.objects.exists()


@pytest.mark.django_db
def test_only_the_account_owner_or_a_program_manager_decides(story, sari, bob, dave, alice):
    request = ask(story, sari, bob)
    with pytest.raises(TransitionError, match="account owner"):
        references.reference_request_decide(request=request, approve=True, actor=bob)
    references.reference_request_decide(request=request, approve=True, actor=dave, note="OK")
    request.refresh_from_db()
    assert request.state == State.OWNER_APPROVED
    assert request.decided_by == dave
    other = ask(story, sari, bob, prospect="Initech")
    references.reference_request_decide(request=other, approve=False, actor=alice)
    other.refresh_from_db()
    assert other.state == State.OWNER_DECLINED and other.closed_at
    with pytest.raises(TransitionError, match="already decided"):
        references.reference_request_decide(request=other, approve=True, actor=alice)


@pytest.mark.django_db
def test_the_call_is_scheduled_only_after_consent_then_done(story, sari, bob, dave):
    request = ask(story, sari, bob)
    when = timezone.now() + timedelta(days=3)
    with pytest.raises(TransitionError, match="approved can be scheduled"):
        references.reference_request_schedule(request=request, when=when, actor=bob)
    with pytest.raises(TransitionError, match="scheduled call"):
        references.reference_request_close(request=request, done=True, actor=bob)
    references.reference_request_decide(request=request, approve=True, actor=dave)
    references.reference_request_schedule(request=request, when=when, actor=bob)
    references.reference_request_close(request=request, done=True, actor=bob)
    request.refresh_from_db()
    assert request.state == State.DONE and request.scheduled_for == when
    actions = list(
        AuditEntry.objects.filter(object_id=str(request.pk), action__startswith="distribution.ref")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "distribution.reference.requested",
        "distribution.reference.approved",
        "distribution.reference.scheduled",
        "distribution.reference.done",
    ]


@pytest.mark.django_db
def test_the_quarterly_cap_refuses_a_third_call_with_a_clear_message(
    story, sari, bob, dave, settings
):
    settings.STORYLINE = {**settings.STORYLINE, "REFERENCE_CALLS_PER_QUARTER": 2}
    first, second, third = (ask(story, sari, bob, prospect=p) for p in ("A", "B", "C"))
    references.reference_request_decide(request=first, approve=True, actor=dave)
    references.reference_request_decide(request=second, approve=True, actor=dave)
    with pytest.raises(TransitionError, match="already agreed to 2 of 2 reference calls"):
        references.reference_request_decide(request=third, approve=True, actor=dave)
    third.refresh_from_db()
    assert third.state == State.REQUESTED
    # A new request is refused up front too; a cancelled call frees its place.
    with pytest.raises(TransitionError, match="2 of 2"):
        ask(story, sari, bob, prospect="D")
    references.reference_request_close(request=second, done=False, actor=bob)
    references.reference_request_decide(request=third, approve=True, actor=dave)
    assert references.calls_this_quarter(sari) == 2


@pytest.mark.django_db
def test_last_quarters_calls_do_not_count(story, sari, bob, dave):
    old = ask(story, sari, bob)
    references.reference_request_decide(request=old, approve=True, actor=dave)
    ReferenceRequest.objects.filter(pk=old.pk).update(
        decided_at=timezone.now() - timedelta(days=200)
    )
    assert references.calls_this_quarter(sari) == 0


@pytest.mark.django_db
def test_the_contacts_own_lower_limit_and_pause_apply(story, sari, budi, bob, dave):
    ReferencePreference.objects.create(contact=sari, max_calls_per_quarter=1)
    assert references.contact_cap(sari) == 1
    first, second = ask(story, sari, bob), ask(story, sari, bob, prospect="B")
    references.reference_request_decide(request=first, approve=True, actor=dave)
    with pytest.raises(TransitionError, match="1 of 1"):
        references.reference_request_decide(request=second, approve=True, actor=dave)

    ReferencePreference.objects.create(
        contact=budi, paused_until=timezone.localdate() + timedelta(days=10)
    )
    with pytest.raises(TransitionError, match="paused reference calls"):
        ask(story, budi, bob)
    # The program's cap wins when the contact's own limit is higher.
    ReferencePreference.objects.filter(contact=budi).update(max_calls_per_quarter=9)
    assert references.contact_cap(budi) == 2


@pytest.mark.django_db
def test_a_contact_who_said_no_since_the_request_cannot_be_approved(story, sari, bob, dave):
    request = ask(story, sari, bob)
    ReferencePreference.objects.create(contact=sari, available=False)
    with pytest.raises(TransitionError, match="asked not to take reference calls"):
        references.reference_request_decide(request=request, approve=True, actor=dave)


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_exceed_the_cap(story, sari, bob, dave, alice):
    require_postgres()
    requests = [ask(story, sari, bob, prospect=f"P{i}") for i in range(5)]
    barrier = threading.Barrier(len(requests))
    outcomes = []

    def approve(request, actor):
        barrier.wait()
        try:
            references.reference_request_decide(request=request, approve=True, actor=actor)
            outcomes.append("ok")
        except TransitionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(r, dave if i % 2 else alice))
        for i, r in enumerate(requests)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "ok", "refused", "refused", "refused"]
    assert ReferenceRequest.objects.filter(state=State.OWNER_APPROVED).count() == 2


@pytest.mark.django_db
def test_the_ledger_counts_every_ask_and_warns_on_the_request_form(client, story, sari, bob, dave):
    for kind in ("interview", "pr", "event"):
        asks.record_ask(customer=story.customer, kind=kind, source="x", by=dave)
    asks.record_ask(
        customer=story.customer,
        kind="other",
        asked_at=timezone.now() - timedelta(days=120),
    )
    summary = asks.ask_summary(story.customer)
    assert summary.total == 3 and summary.warn
    client.force_login(bob)
    response = client.get(reverse("outreach:reference_new") + f"?case_study={story.pk}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "We asked this customer 3 times in the last 90 days." in text
    assert "Think twice before asking again" in text
    assert "Sari Wijaya" in text


@pytest.mark.django_db
def test_a_rep_requests_and_the_owner_consents_through_the_pages(
    client, story, sari, bob, dave, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    url = reverse("outreach:reference_new") + f"?case_study={story.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"contact": sari.pk, "prospect_company": "Globex", "purpose": "Speed."}
        )
    request = ReferenceRequest.objects.get()
    assert response.status_code == 302
    # The rep cannot consent on the owner's behalf.
    response = client.post(reverse("outreach:reference_action", args=[request.pk, "approve"]))
    assert reload_state(request) == State.REQUESTED
    client.force_login(dave)
    page = client.get(reverse("outreach:reference_detail", args=[request.pk]))
    assert "Consent" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("outreach:reference_action", args=[request.pk, "approve"]), {"note": "Go"}
        )
    assert reload_state(request) == State.OWNER_APPROVED
    assert mail.outbox[-1].to == [bob.email]
    assert "approved" in mail.outbox[-1].subject


def reload_state(request):
    request.refresh_from_db()
    return request.state


@pytest.mark.django_db
def test_reference_pages_need_sales_or_program_managers(client, story, charlie):
    url = reverse("outreach:references")
    assert client.get(url).status_code == 302
    client.force_login(charlie)
    assert client.get(url).status_code == 403
    assert client.get(reverse("outreach:reference_detail", args=["x1"])).status_code in (403, 404)


@pytest.mark.django_db
def test_bad_ids_are_404_not_500(client, bob, story):
    client.force_login(bob)
    assert client.get(reverse("outreach:reference_new") + "?case_study=²").status_code == 404
    assert client.get(reverse("outreach:reference_detail", args=["99x"])).status_code == 404
    assert client.get(reverse("outreach:customer_asks", args=["0"])).status_code == 404


@pytest.mark.django_db
def test_inviting_interview_stakeholders_is_recorded_as_asks(make_interview, alice):
    from interviews import services as interview_services

    interview = make_interview()
    interview_services.invitations_send(interview=interview, actor=alice)
    asks = CustomerAsk.objects.filter(kind="interview")
    assert asks.count() == interview.stakeholders.count() > 0
    assert {a.contact_id for a in asks} == set(
        interview.stakeholders.values_list("contact_id", flat=True)
    )


@pytest.mark.django_db
def test_the_request_list_has_a_constant_number_of_queries(
    client, story, sari, budi, bob, dave, django_assert_max_num_queries
):
    for i in range(6):
        ask(story, sari if i % 2 else budi, bob, prospect=f"P{i}")
    for user in (bob, dave):
        client.force_login(user)
        with django_assert_max_num_queries(12):
            page = client.get(reverse("outreach:references"))
        assert page.content.decode().count("P5") == (2 if user == dave else 1)
