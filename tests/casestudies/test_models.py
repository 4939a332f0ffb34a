from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from casestudies import services
from casestudies.models import CaseStudy, CaseStudyState, ImmutableError, Metric, StoryVersion
from core.errors import TransitionError
from tests import factories

pytestmark = pytest.mark.django_db


def _metric(before, after, *, higher_is_better=True, kind=Metric.Kind.OTHER):
    return Metric(
        before=Decimal(before), after=Decimal(after), higher_is_better=higher_is_better, kind=kind
    )


class TestMetricArithmetic:
    def test_it_computes_a_reduction_as_an_improvement_when_lower_is_better(self):
        m = _metric("15", "5", higher_is_better=False)
        assert m.change_percent == Decimal("-66.7")
        assert m.improvement_percent == Decimal("66.7")
        assert m.is_improvement
        assert m.improvement_display == "66.7% reduction"

    def test_it_writes_the_improvement_in_the_reader_s_language(self):
        from django.utils import translation

        with translation.override("id"):
            assert _metric("15", "5", higher_is_better=False).improvement_display == (
                "penurunan 66,7%"
            )

    def test_it_computes_an_increase(self):
        m = _metric("1000000", "1250000")
        assert m.change_percent == Decimal("25.0")
        assert m.improvement_display == "25% increase"

    def test_it_reports_a_worse_result_as_negative_improvement(self):
        m = _metric("10", "12", higher_is_better=False)
        assert m.improvement_percent == Decimal("-20.0")
        assert not m.is_improvement

    def test_it_has_no_percentage_from_zero(self):
        m = _metric("0", "40")
        assert m.change_percent is None
        assert m.improvement_display == ""
        assert not m.meets_guide_threshold

    def test_it_applies_the_guide_thresholds(self):
        assert _metric(
            "100", "70", higher_is_better=False, kind=Metric.Kind.COST_SAVING
        ).meets_guide_threshold  # -30 %
        assert not _metric(
            "100", "71", higher_is_better=False, kind=Metric.Kind.COST_SAVING
        ).meets_guide_threshold
        assert _metric("100", "120", kind=Metric.Kind.REVENUE).meets_guide_threshold  # +20 %
        assert not _metric("100", "119", kind=Metric.Kind.REVENUE).meets_guide_threshold
        assert _metric("10", "14", kind=Metric.Kind.EFFICIENCY).meets_guide_threshold  # +40 %
        assert not _metric("10", "13.9", kind=Metric.Kind.EFFICIENCY).meets_guide_threshold

    def test_it_rejects_negative_figures_in_the_database(self):
        cs = factories.CaseStudyFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.MetricFactory(case_study=cs, before=-1)


class TestStoryVersions:
    def _version(self, alice, story_at, **overrides):
        cs = story_at(CaseStudyState.DRAFTING)
        return services.story_version_create(
            case_study=cs, actor=alice, title="Title", sections=factories.sections(**overrides)
        )

    def test_it_hashes_the_content_deterministically(self, alice, story_at):
        v = self._version(alice, story_at)
        assert len(v.content_hash) == 64
        assert v.content_hash == StoryVersion.compute_hash(
            language="en", title="Title", sections=factories.sections()
        )
        assert v.verify_hash()

    def test_a_different_word_gives_a_different_hash(self, alice, story_at):
        a = StoryVersion.compute_hash(language="en", title="T", sections=factories.sections())
        b = StoryVersion.compute_hash(
            language="en", title="T", sections=factories.sections(results="Cut 15 days to 5.")
        )
        assert a != b

    def test_it_cannot_be_saved_again(self, alice, story_at):
        v = self._version(alice, story_at)
        v.title = "Rewritten in place"
        with pytest.raises(ImmutableError):
            v.save()
        v.refresh_from_db()
        assert v.title == "Title"

    def test_it_cannot_be_bulk_updated_or_bulk_deleted(self, alice, story_at):
        v = self._version(alice, story_at)
        versions = StoryVersion.objects.filter(pk=v.pk)
        with pytest.raises(ImmutableError):
            versions.update(title="Rewritten in bulk")
        with pytest.raises(ImmutableError):
            versions.delete()
        v.refresh_from_db()
        assert v.title == "Title"

    def test_it_only_speaks_the_site_s_languages(self, alice, story_at):
        cs = story_at(CaseStudyState.DRAFTING)
        with pytest.raises(TransitionError, match="Unknown language"):
            services.story_version_create(
                case_study=cs, actor=alice, title="T", sections={}, language="xx"
            )

    def test_it_cannot_be_deleted(self, alice, story_at):
        v = self._version(alice, story_at)
        with pytest.raises(ImmutableError):
            v.delete()
        assert StoryVersion.objects.filter(pk=v.pk).exists()

    def test_a_tampered_row_fails_verification_and_cannot_be_approved(self, alice, story_at):
        cs = story_at(CaseStudyState.IN_REVIEW)
        # Bypass the ORM's guard the way a careless script with SQL access might.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE casestudies_storyversion SET results = %s WHERE case_study_id = %s",
                ["Tampered", cs.pk],
            )
        with pytest.raises(TransitionError, match="content check"):
            services.case_study_approve(case_study=cs, actor=alice)

    def test_a_tampered_approved_version_cannot_be_published(self, alice, story_at):
        cs = story_at(CaseStudyState.APPROVED)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE casestudies_storyversion SET title = %s WHERE case_study_id = %s",
                ["Tampered", cs.pk],
            )
        with pytest.raises(TransitionError, match="content check"):
            services.case_study_publish(case_study=cs, actor=alice)
        cs.refresh_from_db()
        assert cs.state == CaseStudyState.APPROVED

    def test_it_counts_words_against_the_guide(self, alice, story_at):
        v = self._version(alice, story_at)
        assert v.summary_words == 120
        assert v.total_words == 120 + 5 * 200


class TestConstraints:
    def test_nps_stays_between_0_and_10(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.CustomerFactory(nps_score=11)

    def test_a_published_story_always_has_a_version(self):
        cs = factories.CaseStudyFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            CaseStudy.objects.filter(pk=cs.pk).update(state=CaseStudyState.PUBLISHED)

    def test_the_state_is_one_of_the_lifecycle(self):
        cs = factories.CaseStudyFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            CaseStudy.objects.filter(pk=cs.pk).update(state="teleported")


def test_a_quote_s_speaker_belongs_to_the_story_s_customer():
    from django.core.exceptions import ValidationError

    cs = factories.CaseStudyFactory()
    stranger = factories.ContactFactory()  # another customer's contact
    quote = factories.QuoteFactory.build(case_study=cs, speaker=stranger)
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "speaker" in error.value.message_dict
    own = factories.ContactFactory(customer=cs.customer)
    factories.QuoteFactory.build(case_study=cs, speaker=own).full_clean()
