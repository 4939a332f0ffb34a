"""Demo interviews for ``seed_demo``: one held interview (guide with answers,
consent, a transcript and a quote captured from it) for a story in drafting,
and one scheduled interview for a story in interviewing. Idempotent: a story
that already has an interview is left alone."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from casestudies.models import CaseStudy, CaseStudyState, Contact
from interviews import services
from interviews.models import GuideSection, Interview

ROLES = [Contact.Role.EXECUTIVE_SPONSOR, Contact.Role.TECHNICAL_LEADER, Contact.Role.END_USER]

ANSWERS = {
    GuideSection.CHALLENGE: (
        "Month-end close took 15 days and three people re-keyed invoices by hand. "
        "Errors surfaced only at audit time."
    ),
    GuideSection.SOLUTION_SELECTION: (
        "We compared three vendors; the deciding factor was the ERP integration and a "
        "reference customer in our industry."
    ),
    GuideSection.IMPLEMENTATION: (
        "Go-live took six weeks. Data migration was the hard part; the support team "
        "joined our daily stand-ups until it was done."
    ),
    GuideSection.RESULTS: (
        "Close is down from 15 days to 5, and the team saves about 400 hours a year."
    ),
    GuideSection.FUTURE_PLANS: "Next year we roll it out to the two regional entities.",
}


def _transcript(names: list[str]) -> str:
    exec_name, tech_name, user_name = names
    return (
        "WEBVTT\n\n"
        f"00:00:05.000 --> 00:00:09.000\n<v Interviewer>What was the challenge?</v>\n\n"
        f"00:00:10.000 --> 00:00:21.000\n<v {exec_name}>Month-end close took fifteen days, "
        "and errors only showed up at audit time.</v>\n\n"
        f"00:05:02.000 --> 00:05:15.000\n<v {tech_name}>The ERP integration was live in six "
        "weeks; the support team joined our stand-ups.</v>\n\n"
        f"00:31:40.000 --> 00:31:52.000\n<v {user_name}>I close my books by noon on day five "
        "now. I used to stay late all week.</v>\n"
    )


def _stakeholders(case_study) -> list[Contact]:
    contacts = []
    for role in ROLES:
        contact = case_study.customer.contacts.filter(role=role, archived=False).first()
        if contact:
            contacts.append(contact)
    return contacts


def seed_interviews(stdout=None) -> int:
    actor = get_user_model().objects.filter(username="maya.demo").first()
    today = datetime.date.today()
    created = 0
    plans = [
        (CaseStudyState.DRAFTING, today - datetime.timedelta(days=12), True),
        (CaseStudyState.INTERVIEWING, today + datetime.timedelta(days=9), False),
    ]
    for state, day, held in plans:
        case_study = (
            CaseStudy.objects.filter(state=state).select_related("customer").order_by("id").first()
        )
        if case_study is None or Interview.objects.filter(case_study=case_study).exists():
            continue
        contacts = _stakeholders(case_study)
        if len(contacts) < len(ROLES):
            continue
        with transaction.atomic():
            interview = services.interview_schedule(
                case_study=case_study,
                actor=actor,
                date=day,
                start_time=datetime.time(10, 0),
                time_zone="Asia/Jakarta",
                duration_minutes=60 if held else 90,
                meeting_link="https://meet.example.com/storyline-demo",
                language="en",
                stakeholders=[(contact, "") for contact in contacts],
                source="seed_demo",
            )
            services.guide_generate(interview=interview, actor=actor, source="seed_demo")
            if held:
                _held(interview, contacts, actor)
        created += 1
    if stdout is not None:
        stdout.write(f"Demo interviews: {created} new ({Interview.objects.count()} in all).")
    return created


def _held(interview, contacts, actor) -> None:
    for section, answer in ANSWERS.items():
        question = interview.guide_questions.filter(section=section).order_by("position").first()
        question.answer = answer
        question.save(update_fields=["answer"])
    for stakeholder in interview.stakeholders.all():
        services.consent_record(
            stakeholder=stakeholder,
            actor=actor,
            wording=services.DEFAULT_CONSENT_WORDING["en"],
            method="verbal",
            source="seed_demo",
        )
    services.interview_mark_held(interview=interview, actor=actor, source="seed_demo")
    upload = SimpleUploadedFile(
        "interview.vtt", _transcript([c.name for c in contacts]).encode(), "text/vtt"
    )
    transcript = services.transcript_upload(
        interview=interview, upload=upload, actor=actor, source="seed_demo"
    )
    segment = transcript.segments.order_by("position").last()
    services.quote_capture(
        interview=interview,
        text=segment.text,
        segment=segment,
        kind="result",
        permission="asked",
        actor=actor,
        source="seed_demo",
    )
    services.followup_add(
        interview=interview,
        contact=contacts[0],
        question="How many hours a year does the finance team save, and how did you measure it?",
        actor=actor,
        source="seed_demo",
    )
