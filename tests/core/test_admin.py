"""The staff side: dashboard, access by group, transitions from the admin."""

import pytest

from casestudies.models import CaseStudyState
from core.models import AuditEntry

pytestmark = pytest.mark.django_db
S = CaseStudyState
CHANGELIST = "/admin/casestudies/casestudy/"


def test_it_sends_anonymous_visitors_to_the_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_dashboard_shows_the_pipeline(client, alice, story_at):
    story_at(S.DRAFTING)
    story_at(S.DRAFTING)
    story_at(S.PUBLISHED)
    client.force_login(alice)
    response = client.get("/admin/")
    assert response.status_code == 200
    pipeline = {state: count for state, _label, count in response.context["pipeline"]}
    assert pipeline["drafting"] == 2
    assert pipeline["published"] == 1
    assert pipeline["candidate"] == 0
    html = response.content.decode()
    assert 'id="pipeline-dashboard"' in html
    assert f"{CHANGELIST}?state__exact=drafting" in html
    assert len(response.context["waiting"]) == 2  # published stories are not "waiting"


def test_an_outsider_sees_no_pipeline_and_no_case_studies(client, charlie, story_at):
    story_at(S.DRAFTING)
    client.force_login(charlie)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "pipeline" not in response.context
    assert client.get(CHANGELIST).status_code == 403


def test_a_sales_rep_can_read_but_not_move_stories(client, bob, story_at):
    cs = story_at(S.CANDIDATE)
    client.force_login(bob)
    assert client.get(CHANGELIST).status_code == 200
    response = client.post(f"{CHANGELIST}{cs.pk}/transition/start_recruiting/")
    assert response.status_code == 403
    cs.refresh_from_db()
    assert cs.state == S.CANDIDATE


