"""The story checker on good and bad stories, in English and Bahasa Indonesia,
with the exact place of each finding."""

from decimal import Decimal

import pytest

from casestudies import checker
from casestudies.checker import MetricInfo, QuoteInfo
from casestudies.models import CaseStudyState, Quote
from tests import factories


def _codes(findings, section=None):
    return [f.code for f in findings if section is None or f.section == section]


def _good_story(**overrides) -> dict[str, str]:
    summary = (
        "Acme Retail runs 40 stores across Indonesia. Its finance team closed the books by hand "
        "and every close took 15 days. After a 6-week rollout the team now closes in 5 days. "
        + " ".join(["Context"] * 80)
        + "\n\n- **67% faster close**: from 15 days to 5 days\n- **$120,000 saved** a year"
    )
    filler = " ".join(["Narrative"] * 200)
    story = {
        "summary": summary,
        "challenge": filler
        + '\n\n> "We spent more time defending our numbers than improving them."\n>\n'
        "> — Sarah Chen, VP of Finance",
        "solution": filler,
        "implementation": filler,
        "results": "Acme cut month-end close from 15 days to 5 days. " + filler,
        "future_plans": filler,
    }
    story.update(overrides)
    return story


QUOTES = [
    QuoteInfo(
        text="We spent more time defending our numbers than improving them.",
        permission="approved",
        speaker_name="Sarah Chen",
    )
]


class TestAGoodStory:
    def test_it_passes_without_findings(self):
        findings = checker.check_story(_good_story(), quotes=QUOTES)
        assert findings == []

    def test_word_counts_meet_the_guide(self):
        counts = checker.word_counts(_good_story())
        assert counts["summary_ok"] and counts["total_ok"]
        assert counts["total"] == sum(counts["sections"].values())
        assert 100 <= counts["sections"]["summary"] <= 150


class TestVagueClaims:
    def test_it_finds_english_vague_claims_at_their_exact_place(self):
        text = "The rollout went well.\n\nIt significantly improved our reporting. We love it."
        findings = checker.find_vague_claims("results", text)
        assert len(findings) == 1
        f = findings[0]
        assert f.code == "vague-claim"
        assert text[f.start : f.end] == "significantly improved"
        assert f.paragraph == 2
        assert f.excerpt == "It significantly improved our reporting."
        assert f.section == "results"

    def test_it_finds_indonesian_vague_claims(self):
        text = "Sistem baru meningkatkan performa tim. Hasilnya jauh lebih baik dari sebelumnya!"
        findings = checker.find_vague_claims("results", text)
        assert [text[f.start : f.end] for f in findings] == [
            "meningkatkan performa",
            "jauh lebih baik",
        ]
        assert [f.excerpt for f in findings] == [
            "Sistem baru meningkatkan performa tim.",
            "Hasilnya jauh lebih baik dari sebelumnya!",
        ]

    @pytest.mark.parametrize(
        "sentence",
        [
            "Processing time dropped dramatically, from 8 hours to 45 minutes.",
            "Kinerja meningkat secara signifikan, dari 15 hari menjadi 5 hari.",
            "We significantly improved close time by 60%.",
        ],
    )
    def test_a_number_in_the_same_sentence_makes_it_specific(self, sentence):
        assert checker.find_vague_claims("results", sentence) == []

    def test_a_number_in_another_sentence_does_not_count(self):
        text = "We cut costs by 30%. Productivity also improved dramatically."
        findings = checker.find_vague_claims("results", text)
        assert [text[f.start : f.end] for f in findings] == ["dramatically"]

    def test_decimals_and_abbreviations_do_not_split_sentences(self):
        text = "Greatly enhanced reporting, e.g. 1.5 hours saved per report."
        assert checker.find_vague_claims("results", text) == []

    def test_a_word_containing_a_phrase_is_not_a_match(self):
        assert checker.find_vague_claims("results", "Insignificantly small wording.") == []


class TestBeforeAfter:
    @pytest.mark.parametrize(
        "text",
        [
            "Close went from 15 days to 5 days.",
            "Waktu proses turun dari 8 jam menjadi 45 menit.",
            "Biaya dari Rp 10 juta ke Rp 6 juta per bulan.",
            "Before go-live a close took 12 days; now it takes 2.",
        ],
    )
    def test_it_accepts_a_before_and_after(self, text):
        assert checker.has_before_after(text)

    @pytest.mark.parametrize(
        "text",
        ["Everything is much faster now.", "We grew 45%.", "Hasilnya jauh lebih baik."],
    )
    def test_it_refuses_results_without_one(self, text):
        assert not checker.has_before_after(text)

    def test_a_captured_metric_s_figures_count(self):
        metric = MetricInfo(label="Close", before=Decimal("15.0000"), after=Decimal("5.0000"))
        text = "The close took 15 days. Today the same work is done in 5."
        assert checker.has_before_after(text, [metric])
        assert not checker.has_before_after("The close took 15 days.", [metric])

    def test_the_story_check_reports_it_on_the_results(self):
        findings = checker.check_story(
            _good_story(results="Results were much faster. " + " ".join(["Word"] * 200)),
            quotes=QUOTES,
        )
        assert ("no-before-after", "results", "error") in [
            (f.code, f.section, f.severity) for f in findings
        ]


