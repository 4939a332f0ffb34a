"""The production smoke test: the lifecycle's emails, through HTTP, against
the app run as a deployment runs it.

gunicorn (the entrypoint's flags and logger class), a separate Celery worker
and beat (started by ``docker/entrypoint.sh``), ``DEBUG=0``, PostgreSQL,
Redis and a real SMTP server. A program manager sends the outreach; the
customer accepts from the email; (interview and drafting happen in between:
they send the customer nothing, so the test moves the story on through the
services); the manager starts the approval; the customer gets the review
link, asks for a mailbox code, enters it and approves; the story is approved,
published, and its PDF is rendered by the worker and downloaded. Each email
arrives exactly once, and no secret (answer link, review token, mailbox
code) is in any log line or in the database.

This is the test that would have caught tasks defined outside a worker's
imports (``Received unregistered task``): nothing here runs in the test
process but the HTTP client.
"""

import re
import subprocess
import time

import httpx
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from casestudies import services as cs_services
from casestudies.models import CaseStudy, CaseStudyState, Contact
from core.models import OutboxEmail
from core.roles import PROGRAM_MANAGERS
from recruitment.models import OutreachTemplate
from tests import factories
from tests.htmlforms import submit
from tests.processes import production_stack, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.production]

PASSWORD = "correct horse battery staple 42"
MEI = "mei.tan@harbor.example"


def _program_manager():
    user = factories.UserFactory(
        username="pm", email="pm@storyline.example", first_name="Priya", is_staff=True
    )
    # Hashed as production hashes (the test settings' MD5 is not known there).
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save()
    from core.roles import ensure_groups

    ensure_groups()
    user.groups.add(Group.objects.get(name=PROGRAM_MANAGERS))
    return user


def _candidate(owner) -> CaseStudy:
    customer = factories.CustomerFactory(
        name="Harbor Freight Lines", website="https://harbor.example"
    )
    factories.ContactFactory(
        customer=customer,
        name="Mei Tan",
        title="VP Finance",
        email=MEI,
        role=Contact.Role.END_USER,
        may_contact=True,
        agreed_to_participate=True,
    )
    cs = factories.CaseStudyFactory(customer=customer, owner=owner, title="Harbor closes faster")
    factories.MetricFactory(case_study=cs)
    # The default templates come with a migration; a flushed database lost them.
    from django.apps import apps

    from recruitment.templating import ensure_defaults

    ensure_defaults(apps)
    return cs


def _login(client: httpx.Client, base: str) -> None:
    page = client.get(f"{base}/admin/login/")
    response = submit(
        client,
        str(page.url),
        page.text,
        containing="username",
        data={"username": "pm", "password": PASSWORD},
    )
    assert response.status_code == 200, response.text[:500]
    assert "/login/" not in str(client.get(f"{base}/admin/").url), "the login failed"


def _content(html: str) -> str:
    """The page's main content as text, for a failure message."""
    match = re.search(r'<div id="content-main">(.*?)</form>', html, re.S) or re.search(
        r"<main[^>]*>(.*?)</main>", html, re.S
    )
    text = re.sub(r"<[^>]+>", " ", match.group(1) if match else html)
    return re.sub(r"\s+", " ", text)[:2000]


