"""Proposal packs: ranking on constructed profiles, the pack builder, the
bundled PDF (pdftotext) and the combined deck."""

import io
from pathlib import Path

import pytest

from analytics.models import Event
from casestudies.models import CaseStudy
from core.models import AuditEntry
from distribution.models import ProposalPack
from distribution.sales import packs
from tests import factories
from tests.conftest import fresh
from tests.distribution.publication.conftest import pdf_info, pdf_text
from tests.distribution.sales.conftest import build_terms, story_maker

P = packs.Profile
W = packs.WEIGHTS


def facts(**kwargs) -> packs.StoryFacts:
    kwargs.setdefault("names", {})
    for key in ("use_cases", "objections", "competitors"):
        kwargs[key] = frozenset(kwargs.get(key, ()))
    return packs.StoryFacts(**kwargs)


class TestScoring:
    def test_a_story_sharing_nothing_scores_zero(self):
        assert packs.score(facts(industry="retail"), P(industry="banking")) == (0, [])

    def test_each_criterion_adds_its_weight(self):
        story = facts(
            industry="retail",
            company_size="mid-market",
            region="europe",
            use_cases={"inventory", "pricing"},
            objections={"too-expensive", "implementation-time"},
            competitors={"competitor-x"},
            names={"competitor-x": "Competitor X", "implementation-time": "Slow rollout"},
        )
        profile = P(
            industry="retail",
            company_size="mid-market",
            region="europe",
            use_cases=frozenset({"inventory"}),
            objections=frozenset({"implementation-time"}),
            competitor="competitor-x",
        )
        points, reasons = packs.score(story, profile)
        assert (
            points
            == (W["competitor"] + W["objection"] + W["industry"] + W["use_case"])
            + W["company_size"]
            + W["region"]
        )
        assert reasons[0] == "Displaced Competitor X"
        assert reasons[1] == "Answers “Slow rollout”"

    def test_the_deal_s_competitor_outweighs_a_look_alike_customer(self):
        profile = P(industry="retail", company_size="mid-market", competitor="competitor-x")
        look_alike = facts(industry="retail", company_size="mid-market")
        displaced = facts(industry="banking", competitors={"competitor-x"})
        assert packs.score(displaced, profile)[0] > packs.score(look_alike, profile)[0]

    def test_two_objections_answered_beat_one(self):
        profile = P(objections=frozenset({"a", "b"}))
        assert packs.score(facts(objections={"a", "b"}), profile)[0] == 2 * W["objection"]
        assert packs.score(facts(objections={"a"}), profile)[0] == W["objection"]

    def test_a_strong_result_only_breaks_ties_between_matching_stories(self):
        profile = P(industry="retail")
        assert packs.score(facts(industry="banking", strong_result="45% increase"), profile) == (
            0,
            [],
        )
        points, reasons = packs.score(facts(industry="retail", strong_result="45% up"), profile)
        assert points == W["industry"] + W["strong_result"]
        assert reasons[-1] == "Strong result: 45% up"

    def test_a_profile_round_trips_through_json(self):
        profile = P(industry="retail", objections=frozenset({"a"}), competitor="x")
        assert P.from_json(profile.as_json()) == profile
        assert (
            P.from_json({"use_cases": "not a list"}).use_cases
            == frozenset({"n", "o", "t", " ", "a", "l", "i", "s"})
            or True
        )  # tolerated, never an error


@pytest.fixture(scope="class")
def deal_rows(shared_db):
    """The issue's deal: a mid-market retailer worried about implementation
    time, moving from Competitor X. Four stories, made once for a class."""
    terms = build_terms()
    make_story = story_maker(factories.program_manager())
    return {
        "best": make_story(
            "Retailer live in six weeks after leaving Competitor X",
            objections=[terms["slow"]],
            competitors=[terms["x"]],
        ),
        "look_alike": make_story("Another retailer grows online sales"),
        "other": make_story(
            "Hospital saves nurses' time", industry="Healthcare", company_size="enterprise"
        ),
        "forbidden": make_story(
            "Retailer who said no to decks",
            objections=[terms["slow"]],
            channel_sales_decks=False,
        ),
    }


@pytest.fixture
def deal(deal_rows, db):
    return fresh(deal_rows)


def deal_profile():
    return P(
        industry="retail",
        company_size="mid-market",
        objections=frozenset({"implementation-time"}),
        competitor="competitor-x",
    )


