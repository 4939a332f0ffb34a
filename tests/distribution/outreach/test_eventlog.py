import datetime

import pytest
from django.urls import reverse

from core.errors import TransitionError
from distribution.models import StoryUse
from distribution.outreach import eventlog

DAY = datetime.date(2026, 5, 12)


@pytest.mark.django_db
def test_external_use_needs_the_events_channel_internal_use_does_not(story, bob):
    type(story).objects.filter(pk=story.pk).update(channel_events=False)
    story.refresh_from_db()
    with pytest.raises(TransitionError, match="not allowed this story at events"):
        eventlog.story_use_record(
            case_study=story, kind="webinar", name="Retail webinar", date=DAY, actor=bob
        )
    use = eventlog.story_use_record(
        case_study=story,
        kind="internal",
        name="Sales kickoff",
        date=DAY,
        actor=bob,
        audience_size=120,
    )
    assert use.recorded_by == bob and StoryUse.objects.count() == 1


@pytest.mark.django_db
def test_the_per_story_page_records_uses_for_sales_and_managers_only(client, story, bob, charlie):
    url = reverse("outreach:uses") + f"?case_study={story.pk}"
    assert client.get(url).status_code == 302
    client.force_login(charlie)
    assert client.get(url).status_code == 403
    assert client.post(url, {"kind": "event", "name": "X", "date": "2026-05-12"}).status_code == 403
    client.force_login(bob)
    response = client.post(
        url,
        {
            "kind": "event",
            "name": "RetailTech Jakarta",
            "date": "2026-05-12",
            "audience_size": "300",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "RetailTech Jakarta" in page
    # Bad input is a message, not a 500.
    response = client.post(url, {"kind": "party", "name": "", "date": "soon"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_admin_refuses_an_external_use_without_rights_and_lists_uses(
    client, story, alice, django_assert_max_num_queries
):
    type(story).objects.filter(pk=story.pk).update(channel_events=False)
    client.force_login(alice)
    add = reverse("admin:distribution_storyuse_add")
    response = client.post(
        add, {"case_study": story.pk, "kind": "event", "name": "Expo", "date": "2026-05-12"}
    )
    assert response.status_code == 200 and "not allowed this story at events" in (
        response.content.decode()
    )
    response = client.post(
        add, {"case_study": story.pk, "kind": "internal", "name": "All-hands", "date": "2026-05-12"}
    )
    assert response.status_code == 302
    for i in range(4):
        eventlog.story_use_record(
            case_study=story, kind="internal", name=f"Training {i}", date=DAY, actor=alice
        )
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:distribution_storyuse_changelist"))
    assert "Training 3" in page.content.decode()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("outreach:uses")).status_code == 200
