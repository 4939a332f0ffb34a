"""Usage rights on the model, approved translations and the one door every
public format reads through (``selectors.public_version``)."""

import datetime

import pytest
from django.utils import timezone

from casestudies import selectors, services
from casestudies.models import CaseStudy, StoryTranslation
from core.errors import TransitionError
from core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def indonesian(cs, actor, title="Cerita pelanggan"):
    return services.story_version_create(
        case_study=cs, actor=actor, title=title, sections=factories.sections(), language="id"
    )


def test_public_version_is_the_published_one_and_nothing_before(story_at):
    approved = story_at("approved")
    assert selectors.public_version(approved) is None
    published = story_at("published")
    assert selectors.public_version(published) == published.published_version
    assert selectors.public_version(published, "en") == published.published_version
    assert selectors.public_version(published, "id") is None
    assert selectors.public_languages(published) == ["en"]


def test_expired_rights_hide_the_story_everywhere(story_at):
    cs = story_at("published")
    today = timezone.localdate()
    cs.rights_expire_on = today + datetime.timedelta(days=1)
    cs.save()
    assert CaseStudy.objects.published().filter(pk=cs.pk).exists()
    assert selectors.public_version(cs) is not None

    cs.rights_expire_on = today
    cs.save()
    assert cs.rights_expired
    assert not CaseStudy.objects.published().filter(pk=cs.pk).exists()
    assert selectors.public_version(cs) is None
    assert selectors.public_languages(cs) == []


def test_translation_is_approved_on_its_own_and_audited(story_at, alice):
    cs = story_at("approved")
    # Versions can only be saved while the story is being written: the
    # translation is written before approval of the main story.
    cs2 = story_at("in_review")
    version_id = indonesian(cs2, alice)
    english = cs2.versions.get(language="en")
    with pytest.raises(TransitionError, match="Approve the main story first"):
        services.story_translation_approve(case_study=cs2, version=version_id, actor=alice)

    services.case_study_approve(case_study=cs2, version=english, actor=alice)
    factories.sign_off_internal_review(version_id, actor=alice)
    translation = services.story_translation_approve(
        case_study=cs2, version=version_id, actor=alice
    )
    assert translation.language == "id" and translation.version == version_id
    assert AuditEntry.objects.filter(action="casestudies.translation.approved").exists()
    # Not public until the story is published.
    assert selectors.public_version(cs2, "id") is None
    services.case_study_publish(case_study=cs2, actor=alice)
    cs2.refresh_from_db()
    assert selectors.public_version(cs2, "id") == version_id
    assert selectors.public_languages(cs2) == ["en", "id"]
    assert cs.translations.count() == 0


def test_translation_refusals(story_at, alice):
    cs = story_at("in_review")
    english = cs.versions.get()
    services.case_study_approve(case_study=cs, version=english, actor=alice)
    with pytest.raises(TransitionError, match="main language"):
        services.story_translation_approve(case_study=cs, version=english, actor=alice)
    other = story_at("in_review")
    foreign = indonesian(other, alice)
    with pytest.raises(TransitionError, match="another case study"):
        services.story_translation_approve(case_study=cs, version=foreign, actor=alice)


def test_withdrawing_a_translation_needs_a_reason_and_removes_it(story_at, alice):
    cs = story_at("in_review")
    version = indonesian(cs, alice)
    services.case_study_approve(case_study=cs, version=cs.versions.get(language="en"), actor=alice)
    factories.sign_off_internal_review(version, actor=alice)
    services.story_translation_approve(case_study=cs, version=version, actor=alice)
    with pytest.raises(TransitionError, match="reason"):
        services.story_translation_withdraw(case_study=cs, language="id", actor=alice, reason="")
    services.story_translation_withdraw(
        case_study=cs, language="id", actor=alice, reason="Customer withdrew the translation."
    )
    assert not StoryTranslation.objects.filter(case_study=cs).exists()
    with pytest.raises(TransitionError, match="no approved translation"):
        services.story_translation_withdraw(case_study=cs, language="id", actor=alice, reason="x")


def test_anonymised_mode_names_no_customer(story_at):
    cs = story_at("published")
    cs.customer.name = "Acme (Holdings)"
    cs.customer.save()
    assert cs.public_customer_name == "Acme (Holdings)"
    assert cs.anonymise_text("Acme (Holdings) cut costs.") == "Acme (Holdings) cut costs."
    cs.anonymised = True
    label = cs.public_customer_name
    assert "Acme" not in label
    assert cs.customer.industry.name.lower() in label
    assert cs.anonymise_text("At acme (holdings), ACME (Holdings) won.") == (
        f"At {label}, {label} won."
    )
    assert cs.public_logo is None


def test_percentage_only_story_hides_absolute_figures_of_every_metric(story_at):
    cs = story_at("published")
    metric = cs.metrics.get()
    assert metric.shows_absolute
    cs.percentage_only = True
    cs.save()
    metric = cs.metrics.select_related("case_study").get()
    assert not metric.shows_absolute
    other = factories.MetricFactory(percentage_only=True)
    assert not other.shows_absolute


def test_an_anonymised_story_gets_a_public_url_without_the_customers_name(story_at, alice):
    cs = story_at("approved", title="Acme cuts month-end close")
    cs.customer.name = "Acme"
    cs.customer.save()
    assert "acme" in cs.slug
    cs.anonymised = True
    cs.save()
    cs = services.case_study_publish(case_study=cs, actor=alice)
    assert "acme" not in cs.slug
    assert cs.get_absolute_url().startswith("/case-studies/a-")


def test_anonymising_a_published_story_in_the_admin_changes_its_slug(story_at, alice, client):
    cs = story_at("published")
    cs.customer.name = "Globex"
    cs.customer.save()
    cs.slug = "globex-grows-revenue"
    cs.anonymised = True
    cs.save()
    services.case_study_anonymise_slug(case_study=cs, actor=alice)
    cs.refresh_from_db()
    assert "globex" not in cs.slug
    assert AuditEntry.objects.filter(action="casestudies.case_study.slug_anonymised").exists()
    # Not anonymised: nothing changes.
    other = story_at("published")
    before = other.slug
    services.case_study_anonymise_slug(case_study=other, actor=alice)
    other.refresh_from_db()
    assert other.slug == before


def test_changing_usage_rights_in_the_admin_is_audited_and_re_slugs(client, story_at, alice):
    from django.urls import reverse

    cs = story_at("published")
    cs.customer.name = "Initech"
    cs.customer.save()
    cs.slug = "initech-saves-time"
    cs.save()
    client.force_login(alice)
    url = reverse("admin:casestudies_casestudy_change", args=[cs.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    for name in ("use_cases", "departments", "products", "objections", "competitors"):
        data[name] = [obj.pk for obj in getattr(cs, name).all()]
    data.update({"anonymised": "on", "rights_expire_on": "2030-01-01"})
    for prefix in ("metrics", "quotes", "versions", "history"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cs.refresh_from_db()
    assert cs.anonymised and "initech" not in cs.slug
    entry = AuditEntry.objects.get(action="casestudies.case_study.usage_rights_changed")
    assert entry.data["anonymised"] == ["False", "True"]
