"""The review page through the browser's eyes (the test client): what it
shows, each form, the code, languages, and bad input never a 500."""

import re

import pytest
from django.core import mail

from approvals import services
from approvals.models import ApprovalStep, ConfidentialFlag, Decision, QuoteReview, ReviewComment
from casestudies import services as cs_services
from casestudies.models import CaseStudyState
from tests import factories
from tests.approvals.conftest import chain_start, make_in_review
from tests.conftest import fresh

pytestmark = pytest.mark.django_db

PAT, LEE = "pat@customer.example", "lee@customer.example"


@pytest.fixture(scope="class")
def chain_rows(shared_db):
    """A story in review and its approval chain, made once for the class;
    the clear token of Pat's link (only its hash is stored) is handed over
    as minted."""
    alice = factories.program_manager()
    cs = make_in_review(alice)
    request, tokens = chain_start(cs, alice)
    return {"in_review": cs, "request": request, "token": tokens[PAT]}


@pytest.fixture
def shared_chain(chain_rows, db):
    return fresh(chain_rows)


@pytest.fixture
def chain(shared_chain):
    return shared_chain["request"], shared_chain["token"]


def page(token: str, suffix: str = "") -> str:
    return f"/review/{token}/{suffix}"


class TestOneChain:
    """One story in review and its approval chain, made once for the class:
    each test's comments, verdicts and decisions roll back."""

    @pytest.fixture
    def in_review(self, shared_chain):
        """The chain's story."""
        return shared_chain["in_review"]

    def test_the_page_shows_the_story_quotes_figures_and_every_form(self, client, chain, in_review):
        request, token = chain
        body = client.get(page(token)).content.decode()
        version = request.version
        assert version.title in body
        assert "Executive summary" in body and "The challenge" in body
        quote = in_review.quotes.first()
        assert quote.text.replace("'", "&#x27;") in body
        assert in_review.metrics.first().label in body
        # One form: every part of the page travels with every button.
        assert body.count("<form") == 1
        assert f'action="/review/{token}/save/"' in body
        for action in ("save", "code_send", "request_changes"):
            assert f'name="action" value="{action}"' in body
        assert "Email me a code" in body
        # Approving comes after the code step.
        assert 'value="approve"' not in body

    def test_a_section_comment_and_a_suggestion_are_saved(self, client, chain):
        request, token = chain
        response = client.post(
            page(token, "comment/"),
            {"section": "results", "body": "Say 5 days.", "suggested_text": "Close takes 5 days."},
        )
        assert response.status_code == 302 and response["Location"].endswith("#results")
        comment = ReviewComment.objects.get()
        assert comment.section == "results" and comment.suggested_text == "Close takes 5 days."
        assert comment.version == request.version
        assert "Say 5 days." in client.get(page(token)).content.decode()

    def test_an_empty_comment_is_explained_not_saved(self, client, chain):
        _request, token = chain
        response = client.post(page(token, "comment/"), {"section": "results"}, follow=True)
        assert "Write a comment or suggest replacement text." in response.content.decode()
        assert not ReviewComment.objects.exists()

    def test_a_quote_is_refused_and_a_figure_flagged(self, client, chain, in_review):
        _request, token = chain
        quote = in_review.quotes.first()
        metric = in_review.metrics.first()
        client.post(
            page(token, "quote/"), {"quote": quote.pk, "verdict": "refused", "comment": "No"}
        )
        client.post(page(token, "flag/"), {"metric": metric.pk, "show_as_percentage": "on"})
        assert QuoteReview.objects.get().verdict == "refused"
        flag = ConfidentialFlag.objects.get()
        assert flag.metric == metric and flag.show_as_percentage
        # Changing one's mind before deciding replaces the verdict.
        client.post(page(token, "quote/"), {"quote": quote.pk, "verdict": "approved"})
        assert QuoteReview.objects.get().verdict == "approved"

    @pytest.mark.parametrize(
        ("suffix", "data"),
        [
            ("quote/", {"quote": "abc", "verdict": "approved"}),
            ("quote/", {"quote": "²", "verdict": "approved"}),
            ("quote/", {"quote": "999999", "verdict": "approved"}),
            ("quote/", {"quote": "1", "verdict": "maybe"}),
            ("flag/", {"metric": "x1"}),
            ("flag/", {"metric": "99999999"}),
            ("rights/", {"rights_expire_on": "not-a-date"}),
            ("rights/", {"rights_expire_on": "2001-01-01"}),
            ("decide/", {"outcome": "changes_requested"}),
            ("decide/", {"outcome": "whatever"}),
            ("verify/", {"code": ""}),
        ],
    )
    def test_bad_input_gets_a_message_never_a_500(self, client, chain, suffix, data):
        _request, token = chain
        response = client.post(page(token, suffix), data, follow=True)
        assert response.status_code == 200
        assert 'class="message error"' in response.content.decode()
        assert not Decision.objects.exists()

    def test_the_code_flow_and_the_decision_through_the_page(
        self, client, chain, in_review, django_capture_on_commit_callbacks
    ):
        request, token = chain
        response = client.post(page(token, "decide/"), {"outcome": "approved"}, follow=True)
        assert "confirm that the facts" in response.content.decode()
        response = client.post(
            page(token, "decide/"),
            {"outcome": "approved", "facts_checked": "on", "attribution_checked": "on"},
            follow=True,
        )
        assert "First confirm your email address" in response.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(page(token, "code/"))
        code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        assert mail.outbox[-1].to == [PAT]
        response = client.post(page(token, "verify/"), {"code": code}, follow=True)
        assert "your email address is confirmed" in response.content.decode()
        response = client.post(
            page(token, "decide/"),
            {"outcome": "approved", "facts_checked": "on", "attribution_checked": "on"},
            HTTP_USER_AGENT="Phone browser",
            REMOTE_ADDR="192.0.2.44",
            follow=True,
        )
        assert "Your decision is recorded" in response.content.decode()
        decision = Decision.objects.get()
        assert decision.ip_address == "192.0.2.44" and decision.user_agent == "Phone browser"
        assert decision.verified_email == PAT
        assert request.steps.get(reviewer_email=PAT).status == ApprovalStep.Status.APPROVED

    def test_the_page_speaks_bahasa_indonesia(self, client, chain):
        _request, token = chain
        response = client.get(page(token) + "?language=id")
        assert response.status_code == 302 and response["Location"] == page(token)
        body = client.get(page(token)).content.decode()
        assert 'lang="id"' in body
        assert "Saya meminta perubahan" in body and "Ada yang rahasia?" in body

    def test_posts_work_without_a_csrf_cookie_as_browsers_send_origin_null(self, chain):
        """With Referrer-Policy: no-referrer a browser posts with ``Origin: null``;
        the token in the address is what authorises the post."""
        from django.test import Client

        _request, token = chain
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            page(token, "comment/"), {"section": "", "body": "Fine by me."}, HTTP_ORIGIN="null"
        )
        assert response.status_code == 302
        assert ReviewComment.objects.get().body == "Fine by me."
        forged = client.post(page("x" * 43, "comment/"), {"body": "Hi"}, HTTP_ORIGIN="null")
        assert forged.status_code == 404

    def test_behind_a_proxy_the_evidence_records_the_forwarded_address(
        self, client, settings, chain
    ):
        settings.TRUSTED_PROXIES = 1
        request, token = chain
        request.verify_email_for_approve = False
        request.save(update_fields=["verify_email_for_approve"])
        decide = {"outcome": "approved", "facts_checked": "on", "attribution_checked": "on"}
        client.post(
            page(token, "decide/"),
            decide,
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.50",
        )
        assert Decision.objects.get().ip_address == "203.0.113.50"

    def test_a_garbage_forwarded_header_falls_back_to_the_peer(self, client, settings, chain):
        settings.TRUSTED_PROXIES = 1
        request, token = chain
        request.verify_email_for_approve = False
        request.save(update_fields=["verify_email_for_approve"])
        decide = {"outcome": "approved", "facts_checked": "on", "attribution_checked": "on"}
        client.post(
            page(token, "decide/"), decide, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>"
        )
        assert Decision.objects.get().ip_address == "10.0.0.2"


