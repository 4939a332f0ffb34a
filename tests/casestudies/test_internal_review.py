"""Internal review: product, marketing and legal sign off each exact version,
and the story cannot leave drafting until they all approved the latest one."""

import threading

import pytest
from django.db import connections
from django.urls import reverse

from casestudies import services
from casestudies.models import CaseStudyState, InternalReviewComment, InternalSignOff
from core.errors import TransitionError
from core.models import AuditEntry
from tests import factories
from tests.conftest import require_postgres

S = CaseStudyState
pytestmark = pytest.mark.django_db


def _draft(story_at, alice):
    cs = story_at(S.DRAFTING)
    version = services.story_version_create(
        case_study=cs, actor=alice, title="Draft", sections=factories.sections()
    )
    return cs, version


class TestTheGate:
    def test_it_refuses_to_submit_naming_the_missing_areas(self, story_at, alice):
        cs, version = _draft(story_at, alice)
        factories.sign_off_internal_review(version, actor=alice, areas=["product"])
        with pytest.raises(TransitionError) as exc:
            services.case_study_submit_for_review(case_study=cs, actor=alice)
        message = str(exc.value)
        assert "version 1" in message
        assert "Marketing" in message and "Legal" in message
        assert "Product" not in message
        cs.refresh_from_db()
        assert cs.state == S.DRAFTING

    def test_changes_requested_is_not_an_approval(self, story_at, alice):
        cs, version = _draft(story_at, alice)
        factories.sign_off_internal_review(version, actor=alice, areas=["product", "marketing"])
        services.internal_sign_off_record(
            version=version,
            area="legal",
            decision="changes_requested",
            comment="Soften the ROI claim.",
            actor=factories.area_reviewer("legal"),
        )
        with pytest.raises(TransitionError, match="Legal"):
            services.case_study_submit_for_review(case_study=cs, actor=alice)

    def test_it_submits_once_every_area_approved_the_latest_version(self, story_at, alice):
        cs, version = _draft(story_at, alice)
        factories.sign_off_internal_review(version, actor=alice)
        services.case_study_submit_for_review(case_study=cs, actor=alice)
        cs.refresh_from_db()
        assert cs.state == S.IN_REVIEW
        assert cs.history.first().version == version

    def test_a_new_version_makes_the_sign_offs_stale(self, story_at, alice):
        cs, v1 = _draft(story_at, alice)
        factories.sign_off_internal_review(v1, actor=alice)
        v2 = services.story_version_create(
            case_study=cs, actor=alice, title="Draft 2", sections=factories.sections()
        )
        with pytest.raises(TransitionError, match="version 2"):
            services.case_study_submit_for_review(case_study=cs, actor=alice)
        # The old sign-off cannot be repeated on v1 either: it is stale.
        with pytest.raises(TransitionError, match="stale"):
            services.internal_sign_off_record(
                version=v1, area="product", decision="approved", actor=alice
            )
        factories.sign_off_internal_review(v2, actor=alice)
        services.case_study_submit_for_review(case_study=cs, actor=alice)
        assert InternalSignOff.objects.filter(version=v1).count() == 3  # kept as history

    def test_the_required_areas_come_from_settings(self, story_at, alice, settings):
        settings.STORYLINE = {**settings.STORYLINE, "INTERNAL_REVIEW_AREAS": ["legal"]}
        cs, version = _draft(story_at, alice)
        factories.sign_off_internal_review(version, actor=alice)
        assert InternalSignOff.objects.filter(version=version).count() == 1
        services.case_study_submit_for_review(case_study=cs, actor=alice)
        cs.refresh_from_db()
        assert cs.state == S.IN_REVIEW


class TestSignOffs:
    def test_it_records_and_audits_a_sign_off(self, story_at, alice):
        cs, version = _draft(story_at, alice)
        sign_off = services.internal_sign_off_record(
            version=version, area="legal", decision="approved", actor=alice, comment="Fine."
        )
        assert (sign_off.area, sign_off.decision, sign_off.reviewer) == ("legal", "approved", alice)
        entry = AuditEntry.objects.get(action="casestudies.internal_review.signed_off")
        assert entry.object_id == str(cs.pk)
        assert entry.data == {
            "version": 1,
            "content_hash": version.content_hash,
            "area": "legal",
            "decision": "approved",
        }

    def test_an_area_signs_off_a_version_once(self, story_at, alice, bob):
        _cs, version = _draft(story_at, alice)
        services.internal_sign_off_record(
            version=version, area="legal", decision="approved", actor=alice
        )
        with pytest.raises(TransitionError, match="already signed off"):
            services.internal_sign_off_record(
                version=version,
                area="legal",
                decision="changes_requested",
                actor=bob,
                comment="No.",
            )
        assert InternalSignOff.objects.get(version=version, area="legal").reviewer == alice

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"area": "finance", "decision": "approved"}, "not an internal review area"),
            ({"area": "legal", "decision": "maybe"}, "approve"),
            ({"area": "legal", "decision": "changes_requested"}, "comment is required"),
        ],
    )
    def test_it_refuses_bad_input(self, story_at, alice, kwargs, message):
        _cs, version = _draft(story_at, alice)
        with pytest.raises(TransitionError, match=message):
            services.internal_sign_off_record(version=version, actor=alice, **kwargs)
        assert not InternalSignOff.objects.exists()

    def test_it_refuses_once_the_story_left_the_editable_states(self, story_at, alice):
        cs = story_at(S.APPROVED)
        version = cs.versions.get()
        with pytest.raises(TransitionError, match="internal review is closed"):
            services.internal_review_comment_add(
                version=version, area="legal", section="results", body="Late.", actor=alice
            )

    def test_comments_belong_to_a_section_of_the_latest_version(self, story_at, alice):
        _cs, version = _draft(story_at, alice)
        comment = services.internal_review_comment_add(
            version=version,
            area="product",
            section="solution",
            body="Wrong module name.",
            actor=alice,
        )
        assert (comment.section, comment.author_name) == ("solution", "Alice")
        with pytest.raises(TransitionError, match="section"):
            services.internal_review_comment_add(
                version=version, area="product", section="epilogue", body="x", actor=alice
            )
        with pytest.raises(TransitionError, match="Write the comment"):
            services.internal_review_comment_add(
                version=version, area="product", section="", body="  ", actor=alice
            )


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_offs_of_one_area_record_exactly_one(alice, bob):
    require_postgres()
    cs = factories.case_study_in_state(S.DRAFTING, actor=alice)
    version = services.story_version_create(
        case_study=cs, actor=alice, title="Draft", sections=factories.sections()
    )
    barrier = threading.Barrier(4)
    outcomes = []

    def sign(actor):
        try:
            barrier.wait()
            services.internal_sign_off_record(
                version=version, area="legal", decision="approved", actor=actor
            )
            outcomes.append("ok")
        except TransitionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(u,)) for u in (alice, bob, alice, bob)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert InternalSignOff.objects.filter(version=version, area="legal").count() == 1
    assert AuditEntry.objects.filter(action="casestudies.internal_review.signed_off").count() == 1


