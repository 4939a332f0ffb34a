from analytics import report
from analytics.models import Deal, Event, Lead
from demo.analytics import seed_analytics


def test_demo_impact_data_shows_stories_winning_and_is_idempotent(story_at, bob):
    for _ in range(3):
        story_at("published")
    assert seed_analytics() == 96
    events, leads = Event.objects.count(), Lead.objects.count()
    assert events > 500 and leads > 5
    assert seed_analytics() == 0  # second run: nothing new
    assert (Event.objects.count(), Lead.objects.count(), Deal.objects.count()) == (
        events,
        leads,
        96,
    )
    data = report.build(report.default_period(), report.Segment())
    assert data["deals"]["matched"].lift > 0.1
    assert data["underused"]  # the story nobody uses
    assert data["totals"]["views"] > 0


def test_it_does_nothing_without_published_stories(db):
    assert seed_analytics() == 0
    assert not Deal.objects.exists()
