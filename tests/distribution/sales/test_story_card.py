"""The sales card per story: documents as the rights allow, reference
contacts, usage rights in words; recording each use."""

import pytest

from analytics.models import Event
from tests import factories
from tests.conftest import fresh
from tests.distribution.sales.conftest import build_terms, story_maker


@pytest.fixture(scope="class")
def story_row(shared_db):
    """Acme Retail's story with a reference contact and one who left, made
    once for a class."""
    terms = build_terms()
    cs = story_maker(factories.program_manager())(
        "Retailer halves stock-outs",
        objections=[terms["expensive"]],
        competitors=[terms["x"]],
        customer_name="Acme Retail",
    )
    factories.ContactFactory(
        customer=cs.customer,
        name="Rita Reference",
        title="CFO",
        available_as_reference=True,
    )
    factories.ContactFactory(customer=cs.customer, name="Gone Person", left_company=True)
    return cs


@pytest.fixture
def story(story_row, db):
    return fresh(story_row)


def card(client, cs):
    return client.get(f"/sales/stories/{cs.slug}/")


class TestTheCard:
    """One story's card, the story made once for the class."""

    def test_it_shows_documents_references_and_rights_in_words(self, client, bob, story):
        client.force_login(bob)
        response = card(client, story)
        assert response.status_code == 200
        content = response.content.decode()
        assert "Download the one-pager (PDF)" in content
        assert "Download the slides (.pptx)" in content
        assert "Rita Reference, CFO" in content
        assert "Available for reference calls" in content
        assert "Has left the company" in content
        assert "1 contact available for reference calls." in content
        # Paid promotion is off by default: said in words among what is forbidden.
        forbidden = content.split("Not allowed — do not use it in:")[1]
        assert "Advertising and sponsored content" in forbidden
        assert "Competitor X" in content and "Too expensive" in content

    def test_forbidden_channels_remove_the_documents(self, client, bob, story):
        type(story).objects.filter(pk=story.pk).update(channel_pdf=False, channel_sales_decks=False)
        client.force_login(bob)
        content = card(client, story).content.decode()
        assert "Download the one-pager" not in content
        assert "One-pager: not allowed by the customer's usage rights." in content
        assert "Slides: not allowed" in content
        response = client.post(f"/sales/stories/{story.slug}/use/", {"detail": "slides"})
        assert response.status_code == 302
        assert not Event.objects.exists()

    def test_an_anonymised_story_names_no_one(self, client, bob, story):
        type(story).objects.filter(pk=story.pk).update(anonymised=True)
        client.force_login(bob)
        content = card(client, story).content.decode()
        assert "Acme" not in content
        assert "Rita Reference" not in content
        assert "CFO" in content
        assert "Anonymised: never name the customer" in content

    def test_a_download_is_recorded_then_sent_to_the_document(self, client, bob, story):
        client.force_login(bob)
        response = client.post(f"/sales/stories/{story.slug}/use/", {"detail": "one_pager"})
        assert response.status_code == 303
        assert response["Location"] == f"/case-studies/{story.slug}/one-pager/"
        assert Event.objects.get().detail == "one_pager"

    @pytest.mark.parametrize("detail", ["", "pack", "drop table", "x" * 500])
    def test_the_use_endpoint_refuses_unknown_uses(self, client, bob, story, detail):
        client.force_login(bob)
        response = client.post(f"/sales/stories/{story.slug}/use/", {"detail": detail})
        assert response.status_code == 400
        assert not Event.objects.exists()

    def test_the_use_endpoint_is_post_only_and_for_sales(self, client, bob, charlie, story):
        client.force_login(bob)
        assert client.get(f"/sales/stories/{story.slug}/use/").status_code == 405
        assert client.post("/sales/stories/nope/use/", {"detail": "copy_link"}).status_code == 404
        client.force_login(charlie)
        response = client.post(f"/sales/stories/{story.slug}/use/", {"detail": "copy_link"})
        assert response.status_code == 403
        assert not Event.objects.exists()


def test_unpublished_stories_have_no_card(client, bob, story_at):
    cs = story_at("approved")
    client.force_login(bob)
    assert client.get(f"/sales/stories/{cs.slug}/").status_code == 404
