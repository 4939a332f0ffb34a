"""The customer's answers reach the story (issue 15): quote verdicts set the
quote's permission with the decision as evidence, a refused quote leaves the
next version, "you may name me" sets the contact's permission, and the review
page is one form that keeps what was typed."""

import re

import pytest
from django.core import mail
from django.utils import translation

from approvals import services
from approvals.models import ApprovalRequest, PermissionEvidence, ReviewComment, ReviewLink
from casestudies import services as cs_services
from casestudies.models import CaseStudyState, Quote
from tests import factories
from tests.approvals.conftest import contact, make_in_review
from tests.conftest import fresh

pytestmark = pytest.mark.django_db

PAT, LEE, ROBIN = "pat@customer.example", "lee@customer.example", "robin@customer.example"
REFUSED_TEXT = "Our auditors were shocked by how fast we closed the books this year."
KEPT_TEXT = "We finally trust the numbers we report to the board every month."


@pytest.fixture(scope="class")
def story_rows(shared_db):
    """The story in review with two quotes of Pat's (asked, not yet
    approved) reproduced in its text, and Pat named in the prose: made once
    for the class."""
    alice = factories.program_manager()
    in_review = make_in_review(alice)
    pat = contact(in_review, PAT)
    in_review.quotes.all().delete()
    refused = factories.QuoteFactory(
        case_study=in_review,
        speaker=pat,
        speaker_name=pat.name,
        text=REFUSED_TEXT,
        permission=Quote.Permission.ASKED,
    )
    kept = factories.QuoteFactory(
        case_study=in_review,
        speaker=pat,
        speaker_name=pat.name,
        text=KEPT_TEXT,
        permission=Quote.Permission.ASKED,
        position=2,
    )
    old = services.latest_version(in_review)
    cs_services.story_version_create(
        case_study=in_review,
        actor=alice,
        title=old.title,
        sections={
            **old.sections(),
            "results": (
                "Close fell from 15 days to 5, saving $2.4 million a year.\n\n"
                f"> “{REFUSED_TEXT}”\n>\n> — {pat.name}\n\n"
                f"Pat Participant put it simply: “{KEPT_TEXT}” The team agreed."
            ),
        },
    )
    return in_review, refused, kept


@pytest.fixture
def story(story_rows, db):
    return fresh(story_rows)


def page(token, suffix=""):
    return f"/review/{token}/{suffix}"


def approve_all(request, *, verdicts=None, naming=None):
    links = [
        ReviewLink.objects.get(step=step, revoked_at__isnull=True)
        for step in request.steps.order_by("pk")
    ]
    for link in links:  # every verdict and "name me" first, then the decisions
        for quote_id, verdict in (verdicts or {}).get(link.step.reviewer_email, {}).items():
            services.quote_verdict_set(link=link, quote_id=quote_id, verdict=verdict)
        if answer := (naming or {}).get(link.step.reviewer_email):
            services.naming_answer_set(link=link, answer=answer)
    for link in links:
        services.review_decision_record(link=link, outcome="approved")


