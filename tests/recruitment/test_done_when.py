"""The issue's "done when", as one path through the admin: the program
manager opens the coverage view, sees the named gap, picks the top-ranked
ready candidate, sends a framed request with expectations, records a
concern and its answer, and the customer's acceptance moves the story to
interviewing with its expected publication date shown."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casestudies import selection
from casestudies.models import CaseStudyState, PortfolioTarget
from recruitment.models import Concern, Outreach, RaisedConcern
from tests import factories


@pytest.mark.django_db
def test_from_the_coverage_gap_to_interviewing_with_an_expected_date(
    client, alice, django_capture_on_commit_callbacks
):
    healthcare = factories.IndustryFactory(name="Healthcare")
    apac = factories.RegionFactory(name="Asia-Pacific")
    PortfolioTarget.objects.create(
        industry=healthcare, company_size="enterprise", region=apac, target=1, priority=1
    )
    today = timezone.localdate()
    ready = factories.CustomerFactory(
        name="Medika Prima",
        industry=healthcare,
        region=apac,
        company_size="enterprise",
        website="https://medika.example",
        nps_score=10,
        nps_recorded_on=today - datetime.timedelta(days=3),
    )
    sari = factories.ContactFactory(
        customer=ready, name="Sari Wijaya", title="CFO", agreed_to_participate=False
    )
    top = factories.CaseStudyFactory(customer=ready, title="Medika Prima claims")
    factories.MetricFactory(
        case_study=top,
        kind="efficiency",
        label="Claims per day",
        before=100,
        after=145,
        higher_is_better=True,
    )
    busy = factories.CustomerFactory(
        name="Klinik Sehat",
        industry=healthcare,
        region=apac,
        company_size="enterprise",
        implementation_status="implementing",
    )
    factories.ContactFactory(customer=busy)
    factories.CaseStudyFactory(customer=busy, title="Klinik Sehat story")
    selection.recompute_scores()
    client.force_login(alice)

    # 1. The coverage view names the gap and ranks the ready candidate first.
    page = client.get(reverse("admin:casestudies_coverage")).content.decode()
    assert "No enterprise healthcare story in Asia-Pacific" in page
    assert page.index("Medika Prima") < page.index("Klinik Sehat")
    assert "Ready: ask now" in page and "NPS 10: a promoter" in page
    assert "Still implementing" in page
    workspace = reverse("admin:recruitment_workspace", args=[top.pk])
    assert workspace in page

    # 2. Compose: preview the framed request, edit it, send it.
    compose = reverse("admin:recruitment_compose", args=[top.pk])
    assert client.get(compose).status_code == 200
    from recruitment.models import OutreachTemplate

    template = OutreachTemplate.objects.get(language="en", is_default=True)
    alice.last_name = "Manager"
    alice.save()
    response = client.post(compose, {"contact": sari.pk, "template": template.pk, "preview": "1"})
    preview = response.context["email_form"].initial
    assert "about 3 hours in total, spread over 4-6 weeks" in preview["body"]
    assert "Interview (60-90 minutes)" in preview["body"]
    body = preview["body"] + "\n\nP.S. Happy to start with a 15-minute call."
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            compose,
            {
                "contact": sari.pk,
                "template": template.pk,
                "subject": preview["subject"],
                "body": body,
                "send": "1",
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "P.S. Happy to start" in mail.outbox[0].body
    outreach = Outreach.objects.get()
    top.refresh_from_db()
    assert top.state == CaseStudyState.RECRUITING

    # 3. A concern and its answer, inserted from the playbook.
    concern_url = reverse("admin:recruitment_concern", args=[outreach.pk])
    time_concern = Concern.objects.get(slug="time")
    response = client.post(
        concern_url,
        {
            "concern": time_concern.pk,
            "customer_words": "We are busy",
            "status": "open",
            "insert": "1",
        },
    )
    answer = response.context["form"].initial["answer"]
    assert answer.startswith("About 3 hours in total")
    response = client.post(
        concern_url,
        {
            "concern": time_concern.pk,
            "customer_words": "We are busy this quarter.",
            "answer": answer,
            "status": "resolved",
            "save": "1",
        },
    )
    assert response.status_code == 302
    raised = RaisedConcern.objects.get()
    assert raised.status == "resolved" and raised.answer == answer

    # 4. They accept: the story moves to interviewing; the date is shown.
    accept = reverse("admin:recruitment_answer", args=[outreach.pk, "accept"])
    assert client.get(accept).status_code == 200
    assert client.post(accept, {"note": "Yes, by phone"}).status_code == 302
    top.refresh_from_db()
    sari.refresh_from_db()
    assert top.state == CaseStudyState.INTERVIEWING
    assert sari.agreed_to_participate
    assert top.approval_chain.get(role="participant").contact == sari
    change = client.get(reverse("admin:casestudies_casestudy_change", args=[top.pk]))
    page = change.content.decode()
    assert 'id="expected-publication"' in page
    expected = change.context["timeline"].expected_on
    # Interview 10 + draft 14 + approvals 28 (an enterprise) + publication 5 days.
    assert expected == timezone.localdate() + datetime.timedelta(days=57)
    assert expected.strftime("%Y") in page
    workspace_page = client.get(workspace).content.decode()
    assert "Expected publication" in workspace_page
    assert "Time commitment — Resolved" in workspace_page