def _link(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    assert match, text
    return match.group(0)


def _to_in_review(cs: CaseStudy, actor) -> None:
    """The interview and the draft: nothing the customer is emailed about."""
    cs_services.case_study_start_drafting(case_study=cs, actor=actor, reason="Interview held")
    factories.QuoteFactory(case_study=cs, speaker_name="Mei Tan", speaker_title="VP Finance")
    version = cs_services.story_version_create(
        case_study=cs, actor=actor, title=cs.title, sections=factories.sections()
    )
    factories.sign_off_internal_review(version, actor=actor)
    cs_services.case_study_submit_for_review(case_study=cs, actor=actor, reason="Signed off")


def test_the_lifecycle_emails_arrive_once_and_leak_no_secret(stack_urls, static_root):
    owner = _program_manager()
    cs = _candidate(owner)
    with production_stack(**stack_urls, static_root=static_root, beat=True) as stack:
        base = stack.base_url
        with httpx.Client(follow_redirects=True, timeout=30) as staff:
            _login(staff, base)

            # 1. Outreach: preview, then send; the customer gets it once.
            compose = f"{base}{reverse('admin:recruitment_compose', args=[cs.pk])}"
            page = staff.get(compose)
            template = OutreachTemplate.objects.filter(is_default=True, language="en").first()
            contact = cs.customer.contacts.get(email=MEI)
            preview = submit(
                staff,
                compose,
                page.text,
                containing="Preview",
                data={"template": template.pk, "contact": contact.pk},
                button="preview",
            )
            assert "Preview and edit" in preview.text, _content(preview.text)
            sent = submit(staff, compose, preview.text, containing="Preview", button="send")
            assert sent.status_code == 200
            (outreach_email,) = stack.smtp.wait_for(MEI)
            respond = _link(
                outreach_email.text, r"http://127\.0\.0\.1:\d+/recruitment/respond/[^/\s]+/"
            )

            # 2. The customer accepts from the email.
            with httpx.Client(follow_redirects=True, timeout=30) as customer:
                page = customer.get(respond)
                assert page.status_code == 200
                assert page.headers["referrer-policy"] == "no-referrer"
                answered = submit(
                    customer, respond, page.text, containing="answer", data={"answer": "yes"}
                )
                assert answered.status_code == 200
            cs.refresh_from_db()
            assert cs.state == CaseStudyState.INTERVIEWING

            # 3. Interview and draft (in the services), then the approval.
            _to_in_review(cs, owner)
            start = f"{base}{reverse('admin:approvals_approvalrequest_start')}?case_study={cs.pk}"
            page = staff.get(start)
            started = submit(staff, start, page.text, containing="version")
            assert started.status_code == 200, started.text[:1000]
            assert cs.approval_requests.count() == 1, started.text[:3000]

            # 4. The review link arrives once; the customer asks for a code.
            review_email = stack.smtp.wait_for(MEI, count=2)[1]
            review = _link(review_email.text, r"http://127\.0\.0\.1:\d+/review/[A-Za-z0-9_-]{43}/")
            token = review.rstrip("/").rsplit("/", 1)[1]
            with httpx.Client(follow_redirects=True, timeout=30) as customer:
                page = customer.get(review)
                assert page.status_code == 200
                # The review page is one form; its buttons name the action.
                page = submit(
                    customer, review, page.text, action="/save/", data={"action": "code_send"}
                )
                code_email = stack.smtp.wait_for(MEI, count=3)[2]
                code = re.search(r"\b(\d{6})\b", code_email.text).group(1)
                page = submit(
                    customer,
                    review,
                    page.text,
                    action="/save/",
                    data={"code": code, "action": "code_verify"},
                )
                assert 'value="approve"' in page.text
                decided = submit(
                    customer,
                    review,
                    page.text,
                    action="/save/",
                    data={
                        "action": "approve",
                        "facts_checked": "on",
                        "attribution_checked": "on",
                    },
                )
                assert decided.status_code == 200
            assert wait_until(
                lambda: CaseStudy.objects.get(pk=cs.pk).state == CaseStudyState.APPROVED, 20
            ), stack.log_text()[-3000:]

            # 5. Published; the worker renders the PDF, the reader downloads it.
            publish = base + reverse(
                "admin:casestudies_casestudy_transition", args=[cs.pk, "publish"]
            )
            page = staff.get(publish)
            submit(staff, publish, page.text, containing="reason")
            cs.refresh_from_db()
            assert cs.state == CaseStudyState.PUBLISHED, stack.log_text()[-2000:]
            pdf_url = f"{base}/case-studies/{cs.slug}/pdf/"
            deadline = time.monotonic() + 90
            with httpx.Client(follow_redirects=True, timeout=60) as reader:
                while True:
                    response = reader.get(pdf_url)
                    if response.headers.get("content-type", "").startswith("application/pdf"):
                        break
                    assert time.monotonic() < deadline, stack.log_text()[-3000:]
                    time.sleep(1)
            pdf = stack.workdir / "story.pdf"
            pdf.write_bytes(response.content)
            text = subprocess.run(  # noqa: S603
                ["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
            ).stdout
            assert "Harbor" in text

        # Each email once: wait a few sweeps for any duplicate to surface.
        receipt = stack.smtp.wait_for(MEI, count=4)[3]
        time.sleep(6)
        to_mei = stack.smtp.to(MEI)
        assert [m.subject for m in to_mei] == [
            outreach_email.subject,
            review_email.subject,
            code_email.subject,
            receipt.subject,
        ], [m.subject for m in to_mei]
        assert receipt.subject.startswith("Your approval is recorded")
        assert receipt.message["Reply-To"] == "pm@storyline.example"
        assert not OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).exists()
        assert not OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED).exists()
        logs = stack.log_text()
        assert "unregistered task" not in logs.lower(), logs[-3000:]

        # No secret in a log line or in the database.
        answer_token = respond.rstrip("/").rsplit("/", 1)[1]
        dump = subprocess.run(  # noqa: S603
            _pg_dump_command(stack_urls["database_url"]), capture_output=True, text=True, check=True
        ).stdout
        for secret in (answer_token, token):
            assert secret not in logs, f"a token is in the logs: {secret[:6]}…"
            assert secret not in dump, f"a token is in the database: {secret[:6]}…"
        code_re = re.compile(rf"(?<![.\d]){code}(?!\d)")
        assert not code_re.search(logs), "the mailbox code is in the logs"
        assert not code_re.search(dump), "the mailbox code is in the database"
        assert "/review/<redacted>" in logs  # the access log saw the page, redacted


def _pg_dump_command(database_url: str) -> list[str]:
    from urllib.parse import urlsplit

    url = urlsplit(database_url)
    return [
        "pg_dump",
        "--data-only",
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
        url.path.lstrip("/"),
    ]
