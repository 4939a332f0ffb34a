"""The recruitment pages: compose refuses missing data by name, the approval
chain is saved from the workspace and moves the expected date, answers are
recorded."""

import pytest
from django.urls import reverse

from approvals.models import ApprovalChainContact
from recruitment.models import Outreach, OutreachTemplate
from tests import factories


@pytest.mark.django_db
def test_compose_names_the_missing_data_and_sends_nothing(client, alice, candidate):
    candidate.metrics.all().delete()
    client.force_login(alice)
    # A template that uses {result} unconditionally (the defaults no longer do).
    template = OutreachTemplate.objects.create(
        name="Results first", language="id", subject="Hi", body="Your {result} is great."
    )
    contact = candidate.customer.contacts.get()
    url = reverse("admin:recruitment_compose", args=[candidate.pk])
    response = client.post(url, {"contact": contact.pk, "template": template.pk, "preview": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "{result} cannot be filled: add a metric with its before and after" in page
    # ... and the way to fix it, one click away.
    add_metric = reverse("admin:casestudies_metric_add") + f"?case_study={candidate.pk}"
    assert f'<a href="{add_metric}">Add a metric to the story</a>' in page
    assert response.context["email_form"] is None
    assert not Outreach.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "id"])
def test_the_default_template_previews_before_any_metric(client, alice, candidate, language):
    candidate.metrics.all().delete()
    client.force_login(alice)
    template = OutreachTemplate.objects.get(language=language, is_default=True)
    contact = candidate.customer.contacts.get()
    url = reverse("admin:recruitment_compose", args=[candidate.pk])
    response = client.post(url, {"contact": contact.pk, "template": template.pk, "preview": "1"})
    body = response.context["email_form"].initial["body"]
    assert response.context["problems"] == []
    assert "{" not in body
    assert ("What your team has achieved" in body) == (language == "en")
    assert ("Pencapaian tim Anda" in body) == (language == "id")


@pytest.mark.django_db
def test_the_chain_is_saved_from_the_workspace(client, alice, candidate):
    client.force_login(alice)
    legal = factories.ContactFactory(customer=candidate.customer, name="Lia Legal", role="legal")
    url = reverse("admin:recruitment_workspace", args=[candidate.pk])
    page = client.get(url)
    assert page.status_code == 200
    before = page.context["timeline"].expected_on
    roles = [
        "participant",
        "department_leader",
        "customer_legal",
        "customer_pr",
        "executive_sponsor",
    ]
    data = {"form-TOTAL_FORMS": "5", "form-INITIAL_FORMS": "5"}
    for n, role in enumerate(roles):
        data[f"form-{n}-role"] = role
        data[f"form-{n}-expected_review_days"] = "20" if role == "customer_legal" else ""
    data["form-2-contact"] = str(legal.pk)
    assert client.post(url, data).status_code == 302
    row = ApprovalChainContact.objects.get(case_study=candidate, role="customer_legal")
    assert row.contact == legal and row.expected_review_days == 20
    assert ApprovalChainContact.objects.filter(case_study=candidate).count() == 5
    after = client.get(url).context["timeline"].expected_on
    assert after >= before
    # A bad value is an error on the page, not a 500.
    data["form-2-expected_review_days"] = "-3"
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    # So is a tampered management form: no role is lost or added.
    data["form-2-expected_review_days"] = "20"
    for total, initial in [("5", "-1"), ("99999999999999999999999", "5"), ("7", "7"), ("2", "2")]:
        tampered = {**data, "form-TOTAL_FORMS": total, "form-INITIAL_FORMS": initial}
        response = client.post(url, tampered, follow=True)
        assert response.status_code == 200, (total, initial)
    assert ApprovalChainContact.objects.filter(case_study=candidate).count() == 5


@pytest.mark.django_db
def test_answers_are_recorded_from_the_workspace(client, alice, candidate):
    from recruitment import services

    outreach = services.outreach_send(
        case_study=candidate,
        contact=candidate.customer.contacts.get(),
        subject="S",
        body="B",
        language="en",
        actor=alice,
    )
    client.force_login(alice)
    opened = reverse("admin:recruitment_answer", args=[outreach.pk, "opened"])
    assert client.post(opened).status_code == 302
    decline = reverse("admin:recruitment_answer", args=[outreach.pk, "decline"])
    assert client.post(decline, {"reason": ""}).status_code == 200  # the form asks for it
    assert client.post(decline, {"reason": "Legal says no this year"}).status_code == 302
    outreach.refresh_from_db()
    assert outreach.status == "declined" and outreach.opened_at
    # Answered once: a second answer is a message, not a change.
    response = client.post(
        reverse("admin:recruitment_answer", args=[outreach.pk, "accept"]), {"note": ""}, follow=True
    )
    assert "already answered" in response.content.decode()
    outreach.refresh_from_db()
    assert outreach.status == "declined"


@pytest.mark.django_db
def test_the_case_study_page_links_to_recruitment_and_shows_the_date(client, alice, candidate):
    client.force_login(alice)
    page = client.get(reverse("admin:casestudies_casestudy_change", args=[candidate.pk]))
    html = page.content.decode()
    assert reverse("admin:recruitment_workspace", args=[candidate.pk]) in html
    assert 'id="expected-publication"' in html
