import pytest

from core.errors import TransitionError
from core.models import AuditEntry
from interviews import guide, services
from interviews.models import GuideQuestion, GuideSection, StakeholderRole

pytestmark = pytest.mark.django_db


def test_the_guide_has_the_timed_sections_and_totals_65_minutes(interview, alice):
    questions = services.guide_generate(interview=interview, actor=alice)

    sections = []
    for q in questions:
        if q.section not in sections:
            sections.append(q.section)
    assert sections == [
        GuideSection.CHALLENGE,
        GuideSection.SOLUTION_SELECTION,
        GuideSection.IMPLEMENTATION,
        GuideSection.RESULTS,
        GuideSection.FUTURE_PLANS,
    ]
    minutes = {s: sum(q.minutes for q in questions if q.section == s) for s in sections}
    assert minutes == {
        "challenge": 15,
        "solution_selection": 10,
        "implementation": 10,
        "results": 20,
        "future_plans": 10,
    }
    assert sum(minutes.values()) == 65
    texts = [q.question for q in questions]
    assert "Why did you choose us over the alternatives?" in texts
    probes = "\n".join(q.probes for q in questions)
    assert "Can you give a specific example?" in probes
    assert "What numbers show that improvement?" in probes
    assert AuditEntry.objects.filter(action="interviews.guide.generated").count() == 1


def test_it_is_tailored_to_the_stakeholders_roles(make_interview, alice):
    executive = make_interview(roles=[StakeholderRole.EXECUTIVE_SPONSOR])
    technical = make_interview(roles=[StakeholderRole.TECHNICAL_LEADER])

    exec_texts = [q.question for q in services.guide_generate(interview=executive, actor=alice)]
    tech_texts = [q.question for q in services.guide_generate(interview=technical, actor=alice)]

    roi = "What return on investment have you seen, and how fast did it pay back?"
    integration = "How did the integration with your existing systems work?"
    assert roi in exec_texts and roi not in tech_texts
    assert integration in tech_texts and integration not in exec_texts
    tailored = GuideQuestion.objects.get(interview=technical, question=integration)
    assert tailored.for_role == StakeholderRole.TECHNICAL_LEADER
    assert tailored.section == GuideSection.IMPLEMENTATION


def test_it_writes_the_guide_in_bahasa_indonesia_for_an_indonesian_interview(make_interview, alice):
    interview = make_interview(language="id")
    questions = services.guide_generate(interview=interview, actor=alice)
    texts = [q.question for q in questions]
    assert "Tantangan bisnis apa yang Anda hadapi?" in texts
    assert "Mengapa Anda memilih kami dibanding alternatif lain?" in texts
    assert not any("Why did you choose us" in t for t in texts)
    assert "Bisakah Anda berikan contoh spesifik?" in "\n".join(q.probes for q in questions)
    assert sum(q.minutes for q in questions) == 65


def test_every_bank_entry_exists_in_both_languages():
    texts = [text for rows in guide.CORE.values() for text, _probes in rows]
    texts += [text for rows in guide.BY_ROLE.values() for _s, text, _p in rows]
    texts += list(guide.PROBES.values()) + list(guide.SECTION_TITLES.values())
    for text in texts:
        assert text.en.strip() and text.id.strip()
        assert text.en != text.id


@pytest.mark.parametrize("roles", [[], list(StakeholderRole.values), ["end_user"]])
def test_minutes_total_65_whatever_the_roles(roles):
    assert sum(q.minutes for q in guide.generate(roles, "en")) == 65


def test_it_keeps_an_edited_guide_unless_asked_to_regenerate(interview, alice):
    services.guide_generate(interview=interview, actor=alice)
    first = interview.guide_questions.first()
    first.answer = "Month-end close took 15 days."
    first.save()

    with pytest.raises(TransitionError, match="already has a guide"):
        services.guide_generate(interview=interview, actor=alice)
    assert interview.guide_questions.filter(answer__startswith="Month-end").exists()

    services.guide_generate(interview=interview, actor=alice, replace=True)
    assert not interview.guide_questions.filter(answer__startswith="Month-end").exists()
    assert AuditEntry.objects.filter(action="interviews.guide.regenerated").count() == 1