class TestPatsQuotes:
    """The story in review with Pat's two quotes, made once for the class: each test
    starts its own chain, and its answers and decisions roll back."""

    def test_a_refused_quote_is_refused_with_its_evidence_and_leaves_the_next_version(
        self, client, story, start_chain, alice
    ):
        cs, refused, kept = story
        request, tokens = start_chain(cs, verify_email_for_approve=False)
        # Pat refuses one quote and asks for changes, all in the page's one form.
        response = client.post(
            page(tokens[PAT], "save/"),
            {
                f"q_{refused.pk}_verdict": "refused",
                f"q_{refused.pk}_comment": "Too boastful.",
                "message": "Drop the auditors quote.",
                "action": "request_changes",
            },
        )
        assert response.status_code == 302
        refused.refresh_from_db()
        kept.refresh_from_db()
        assert refused.permission == Quote.Permission.REFUSED
        assert kept.permission == Quote.Permission.ASKED  # nobody decided on it yet
        evidence = PermissionEvidence.objects.get(quote=refused)
        assert not evidence.granted and evidence.basis == "verdict"
        assert evidence.decision.step.reviewer_email == PAT
        assert evidence.decision.outcome == "changes_requested"

        # The next version leaves the refused quote out (block and attribution),
        # keeps the other; reviewers are not asked about it again.
        version = services.approval_request_next_version(request=request, actor=alice)
        assert REFUSED_TEXT not in version.results and "> —" not in version.results
        assert KEPT_TEXT in version.results
        assert refused not in services.review_quotes(cs)
        with pytest.raises(services.ApprovalError, match="nothing to change"):
            services.approval_request_next_version(request=request, actor=alice)

    def test_once_approved_the_quotes_not_refused_are_approved_and_publishable(
        self, story, start_chain, alice
    ):
        cs, refused, kept = story
        request, _tokens = start_chain(cs, verify_email_for_approve=False)
        # Pat, named in the story, lets us name them: publishing checks it.
        approve_all(request, verdicts={LEE: {kept.pk: "approved"}}, naming={PAT: "granted"})
        request.refresh_from_db()
        cs.refresh_from_db()
        assert request.status == ApprovalRequest.Status.APPROVED
        assert cs.state == CaseStudyState.APPROVED
        for quote in (refused, kept):
            quote.refresh_from_db()
            assert quote.permission == Quote.Permission.APPROVED
        assert PermissionEvidence.objects.get(quote=kept).basis == "verdict"
        assert PermissionEvidence.objects.get(quote=refused).basis == "version"
        # An approved quote of an approved story can be published.
        cs_services.case_study_publish(case_study=cs, actor=alice)
        assert cs.quotes.filter(permission=Quote.Permission.APPROVED).count() == 2

    def test_a_refusal_is_never_overridden_by_another_reviewers_approval(self, story, start_chain):
        cs, refused, _kept = story
        request, _tokens = start_chain(cs, verify_email_for_approve=False)
        approve_all(request, verdicts={PAT: {refused.pk: "refused"}, LEE: {refused.pk: "approved"}})
        refused.refresh_from_db()
        assert refused.permission == Quote.Permission.REFUSED

    @pytest.mark.parametrize(("answer", "named"), [("granted", True), ("refused", False)])
    def test_a_named_person_grants_or_refuses_name_me(
        self, client, story, start_chain, answer, named
    ):
        cs, _refused, _kept = story
        pat = contact(cs, PAT)
        pat.may_be_named = not named
        pat.save(update_fields=["may_be_named"])
        _request, tokens = start_chain(cs, verify_email_for_approve=False)
        body = client.get(page(tokens[PAT])).content.decode()
        assert "May we name you?" in body
        # Robin is not named in the story: not asked.
        assert "May we name you?" not in client.get(page(tokens[ROBIN])).content.decode()
        response = client.post(
            page(tokens[PAT], "save/"),
            {
                "naming": answer,
                "facts_checked": "on",
                "attribution_checked": "on",
                "action": "approve",
            },
        )
        assert response.status_code == 302
        pat.refresh_from_db()
        assert pat.may_be_named is named
        evidence = PermissionEvidence.objects.get(contact=pat)
        assert evidence.granted is named and evidence.decision.reviewer_email == PAT

    def test_typed_text_survives_a_refused_action(self, client, story, start_chain):
        cs, refused, _kept = story
        _request, tokens = start_chain(cs, verify_email_for_comments=True)
        response = client.post(
            page(tokens[PAT], "save/"),
            {
                "c_results_body": "Say five working days.",
                f"q_{refused.pk}_verdict": "refused",
                "flag_phrase": "$2.4 million",
                "message": "Nearly there.",
                "action": "save",
            },
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "First confirm your email address" in body
        assert "Say five working days.</textarea>" in body
        assert "Nearly there.</textarea>" in body
        assert 'value="$2.4 million"' in body
        assert f'name="q_{refused.pk}_verdict" value="refused" checked' in body
        assert not ReviewComment.objects.exists()

    def test_contradictory_rights_are_refused_and_nothing_typed_is_lost(
        self, client, story, start_chain
    ):
        cs, _refused, _kept = story
        _request, tokens = start_chain(cs)
        response = client.post(
            page(tokens[PAT], "save/"),
            {
                "anonymised": "on",
                "logo_allowed": "on",
                "c_results_body": "Looks right.",
                "action": "save",
            },
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "An anonymised story never shows" in body
        assert "Looks right.</textarea>" in body
        assert not ReviewComment.objects.exists()
        link = ReviewLink.objects.get(step__reviewer_email=PAT)
        with pytest.raises(services.ApprovalError, match="anonymised story never shows"):
            services.usage_rights_confirm(
                link=link,
                channels={},
                logo_allowed=True,
                anonymised=True,
                percentage_only=False,
                rights_expire_on=None,
            )

    def test_rights_start_unticked_and_keep_what_the_reviewer_confirmed(
        self, client, story, start_chain
    ):
        cs, _refused, _kept = story
        _request, tokens = start_chain(cs)
        body = client.get(page(tokens[PAT])).content.decode()
        rights = body[body.index('id="rights"') : body.index('id="decision"')]
        assert "checked" not in rights
        client.post(page(tokens[PAT], "save/"), {"channel_web": "on", "action": "save"})
        cs.refresh_from_db()
        assert cs.channel_web and not cs.channel_pdf and not cs.logo_allowed
        body = client.get(page(tokens[PAT])).content.decode()
        rights = body[body.index('id="rights"') : body.index('id="decision"')]
        assert rights.count("checked") == 1
        # Saving again without a change records no second confirmation.
        client.post(page(tokens[PAT], "save/"), {"channel_web": "on", "rights_shown": "on"})
        client.post(
            page(tokens[PAT], "save/"),
            {"channel_web": "on", "rights_shown": "on", "action": "save"},
        )
        assert (
            ReviewLink.objects.get(step__reviewer_email=PAT).step.rights_confirmations.count() == 1
        )

    def test_the_approve_button_comes_after_the_code_and_the_message_is_kept(
        self, client, story, start_chain, django_capture_on_commit_callbacks
    ):
        cs, _refused, _kept = story
        _request, tokens = start_chain(cs)
        token = tokens[PAT]
        assert 'value="approve"' not in client.get(page(token)).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                page(token, "save/"), {"message": "All good from me.", "action": "code_send"}
            )
        assert "All good from me.</textarea>" in response.content.decode()
        code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        response = client.post(
            page(token, "save/"),
            {"code": code, "message": "All good from me.", "action": "code_verify"},
        )
        body = response.content.decode()
        assert "your email address is confirmed" in body
        assert 'value="approve"' in body and "All good from me.</textarea>" in body
        response = client.post(
            page(token, "save/"),
            {
                "message": "All good from me.",
                "facts_checked": "on",
                "attribution_checked": "on",
                "action": "approve",
            },
            follow=True,
        )
        assert "Your decision is recorded" in response.content.decode()

    @pytest.mark.parametrize(
        "data",
        [
            {"action": "explode"},
            {"action": "save", "flag_metric": "x1"},
            {"action": "save", "rights_expire_on": "not-a-date"},
            {"action": "save", "rights_expire_on": "2001-01-01"},
            {"action": "save", "naming": "perhaps"},
            {"action": "request_changes"},
            {"action": "approve"},
            {"action": "code_verify"},
            {"action": "save", "q_999999_verdict": "approved"},
        ],
    )
    def test_bad_input_to_the_one_form_gets_a_message_never_a_500(
        self, client, story, start_chain, data
    ):
        cs, _refused, _kept = story
        _request, tokens = start_chain(cs)
        response = client.post(page(tokens[PAT], "save/"), data)
        assert response.status_code == 200
        assert "message error" in response.content.decode() or "Saved" in response.content.decode()

    def test_a_language_switch_after_a_post_goes_back_to_the_page(self, client, story, start_chain):
        cs, _refused, _kept = story
        _request, tokens = start_chain(cs)
        try:
            response = client.get(page(tokens[PAT], "save/") + "?language=id", follow=True)
            assert response.status_code == 200
            assert response.redirect_chain[-1][0] == page(tokens[PAT])
            assert "Ada yang rahasia?" in response.content.decode()
        finally:
            translation.activate("en")  # the request left Indonesian active in this thread
