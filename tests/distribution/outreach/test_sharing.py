import threading

import pytest
from django.core import mail
from django.db import connections
from django.urls import reverse

from analytics.models import Event
from core.errors import TransitionError
from distribution.models import ShareLink, ShareLinkVisit
from distribution.outreach import sharing
from tests.conftest import require_postgres

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


@pytest.fixture
def link(story, bob):
    return sharing.share_link_create(
        rep=bob, case_study=story, prospect_name="Pat Lee", prospect_company="Globex"
    )


@pytest.mark.django_db
def test_a_visit_is_recorded_then_redirected_with_utm(client, link, story):
    response = client.get(f"/s/{link.code}/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.77")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{story.get_absolute_url()}?utm_source=share&utm_medium=sales&utm_campaign=share-{link.pk}"
    )
    visit = ShareLinkVisit.objects.get()
    assert visit.link == link
    assert "203.0.113" not in visit.visitor_hash and len(visit.visitor_hash) == 16
    link.refresh_from_db()
    assert link.visit_count == 1 and link.first_visited_at is not None
    event = Event.objects.get(kind="share_visit")
    assert event.case_study == story and event.detail == str(link.pk)


@pytest.mark.django_db
def test_the_code_is_128_bits_and_each_request_is_one_visit(client, link):
    assert len(link.code) >= 22
    for _ in range(3):
        client.get(f"/s/{link.code}/", HTTP_USER_AGENT=BROWSER)
    assert ShareLinkVisit.objects.count() == 3
    link.refresh_from_db()
    assert link.visit_count == 3


@pytest.mark.django_db
def test_bots_and_link_previews_are_redirected_but_not_counted(client, link):
    for agent in ("", "Slackbot-LinkExpanding 1.0", "LinkedInBot/1.0", "curl/8.0"):
        assert client.get(f"/s/{link.code}/", HTTP_USER_AGENT=agent).status_code == 302
    assert client.head(f"/s/{link.code}/", HTTP_USER_AGENT=BROWSER).status_code == 302
    assert not ShareLinkVisit.objects.exists()
    assert not Event.objects.filter(kind="share_visit").exists()
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_the_rep_is_told_once_on_the_first_visit(
    client, link, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/s/{link.code}/", HTTP_USER_AGENT=BROWSER)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/s/{link.code}/", HTTP_USER_AGENT=BROWSER)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [bob.email]
    assert "Globex" in mail.outbox[0].subject
    from tests.conftest import redeliver_every_email

    assert not any(redeliver_every_email())  # a redelivered task
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_visits_notify_once(link):
    require_postgres()
    barrier = threading.Barrier(4)

    def visit():
        barrier.wait()
        try:
            sharing.share_visit_record(link=link, user_agent=BROWSER, ip="198.51.100.1")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ShareLinkVisit.objects.count() == 4
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_bad_revoked_and_unpublished_codes_are_a_neutral_404(client, link, bob, alice, story):
    for code in ("nope", "x" * 22, "../../etc", "%F0%9F%98%80" * 8):
        response = client.get(f"/s/{code}/", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 404
    sharing.share_link_revoke(link=link, actor=bob)
    response = client.get(f"/s/{link.code}/", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 404 and story.title not in response.content.decode()
    # A story no longer allowed on the web: its live links stop too.
    live = sharing.share_link_create(
        rep=bob, case_study=story, prospect_name="P", prospect_company="C"
    )
    type(story).objects.filter(pk=story.pk).update(channel_web=False)
    assert client.get(f"/s/{live.code}/", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert not ShareLinkVisit.objects.exists()


@pytest.mark.django_db
def test_only_published_web_allowed_stories_can_be_shared(story_at, story, bob):
    draft = story_at("drafting")
    with pytest.raises(TransitionError):
        sharing.share_link_create(
            rep=bob, case_study=draft, prospect_name="P", prospect_company="C"
        )
    type(story).objects.filter(pk=story.pk).update(channel_web=False)
    story.refresh_from_db()
    with pytest.raises(TransitionError, match="allowed on the web"):
        sharing.share_link_create(
            rep=bob, case_study=story, prospect_name="P", prospect_company="C"
        )


@pytest.mark.django_db
def test_a_rep_creates_a_link_and_sees_each_visit(client, story, bob, dave, alice):
    client.force_login(bob)
    url = reverse("outreach:share") + f"?case_study={story.pk}"
    response = client.post(
        url, {"prospect_name": "Pat Lee", "prospect_company": "Globex", "prospect_email": ""}
    )
    link = ShareLink.objects.get()
    assert response.status_code == 302 and link.rep == bob
    use = Event.objects.get(kind="sales_use")  # the impact measures count reps' use
    assert (use.case_study, use.user, use.detail) == (story, bob, "share_link")
    client.get(f"/s/{link.code}/", HTTP_USER_AGENT=BROWSER)
    page = client.get(reverse("outreach:share_detail", args=[link.pk])).content.decode()
    assert sharing.share_url(link) in page and "1 visit" in page
    # Another rep does not see it; program managers see every rep's links.
    client.force_login(dave)
    assert client.get(reverse("outreach:share_detail", args=[link.pk])).status_code == 404
    assert "Pat Lee" not in client.get(reverse("outreach:share")).content.decode()
    client.force_login(alice)
    assert "Pat Lee" in client.get(reverse("outreach:share")).content.decode()


@pytest.mark.django_db
def test_the_share_list_has_a_constant_number_of_queries(
    client, story, bob, django_assert_max_num_queries
):
    client.force_login(bob)
    for i in range(5):
        sharing.share_link_create(
            rep=bob, case_study=story, prospect_name=f"P{i}", prospect_company="C"
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("outreach:share")).status_code == 200


def test_a_bad_share_form_is_shown_again_with_its_errors(client, story, bob):
    client.force_login(bob)
    url = reverse("outreach:share") + f"?case_study={story.pk}"
    response = client.post(
        url, {"prospect_name": "Bob", "prospect_company": "Acme", "prospect_email": "not-an-email"}
    )
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert not ShareLink.objects.exists()
