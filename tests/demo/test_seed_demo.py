import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client

from casestudies.models import (
    CaseStudy,
    CaseStudyState,
    Contact,
    Customer,
    Metric,
    Quote,
    StateChange,
    StoryVersion,
)
from core.models import AuditEntry
from distribution.publication import facets
from distribution.publication.search import search, search_index_refresh
from distribution.sales.index import sales_index_refresh

MODELS = (Customer, Contact, CaseStudy, StoryVersion, Metric, Quote, StateChange, AuditEntry)


@pytest.mark.django_db
class TestTheDemoProgram:
    def test_it_has_enough_customers_across_segments(self, seeded):
        assert Customer.objects.count() >= 40
        assert Customer.objects.values("industry").distinct().count() >= 6
        assert set(Customer.objects.values_list("company_size", flat=True)) == {
            "enterprise",
            "mid-market",
            "smb",
        }
        assert Customer.objects.values("region").distinct().count() >= 4

    def test_it_has_stories_at_every_stage(self, seeded):
        states = set(CaseStudy.objects.values_list("state", flat=True))
        assert states == set(CaseStudyState.values)

    def test_its_published_stories_follow_the_guide(self, seeded):
        published = CaseStudy.objects.published().select_related("published_version")
        assert published.count() >= 12
        for cs in published:
            version = cs.published_version
            assert 100 <= version.summary_words <= 150, cs.title
            assert 1000 <= version.total_words <= 1500, cs.title
            assert all(version.sections().values()), cs.title
            assert version.verify_hash()
            metrics = list(cs.metrics.all())
            assert len(metrics) >= 3
            assert any(m.meets_guide_threshold for m in metrics), cs.title
            assert cs.quotes.filter(permission="approved", kind="pull").exists()

    def test_every_state_was_reached_through_audited_transitions(self, seeded):
        for cs in CaseStudy.objects.exclude(state=CaseStudyState.CANDIDATE):
            assert cs.history.exists()
            assert cs.history.order_by("-created_at", "-id").first().to_state == cs.state

    def test_stories_past_drafting_were_signed_off_internally(self, seeded):
        from casestudies.models import InternalSignOff, internal_review_areas

        past = CaseStudy.objects.filter(
            state__in=[
                CaseStudyState.IN_REVIEW,
                CaseStudyState.APPROVED,
                CaseStudyState.PUBLISHED,
                CaseStudyState.ARCHIVED,
            ]
        ).exclude(slug__startswith="scale-")
        assert past.exists()
        for cs in past:
            submitted = cs.history.get(to_state=CaseStudyState.IN_REVIEW).version
            sign_offs = InternalSignOff.objects.filter(version=submitted)
            assert sorted(sign_offs.values_list("area", flat=True)) == sorted(
                internal_review_areas()
            ), cs.title
            assert {s.decision for s in sign_offs} == {"approved"}
            assert len({s.reviewer_name for s in sign_offs}) == 3  # three people
        assert AuditEntry.objects.filter(action="casestudies.internal_review.signed_off").exists()

    def test_it_is_idempotent(self, seeded):
        before = {m.__name__: m.objects.count() for m in MODELS}
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        after = {m.__name__: m.objects.count() for m in MODELS}
        assert after == before

    def test_it_adds_published_stories_in_bulk(self, seeded):
        published = CaseStudy.objects.published().count()
        call_command("seed_demo", case_studies=150, stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert CaseStudy.objects.published().count() == published + 150
        bulk = CaseStudy.objects.filter(slug__startswith="scale-")
        assert bulk.annotate(n=Count("versions")).filter(n=1).count() == 150
        assert all(
            v.verify_hash()
            for v in StoryVersion.objects.filter(case_study__slug__startswith="scale-")[:20]
        )
        # Each has a publication date (SQLite once stored none) and a page.
        assert not bulk.filter(published_at__isnull=True).exists()
        assert bulk.values("published_at").distinct().count() == 150
        story = bulk.order_by("pk").first()
        assert Client().get(story.get_absolute_url()).status_code == 200

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors: PostgreSQL")
    def test_bulk_stories_are_indexed_and_faceted_as_the_services_would(self, seeded):
        """The bulk path builds the entries from one parse per template class
        (demo.bulk): they must equal what the services write for the same
        stories, and the facet counts must count them."""
        call_command("seed_demo", case_studies=130, stdout=open("/dev/null", "w"))  # noqa: SIM115
        bulk = CaseStudy.objects.filter(slug__startswith="scale-")
        ids = list(bulk.values_list("pk", flat=True))
        assert len(ids) == 130  # more than one story in each of the 120 classes

        def entries():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT case_study_id, version_id, language, config, title, facts, summary,"
                    " body, document::text FROM distribution_storysearchentry"
                    " WHERE case_study_id = ANY(%s) ORDER BY case_study_id, language",
                    [ids],
                )
                gallery = cursor.fetchall()
                cursor.execute(
                    "SELECT case_study_id, featured, published_at, rights_expire_on, configs,"
                    " strong::text, document::text FROM distribution_salessearchentry"
                    " WHERE case_study_id = ANY(%s) ORDER BY case_study_id",
                    [ids],
                )
                return gallery, cursor.fetchall()

        seeded_entries = entries()
        assert len(seeded_entries[0]) == len(seeded_entries[1]) == 130
        facet_counts = facets.counts({})
        search_index_refresh(ids)
        sales_index_refresh(ids)
        assert entries() == seeded_entries
        # Found by its customer's name.
        story = bulk.get(customer__slug="scale-customer-86")
        assert story in search(CaseStudy.objects.all(), '"Scale Customer 86"')
        # Counted in the facets: every published story, each in its industry.
        published = CaseStudy.objects.published()
        by_industry = dict(
            published.values_list("customer__industry__slug").annotate(n=Count("pk"))
        )
        assert {slug: n for slug, _name, n in facet_counts["industry"]} == by_industry


def test_the_story_generator_is_deterministic():
    from demo.content import build_story

    kwargs = {
        "seed": 7,
        "customer_name": "Acme",
        "industry": "Retail",
        "company_size": "smb",
        "region": "Europe",
        "use_case": "Sales analytics",
        "product": "Core platform",
        "department": "Sales",
        "competitor": "LegacySoft",
    }
    assert build_story(**kwargs) == build_story(**kwargs)
    assert build_story(**kwargs) != build_story(**{**kwargs, "seed": 8})
