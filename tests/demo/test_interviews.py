import pytest
from django.core.management import call_command

from core.models import AuditEntry
from interviews.models import (
    ConsentRecord,
    FollowUpQuestion,
    GuideQuestion,
    Interview,
    QuoteSource,
    TranscriptSegment,
)

MODELS = (Interview, GuideQuestion, ConsentRecord, TranscriptSegment, QuoteSource, FollowUpQuestion)


@pytest.mark.django_db
def test_the_demo_has_a_held_and_a_scheduled_interview_and_is_idempotent(seeded):
    held = Interview.objects.get(status="held")
    scheduled = Interview.objects.get(status="scheduled")
    assert held.case_study.state == "drafting"
    assert scheduled.case_study.state == "interviewing"
    assert sum(held.guide_questions.values_list("minutes", flat=True)) == 65
    assert held.guide_questions.exclude(answer="").count() == 5
    assert all(s.has_consented for s in held.stakeholders.all())
    assert held.transcripts.get().segments.filter(contact__isnull=False).count() == 3
    assert QuoteSource.objects.filter(interview=held).count() == 1

    before = {m.__name__: m.objects.count() for m in (*MODELS, AuditEntry)}
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert {m.__name__: m.objects.count() for m in (*MODELS, AuditEntry)} == before


@pytest.mark.django_db
def test_the_demo_interview_pages_render_in_both_languages(seeded, client, alice):
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    held = Interview.objects.get(status="held")
    client.force_login(alice)
    try:
        for language in ("id", "en"):
            client.cookies["django_language"] = language
            for name in ("change", "transcript", "consent"):
                response = client.get(
                    reverse(f"admin:interviews_interview_{name}", args=[held.pk]),
                    HTTP_ACCEPT_LANGUAGE=language,
                )
                assert response.status_code == 200, (language, name)
    finally:
        translation.activate(settings.LANGUAGE_CODE)
    page = client.get(reverse("admin:interviews_interview_transcript", args=[held.pk]))
    assert "I close my books by noon on day five now." in page.content.decode()
