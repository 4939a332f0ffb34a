"""Every state of a review link: valid, unknown, expired, revoked, decided,
stale, closed; the same neutral page for all refusals; rate limiting; headers."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from approvals import services
from approvals.models import ApprovalRequest, ReviewLink
from casestudies import services as cs_services
from core.tokens import hash_token, new_token
from tests import factories
from tests.approvals.conftest import LINK_RE, step_of
from tests.conftest import fresh

pytestmark = pytest.mark.django_db

NEUTRAL = "This review link does not work"


@pytest.fixture
def in_review(in_review_row, db):
    return fresh(in_review_row)


def url(token: str) -> str:
    return f"/review/{token}/"


def link_for(token: str) -> ReviewLink:
    return ReviewLink.objects.get(token_hash=hash_token(token))


class TestAStoryInReview:
    """One story in review with its three customer contacts, made once for the class: each
    test starts its own chain, and its links and decisions roll back."""

    def test_it_emails_one_link_per_reviewer_and_stores_only_the_hash(self, in_review, start_chain):
        request, tokens = start_chain(in_review)
        assert set(tokens) == {
            "pat@customer.example",
            "lee@customer.example",
            "robin@customer.example",
        }
        for token in tokens.values():
            assert len(token) == 43  # 256 bits, url-safe
            link = link_for(token)
            assert link.token_hash == hash_token(token)
            assert link.sent_at is not None
            assert token not in str(ReviewLink.objects.filter(pk=link.pk).values().get())
            assert link.expires_at - link.created_at == timedelta(days=30)
        assert request.steps.filter(status="pending").count() == 3

    def test_a_valid_link_shows_the_story_privately(self, client, in_review, start_chain):
        _request, tokens = start_chain(in_review)
        response = client.get(url(tokens["pat@customer.example"]))
        assert response.status_code == 200
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]
        assert "noindex" in response["X-Robots-Tag"]
        body = response.content.decode()
        assert "Pat Participant" in body
        assert "http://" not in body.replace("http://testserver", "")  # no third-party assets
        assert 'src="https://' not in body

    @pytest.mark.parametrize("make", ["unknown", "garbage", "expired", "revoked"])
    def test_refused_links_all_get_the_same_neutral_page(
        self, client, in_review, start_chain, make, alice
    ):
        _request, tokens = start_chain(in_review)
        token = tokens["pat@customer.example"]
        if make == "unknown":
            token = new_token()[0]
        elif make == "garbage":
            token = "not-a-token"
        elif make == "expired":
            ReviewLink.objects.filter(token_hash=hash_token(token)).update(
                expires_at=timezone.now() - timedelta(seconds=1)
            )
        elif make == "revoked":
            services.review_link_revoke(link=link_for(token), actor=alice)
        response = client.get(url(token))
        assert response.status_code == 404
        body = response.content.decode()
        assert NEUTRAL in body
        assert "Pat" not in body and in_review.title not in body
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]

    def test_the_neutral_page_is_the_same_for_unknown_and_revoked(
        self, client, in_review, start_chain, alice
    ):
        _request, tokens = start_chain(in_review)
        token = tokens["pat@customer.example"]
        services.review_link_revoke(link=link_for(token), actor=alice)
        revoked = client.get(url(token)).content
        unknown = client.get(url(new_token()[0])).content
        strip = lambda html: html.replace(token.encode(), b"").replace(b"csrf", b"")  # noqa: E731
        assert len(strip(revoked)) > 0
        assert revoked.count(b"<p>") == unknown.count(b"<p>")
        assert NEUTRAL.encode() in revoked and NEUTRAL.encode() in unknown

    def test_revoking_takes_effect_immediately_for_posts_too(
        self, client, in_review, start_chain, alice
    ):
        request, tokens = start_chain(in_review)
        token = tokens["pat@customer.example"]
        services.review_link_revoke(link=link_for(token), actor=alice)
        response = client.post(url(token) + "comment/", {"section": "", "body": "Hello"})
        assert response.status_code == 404
        assert not step_of(request, "pat@customer.example").comments.exists()

    def test_extending_a_link_moves_its_expiry(self, in_review, start_chain, alice):
        _request, tokens = start_chain(in_review)
        link = link_for(tokens["pat@customer.example"])
        old = link.expires_at
        services.review_link_extend(link=link, days=7, actor=alice)
        link.refresh_from_db()
        assert link.expires_at == old + timedelta(days=7)

    def test_resending_replaces_the_link(
        self, client, in_review, start_chain, alice, django_capture_on_commit_callbacks
    ):
        request, tokens = start_chain(in_review)
        old = tokens["pat@customer.example"]
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            step = step_of(request, "pat@customer.example")
            services.review_link_resend(step=step, actor=alice)
        assert len(mail.outbox) == before + 1
        new = LINK_RE.search(mail.outbox[-1].body).group(1)
        assert client.get(url(old)).status_code == 404
        assert client.get(url(new)).status_code == 200

    def test_unknown_tokens_are_rate_limited_per_address(
        self, client, settings, in_review, start_chain
    ):
        settings.STORYLINE = {**settings.STORYLINE, "REVIEW_BAD_TOKEN_LIMIT": 3}
        _request, tokens = start_chain(in_review)
        for _ in range(3):
            assert client.get(url(new_token()[0]), REMOTE_ADDR="203.0.113.9").status_code == 404
        blocked = client.get(url(tokens["pat@customer.example"]), REMOTE_ADDR="203.0.113.9")
        assert blocked.status_code == 429
        assert NEUTRAL in blocked.content.decode()
        # Another address is not affected.
        other = client.get(url(tokens["pat@customer.example"]), REMOTE_ADDR="203.0.113.10")
        assert other.status_code == 200

    def test_the_token_never_reaches_the_request_log(
        self, client, caplog, in_review, start_chain, alice
    ):
        _request, tokens = start_chain(in_review)
        token = tokens["pat@customer.example"]
        services.review_link_revoke(link=link_for(token), actor=alice)
        unknown = new_token()[0]
        with caplog.at_level(logging.DEBUG):
            client.get(url(token))
            client.get(url(unknown))
            client.get(url(unknown) + "decide/")  # 405
        assert token not in caplog.text and unknown not in caplog.text

    def test_a_decided_link_is_read_only_and_shows_the_decision(
        self, client, in_review, start_chain
    ):
        request, tokens = start_chain(in_review, verify_email_for_approve=False)
        token = tokens["pat@customer.example"]
        services.review_decision_record(
            link=link_for(token), outcome="approved", ip="198.51.100.7", user_agent="UA"
        )
        response = client.get(url(token))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Your decision is recorded" in body and "You approved version 1." in body
        assert 'action="/review/' not in body  # no forms
        again = client.post(
            url(token) + "decide/", {"outcome": "changes_requested", "message": "x"}
        )
        assert again.status_code == 302
        assert request.decisions.count() == 1

    def test_a_stale_link_says_a_newer_version_is_coming(
        self, client, in_review, start_chain, alice
    ):
        request, tokens = start_chain(in_review)
        token = tokens["pat@customer.example"]
        # A newer version is saved (back in drafting, edited, reviewed internally, resubmitted).
        cs_services.case_study_request_changes(case_study=in_review, actor=alice, reason="Typo.")
        version = cs_services.story_version_create(
            case_study=in_review, actor=alice, title="New title", sections=factories.sections(201)
        )
        factories.sign_off_internal_review(version, actor=alice)
        cs_services.case_study_submit_for_review(case_study=in_review, actor=alice)
        response = client.get(url(token))
        assert response.status_code == 200
        assert "A newer version is on its way" in response.content.decode()
        # Starting the chain for the new version supersedes the old request.
        new_request = services.approval_request_start(
            case_study=in_review,
            steps=[
                services.StepSpec(
                    kind="participant", contact=step_of(request, "pat@customer.example").contact
                )
            ],
            actor=alice,
        )
        request.refresh_from_db()
        assert request.status == ApprovalRequest.Status.SUPERSEDED
        assert new_request.previous == request
        assert "A newer version is on its way" in client.get(url(token)).content.decode()

    def test_a_token_of_story_a_never_shows_story_b(self, client, in_review, start_chain, story_at):
        other = story_at("in_review", title="Story B elsewhere", story_title="Story B elsewhere")
        _request, tokens = start_chain(in_review)
        body = client.get(url(tokens["pat@customer.example"])).content.decode()
        assert in_review.title in body
        assert "Story B elsewhere" not in body and other.customer.name not in body

    def test_a_closed_review_explains_itself(self, client, in_review, start_chain):
        _request, tokens = start_chain(in_review, verify_email_for_approve=False)
        services.review_decision_record(
            link=link_for(tokens["lee@customer.example"]),
            outcome="changes_requested",
            message="No.",
        )
        body = client.get(url(tokens["pat@customer.example"])).content.decode()
        assert "This review is closed" in body
        assert "Another reviewer asked for changes" in body


def test_the_gunicorn_access_log_redacts_the_token():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from core.redaction import GunicornLogger

    token = new_token()[0]
    logger = GunicornLogger(Config())
    req = SimpleNamespace(
        method="GET",
        path=f"/review/{token}/",
        query="",
        uri=f"/review/{token}/",
        version=(1, 1),
        headers=[],
    )
    resp = SimpleNamespace(status="404 Not Found", sent=10, headers=[], response_length=10)
    environ = {
        "REMOTE_ADDR": "192.0.2.1",
        "RAW_URI": f"/review/{token}/",
        "PATH_INFO": f"/review/{token}/",
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = logger.atoms(resp, req, environ, timedelta(seconds=0.01))
    assert token not in atoms["U"] and token not in atoms["r"]
    assert not any(token in v for v in atoms.values() if isinstance(v, str))
    assert atoms["U"] == "/review/<redacted>/"
