"""Staff approve and withdraw language versions of an approved story."""

import pytest
from django.urls import reverse

from casestudies import selectors, services
from core.errors import TransitionError
from tests import factories

pytestmark = pytest.mark.django_db


def url(cs):
    return reverse("admin:casestudies_casestudy_translations", args=[cs.pk])


def test_a_translation_is_written_after_publication_then_approved_and_withdrawn(
    client, story_at, alice
):
    cs = story_at("published")
    # The main story is frozen, its translation is not.
    assert not services.story_editable(cs, "en")
    assert services.story_editable(cs, "id")
    with pytest.raises(TransitionError):
        services.story_version_create(
            case_study=cs, actor=alice, title="Changed", sections=factories.sections()
        )
    version = services.story_version_create(
        case_study=cs,
        actor=alice,
        title="Cerita",
        language="id",
        sections=factories.sections(),
    )
    client.force_login(alice)
    page = client.get(url(cs)).content.decode()
    assert f"Approve version {version.number}" in page
    assert "Internal review still needed from" in page
    # Not before product, marketing and legal signed off the translation.
    response = client.post(url(cs), {"action": "approve", "version": str(version.pk)}, follow=True)
    assert "Internal review of version" in response.content.decode()
    assert selectors.public_version(cs, "id") is None
    factories.sign_off_internal_review(version, actor=alice)

    response = client.post(url(cs), {"action": "approve", "version": str(version.pk)}, follow=True)
    assert "approved as the" in response.content.decode()
    cs.refresh_from_db()
    assert selectors.public_version(cs, "id") == version

    response = client.post(url(cs), {"action": "withdraw", "language": "id", "reason": ""})
    assert selectors.public_version(cs, "id") == version  # a reason is needed
    client.post(url(cs), {"action": "withdraw", "language": "id", "reason": "Outdated"})
    assert selectors.public_version(cs, "id") is None


@pytest.mark.parametrize(
    "data",
    [
        {"action": "approve", "version": "abc"},
        {"action": "approve", "version": "99999999999999999999999"},
        {"action": "approve"},
        {"action": "nonsense"},
        {"action": "withdraw", "language": "xx", "reason": "x"},
    ],
)
def test_bad_input_is_a_message_never_a_500(client, story_at, alice, data):
    cs = story_at("published")
    client.force_login(alice)
    response = client.post(url(cs), data, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])


def test_the_main_language_version_cannot_be_approved_as_a_translation(client, story_at, alice):
    cs = story_at("published")
    client.force_login(alice)
    response = client.post(
        url(cs), {"action": "approve", "version": str(cs.published_version_id)}, follow=True
    )
    assert "main language" in response.content.decode()


def test_outsiders_and_sales_cannot_approve(client, story_at, bob, charlie):
    cs = story_at("published")
    client.force_login(charlie)
    assert client.get(url(cs)).status_code in (302, 403)
    client.force_login(bob)
    assert client.post(url(cs), {"action": "withdraw", "language": "id"}).status_code == 403


def test_unicode_digits_are_not_ids(client, story_at, alice):
    cs = story_at("published")
    client.force_login(alice)
    response = client.post(url(cs), {"action": "approve", "version": "²"}, follow=True)
    assert response.status_code == 200
    assert "Choose a version" in response.content.decode()
