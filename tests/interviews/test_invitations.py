import icalendar
import pytest
from django.core import mail

from core.errors import TransitionError
from interviews import services
from interviews.calendar import event_uid
from tests.conftest import deliver_outbox, redeliver_every_email

pytestmark = pytest.mark.django_db


def _ics(message) -> icalendar.Event:
    (name, content, mimetype) = message.attachments[0]
    assert name == "interview.ics"
    assert mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(content)
    return next(iter(calendar.walk("VEVENT")))


def test_each_stakeholder_gets_one_invitation_with_the_calendar_file_and_questions(
    interview, alice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_send(interview=interview, actor=alice) == 3

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        interview.stakeholders.values_list("contact__email", flat=True)
    )
    message = mail.outbox[0]
    assert "Invitation: case study interview with" in message.subject
    # No surprises: the guide's questions are in the email (generated on the way).
    assert "What business challenge were you facing?" in message.body
    assert "Why did you choose us over the alternatives?" in message.alternatives[0][0]

    event = _ics(message)
    assert str(event["UID"]) == event_uid(interview)
    assert event["DTSTART"].params["TZID"] == "Asia/Jakarta"
    assert event.decoded("DTSTART").isoformat() == "2026-03-10T14:30:00+07:00"
    assert event.decoded("DURATION").total_seconds() == 3600
    assert str(event["LOCATION"]) == "https://meet.example.com/abc-defg"
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert int(event["SEQUENCE"]) == 0

    # A retry or a second click sends nothing more.
    assert not any(redeliver_every_email())
    with pytest.raises(TransitionError, match="Every stakeholder has been invited"):
        services.invitations_send(interview=interview, actor=alice)
    assert len(mail.outbox) == 3


def test_an_update_keeps_the_uid_and_bumps_the_sequence(
    interview, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(interview=interview, actor=alice)
    first_uid = str(_ics(mail.outbox[0])["UID"])
    mail.outbox.clear()
    interview.duration_minutes = 90
    interview.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(interview=interview, actor=alice, update=True)
    assert len(mail.outbox) == 3
    event = _ics(mail.outbox[0])
    assert str(event["UID"]) == first_uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DURATION").total_seconds() == 90 * 60
    assert mail.outbox[0].subject.startswith("Updated:")


def test_an_indonesian_interview_is_invited_in_indonesian(
    make_interview, alice, django_capture_on_commit_callbacks
):
    interview = make_interview(language="id")
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(interview=interview, actor=alice)
    message = mail.outbox[0]
    assert "Tantangan bisnis apa yang Anda hadapi?" in message.body
    assert "What business challenge" not in message.body


def test_a_cancelled_interview_sends_no_invitations(interview, alice):
    services.interview_cancel(interview=interview, actor=alice, reason="Customer asked to move it.")
    with pytest.raises(TransitionError, match="Only a scheduled interview"):
        services.invitations_send(interview=interview, actor=alice)
    deliver_outbox()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_zone": "Jakarta"}, "not a time zone"),
        ({"duration_minutes": 45}, "60"),
        ({"duration_minutes": 120}, "90"),
        ({"meeting_link": "not a link"}, "URL"),
    ],
)
def test_scheduling_validates_its_input(make_interview, kwargs, message):
    with pytest.raises(TransitionError, match=message):
        make_interview(**kwargs)


def test_only_recruiting_interviewing_or_drafting_stories_get_interviews(make_interview):
    for state in ("recruiting", "interviewing", "drafting"):
        assert make_interview(state=state).pk
    with pytest.raises(TransitionError, match="recruiting, interviewing or drafting"):
        make_interview(state="candidate")


def test_stakeholders_come_from_the_stories_customer(interview, alice):
    from tests import factories

    outsider = factories.ContactFactory()
    with pytest.raises(TransitionError, match="is not a contact at"):
        services.stakeholder_add(interview=interview, contact=outsider, actor=alice)
    sari = interview.stakeholders.get(contact__name="Sari Wijaya")
    assert sari.role == "executive_sponsor"  # defaulted from the contact's role


def test_cancelling_tells_the_invited_once_and_removes_the_event(
    interview, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(interview=interview, actor=alice)
    uid = str(_ics(mail.outbox[0])["UID"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.interview_cancel(interview=interview, actor=alice, reason="The CFO is ill.")
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    assert message.subject.startswith("Cancelled: case study interview with")
    assert "The CFO is ill." in message.body
    calendar = icalendar.Calendar.from_ical(message.attachments[0][1])
    assert str(calendar["METHOD"]) == "CANCEL"
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["UID"]) == uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1

    # Retries send nothing more.
    assert not any(redeliver_every_email())
    assert len(mail.outbox) == 3

    # Rescheduled: everyone is invited again, past the cancellation's sequence.
    mail.outbox.clear()
    services.interview_reopen(interview=interview, actor=alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_send(interview=interview, actor=alice) == 3
    event = _ics(mail.outbox[0])
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CONFIRMED"


def test_cancelling_before_any_invitation_sends_nothing(
    interview, alice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.interview_cancel(interview=interview, actor=alice, reason="Not needed.")
    assert mail.outbox == []
