"""A pack or a share link that went to a prospect links its stories to the
open deal it was for: the impact report then counts them as used in it."""

from datetime import date

import pytest

from analytics.models import Deal, DealStory
from core.models import AuditEntry
from distribution.models import ProposalPack, ProposalPackStory, ShareLink

pytestmark = pytest.mark.django_db


def _deal(**fields):
    defaults = {
        "external_id": "CRM-1",
        "name": "Bluebird Stores",
        "amount": 50000,
        "opened_on": date(2026, 10, 1),
    }
    return Deal.objects.create(**{**defaults, **fields})


@pytest.fixture
def pack(bob, make_story):
    pack = ProposalPack.objects.create(rep=bob, prospect_company="Bluebird Stores")
    for position, title in enumerate(["Retailer one", "Retailer two"]):
        ProposalPackStory.objects.create(pack=pack, case_study=make_story(title), position=position)
    return pack


def test_a_rep_links_a_pack_to_an_open_deal_once(client, bob, pack):
    deal = _deal()
    _deal(external_id="CRM-2", name="Closed one", outcome="won", closed_on=date(2026, 11, 1))
    client.force_login(bob)
    page = client.get(f"/sales/packs/{pack.pk}/").content.decode()
    assert "Bluebird Stores (CRM-1)" in page and "Closed one" not in page

    response = client.post(f"/sales/packs/{pack.pk}/deal/", {"deal": str(deal.pk)}, follow=True)
    assert "2 stories of this pack are now linked" in response.content.decode()
    rows = DealStory.objects.filter(deal=deal)
    assert sorted(rows.values_list("case_study_id", flat=True)) == sorted(
        pack.items.values_list("case_study_id", flat=True)
    )
    assert set(rows.values_list("source", flat=True)) == {"pack"}
    assert AuditEntry.objects.filter(action="analytics.deal.story_linked").count() == 2

    client.post(f"/sales/packs/{pack.pk}/deal/", {"deal": str(deal.pk)})
    assert rows.count() == 2


@pytest.mark.parametrize("value", ["", "abc", "99999999", "1" * 40, "<script>"])
def test_a_bad_or_closed_deal_is_explained(client, bob, pack, value):
    client.force_login(bob)
    response = client.post(f"/sales/packs/{pack.pk}/deal/", {"deal": value}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose the deal" in body or "does not exist or is already closed" in body
    assert not DealStory.objects.exists()


def test_another_reps_pack_cannot_be_linked(client, alice, groups, pack):
    from django.contrib.auth.models import Group

    from core.roles import SALES
    from tests import factories

    other = factories.UserFactory(username="eve", is_staff=True)
    other.groups.add(Group.objects.get(name=SALES))
    client.force_login(other)
    deal = _deal()
    assert client.post(f"/sales/packs/{pack.pk}/deal/", {"deal": str(deal.pk)}).status_code == 404
    assert not DealStory.objects.exists()


def test_a_share_link_links_its_story_to_a_deal(client, bob, make_story):
    story = make_story("Shared retailer")
    link = ShareLink.objects.create(
        rep=bob, case_study=story, prospect_name="Dana", prospect_company="Bluebird", code="c" * 32
    )
    deal = _deal()
    client.force_login(bob)
    assert "Bluebird Stores (CRM-1)" in client.get(f"/sales/share/{link.pk}/").content.decode()
    client.post(f"/sales/share/{link.pk}/deal/", {"deal": str(deal.pk)})
    row = DealStory.objects.get(deal=deal)
    assert (row.case_study_id, row.source) == (story.pk, "share_link")
