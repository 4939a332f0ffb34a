import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import TransitionError
from distribution.models import CustomerSocial, SocialPost
from distribution.outreach import social
from tests import factories


@pytest.fixture
def tagged(story):
    CustomerSocial.objects.create(
        customer=story.customer, linkedin_name="Acme Retail Group", x_handle="acmeretail"
    )
    story.use_cases.add(factories.UseCaseFactory(name="Finance automation"))
    return story


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "id"])
def test_drafts_carry_metric_quote_tag_link_and_hashtags(tagged, language):
    drafts = social.social_drafts(tagged, language=language)
    assert "@acmeretail" in drafts.x and "@Acme Retail Group" in drafts.linkedin
    for text in (drafts.linkedin, drafts.x):
        assert ("66,7%" if language == "id" else "66.7%") in text
        assert tagged.get_absolute_url() in text
        assert "#FinanceAutomation" in text and "#CustomerStory" in text
    assert "We cut month-end close from 15 days to 5." in drafts.linkedin
    assert "utm_source=linkedin" in drafts.linkedin and "utm_source=x" in drafts.x
    assert len(drafts.linkedin) <= 3000 and drafts.x_length <= 280


def test_x_counts_every_link_as_23_characters():
    text = "Results " + "https://example.com/" + "a" * 200 + " end"
    assert social.x_length(text) == len("Results ") + 23 + len(" end")
    assert social.hashtag("Financial services & banking") == "#FinancialServicesBanking"
    assert social.hashtag("—") == ""


@pytest.mark.django_db
def test_anonymised_stories_tag_nobody(tagged):
    type(tagged).objects.filter(pk=tagged.pk).update(anonymised=True)
    tagged.refresh_from_db()
    drafts = social.social_drafts(tagged, language="en")
    for text in (drafts.linkedin, drafts.x):
        assert "@acmeretail" not in text and "Acme Retail" not in text


@pytest.mark.django_db
def test_drafts_are_refused_without_social_rights(story, bob):
    type(story).objects.filter(pk=story.pk).update(channel_social=False)
    story.refresh_from_db()
    with pytest.raises(TransitionError, match="social media"):
        social.social_drafts(story, language="en")
    with pytest.raises(TransitionError):
        social.social_post_record(
            case_study=story, network="x", url="https://x.com/a/status/1", actor=bob
        )


@pytest.mark.django_db
def test_long_quotes_and_titles_still_fit_in_both_languages(tagged):
    quote = tagged.quotes.get()
    metric = tagged.metrics.get()

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        text=st.text(min_size=1, max_size=4000).filter(lambda t: t.strip()),
        label=st.text(min_size=1, max_size=190),
        handle=st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True),
    )
    def check(text, label, handle):
        quote.text = text
        metric.label = label
        quote.save(update_fields=["text"])
        metric.save(update_fields=["label"])
        CustomerSocial.objects.filter(customer=tagged.customer).update(x_handle=handle)
        tagged.customer.refresh_from_db()
        for language in ("en", "id"):
            drafts = social.social_drafts(tagged, language=language)
            assert len(drafts.linkedin) <= social.LINKEDIN_LIMIT
            assert drafts.x_length <= social.X_LIMIT
            assert tagged.get_absolute_url() in drafts.x
            assert tagged.get_absolute_url() in drafts.linkedin

    check()


@pytest.mark.django_db
def test_the_staff_page_shows_both_languages_and_records_a_post(client, tagged, bob, charlie):
    url = reverse("outreach:social") + f"?case_study={tagged.pk}"
    client.force_login(charlie)
    assert client.get(url).status_code == 403
    client.force_login(bob)
    page = client.get(url).content.decode()
    assert 'id="linkedin-en"' in page and 'id="x-id"' in page
    response = client.post(
        url, {"network": "linkedin", "url": "https://www.linkedin.com/posts/acme-1", "reach": "900"}
    )
    assert response.status_code == 302
    post = SocialPost.objects.get()
    assert (post.network, post.reach, post.recorded_by) == ("linkedin", 900, bob)
    # The same post twice is a message, not a 500.
    response = client.post(
        url, {"network": "linkedin", "url": "https://www.linkedin.com/posts/acme-1"}
    )
    assert response.status_code == 200 and "already recorded" in response.content.decode()
