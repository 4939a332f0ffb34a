"""Gated downloads: the lead form, its validation and spam protection, one
lead and one email per person and story, attribution, the download token."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail, signing
from django.urls import reverse

from analytics import gating
from analytics.forms import TIMESTAMP_SALT, sign_render_time
from analytics.models import DownloadGate, Lead
from core.models import AuditEntry
from tests import factories
from tests.conftest import fresh


@pytest.fixture(scope="class")
def gated_row(shared_db):
    """A published story behind the lead form, made once for the class."""
    story = factories.case_study_in_state("published", actor=factories.program_manager())
    DownloadGate.objects.create(case_study=story, enabled=True)
    return story


@pytest.fixture
def gated(gated_row, db):
    return fresh(gated_row)


def form_url(story, kind="pdf"):
    return reverse("analytics:lead_form", kwargs={"slug": story.slug, "kind": kind})


def rendered(seconds_ago=30):
    return sign_render_time(time.time() - seconds_ago)


def data(**overrides):
    return {
        "name": "Dewi Lestari",
        "email": "Dewi@Nusantara-Logistics.co.id",
        "company": "Nusantara Logistics",
        "role": "CFO",
        "website": "",
        "rendered": rendered(),
        **overrides,
    }


def test_an_ungated_story_downloads_directly(browser, story):
    response = browser.get(reverse("gallery:pdf", kwargs={"slug": story.slug}))
    assert response.status_code != 302 or "/a/download/" not in response["Location"]


class TestAGatedStory:
    """A published story behind the lead form, made once for the class: each
    test's leads, emails and changes roll back."""

    def test_a_gated_document_sends_the_reader_to_the_form(self, browser, gated):
        response = browser.get(
            reverse("gallery:pdf", kwargs={"slug": gated.slug}), {"lang": "en", "utm_source": "x"}
        )
        assert response.status_code == 302
        assert response["Location"].startswith(form_url(gated))
        assert "utm_source=x" in response["Location"]
        page = browser.get(response["Location"])
        assert page.status_code == 200
        html = page.content.decode()
        for label in ("Your name", "Work email", "Company", "Role"):
            assert f">{label}</label>" in html
        assert "no-store" in page["Cache-Control"]
        assert not page.cookies.get("sessionid")

    def test_submitting_creates_a_lead_sends_one_email_and_proceeds(
        self, browser, gated, committed
    ):
        page = f"{gated.get_absolute_url()}?utm_source=email&utm_medium=campaign&utm_campaign=q4"
        with committed():
            response = browser.post(
                form_url(gated), data(), HTTP_REFERER=f"http://testserver{page}"
            )
        assert response.status_code == 302
        location = response["Location"]
        assert location.startswith(reverse("gallery:pdf", kwargs={"slug": gated.slug}))
        token = parse_qs(urlsplit(location).query)["dl"][0]
        assert gating.token_valid(token, gated, "pdf")
        lead = Lead.objects.get()
        assert lead.email == "dewi@nusantara-logistics.co.id"
        assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("email", "campaign", "q4")
        assert lead.page.endswith(page)
        assert lead.document == "pdf"
        assert lead.email_sent_at is not None
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["dewi@nusantara-logistics.co.id"]
        assert "dl=" in mail.outbox[0].body
        assert AuditEntry.objects.filter(action="analytics.lead.created").count() == 1

    def test_the_same_submission_twice_is_one_lead_and_one_email(self, browser, gated, committed):
        for _ in range(2):
            with committed():
                assert browser.post(form_url(gated), data()).status_code == 302
        with committed():
            browser.post(
                form_url(gated), data(email="DEWI@nusantara-logistics.co.id", name="Dewi L.")
            )
        assert Lead.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_a_share_link_campaign_is_attributed_to_the_link(self, browser, gated):
        browser.post(
            form_url(gated) + "?utm_source=share&utm_medium=sales&utm_campaign=share-42", data()
        )
        lead = Lead.objects.get()
        assert lead.share_link_id == 42
        assert lead.utm_medium == "sales"

    def test_hidden_campaign_fields_of_the_form_are_kept(self, browser, gated):
        browser.post(
            form_url(gated),
            data(utm_source="linkedin", utm_medium="social", utm_campaign="share-9"),
        )
        lead = Lead.objects.get()
        assert (lead.utm_source, lead.share_link_id) == ("linkedin", 9)

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"email": "dewi@gmail.com"}, "email", "work email"),
            ({"email": "not-an-email"}, "email", "valid email"),
            ({"name": ""}, "name", "required"),
            ({"company": "   "}, "company", "required"),
            ({"role": "CFO\x07"}, "role", "plain text"),
            ({"name": "x" * 500}, "name", "at most"),
        ],
    )
    def test_invalid_details_are_refused_with_a_clear_message(
        self, browser, gated, overrides, field, message
    ):
        response = browser.post(form_url(gated), data(**overrides))
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert field in errors
        assert message in " ".join(errors[field])
        assert not Lead.objects.exists()

    def test_a_filled_honeypot_creates_no_lead(self, browser, gated, committed):
        with committed():
            response = browser.post(form_url(gated), data(website="http://spam.example"))
        assert response.status_code == 302  # the bot learns nothing
        assert not Lead.objects.exists()
        assert not mail.outbox

    def test_a_form_sent_back_too_fast_is_refused(self, browser, gated):
        response = browser.post(form_url(gated), data(rendered=rendered(seconds_ago=0)))
        assert response.status_code == 400
        assert "quick" in str(response.context["form"].non_field_errors())
        assert not Lead.objects.exists()

    @pytest.mark.parametrize("value", ["", "garbage", "123:abc"])
    def test_a_forged_or_missing_render_time_is_refused(self, browser, gated, value):
        response = browser.post(form_url(gated), data(rendered=value))
        assert response.status_code == 400
        assert not Lead.objects.exists()

    def test_lead_forms_are_rate_limited(self, browser, gated, settings):
        settings.STORYLINE = {
            **settings.STORYLINE,
            "ANALYTICS": {**settings.STORYLINE["ANALYTICS"], "LEAD_RATE_PER_HOUR": 2},
        }
        codes = [
            browser.post(form_url(gated), data(email=f"p{i}@firm.example")).status_code
            for i in range(4)
        ]
        assert codes == [302, 302, 429, 429]
        assert Lead.objects.count() == 2

    def test_a_new_browser_per_request_does_not_reset_the_lead_limit(self, client, gated, settings):
        settings.STORYLINE = {
            **settings.STORYLINE,
            "ANALYTICS": {**settings.STORYLINE["ANALYTICS"], "LEAD_RATE_PER_HOUR": 2},
        }
        codes = [
            client.post(
                form_url(gated),
                data(email=f"p{i}@firm.example"),
                HTTP_USER_AGENT=f"Mozilla/5.0 (X11; Linux x86_64) Firefox/{120 + i}.0",
            ).status_code
            for i in range(4)
        ]
        assert codes == [302, 302, 429, 429]
        assert Lead.objects.count() == 2

    def test_a_form_from_a_hidden_origin_is_refused(self, browser, gated):
        response = browser.post(form_url(gated), data(), HTTP_ORIGIN="null")
        assert response.status_code == 400
        assert "origin" in response.content.decode()
        assert not Lead.objects.exists()

    def test_a_form_from_another_site_is_refused(self, browser, gated):
        response = browser.post(form_url(gated), data(), HTTP_ORIGIN="https://evil.example")
        assert response.status_code == 403
        assert not Lead.objects.exists()

    def test_a_signed_form_is_accepted_once(self, browser, gated, committed):
        """Replaying one rendered form (its signed time) files no second lead,
        even with other details; the reader gets a fresh form to send again."""
        sent = data()
        with committed():
            assert browser.post(form_url(gated), sent).status_code == 302
        replay = browser.post(
            form_url(gated), {**sent, "email": "someone.else@firm.example", "name": "Someone"}
        )
        assert replay.status_code == 400
        assert "already sent" in replay.content.decode()
        assert Lead.objects.count() == 1
        assert len(mail.outbox) == 1
        fresh = replay.context["form"]
        assert not fresh.is_bound
        assert fresh.initial["rendered"] != sent["rendered"]
        assert fresh.initial["email"] == "someone.else@firm.example"
        assert browser.post(form_url(gated), {**sent, "rendered": rendered()}).status_code == 302

    def test_two_forms_rendered_in_the_same_second_are_both_accepted(self, browser, gated):
        now = time.time() - 30
        first, second = sign_render_time(now), sign_render_time(now)
        assert first != second
        assert browser.post(form_url(gated), data(rendered=first)).status_code == 302
        response = browser.post(form_url(gated), data(rendered=second, email="p2@firm.example"))
        assert response.status_code == 302
        assert Lead.objects.count() == 2

    def test_a_form_rendered_before_the_nonce_is_still_accepted_once(self, browser, gated):
        old = signing.TimestampSigner(salt=TIMESTAMP_SALT).sign(str(int(time.time()) - 30))
        assert browser.post(form_url(gated), data(rendered=old)).status_code == 302
        assert browser.post(form_url(gated), data(rendered=old)).status_code == 400

    def test_a_form_refused_for_its_details_can_be_corrected_and_sent(self, browser, gated):
        """Only an accepted form uses up its signed time."""
        sent = data(email="dewi@gmail.com")
        assert browser.post(form_url(gated), sent).status_code == 400
        assert (
            browser.post(form_url(gated), {**sent, "email": "dewi@firm.example"}).status_code == 302
        )
        assert Lead.objects.count() == 1

    def test_the_token_opens_only_its_story_and_kind(self, gated, story_at):
        token = gating.download_token(gated, "pdf")
        assert gating.token_valid(token, gated, "pdf")
        assert not gating.token_valid(token, gated, "slides")
        assert not gating.token_valid(token, story_at("published"), "pdf")
        assert not gating.token_valid("forged", gated, "pdf")

    def test_a_valid_token_lets_the_download_through(self, browser, gated):
        token = gating.download_token(gated, "slides")
        response = browser.get(
            reverse("gallery:slides", kwargs={"slug": gated.slug}), {"dl": token}
        )
        assert response.status_code == 200

    def test_unknown_kinds_and_unpublished_stories_are_404(self, browser, gated, story_at):
        assert browser.get(form_url(gated, kind="exe")).status_code == 404
        draft = story_at("drafting")
        assert browser.get(form_url(draft)).status_code == 404

    def test_a_story_no_longer_gated_skips_the_form(self, browser, gated):
        DownloadGate.objects.filter(case_study=gated).update(enabled=False)
        response = browser.get(form_url(gated))
        assert response.status_code == 302
        assert response["Location"] == reverse("gallery:pdf", kwargs={"slug": gated.slug})

    def test_a_redelivered_email_task_sends_nothing(self, browser, gated, committed):
        from tests.conftest import redeliver_every_email

        with committed():
            browser.post(form_url(gated), data())
        assert Lead.objects.get().email_sent_at is not None
        assert not any(redeliver_every_email())
        assert len(mail.outbox) == 1

    def test_the_form_sets_no_cookie_and_needs_no_csrf_cookie(self, gated):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 Chrome/130")
        page = strict.get(form_url(gated))
        assert not page.cookies
        assert strict.post(form_url(gated), data()).status_code == 302
        assert Lead.objects.count() == 1

    def test_a_cross_site_post_is_refused(self, browser, gated):
        response = browser.post(form_url(gated), data(), HTTP_ORIGIN="https://evil.example")
        assert response.status_code == 403
        assert not Lead.objects.exists()

    def test_the_form_remembers_the_page_it_was_opened_from(self, browser, gated):
        story_page = f"http://testserver{gated.get_absolute_url()}?utm_source=share"
        html = browser.get(form_url(gated), HTTP_REFERER=story_page).content.decode()
        assert 'name="page" value="http://testserver' in html
        browser.post(
            form_url(gated),
            data(page=story_page),
            HTTP_REFERER=f"http://testserver{form_url(gated)}",
        )
        assert Lead.objects.get().page == story_page

    @pytest.mark.parametrize(
        "page",
        ["https://evil.example/x", "javascript:alert(1)", "http://testserver/a/download/x/pdf/"],
    )
    def test_a_forged_origin_page_falls_back_to_the_story(self, browser, gated, page):
        browser.post(form_url(gated), data(page=page))
        assert Lead.objects.get().page == gated.get_absolute_url()


@pytest.mark.django_db(transaction=True)
def test_concurrent_twin_submissions_make_one_lead_and_one_email(alice):
    import threading

    from django.db import connections

    from analytics import services
    from casestudies.models import CaseStudyState
    from tests import factories
    from tests.conftest import require_postgres

    require_postgres()
    story = factories.case_study_in_state(CaseStudyState.PUBLISHED, actor=alice)
    barrier = threading.Barrier(4)
    created = []

    def submit():
        barrier.wait()
        try:
            _lead, was_created = services.lead_submit(
                case_study=story,
                data={"name": "Dewi", "email": "dewi@firm.example", "company": "F", "role": "R"},
                attribution={"document": "pdf"},
            )
            created.append(was_created)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(created) == [False, False, False, True]
    assert Lead.objects.count() == 1
    assert len(mail.outbox) == 1  # eager Celery: the email went once, after commit