def test_the_changelist_runs_a_constant_number_of_queries(
    client, alice, story_at, django_assert_max_num_queries
):
    for _ in range(3):
        story_at(S.DRAFTING)
    client.force_login(alice)
    with django_assert_max_num_queries(15) as few:
        client.get(CHANGELIST)
    for _ in range(12):
        story_at(S.PUBLISHED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(CHANGELIST)
    assert response.status_code == 200


def test_a_transition_action_moves_the_selected_stories(client, alice, story_at):
    a, b = story_at(S.CANDIDATE), story_at(S.CANDIDATE)
    client.force_login(alice)
    response = client.post(
        CHANGELIST,
        {"action": "transition_start_recruiting", "_selected_action": [a.pk, b.pk]},
        follow=True,
    )
    assert response.status_code == 200
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == b.state == S.RECRUITING
    assert (
        AuditEntry.objects.filter(
            action="casestudies.case_study.start_recruiting", source="admin"
        ).count()
        == 2
    )
    assert "2 case studies moved" in response.content.decode()


def test_an_illegal_action_is_a_message_not_an_error(client, alice, story_at):
    cs = story_at(S.CANDIDATE)
    client.force_login(alice)
    response = client.post(
        CHANGELIST, {"action": "transition_publish", "_selected_action": [cs.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "cannot be moved" in response.content.decode()
    cs.refresh_from_db()
    assert cs.state == S.CANDIDATE


def test_an_action_that_needs_a_reason_asks_for_it(client, alice, story_at):
    cs = story_at(S.DRAFTING)
    client.force_login(alice)
    response = client.post(
        CHANGELIST, {"action": "transition_decline", "_selected_action": [cs.pk]}
    )
    assert response.status_code == 200
    assert b'name="reason"' in response.content
    cs.refresh_from_db()
    assert cs.state == S.DRAFTING

    client.post(
        CHANGELIST,
        {
            "action": "transition_decline",
            "_selected_action": [cs.pk],
            "apply": "1",
            "reason": "Legal said no",
        },
    )
    cs.refresh_from_db()
    assert cs.state == S.DECLINED
    assert cs.history.first().reason == "Legal said no"


class TestTransitionFromTheStoryPage:
    def test_get_only_asks_for_confirmation(self, client, alice, story_at):
        cs = story_at(S.CANDIDATE)
        client.force_login(alice)
        response = client.get(f"{CHANGELIST}{cs.pk}/transition/start_recruiting/")
        assert response.status_code == 200
        cs.refresh_from_db()
        assert cs.state == S.CANDIDATE

    def test_post_moves_the_story(self, client, alice, story_at):
        cs = story_at(S.CANDIDATE)
        client.force_login(alice)
        response = client.post(f"{CHANGELIST}{cs.pk}/transition/start_recruiting/")
        assert response.status_code == 302
        cs.refresh_from_db()
        assert cs.state == S.RECRUITING

    def test_the_change_page_offers_only_legal_moves(self, client, alice, story_at):
        cs = story_at(S.IN_REVIEW)
        client.force_login(alice)
        html = client.get(f"{CHANGELIST}{cs.pk}/change/").content.decode()
        # Recording an approval by hand sits behind the approval page (issue 15).
        assert f"{cs.pk}/transition/approve/" not in html
        assert f"{cs.pk}/transition/request_changes/" in html
        assert f"{cs.pk}/transition/publish/" not in html

    def test_an_unknown_transition_is_a_message(self, client, alice, story_at):
        cs = story_at(S.CANDIDATE)
        client.force_login(alice)
        response = client.post(f"{CHANGELIST}{cs.pk}/transition/teleport/", follow=True)
        assert response.status_code == 200
        assert "Unknown action" in response.content.decode()

    def test_an_unknown_story_is_404(self, client, alice):
        client.force_login(alice)
        assert client.post(f"{CHANGELIST}999999/transition/publish/").status_code == 404


def test_creating_a_case_study_in_the_admin_goes_through_the_service(client, alice):
    from tests import factories

    customer = factories.CustomerFactory()
    client.force_login(alice)
    response = client.post(
        f"{CHANGELIST}add/",
        {
            "customer": customer.pk,
            "title": "Faster close",
            "owner": alice.pk,
            "metrics-TOTAL_FORMS": 0,
            "metrics-INITIAL_FORMS": 0,
            "quotes-TOTAL_FORMS": 0,
            "quotes-INITIAL_FORMS": 0,
            "versions-TOTAL_FORMS": 0,
            "versions-INITIAL_FORMS": 0,
            "history-TOTAL_FORMS": 0,
            "history-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="casestudies.case_study.created")
    assert entry.actor_user_id == alice.pk
    assert customer.case_studies.get().slug.endswith("faster-close")


def test_every_admin_page_loads_for_a_program_manager(client, alice, story_at):
    """Smoke, as the person who uses it (not a superuser): each model's list,
    add and change pages answer 200 when the group may see them."""
    from django.contrib import admin

    story_at(S.PUBLISHED)
    story_at(S.DRAFTING)
    client.force_login(alice)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = f"/admin/{opts.app_label}/{opts.model_name}/"
        # Accounts and their security (lockouts, second-factor devices) are
        # the superusers' to manage.
        if opts.app_label in ("auth", "axes", "otp_totp", "otp_static"):
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        request = response.wsgi_request
        if model_admin.has_add_permission(request):
            assert client.get(f"{url}add/").status_code == 200, url
        obj = model.objects.first()
        if obj is not None:
            assert client.get(f"{url}{obj.pk}/change/").status_code == 200, url


def test_a_program_manager_can_pick_owners(client, alice):
    client.force_login(alice)
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "casestudies",
            "model_name": "casestudy",
            "field_name": "owner",
            "term": "al",
        },
    )
    assert response.status_code == 200
    assert "alice" in response.content.decode()


def test_sales_cannot_read_the_audit_log(client, bob):
    client.force_login(bob)
    assert client.get("/admin/core/auditentry/").status_code == 403
    assert client.get("/admin/casestudies/statechange/").status_code == 403
    assert client.get("/admin/casestudies/casestudy/").status_code == 200


def test_a_malformed_id_is_not_found(client, alice):
    client.force_login(alice)
    assert client.get(f"{CHANGELIST}abc/transition/publish/").status_code == 404


def test_a_story_cannot_be_started_for_an_archived_customer(client, alice):
    from tests import factories

    customer = factories.CustomerFactory(archived=True)
    client.force_login(alice)
    response = client.post(
        f"{CHANGELIST}add/",
        {
            "customer": customer.pk,
            "title": "Nope",
            **{
                f"{prefix}-{k}": 0
                for prefix in ("metrics", "quotes", "versions", "history")
                for k in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["customer"]
    assert not customer.case_studies.exists()


class TestEvidenceLock:
    def test_metrics_and_quotes_are_frozen_once_approved(self, client, alice, story_at):
        cs = story_at(S.APPROVED)
        metric = cs.metrics.first()
        client.force_login(alice)
        response = client.post(
            f"/admin/casestudies/metric/{metric.pk}/change/",
            {
                "case_study": cs.pk,
                "kind": "other",
                "label": "Invented",
                "before": 1,
                "after": 1000,
                "unit": "x",
                "position": 0,
            },
        )
        assert response.status_code == 403
        metric.refresh_from_db()
        assert metric.label != "Invented"
        html = client.get(f"{CHANGELIST}{cs.pk}/change/").content.decode()
        assert 'name="metrics-0-label"' not in html  # shown read-only

    def test_a_draft_s_evidence_can_still_be_edited(self, client, alice, story_at):
        cs = story_at(S.DRAFTING)
        metric = cs.metrics.first()
        client.force_login(alice)
        response = client.post(
            f"/admin/casestudies/metric/{metric.pk}/change/",
            {
                "case_study": cs.pk,
                "kind": "other",
                "label": "Corrected",
                "before": 10,
                "after": 5,
                "unit": "days",
                "position": 0,
            },
        )
        assert response.status_code == 302
        metric.refresh_from_db()
        assert metric.label == "Corrected"


def test_a_new_version_starts_from_the_latest_one(client, alice, story_at):
    cs = story_at(S.IN_REVIEW)
    latest = cs.versions.get()
    client.force_login(alice)
    html = client.get(f"{CHANGELIST}{cs.pk}/change/").content.decode()
    assert f"/admin/casestudies/storyversion/add/?case_study={cs.pk}" in html
    response = client.get(f"/admin/casestudies/storyversion/add/?case_study={cs.pk}")
    form = response.context["adminform"].form
    assert form.initial["title"] == latest.title
    assert form.initial["results"] == latest.results


def test_a_version_for_a_published_story_is_refused_with_the_draft_kept(client, alice, story_at):
    cs = story_at(S.PUBLISHED)
    client.force_login(alice)
    response = client.post(
        "/admin/casestudies/storyversion/add/",
        {
            "case_study": cs.pk,
            "language": "en",
            "title": "Sneaky edit",
            "summary": "Kept text",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["case_study"]
    assert "Kept text" in response.content.decode()
    assert cs.versions.count() == 1


@pytest.mark.parametrize("value", ["abc", "9" * 40, "-1", "1.5"])
def test_a_bad_id_in_an_autocomplete_field_is_a_form_error(client, alice, value):
    """Django's autocomplete widget looked bad ids up and crashed (500)."""
    client.force_login(alice)
    response = client.post("/admin/casestudies/nomination/add/", {"customer": value})
    assert response.status_code == 200
    assert (
        "Select a valid choice" in response.content.decode()
        or response.context["adminform"].form.errors
    )