PACK_URL = "/sales/packs/new/"
QUERY = {
    "industry": "retail",
    "company_size": "mid-market",
    "objections": "implementation-time",
    "competitor": "competitor-x",
}


class TestTheDeal:
    """The deal's four stories, made once for the class."""

    def test_rank_orders_by_score_and_leaves_out_forbidden_stories(self, deal):
        suggestions, excluded = packs.rank(deal_profile())
        titles = [s.case_study.title for s in suggestions]
        assert suggestions[0].case_study == deal["best"]
        assert deal["look_alike"] in [s.case_study for s in suggestions]
        assert deal["other"] not in [s.case_study for s in suggestions]
        assert deal["forbidden"] not in [s.case_study for s in suggestions]
        assert [e["case_study"] for e in excluded] == [deal["forbidden"]]
        assert "sales decks and proposal packs" in excluded[0]["reason"]
        assert "Displaced Competitor X" in suggestions[0].reason
        assert len(titles) == 2

    def test_the_builder_ranks_with_reasons_and_shows_what_rights_exclude(self, client, bob, deal):
        client.force_login(bob)
        response = client.get(PACK_URL, QUERY)
        content = response.content.decode()
        assert response.status_code == 200
        assert content.index(deal["best"].published_version.title) < content.index(
            "Another retailer grows online sales"
        )
        assert "Displaced Competitor X" in content
        assert "Retailer who said no to decks" in content.split("Left out by the usage rights")[1]

    def test_bad_profile_values_are_ignored_with_a_message(self, client, bob, deal):
        client.force_login(bob)
        response = client.get(PACK_URL, {**QUERY, "region": "atlantis", "objections": ["x", "y"]})
        assert response.status_code == 200
        assert response.context["notices"]

    def test_a_pack_is_built_rendered_and_saved(
        self, client, bob, alice, deal, settings, django_capture_on_commit_callbacks
    ):
        client.force_login(bob)
        chosen = [deal["best"].pk, deal["look_alike"].pk]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                PACK_URL,
                {
                    **QUERY,
                    "prospect_company": "Bluebird Stores",
                    "prospect_name": "Dana Buyer",
                    "language": "en",
                    "story": [str(pk) for pk in chosen],
                },
            )
        pack = ProposalPack.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/sales/packs/{pack.pk}/"
        assert pack.status == ProposalPack.Status.DONE
        assert pack.rep == bob
        assert pack.profile["competitor"] == "competitor-x"
        assert [i.case_study_id for i in pack.items.order_by("position")] == chosen
        assert "Displaced Competitor X" in pack.items.get(case_study=deal["best"]).reason
        assert AuditEntry.objects.filter(action="distribution.pack.create").exists()
        assert sorted(
            Event.objects.filter(detail="pack").values_list("case_study_id", flat=True)
        ) == (sorted(chosen))

        response = client.get(f"/sales/packs/{pack.pk}/pdf/")
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        text = pdf_text(content)
        assert "Customer stories for Bluebird Stores" in text
        assert "Prepared for Dana Buyer" in text
        for cs in (deal["best"], deal["look_alike"]):
            assert cs.published_version.title in text
        assert pdf_info(content)["Pages"] == "3"  # cover + two one-pagers
        # A private file: an attachment, sandboxed, not under the public media.
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Security-Policy"] == "sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert (Path(settings.PRIVATE_MEDIA_ROOT) / pack.pdf.name).is_file()
        assert not (Path(settings.MEDIA_ROOT) / pack.pdf.name).exists()

        from pptx import Presentation

        response = client.get(f"/sales/packs/{pack.pk}/slides/")
        deck = Presentation(io.BytesIO(b"".join(response.streaming_content)))
        texts = " ".join(
            shape.text_frame.text
            for slide in deck.slides
            for shape in slide.shapes
            if shape.has_text_frame
        )
        assert "Customer stories for Bluebird Stores" in texts
        assert deal["best"].published_version.title in texts
        assert len(deck.slides) > 2

        detail = client.get(f"/sales/packs/{pack.pk}/")
        assert "Download the PDF" in detail.content.decode()
        assert client.get(f"/sales/packs/{pack.pk}/status/").json()["ready"] is True
        assert "Bluebird Stores" in client.get("/sales/packs/").content.decode()

        # The admin links the files to the portal's download views.
        client.force_login(alice)
        admin_page = client.get(f"/admin/distribution/proposalpack/{pack.pk}/change/")
        assert admin_page.status_code == 200
        assert f'href="/sales/packs/{pack.pk}/pdf/"' in admin_page.content.decode()
        assert f'href="/sales/packs/{pack.pk}/slides/"' in admin_page.content.decode()

    def test_a_pack_needs_a_company_and_allowed_stories(self, client, bob, deal):
        client.force_login(bob)
        response = client.post(PACK_URL, {**QUERY, "story": [str(deal["best"].pk)]})
        assert "Name the prospect" in response.content.decode()
        response = client.post(
            PACK_URL, {**QUERY, "prospect_company": "B", "story": [str(deal["forbidden"].pk)]}
        )
        assert "no longer match" in response.content.decode()
        response = client.post(PACK_URL, {**QUERY, "prospect_company": "B", "story": ["abc"]})
        assert response.status_code == 200
        assert not ProposalPack.objects.exists()

    def test_the_waiting_page_refreshes_without_javascript(self, client, bob, deal):
        client.force_login(bob)
        response = client.post(
            PACK_URL, {**QUERY, "prospect_company": "Bluebird", "story": [str(deal["best"].pk)]}
        )
        pack = ProposalPack.objects.get()  # on_commit not run: still queued
        content = client.get(response["Location"]).content.decode()
        assert '<meta http-equiv="refresh"' in content
        assert f'data-document-status="/sales/packs/{pack.pk}/status/"' in content
        assert client.get(f"/sales/packs/{pack.pk}/status/").json() == {
            "status": "queued",
            "progress": 0,
            "ready": False,
            "failed": False,
        }
        # Not ready: the download sends back to the waiting page.
        assert client.get(f"/sales/packs/{pack.pk}/pdf/").status_code == 302

    def test_packs_are_private_to_their_rep_but_managers_see_all(
        self, client, bob, alice, deal, groups
    ):
        from django.contrib.auth.models import Group

        from core.roles import SALES
        from tests.factories import UserFactory

        client.force_login(bob)
        client.post(
            PACK_URL, {**QUERY, "prospect_company": "Bluebird", "story": [str(deal["best"].pk)]}
        )
        pack = ProposalPack.objects.get()
        other = UserFactory(username="olivia", is_staff=True)
        other.groups.add(Group.objects.get(name=SALES))
        client.force_login(other)
        assert client.get(f"/sales/packs/{pack.pk}/").status_code == 404
        assert client.get("/sales/packs/abc/").status_code == 404
        client.force_login(alice)
        assert client.get(f"/sales/packs/{pack.pk}/").status_code == 200

    def test_a_render_skips_stories_that_lost_their_rights(
        self, deal, bob, django_capture_on_commit_callbacks
    ):
        from distribution.sales import services as sales_services

        with django_capture_on_commit_callbacks(execute=True):
            pack = sales_services.proposal_pack_create(
                rep=bob,
                prospect_company="Bluebird",
                profile=deal_profile(),
                language="en",
                chosen=[(deal["best"].pk, 1, "r"), (deal["look_alike"].pk, 1, "r")],
            )
            CaseStudy.objects.filter(pk=deal["look_alike"].pk).update(channel_sales_decks=False)
        pack.refresh_from_db()
        assert pack.status == ProposalPack.Status.DONE
        text = pdf_text(pack.pdf.read())
        assert deal["best"].published_version.title in text
        assert "Another retailer grows online sales" not in text

    def test_a_failed_render_is_recorded_and_can_be_tried_again(
        self, client, bob, deal, monkeypatch, django_capture_on_commit_callbacks
    ):
        from distribution.sales import services as sales_services

        def explode(pack, progress=None):
            raise RuntimeError("no fonts")

        monkeypatch.setattr(sales_services, "render_pack", explode)
        client.force_login(bob)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                PACK_URL, {**QUERY, "prospect_company": "Bluebird", "story": [str(deal["best"].pk)]}
            )
        pack = ProposalPack.objects.get()
        assert pack.status == ProposalPack.Status.FAILED
        assert "no fonts" in pack.error
        assert "could not be prepared" in client.get(f"/sales/packs/{pack.pk}/").content.decode()

        monkeypatch.undo()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/sales/packs/{pack.pk}/render/")
        assert response.status_code == 302
        pack.refresh_from_db()
        assert pack.status == ProposalPack.Status.DONE
        assert AuditEntry.objects.filter(action="distribution.pack.rerender").exists()
        assert client.get(f"/sales/packs/{pack.pk}/render/").status_code == 405
