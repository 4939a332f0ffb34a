from decimal import Decimal

from casestudies.models import CaseStudy, Metric
from distribution.publication.charts import before_after_svg


def metric(**kw):
    kw.setdefault("case_study", CaseStudy(percentage_only=False))
    return Metric(**kw)


def test_chart_draws_each_metric_with_its_figures_and_escapes_labels():
    svg = before_after_svg(
        [
            metric(
                label="Hours <per> report",
                before=Decimal(8),
                after=Decimal("0.75"),
                unit="hours",
                higher_is_better=False,
            ),
            metric(label="Revenue", before=Decimal(1000000), after=Decimal(1250000), unit="USD"),
        ]
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "Hours &lt;per&gt; report" in svg and "<per>" not in svg
    assert "Before: 8 hours" in svg and "After: 0.75 hours" in svg
    assert "1,250,000 USD" in svg
    assert "(90.6% reduction)" in svg and "(25% increase)" in svg
    assert svg.count("<rect") == 4


def test_percentage_only_hides_absolute_figures():
    story = CaseStudy(percentage_only=True)
    svg = before_after_svg(
        [
            metric(
                case_study=story,
                label="Revenue",
                before=Decimal(1000000),
                after=Decimal(1250000),
                unit="USD",
            )
        ]
    )
    assert "1,000,000" not in svg and "1,250,000" not in svg
    assert "25% increase" in svg


def test_nothing_to_draw_gives_empty_string():
    assert before_after_svg([]) == ""
    assert before_after_svg([metric(label="x", before=Decimal(0), after=Decimal(0))]) == ""
