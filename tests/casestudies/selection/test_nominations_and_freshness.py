"""Nominations (anyone on staff nominates, the program manager decides) and
freshness (stories to refresh or retire)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casestudies import selection, selection_services
from casestudies.models import (
    CandidateScore,
    CaseStudy,
    Nomination,
    ProductRename,
)
from core.errors import TransitionError
from core.models import AuditEntry
from tests import factories


@pytest.mark.django_db
def test_sales_nominates_and_the_program_manager_accepts(client, alice, bob):
    customer = factories.CustomerFactory(name="Medika Prima")
    client.force_login(bob)
    response = client.post(
        reverse("admin:casestudies_nomination_add"),
        {"customer": customer.pk, "reason": "Cut claim costs by 40 %, loves us."},
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert nomination.nominated_by_name == "bob" or nomination.nominated_by == bob
    assert nomination.status == "pending"
    # Sales cannot decide.
    decide = reverse("admin:casestudies_nomination_decide", args=[nomination.pk, "accept"])
    assert client.post(decide, {"title": "x"}).status_code == 403
    # A second nomination of the same customer is refused with a message.
    response = client.post(
        reverse("admin:casestudies_nomination_add"),
        {"customer": customer.pk, "reason": "Again"},
        follow=True,
    )
    assert "already nominated" in response.content.decode()
    assert Nomination.objects.count() == 1

    client.force_login(alice)
    assert client.get(decide).status_code == 200
    response = client.post(decide, {"title": "Claims in half the time", "note": ""})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == "accepted"
    story = nomination.case_study
    assert story.title == "Claims in half the time" and story.state == "candidate"
    assert CandidateScore.objects.filter(case_study=story).exists()
    assert AuditEntry.objects.filter(action="casestudies.nomination.accepted").exists()
    # Decided once.
    assert client.post(decide, {"title": "again"}).status_code == 302
    assert CaseStudy.objects.count() == 1


@pytest.mark.django_db
def test_declining_needs_a_note(alice):
    nomination = selection_services.nomination_create(
        customer=factories.CustomerFactory(), reason="Great results", actor=alice
    )
    with pytest.raises(TransitionError, match="Say why"):
        selection_services.nomination_decline(nomination=nomination, note="", actor=alice)
    selection_services.nomination_decline(nomination=nomination, note="Churn risk", actor=alice)
    nomination.refresh_from_db()
    assert nomination.status == "declined" and nomination.decision_note == "Churn risk"


@pytest.mark.django_db
def test_a_bad_id_in_the_decision_url_is_a_404(client, alice):
    client.force_login(alice)
    url = reverse("admin:casestudies_nomination_decide", args=["²", "accept"])
    assert client.get(url).status_code == 404
    url = reverse("admin:casestudies_nomination_decide", args=["1", "maybe"])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_freshness_lists_old_left_renamed_and_churned(story_at, alice, client):
    fresh = story_at("published")
    old = story_at("published")
    CaseStudy.objects.filter(pk=old.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=3 * 365)
    )
    left = story_at("published")
    speaker = factories.ContactFactory(customer=left.customer, name="Dewi", left_company=True)
    left.quotes.update(speaker=speaker)
    renamed = story_at("published")
    product = factories.ProductFactory(name="Core platform")
    renamed.products.add(product)
    product.name = "Storyline Cloud"
    selection_services.product_save(product=product, actor=alice)  # recorded as a rename
    assert ProductRename.objects.get().old_name == "Core platform"
    churned = story_at("published")
    churned.customer.implementation_status = "churned"
    churned.customer.save()

    stale = {s.case_study.pk: s for s in selection.stale_stories()}
    assert fresh.pk not in stale
    assert stale[old.pk].reasons == ["Published 3 years ago"]
    assert stale[left.pk].reasons == ["Dewi, quoted in the story, has left the company"]
    assert stale[renamed.pk].reasons == ["Core platform was renamed Storyline Cloud"]
    assert stale[churned.pk].retire
    assert next(iter(stale)) == churned.pk  # retire first

    client.force_login(alice)
    page = client.get(reverse("admin:casestudies_freshness")).content.decode()
    assert "Published 3 years ago" in page
    assert reverse("admin:casestudies_casestudy_transition", args=[churned.pk, "archive"]) in page