def test_an_anonymised_story_is_shown_anonymised(client, in_review, start_chain):
    in_review.anonymised = True
    in_review.save(update_fields=["anonymised"])
    _request, tokens = start_chain(in_review)
    body = client.get(page(tokens[PAT])).content.decode()
    assert in_review.public_customer_name in body


def test_a_returning_reviewer_sees_what_changed_first(
    client, in_review, start_chain, alice, django_capture_on_commit_callbacks
):
    request, tokens = start_chain(in_review, verify_email_for_approve=False)
    services.review_decision_record(
        link=services.ReviewLink.objects.get(step__reviewer_email=PAT), outcome="approved"
    )
    services.review_decision_record(
        link=services.ReviewLink.objects.get(step__reviewer_email=LEE),
        outcome="changes_requested",
        message="Fix the results.",
    )
    in_review.refresh_from_db()
    assert in_review.state == CaseStudyState.DRAFTING
    old = request.version
    version = cs_services.story_version_create(
        case_study=in_review,
        actor=alice,
        title=old.title,
        sections={**old.sections(), "results": "Close fell from fifteen days to five days."},
    )
    factories.sign_off_internal_review(version, actor=alice)
    cs_services.case_study_submit_for_review(case_study=in_review, actor=alice)
    _second, tokens = start_chain(in_review)
    body = client.get(page(tokens[PAT])).content.decode()
    assert "What changed since you approved version 1" in body
    assert "<ins>" in body and "fifteen" in body
    changes = body[body.index('id="changes"') : body.index('id="story"')]
    assert "Results" in changes and "The challenge" not in changes


def test_the_page_runs_a_constant_number_of_queries(
    client, in_review, start_chain, django_assert_max_num_queries
):
    _request, tokens = start_chain(in_review)
    token = tokens[PAT]
    client.get(page(token))
    for _ in range(5):
        factories.MetricFactory(case_study=in_review)
        factories.QuoteFactory(case_study=in_review)
    link = services.ReviewLink.objects.get(step__reviewer_email=PAT)
    for i in range(5):
        services.review_comment_add(link=link, section="results", body=f"Comment {i}")
        services.confidential_flag_add(link=link, phrase=f"phrase {i}")
    with django_assert_max_num_queries(14):
        assert client.get(page(token)).status_code == 200
