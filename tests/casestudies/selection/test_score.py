"""The candidate score on the guide's examples ("Hasil Kuat dan ROI": cost
saving 30 %+, revenue 20 %+, efficiency 40 %+, time saved, a clear
before/after) and its bounds as properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casestudies import selection
from casestudies.models import CandidateScore, Metric
from casestudies.selection import Part, combine, results_strength


def metric(kind, before, after, higher_is_better=True, label="Result"):
    return Metric(
        kind=kind,
        label=label,
        before=Decimal(before),
        after=Decimal(after),
        higher_is_better=higher_is_better,
    )


def test_it_gives_full_results_strength_to_the_guides_strong_examples():
    # 30 % cost saving, with time saved: every part of "strong results".
    strong = results_strength(
        [
            metric("cost_saving", 100, 70, higher_is_better=False, label="Cost per invoice"),
            metric("time_saved", 15, 5, higher_is_better=False, label="Month-end close"),
        ]
    )
    assert strong.value == pytest.approx(1.0)
    assert any("meets the guide's 30%" in r for r in strong.reasons)
    assert "Measurable time saved" in strong.reasons


@pytest.mark.parametrize(
    ("kind", "after", "meets"),
    [
        ("revenue", 120, True),  # +20 % revenue
        ("revenue", 110, False),  # +10 %: half way
        ("efficiency", 140, True),  # +40 % efficiency
        ("efficiency", 130, False),
    ],
)
def test_it_measures_results_against_the_guides_thresholds(kind, after, meets):
    part = results_strength([metric(kind, 100, after)])
    assert (part.value == pytest.approx(0.8)) is meets
    assert ("meets" in part.reasons[0]) is meets


def test_a_vague_story_has_no_results_strength():
    part = results_strength([])
    assert part.value == 0
    assert part.reasons == ["No measured result yet"]
    # A change for the worse is no result either.
    assert results_strength([metric("revenue", 100, 90)]).value == 0


def test_weights_are_configurable(settings):
    parts = {name: Part(0.0) for name in selection.COMPONENTS}
    parts["results"] = Part(1.0)
    settings.STORYLINE = {
        **settings.STORYLINE,
        "SELECTION_WEIGHTS": {"results": 1, "arc": 0, "willingness": 0, "appeal": 0, "gap_fill": 0},
    }
    assert combine(parts) == 100
    assert combine(parts, {"results": 30, "arc": 70}) == 30
    assert combine(parts, dict.fromkeys(selection.COMPONENTS, 0)) == 0


def test_the_arc_counts_the_five_known_parts():
    score = CandidateScore(arc_challenge=True, arc_results=True)
    part = selection.arc_completeness(score)
    assert part.value == pytest.approx(0.4)
    assert part.reasons[0] == "Known: challenge, results"
    assert selection.arc_completeness(None).value == 0


improvements = st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False)
kinds = st.sampled_from(["cost_saving", "revenue", "efficiency", "time_saved", "other"])
fractions = st.floats(min_value=0, max_value=1)


@settings(max_examples=200, deadline=None)
@given(
    kind=kinds,
    before=st.decimals(min_value=1, max_value=10**6, places=2),
    gain=improvements,
    extra=improvements,
    others=st.lists(fractions, min_size=4, max_size=4),
    weights=st.lists(st.integers(min_value=0, max_value=100), min_size=5, max_size=5),
)
def test_the_score_stays_within_0_and_100_and_grows_with_results(
    kind, before, gain, extra, others, weights
):
    """Property: whatever the inputs and weights, 0 <= score <= 100, and a
    stronger result never lowers it."""
    weights = dict(zip(selection.COMPONENTS, weights, strict=True))
    rest = dict(zip(["arc", "willingness", "appeal", "gap_fill"], others, strict=True))

    def total(improvement_percent):
        after = before * (1 + improvement_percent / 100)
        part = results_strength([metric(kind, before, after)])
        assert 0 <= part.value <= 1
        parts = {"results": part, **{k: Part(v) for k, v in rest.items()}}
        return combine(parts, weights)

    low, high = total(gain), total(gain + extra)
    assert 0 <= low <= 100 and 0 <= high <= 100
    assert high >= low
