"""Publication refuses what the customer's usage rights forbid: no public
website → no publishing; no PDF → no PDF or one-pager; no sales decks → no
slides (the links disappear from the story page too)."""

import pytest

from casestudies import services as cs_services
from casestudies.models import CaseStudy
from core.errors import TransitionError

pytestmark = pytest.mark.django_db


def set_rights(cs: CaseStudy, **fields) -> None:
    for name, value in fields.items():
        setattr(cs, name, value)
    cs.save(update_fields=[*fields, "updated_at"])


def test_publishing_is_refused_without_the_web_channel(story_at, alice):
    cs = story_at("approved")
    set_rights(cs, channel_web=False)
    with pytest.raises(TransitionError, match="do not allow the public website"):
        cs_services.case_study_publish(case_study=cs, actor=alice)
    set_rights(cs, channel_web=True)
    cs_services.case_study_publish(case_study=cs, actor=alice)
    cs.refresh_from_db()
    assert cs.state == "published"


@pytest.fixture
def published(story_at):
    return story_at("published")


def test_documents_exist_only_where_the_rights_allow(client, published):
    slug = published.slug
    assert client.get(f"/case-studies/{slug}/pdf/").status_code != 404
    set_rights(published, channel_pdf=False)
    for path in ("pdf/", "one-pager/", "pdf/status/", "one-pager/status/"):
        assert client.get(f"/case-studies/{slug}/{path}").status_code == 404, path
    assert client.get(f"/case-studies/{slug}/slides/status/").status_code == 200
    set_rights(published, channel_sales_decks=False)
    assert client.get(f"/case-studies/{slug}/slides/").status_code == 404
    assert client.get(f"/case-studies/{slug}/slides/status/").status_code == 404


def test_the_story_page_hides_the_forbidden_downloads(client, published):
    slug = published.slug
    body = client.get(f"/case-studies/{slug}/").content.decode()
    assert f"/case-studies/{slug}/pdf/" in body and f"/case-studies/{slug}/slides/" in body
    set_rights(published, channel_pdf=False)
    body = client.get(f"/case-studies/{slug}/").content.decode()
    assert f"/case-studies/{slug}/pdf/" not in body
    assert f"/case-studies/{slug}/one-pager/" not in body
    assert f"/case-studies/{slug}/slides/" in body
    set_rights(published, channel_sales_decks=False)
    body = client.get(f"/case-studies/{slug}/").content.decode()
    assert f"/case-studies/{slug}/slides/" not in body


def test_rights_confirmed_on_the_review_page_reach_publication(
    client, in_review, start_chain, alice
):
    from approvals import services
    from approvals.models import ReviewLink

    start_chain(in_review, verify_email_for_approve=False)
    link = ReviewLink.objects.get(step__reviewer_email="lee@customer.example")
    services.usage_rights_confirm(
        link=link,
        channels={"web": False, "pdf": True},
        logo_allowed=True,
        anonymised=False,
        percentage_only=False,
        rights_expire_on=None,
    )
    for step_link in ReviewLink.objects.all():
        services.review_decision_record(link=step_link, outcome="approved")
    in_review.refresh_from_db()
    assert in_review.state == "approved"
    with pytest.raises(TransitionError):
        cs_services.case_study_publish(case_study=in_review, actor=alice)


def test_withdrawing_the_web_channel_takes_a_published_story_off_the_site(client, published):
    """A customer may withdraw the public website after publication (on a
    later review, or by telling us): the story leaves the page, the gallery,
    the sitemap and the API at once."""
    slug = published.slug
    assert client.get(f"/case-studies/{slug}/").status_code == 200
    set_rights(published, channel_web=False)
    assert client.get(f"/case-studies/{slug}/").status_code == 404
    assert slug not in client.get("/case-studies/").content.decode()
    assert slug not in client.get("/sitemap.xml").content.decode()
    assert slug not in client.get("/api/stories/").content.decode()
