"""Outreach templates: framed as an opportunity, with the expectations, in
English and Indonesian; placeholders filled from the data, or a clear
message naming what is missing."""

import pytest

from core.errors import TransitionError
from recruitment import services, templating
from recruitment.models import Outreach, OutreachTemplate


def render(template, candidate, sender="Alice Manager"):
    return templating.render(
        subject=template.subject,
        body=template.body,
        case_study=candidate,
        contact=candidate.customer.contacts.get(),
        sender_name=sender,
        language=template.language,
    )


@pytest.mark.django_db
def test_the_default_english_template_frames_an_opportunity_with_expectations(candidate):
    template = OutreachTemplate.objects.get(language="en", is_default=True)
    email = render(template, candidate)
    assert email.subject == "Results worth telling: Medika Prima"
    body = email.body
    assert body.startswith("Hi Sari,")
    assert "Your 45% increase in claims processed per day is exactly" in body
    for framing in (
        "innovative approach",
        "visibility to Medika Prima",
        "help peers",
        "backlink to https://medika.example",
    ):
        assert framing in body
    assert "about 3 hours in total, spread over 4-6 weeks" in body
    assert "Interview (60-90 minutes)" in body
    assert "Draft review (30-60 minutes)" in body
    assert "Final approval (15-30 minutes)" in body
    assert "Alice Manager" in body
    assert "{" not in body


@pytest.mark.django_db
def test_the_indonesian_template_is_filled_in_indonesian(candidate):
    template = OutreachTemplate.objects.get(language="id", is_default=True)
    body = render(template, candidate).body
    assert body.startswith("Halo Sari,")
    assert "sekitar 3 jam" in body and "4-6 minggu" in body
    assert "Interview (60-90 menit)" in body and "Approval final (15-30 menit)" in body


@pytest.mark.django_db
def test_missing_data_is_named_never_half_filled(candidate):
    candidate.metrics.all().delete()
    customer = candidate.customer
    customer.website = ""
    customer.save()
    template = OutreachTemplate(
        language="en",
        subject="{customer}",
        body="Your {result}.\n{website}\n{if website}Again {website}\n{else}No site\n{sender_name}",
    )
    with pytest.raises(templating.TemplateDataMissing) as caught:
        render(template, candidate, sender="")
    problems = caught.value.problems
    assert problems == [
        "{result} cannot be filled: add a metric with its before and after to the story, or "
        "start the line with {if result} and give an {else} line that needs no metric.",
        "{website} cannot be filled: add the customer's website.",
        "{sender_name} cannot be filled: add your first and last name to your account.",
    ]
    assert caught.value.missing == ["result", "website", "sender_name"]


@pytest.mark.django_db
def test_the_default_template_works_without_a_metric(candidate):
    candidate.metrics.all().delete()
    template = OutreachTemplate.objects.get(language="en", is_default=True)
    body = render(template, candidate).body
    assert "What your team has achieved is exactly the kind of success story" in body
    assert "Your " not in body and "{" not in body


def test_a_conditional_line_is_kept_or_its_else_line_instead():
    text = "A\n{if result}Your {result}.\n{else}Your work.\nB\n{if website}Site {website}\nC"
    with_result = {"result": "45% increase", "website": None}
    assert templating.choose_lines(text, with_result) == "A\nYour {result}.\nB\nC"
    without = {"result": None, "website": "https://x.example"}
    assert templating.choose_lines(text, without) == "A\nYour work.\nB\nSite {website}\nC"
    # An {else} with no {if} before it is left for the placeholder check to refuse.
    assert templating.choose_lines("{else}x", without) == "{else}x"


@pytest.mark.django_db
def test_the_migration_updates_only_an_unchanged_default(candidate):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "recruitment.migrations.0005_default_templates_without_metric"
    )
    old, new = migration.REPLACEMENTS[0]
    shipped = OutreachTemplate.objects.get(language="en", is_default=True)
    shipped.body = f"Hi,\n\n{old}\n\nBye"
    shipped.save()
    edited = OutreachTemplate.objects.get(language="id", is_default=True)
    edited.body = "Entirely our own words with {result}."
    edited.save()
    migration.forwards(apps, None)
    shipped.refresh_from_db()
    edited.refresh_from_db()
    assert shipped.body == f"Hi,\n\n{new}\n\nBye"
    assert edited.body == "Entirely our own words with {result}."


@pytest.mark.django_db
def test_an_unknown_placeholder_is_refused(candidate):
    template = OutreachTemplate(language="en", subject="Hi {contact_first_name}", body="{revenu}")
    with pytest.raises(templating.TemplateDataMissing, match=r"Unknown placeholder \{revenu\}"):
        render(template, candidate)


@pytest.mark.django_db
def test_an_edited_email_with_a_placeholder_left_is_not_sent(candidate, alice):
    contact = candidate.customer.contacts.get()
    with pytest.raises(TransitionError, match=r"\{result\}"):
        services.outreach_send(
            case_study=candidate,
            contact=contact,
            subject="Hello",
            body="Your {result} is great",
            language="en",
            actor=alice,
        )
    assert not Outreach.objects.exists()
