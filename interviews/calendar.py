"""The invitation's calendar file (RFC 5545): one event per interview whose
UID never changes, so a re-sent invitation (next SEQUENCE) updates the event
in the stakeholder's calendar instead of adding a second one."""

from email.utils import parseaddr
from urllib.parse import urlparse

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from interviews.models import Interview, Stakeholder


def event_uid(interview: Interview) -> str:
    host = urlparse(settings.SITE_URL).hostname or "storyline.local"
    return f"interview-{interview.pk}@{host}"


def invitation_ics(interview: Interview, stakeholder: Stakeholder) -> bytes:
    customer = interview.case_study.customer
    with translation.override(interview.language):
        summary = _("Case study interview: %(customer)s") % {"customer": customer.name}
        description = _("Meeting link: %(link)s") % {"link": interview.meeting_link}
    organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)

    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Interviews//EN")
    calendar.add("version", "2.0")
    cancelled = interview.status == Interview.Status.CANCELLED
    # A cancellation is the same event (UID), a later SEQUENCE, METHOD:CANCEL.
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = icalendar.Event()
    event.add("uid", event_uid(interview))
    event.add("sequence", interview.ics_sequence + (1 if cancelled else 0))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", interview.starts_at)
    event.add("duration", interview.duration)
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", interview.meeting_link)
    event.add("url", interview.meeting_link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{organizer_email or 'storyline@localhost'}")
    organizer.params["cn"] = organizer_name or settings.SITE_NAME
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{stakeholder.contact.email}")
    attendee.params["cn"] = stakeholder.contact.name
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["rsvp"] = "TRUE"
    event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
