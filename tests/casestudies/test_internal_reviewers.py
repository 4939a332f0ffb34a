"""Assigned internal reviewers: product, marketing and legal sign-off goes to
real colleagues (or a group), who are emailed; by default no single person
signs off, or is assigned, more than one area of a story."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from casestudies import services
from casestudies.models import CaseStudyState, InternalReviewer
from core import outbox
from core.errors import TransitionError
from core.models import OutboxEmail
from tests import factories

S = CaseStudyState
pytestmark = pytest.mark.django_db


def _draft(story_at, alice):
    cs = story_at(S.DRAFTING)
    version = services.story_version_create(
        case_study=cs, actor=alice, title="Draft", sections=factories.sections(10)
    )
    return cs, version


def _staff(name):
    return factories.UserFactory(username=name, first_name=name.capitalize(), is_staff=True)


def test_an_assigned_reviewer_is_emailed(story_at, alice, django_capture_on_commit_callbacks):
    cs, _version = _draft(story_at, alice)
    lena = _staff("lena")
    with django_capture_on_commit_callbacks(execute=True):
        services.internal_reviewer_assign(case_study=cs, area="legal", user=lena, actor=alice)
    row = OutboxEmail.objects.get(kind="casestudies.review_assigned")
    assert row.case_study_id == cs.pk
    outbox.deliver(row.pk)
    message = next(m for m in mail.outbox if m.to == [lena.email])
    assert "Legal" in message.subject and cs.title in message.subject
    assert f"/admin/casestudies/casestudy/{cs.pk}/internal-review/" in message.body


def test_a_group_is_emailed_to_each_member(story_at, alice):
    cs, _version = _draft(story_at, alice)
    legal = Group.objects.create(name="Legal team")
    for name in ("lena", "lars"):
        _staff(name).groups.add(legal)
    services.internal_reviewer_assign(case_study=cs, area="legal", group=legal, actor=alice)
    outbox.deliver(OutboxEmail.objects.get(kind="casestudies.review_assigned").pk)
    assert sorted(mail.outbox[-1].to) == ["lars@example.com", "lena@example.com"]


def test_one_person_is_not_assigned_two_areas_by_default(story_at, alice, settings):
    cs, _version = _draft(story_at, alice)
    services.internal_reviewer_assign(case_study=cs, area="product", user=alice, actor=alice)
    with pytest.raises(TransitionError, match="already reviews Product"):
        services.internal_reviewer_assign(case_study=cs, area="legal", user=alice, actor=alice)
    settings.INTERNAL_REVIEW_ALLOW_SAME_PERSON = True
    services.internal_reviewer_assign(case_study=cs, area="legal", user=alice, actor=alice)
    assert InternalReviewer.objects.filter(case_study=cs, user=alice).count() == 2


def test_only_the_assignee_signs_the_area_off(story_at, alice):
    cs, version = _draft(story_at, alice)
    lena = _staff("lena")
    services.internal_reviewer_assign(case_study=cs, area="legal", user=lena, actor=alice)
    with pytest.raises(TransitionError, match="assigned to Lena"):
        services.internal_sign_off_record(
            version=version, area="legal", decision="approved", actor=alice
        )
    services.internal_sign_off_record(
        version=version, area="legal", decision="approved", actor=lena
    )


def test_a_member_of_the_assigned_group_signs_off(story_at, alice):
    cs, version = _draft(story_at, alice)
    legal = Group.objects.create(name="Legal team")
    lena = _staff("lena")
    lena.groups.add(legal)
    services.internal_reviewer_assign(case_study=cs, area="legal", group=legal, actor=alice)
    with pytest.raises(TransitionError, match="Legal team"):
        services.internal_sign_off_record(
            version=version, area="legal", decision="approved", actor=alice
        )
    services.internal_sign_off_record(
        version=version, area="legal", decision="approved", actor=lena
    )


def test_one_person_does_not_sign_off_two_areas_unless_allowed(story_at, alice, settings):
    _cs, version = _draft(story_at, alice)
    services.internal_sign_off_record(
        version=version, area="product", decision="approved", actor=alice
    )
    with pytest.raises(TransitionError, match="already signed off Product"):
        services.internal_sign_off_record(
            version=version, area="marketing", decision="approved", actor=alice
        )
    settings.INTERNAL_REVIEW_ALLOW_SAME_PERSON = True
    services.internal_sign_off_record(
        version=version, area="marketing", decision="approved", actor=alice
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"area": "finance"}, "not an internal review area"),
        ({"area": "legal", "user": None}, "one reviewer or one group"),
    ],
)
def test_bad_assignments_are_refused(story_at, alice, kwargs, message):
    cs, _version = _draft(story_at, alice)
    kwargs = {"user": alice, **kwargs}
    with pytest.raises(TransitionError, match=message):
        services.internal_reviewer_assign(case_study=cs, actor=alice, **kwargs)


def test_the_workspace_assigns_the_three_areas_in_one_post(client, alice, story_at):
    from django.urls import reverse

    cs, _version = _draft(story_at, alice)
    people = {area: _staff(f"{area}person") for area in ("product", "marketing", "legal")}
    for user in people.values():
        user.groups.add(Group.objects.get(name="Program managers"))
    client.force_login(alice)
    page = client.get(reverse("admin:casestudies_casestudy_workspace", args=[cs.pk]))
    assert 'id="reviewers"' in page.content.decode()
    client.post(
        reverse("admin:casestudies_casestudy_workspace_reviewers", args=[cs.pk]),
        {f"area_{area}": f"user:{user.pk}" for area, user in people.items()},
    )
    assigned = dict(InternalReviewer.objects.filter(case_study=cs).values_list("area", "user"))
    assert assigned == {area: user.pk for area, user in people.items()}
    page = client.post(
        reverse("admin:casestudies_casestudy_workspace_reviewers", args=[cs.pk]),
        {"area_legal": "user:abc"},
        follow=True,
    ).content.decode()
    assert "Choose a reviewer from the list." in page
