"""The checker shows where each figure came from (a metric, a transcript
line, an ROI figure), flags a figure with no source, flags a name in the
prose of someone who has not agreed to be named, and publishing refuses it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from casestudies import checker, services
from casestudies.checker import FigureSource, PersonInfo
from core.errors import TransitionError, error_message
from tests import factories


def _codes(findings):
    return [f.code for f in findings]


# --- pure -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "values"),
    [
        ("15", {Decimal(15)}),
        ("66.7", {Decimal("66.7")}),
        ("66,7", {Decimal("66.7")}),  # Indonesian decimal comma
        ("1,200", {Decimal(1200), Decimal("1.2")}),
        ("1.200", {Decimal("1.2"), Decimal(1200)}),
        ("120,000", {Decimal(120000), Decimal("120.000")}),
        ("1.200.000", {Decimal(1200000)}),
        ("1.2.3", set()),
    ],
)
def test_a_written_figure_is_read_in_both_notations(token, values):
    assert checker.figure_values(token) == values


def test_clock_times_and_list_markers_are_not_figures():
    text = "1. At 00:12:30 she said the close took 15 days.\n2. Then 5, 1.5x faster, in Q3."
    assert [token for _s, _e, token in checker.figures_in(text)] == ["15", "5", "1.5"]


def test_each_figure_is_traced_to_its_source_rounded_as_written():
    metric = FigureSource(where="metric", values=(Decimal(15), Decimal(5), Decimal("66.66667")))
    line = FigureSource(where="line 3", text="We have 40 stores and 1,200 staff.")
    traces = checker.trace_figures(
        {
            "results": "Close fell from 15 to 5 days (67% faster), "
            "across 40 stores and 1.200 staff; 9 teams."
        },
        [metric, line],
    )
    assert [(t.figure, t.source.where if t.source else None) for t in traces] == [
        ("15", "metric"),
        ("5", "metric"),
        ("67", "metric"),
        ("40", "line 3"),
        ("1.200", "line 3"),  # Indonesian thousands point, English thousands comma
        ("9", None),
    ]


def test_an_unsourced_figure_is_a_finding_only_when_sources_are_given():
    story = {"results": "We saved 42 hours a week."}
    assert checker.UNSOURCED_FIGURE not in _codes(checker.check_story(story))
    findings = checker.check_story(story, figure_sources=[])
    [finding] = [f for f in findings if f.code == checker.UNSOURCED_FIGURE]
    assert finding.section == "results"
    assert story["results"][finding.start : finding.end] == "42"
    assert finding.severity == checker.WARNING
    sourced = checker.check_story(story, figure_sources=[FigureSource("x", text="42 hours")])
    assert checker.UNSOURCED_FIGURE not in _codes(sourced)


def test_a_name_in_the_prose_without_permission_is_an_error():
    people = [
        PersonInfo("Mei Tan", False, "VP Finance", "/admin/contact/1/"),
        PersonInfo("Joko Widodo", True, "CEO", "/admin/contact/2/"),
    ]
    story = {
        "results": "“We close in five days,” says Mei Tan, VP Finance. Joko Widodo agreed.",
        "challenge": "MEI  TAN had a problem. Meitan is a word.",
    }
    found = [
        f for f in checker.check_story(story, people=people) if f.code == "named-without-permission"
    ]
    assert [(f.section, f.excerpt[:9]) for f in found] == [
        ("challenge", "MEI TAN h"),
        ("results", "“We close"),
    ]
    assert all(f.is_error and f.fix_url == "/admin/contact/1/" for f in found)
    assert "write “VP Finance” instead" in found[0].message
    assert checker.unpermitted_names(story, people[1:]) == []


# --- with the database ------------------------------------------------------


@pytest.mark.django_db
def test_the_editor_lists_where_each_figure_came_from(client, alice, story_at):
    cs = story_at("drafting")
    services.story_version_create(
        case_study=cs,
        actor=alice,
        title=cs.title,
        sections=factories.sections(results="Close went from 15 days to 5 days; 77 invoices."),
    )
    client.force_login(alice)
    page = client.get(reverse("admin:casestudies_casestudy_story", args=[cs.pk])).content.decode()
    assert "figures come from (3)" in page and "unsourced: 1" in page
    assert "metric “Month-end close”" in page
    assert "Unsourced figure" in page and "<strong>77</strong>" in page


@pytest.mark.django_db
def test_publishing_refuses_a_name_without_permission_and_links_to_the_fix(story_at, alice):
    cs, mei = _approved_naming(
        story_at, alice, "Mei Tan", results="“We close in five days,” says Mei Tan, VP Finance."
    )
    with pytest.raises(TransitionError, match="names Mei Tan, who has not agreed") as refused:
        services.case_study_publish(case_study=cs, actor=alice)
    fix = reverse("admin:casestudies_contact_change", args=[mei.pk])
    assert refused.value.fix_url == fix
    assert f'<a href="{fix}">Record Mei Tan' in error_message(refused.value)
    assert "Results, paragraph 1" in str(refused.value)
    cs.refresh_from_db()
    assert cs.state == "approved"

    mei.may_be_named = True
    mei.save()
    assert services.case_study_publish(case_study=cs, actor=alice).state == "published"


def _approved_naming(story_at, alice, contact_name, **sections):
    """An approved story whose approved version has ``sections`` (naming someone)."""
    cs = story_at("drafting")
    contact = factories.ContactFactory(customer=cs.customer, name=contact_name, title="VP Finance")
    version = services.story_version_create(
        case_study=cs, actor=alice, title=cs.title, sections=factories.sections(**sections)
    )
    factories.sign_off_internal_review(version, actor=alice)
    services.case_study_submit_for_review(case_study=cs, actor=alice)
    return services.case_study_approve(case_study=cs, actor=alice), contact


@pytest.mark.django_db
def test_the_admin_publish_action_shows_the_link(client, alice, story_at):
    cs, _mei = _approved_naming(story_at, alice, "Mei Tan", challenge="Mei Tan ran the close.")
    client.force_login(alice)
    response = client.post(
        reverse("admin:casestudies_casestudy_changelist"),
        {"action": "transition_publish", "_selected_action": [cs.pk], "apply": "1"},
        follow=True,
    )
    page = response.content.decode()
    assert "has not agreed to be named publicly" in page
    assert 'href="/admin/casestudies/contact/' in page