class TestTheReviewPage:
    def _url(self, cs):
        return reverse("admin:casestudies_casestudy_internal_review", args=[cs.pk])

    def test_a_reviewer_comments_and_signs_off(self, client, story_at, alice):
        cs, version = _draft(story_at, alice)
        client.force_login(alice)
        page = client.get(self._url(cs) + "?area=legal")
        assert page.status_code == 200
        assert "Legal — claims" in page.content.decode()
        response = client.post(
            self._url(cs),
            {
                "action": "comment",
                "version": version.pk,
                "area": "legal",
                "section": "results",
                "body": "Is the 40% figure audited?",
            },
        )
        assert response.status_code == 302
        comment = InternalReviewComment.objects.get()
        assert (comment.area, comment.section, comment.version) == ("legal", "results", version)
        response = client.post(
            self._url(cs),
            {"action": "sign_off", "version": version.pk, "area": "legal", "decision": "approved"},
        )
        assert response.status_code == 302
        assert InternalSignOff.objects.get().decision == "approved"
        page = client.get(self._url(cs) + "?area=legal").content.decode()
        assert "Is the 40% figure audited?" in page
        assert "Already decided on this version" in page

    def test_a_refusal_keeps_the_reviewer_s_text(self, client, story_at, alice):
        cs, version = _draft(story_at, alice)
        client.force_login(alice)
        response = client.post(
            self._url(cs),
            {
                "action": "sign_off",
                "version": version.pk,
                "area": "legal",
                "decision": "changes_requested",
                "comment": "",
            },
        )
        assert response.status_code == 200
        assert "comment is required" in response.content.decode()
        assert not InternalSignOff.objects.exists()

    def test_a_stale_page_is_told_so(self, client, story_at, alice):
        cs, v1 = _draft(story_at, alice)
        services.story_version_create(
            case_study=cs, actor=alice, title="Newer", sections=factories.sections()
        )
        client.force_login(alice)
        response = client.post(
            self._url(cs),
            {
                "action": "comment",
                "version": v1.pk,
                "area": "legal",
                "section": "",
                "body": "My precious remark",
            },
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "stale" in html
        assert "My precious remark" in html
        assert not InternalReviewComment.objects.exists()

    def test_garbage_is_answered_without_an_error_page(self, client, story_at, alice):
        cs, _version = _draft(story_at, alice)
        client.force_login(alice)
        for data in (
            {"action": "sign_off", "version": "abc", "area": "legal", "decision": "approved"},
            {"action": "sign_off", "version": "999999", "area": "x", "decision": "approved"},
            {"action": "comment", "area": "legal", "body": "x" * 6000},
        ):
            assert client.post(self._url(cs), data).status_code == 200
        assert not InternalSignOff.objects.exists()
        assert client.get(self._url(cs) + "?area=%00").status_code in (200, 400)

    def test_sales_and_outsiders_cannot_review(self, client, story_at, alice, bob, charlie):
        cs, version = _draft(story_at, alice)
        for user in (bob, charlie):
            client.force_login(user)
            assert client.get(self._url(cs)).status_code == 403
            response = client.post(
                self._url(cs),
                {
                    "action": "sign_off",
                    "version": version.pk,
                    "area": "legal",
                    "decision": "approved",
                },
            )
            assert response.status_code == 403
        assert not InternalSignOff.objects.exists()

    def test_an_internal_reviewer_may_review_but_not_edit(self, client, story_at, alice):
        from django.contrib.auth.models import Group

        from core.roles import INTERNAL_REVIEWERS

        cs, version = _draft(story_at, alice)
        dana = factories.UserFactory(username="dana", is_staff=True)
        dana.groups.add(Group.objects.get(name=INTERNAL_REVIEWERS))
        client.force_login(dana)
        assert client.get(self._url(cs)).status_code == 200
        editor = reverse("admin:casestudies_casestudy_story", args=[cs.pk])
        assert client.get(editor).status_code == 403
        client.post(
            self._url(cs),
            {
                "action": "sign_off",
                "version": version.pk,
                "area": "product",
                "decision": "approved",
            },
        )
        assert InternalSignOff.objects.get().reviewer == dana
