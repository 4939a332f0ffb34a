import datetime

import pytest

from casestudies.models import CaseStudyState, Contact
from interviews import services
from tests import factories

# A few bytes that are, by their content, an MP3 (ID3 tag) and a PNG.
MP3_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 2048
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def schedule_interview(actor, state=CaseStudyState.INTERVIEWING, language="en", roles=None, **kw):
    """An interview for a story in ``state`` with an executive sponsor, a
    technical leader and an end user (Indonesian names, like the demo)."""
    cs = factories.case_study_in_state(state, actor=actor)
    customer = cs.customer
    people = [
        ("Sari Wijaya", "CFO", Contact.Role.EXECUTIVE_SPONSOR),
        ("Budi Santoso", "IT Lead", Contact.Role.TECHNICAL_LEADER),
        ("Dewi Lestari", "Accountant", Contact.Role.END_USER),
    ]
    contacts = [
        factories.ContactFactory(customer=customer, name=name, title=title, role=role)
        for name, title, role in people
    ]
    stakeholders = [(c, "") for c in contacts]
    if roles is not None:
        stakeholders = [(c, "") for c in contacts if c.role in roles]
    return services.interview_schedule(
        case_study=cs,
        actor=actor,
        date=kw.pop("date", datetime.date(2026, 3, 10)),
        start_time=kw.pop("start_time", datetime.time(14, 30)),
        time_zone=kw.pop("time_zone", "Asia/Jakarta"),
        meeting_link=kw.pop("meeting_link", "https://meet.example.com/abc-defg"),
        duration_minutes=kw.pop("duration_minutes", 60),
        language=language,
        stakeholders=stakeholders,
    )


@pytest.fixture
def make_interview(alice):
    """``make_interview(state=…, language=…, roles=…)``: see ``schedule_interview``."""

    def make(*args, **kwargs):
        return schedule_interview(alice, *args, **kwargs)

    return make


@pytest.fixture
def interview(make_interview):
    return make_interview()


def consent_all(interview, actor):
    for stakeholder in interview.stakeholders.all():
        services.consent_record(
            stakeholder=stakeholder,
            actor=actor,
            wording="I agree to be recorded.",
            method="verbal",
        )