class TestLengths:
    def test_a_short_summary_and_story(self):
        findings = checker.check_story(
            _good_story(summary="Acme saved 30% on costs.", solution=""), quotes=QUOTES
        )
        summary = [f for f in findings if f.code == "summary-length"]
        assert summary[0].section == "summary"
        assert "5 words" in summary[0].message
        assert "empty-section" in _codes(findings, "solution")
        assert "story-length" in _codes(findings, "")

    def test_a_long_summary(self):
        findings = checker.check_story(
            _good_story(summary="Acme saved 30%. " + " ".join(["word"] * 160)), quotes=QUOTES
        )
        assert "summary-length" in _codes(findings, "summary")

    def test_a_summary_without_numbers(self):
        findings = checker.check_story(
            _good_story(summary=" ".join(["words"] * 120)), quotes=QUOTES
        )
        assert "summary-no-numbers" in _codes(findings, "summary")


class TestQuotes:
    def test_no_quote_at_all_is_no_customer_voice(self):
        story = _good_story(challenge=" ".join(["Narrative"] * 220))
        assert "no-customer-voice" in _codes(checker.check_story(story, quotes=QUOTES), "")

    def test_a_quote_waiting_for_permission_is_found_where_it_stands(self):
        quotes = [QuoteInfo(QUOTES[0].text, permission="asked", speaker_name="Sarah Chen")]
        story = _good_story()
        findings = [
            f for f in checker.check_story(story, quotes=quotes) if f.code.startswith("quote")
        ]
        assert [(f.code, f.section, f.severity) for f in findings] == [
            ("quote-not-approved", "challenge", "warning")
        ]
        f = findings[0]
        assert story["challenge"][f.start : f.end].startswith('> "We spent more time')
        assert f.paragraph == 2
        assert "Sarah Chen" in f.message

    def test_a_refused_quote_is_an_error_even_lightly_edited(self):
        quotes = [QuoteInfo(QUOTES[0].text, permission="refused", speaker_name="Sarah Chen")]
        story = _good_story(
            solution="As Sarah put it, “we spent more time defending the numbers than improving "
            "them”. " + " ".join(["Narrative"] * 200)
        )
        findings = checker.check_story(story, quotes=quotes)
        refused = [(f.code, f.section) for f in findings if f.code == "quote-refused"]
        assert refused == [("quote-refused", "challenge"), ("quote-refused", "solution")]

    def test_an_uncaptured_quotation_and_short_scare_quotes(self):
        story = _good_story(
            implementation='Their "before state" was chaos. “This is the best tool we ever '
            "bought,” said the CFO. " + " ".join(["Narrative"] * 200)
        )
        findings = checker.check_story(story, quotes=QUOTES)
        uncaptured = [f for f in findings if f.code == "quote-not-captured"]
        assert len(uncaptured) == 1
        assert uncaptured[0].excerpt.startswith("“This is the best tool")


@pytest.mark.django_db
def test_it_checks_a_saved_version_with_the_case_study_s_quotes(story_at, alice):
    cs = story_at(CaseStudyState.DRAFTING)
    factories.QuoteFactory(
        case_study=cs,
        text="We spent more time defending our numbers than improving them.",
        permission=Quote.Permission.REFUSED,
    )
    # Where the story's other figures come from (15 → 5 days is the factory's metric).
    cs.customer.description = "40 stores; a 6-week rollout; 120,000 saved a year."
    cs.customer.save()
    from casestudies import services

    version = services.story_version_create(
        case_study=cs, actor=alice, title="T", sections=_good_story()
    )
    findings = checker.check_version(version)
    assert [(f.code, f.section) for f in findings] == [("quote-refused", "challenge")]


@pytest.mark.parametrize(
    "sentence",
    [
        "The rollout delivered dramatic results across the team.",  # no number near it
        "Peluncuran ini memberikan hasil yang luar biasa bagi tim.",
    ],
)
def test_result_claims_without_a_number_are_vague(sentence):
    findings = checker.find_vague_claims("results", sentence)
    assert [f.code for f in findings] == ["vague-claim"]
