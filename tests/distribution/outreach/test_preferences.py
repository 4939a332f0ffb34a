import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.tokens import hash_token
from distribution.models import ReferencePreference
from distribution.outreach import references


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


@pytest.mark.django_db
def test_the_link_is_emailed_and_only_its_hash_is_stored(
    sari, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        references.preference_link_email(contact=sari, actor=alice)
    url = re.search(r"https?://\S+/preferences/\S+/", mail.outbox[0].body).group(0)
    token = token_of(url)
    assert len(token) >= 43  # 256 bits, url-safe base64
    preference = ReferencePreference.objects.get(contact=sari)
    assert preference.token_hash == hash_token(token) and token not in preference.token_hash
    assert mail.outbox[0].to == [sari.email] and url in mail.outbox[0].body


@pytest.mark.django_db
def test_the_contact_sets_availability_limit_and_pause(client, sari, alice, bob, story):
    url = references.preference_link_issue(contact=sari, actor=alice)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Sari Wijaya" in response.content.decode()
    pause = timezone.localdate() + timedelta(days=30)
    response = client.post(
        url,
        {
            "available": "yes",
            "max_calls_per_quarter": "1",
            "preferred_days": "Tuesday mornings",
            "notes": "",
            "paused_until": pause.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "your preferences are saved" in response.content.decode()
    preference = ReferencePreference.objects.get(contact=sari)
    assert preference.max_calls_per_quarter == 1 and preference.paused_until == pause
    assert preference.set_by_contact_at is not None
    assert references.contact_cap(sari) == 1
    assert "paused reference calls" in references.unavailable_reason(sari)

    client.post(url, {"available": "no", "max_calls_per_quarter": "", "paused_until": ""})
    sari.refresh_from_db()
    assert sari.available_as_reference is False
    assert references.reference_contacts(story) == []


@pytest.mark.django_db
def test_the_page_speaks_indonesian_and_fits_a_phone(client, sari, alice):
    url = references.preference_link_issue(contact=sari, actor=alice)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
    text = response.content.decode()
    assert 'lang="id"' in text
    assert 'name="viewport"' in text
    assert "Save my preferences" not in text


@pytest.mark.django_db
def test_bad_input_is_a_message_not_a_500(client, sari, alice):
    url = references.preference_link_issue(contact=sari, actor=alice)
    response = client.post(
        url, {"available": "maybe", "max_calls_per_quarter": "999", "paused_until": "2001-01-01"}
    )
    assert response.status_code == 200
    assert ReferencePreference.objects.get(contact=sari).set_by_contact_at is None


@pytest.mark.django_db
def test_unknown_replaced_and_expired_links_are_a_neutral_404(client, sari, alice, settings):
    old = references.preference_link_issue(contact=sari, actor=alice)
    new = references.preference_link_issue(contact=sari, actor=alice)
    unknown = reverse("outreach_public:preferences", args=["x" * 43])
    for url in (old, unknown, reverse("outreach_public:preferences", args=["short"])):
        response = client.get(url)
        assert response.status_code == 404
        assert "Sari" not in response.content.decode()
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(new).status_code == 200
    ReferencePreference.objects.filter(contact=sari).update(
        token_created_at=timezone.now()
        - timedelta(days=settings.STORYLINE["PREFERENCE_LINK_DAYS"] + 1)
    )
    assert client.get(new).status_code == 404
    # A contact who left the company: the link stops working.
    fresh = references.preference_link_issue(contact=sari, actor=alice)
    type(sari).objects.filter(pk=sari.pk).update(left_company=True)
    assert client.post(fresh, {"available": "yes"}).status_code == 404
