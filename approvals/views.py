"""The customer's side: ``/review/<token>/``.

A token is looked up by its SHA-256 only. Unknown, expired and revoked links
all get the same neutral page (404, same words); too many unknown tokens from
one address get that page with 429 before any lookup. Every response says
``Referrer-Policy: no-referrer``, ``Cache-Control: no-store`` and
``X-Robots-Tag: noindex``, the page loads nothing from third parties, and the
neutral page is never logged with its path (the token would be in it).

Thin views: GET only reads; every POST validates a form, calls one service
and redirects back (works without JavaScript).

The POSTs are exempt from Django's CSRF check, on purpose: with
``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` on form posts,
which the check refuses, and the check adds nothing here: a request is
authorised only by the 256-bit token in its address, which a forging site
cannot know (it is the CSRF secret). No cookie or session grants anything.
"""

import logging
import re
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from approvals import services
from approvals.forms import (
    CodeForm,
    CommentForm,
    DecisionForm,
    FlagForm,
    QuoteVerdictForm,
    ReviewForm,
    RightsForm,
)
from approvals.models import ApprovalRequest, ApprovalStep, Decision, ReviewLink
from approvals.services import ApprovalError, conf
from casestudies.diffing import diff_sections
from casestudies.models import SECTIONS, UsageChannel
from core.decorators import secret_headers, secret_page
from core.tokens import hash_token

logger = logging.getLogger(__name__)

# secrets.token_urlsafe(32) is 43 characters; anything else is not a token.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")
R = ApprovalRequest.Status


def _client_ip(request) -> str:
    """The reviewer's address (core.http.client_ip: ``TRUSTED_PROXIES``
    decides whether X-Forwarded-For is read), or "unknown"."""
    from core.http import client_ip

    return client_ip(request) or "unknown"


def _guess_key(request) -> str:
    return f"approvals:bad-token:{_client_ip(request)}"


def _blocked(request) -> bool:
    return (cache.get(_guess_key(request)) or 0) >= conf("REVIEW_BAD_TOKEN_LIMIT")


def _count_bad_guess(request) -> None:
    key = _guess_key(request)
    if cache.add(key, 1, timeout=conf("REVIEW_BAD_TOKEN_WINDOW_SECONDS")):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=conf("REVIEW_BAD_TOKEN_WINDOW_SECONDS"))


def _private(response):
    """Headers every response under /review/ carries."""
    return secret_headers(response)


def _neutral(request, status: int = 404):
    response = render(request, "approvals/review/neutral.html", status=status)
    # Django's request logger would print "Not Found: /review/<token>/".
    response._has_been_logged = True
    logger.info("review link refused (%s) from %s", status, _client_ip(request))
    return _private(response)


def review_view(view):
    """Resolve ``token`` to a live link (or answer the neutral page) and add
    the private headers; the view gets the link."""

    @wraps(view)
    def wrapped(request, token: str, *args, **kwargs):
        if _blocked(request):
            return _neutral(request, status=429)
        link = None
        if TOKEN_RE.fullmatch(token or ""):
            link = (
                ReviewLink.objects.select_related(
                    "step__request__case_study__customer__industry",
                    "step__request__case_study__customer__region",
                    "step__request__version",
                    "step__contact",
                )
                .filter(token_hash=hash_token(token))
                .first()
            )
        if link is None:
            _count_bad_guess(request)
            return _neutral(request)
        if not link.is_live:
            return _neutral(request)
        return _private(view(request, link, token, *args, **kwargs))

    return wrapped


def _page_url(token: str, anchor: str = "") -> str:
    return reverse("review:page", kwargs={"token": token}) + (f"#{anchor}" if anchor else "")


def link_state(link: ReviewLink) -> str:
    """open, decided, stale (a newer version replaces this one) or closed."""
    step = link.step
    request = step.request
    if step.is_decided:
        return "decided"
    if request.status == R.SUPERSEDED or (
        request.status == R.OPEN and not services.request_is_current(request)
    ):
        return "stale"
    if request.status != R.OPEN or step.status != ApprovalStep.Status.PENDING:
        return "closed"
    return "open"


def _earlier_decision(step: ApprovalStep) -> Decision | None:
    """This person's latest decision on an earlier version of the story."""
    if step.contact_id is None:
        return None
    return (
        Decision.objects.filter(
            step__contact_id=step.contact_id,
            request__case_study_id=step.request.case_study_id,
            version__number__lt=step.request.version.number,
        )
        .select_related("version")
        .order_by("-decided_at", "-pk")
        .first()
    )


def _story_context(link: ReviewLink) -> dict:
    step = link.step
    request = step.request
    case_study = request.case_study
    version = request.version
    anonymise = case_study.anonymise_text
    my_comments = list(step.comments.order_by("created_at", "pk"))
    by_section: dict[str, list] = {}
    for comment in my_comments:
        by_section.setdefault(comment.section, []).append(comment)
    verdicts = {r.quote_id: r for r in step.quote_reviews.all()}
    quotes = services.review_quotes(case_study)
    metrics = list(case_study.metrics.order_by("position", "id"))
    for metric in metrics:  # "percentage only" reads the story: no query per figure
        metric.case_study = case_study
    return {
        "case_study": case_study,
        "version": version,
        "title": anonymise(version.title),
        "sections": [
            (name, label, anonymise(getattr(version, name)), by_section.get(name, []))
            for name, label in SECTIONS
        ],
        "story_comments": by_section.get("", []),
        "metrics": metrics,
        "quotes": [(q, verdicts.get(q.pk)) for q in quotes],
        "flags": list(step.flags.select_related("metric").order_by("created_at", "pk")),
    }


@secret_page
@require_safe
@review_view
def review_page(request, link: ReviewLink, token: str):
    step = link.step
    review = step.request
    state = link_state(link)
    ReviewLink.objects.filter(pk=link.pk).update(last_seen_at=timezone.now())
    context = {
        "link": link,
        "step": step,
        "review": review,
        "state": state,
        "token_url": _page_url(token),
        "token": token,
    }
    if state == "decided":
        context["decision"] = Decision.objects.get(step=step)
        context.update(_story_context(link))
        return render(request, "approvals/review/decided.html", context)
    if state in ("stale", "closed"):
        return render(request, "approvals/review/closed.html", context)

    context.update(_open_context(link))
    return render(request, "approvals/review/page.html", context)


def _open_context(link: ReviewLink, posted=None, errors=()) -> dict:
    """What the open review page shows; ``posted`` refills what was typed and
    not saved yet, ``errors`` are shown at the top and beside the buttons."""
    step = link.step
    review = step.request
    context = _story_context(link)
    earlier = _earlier_decision(step)
    if earlier is not None:
        diffs = diff_sections(earlier.version.sections(), review.version.sections())
        context["earlier"] = earlier
        context["changes"] = [d for d in diffs if d.changed]
    needs_code = review.verify_email_for_approve and link.verified_at is None
    # Rights start unticked: only what this reviewer confirmed is shown ticked.
    confirmed = step.rights_confirmations.order_by("-created_at", "-pk").first()
    rights = dict(confirmed.rights) if confirmed is not None else {}
    context.update(
        {
            "needs_code": needs_code,
            "comments_need_code": review.verify_email_for_comments and link.verified_at is None,
            "code_sent": link.code_requested_at is not None,
            "code_form": CodeForm(),
            "section_choices": [("", _("The whole story")), *SECTIONS],
            "rights_confirmed": confirmed is not None,
            "rights": rights,
            "channels": [(c.value, c.label, bool(rights.get(c.value))) for c in UsageChannel],
            "naming_asked": services.naming_asked(step, [q for q, _v in context["quotes"]]),
            "posted": posted or {},
            "form_errors": list(errors),
            "earlier_flags": _earlier_flags(step),
        }
    )
    posted = posted or {}
    # Each section and quote with what was typed into it and not saved yet.
    context["section_rows"] = [
        {
            "name": name,
            "label": label,
            "text": text,
            "comments": comments,
            "body": posted.get(f"c_{name}_body", ""),
            "suggested": posted.get(f"c_{name}_text", ""),
        }
        for name, label, text, comments in context["sections"]
    ]
    context["quote_rows"] = [
        {
            "quote": quote,
            "saved": verdict,
            "verdict": posted.get(f"q_{quote.pk}_verdict", verdict.verdict if verdict else ""),
            "comment": posted.get(f"q_{quote.pk}_comment", verdict.comment if verdict else ""),
        }
        for quote, verdict in context["quotes"]
    ]
    if posted:  # what was ticked in the failed post, not what was saved
        names = [c.value for c in UsageChannel]
        if any(k.startswith("channel_") or k in RIGHTS_KEYS for k in posted):
            context["rights"] = {
                **{n: bool(posted.get(f"channel_{n}")) for n in names},
                **{k: bool(posted.get(k)) for k in RIGHTS_KEYS},
                "rights_expire_on": posted.get("rights_expire_on") or None,
            }
            context["channels"] = [
                (c.value, c.label, context["rights"][c.value]) for c in UsageChannel
            ]
    return context


RIGHTS_KEYS = ("logo_allowed", "anonymised", "percentage_only")


def _earlier_flags(step: ApprovalStep) -> list:
    """This person's flags on earlier versions, with what staff did about them."""
    if step.contact_id is None:
        return []
    from approvals.models import ConfidentialFlag

    return list(
        ConfidentialFlag.objects.filter(
            step__contact_id=step.contact_id,
            step__request__case_study_id=step.request.case_study_id,
        )
        .exclude(step_id=step.pk)
        .exclude(status=ConfidentialFlag.Status.OPEN)
        .select_related("metric")
        .order_by("created_at", "pk")
    )


def _act(request, token: str, anchor: str, action, success: str):
    try:
        action()
    except ApprovalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return HttpResponseRedirect(_page_url(token, anchor))


def _form_errors(request, form, token: str, anchor: str):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return HttpResponseRedirect(_page_url(token, anchor))


@secret_page
@csrf_exempt
@require_POST
@review_view
def review_code_send(request, link: ReviewLink, token: str):
    return _act(
        request,
        token,
        "decision",
        lambda: services.code_send(link=link),
        _("We sent a code to %(email)s.") % {"email": link.step.reviewer_email},
    )


@secret_page
@csrf_exempt
@require_POST
@review_view
def review_code_verify(request, link: ReviewLink, token: str):
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, token, "decision")
    return _act(
        request,
        token,
        "decision",
        lambda: services.code_verify(link=link, code=form.cleaned_data["code"]),
        _("Thank you: your email address is confirmed."),
    )


@secret_page
@csrf_exempt
@require_POST
@review_view
def review_comment(request, link: ReviewLink, token: str):
    form = CommentForm(request.POST)
    anchor = request.POST.get("section") or "story"
    anchor = anchor if anchor in dict(SECTIONS) else "story"
    if not form.is_valid():
        return _form_errors(request, form, token, anchor)
    return _act(
        request,
        token,
        anchor,
        lambda: services.review_comment_add(link=link, **form.cleaned_data),
        _("Your comment is saved. Thank you."),
    )


@secret_page
@csrf_exempt
@require_POST
@review_view
def review_quote(request, link: ReviewLink, token: str):
    form = QuoteVerdictForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, token, "quotes")
    data = form.cleaned_data
    return _act(
        request,
        token,
        f"quote-{data['quote']}",
        lambda: services.quote_verdict_set(
            link=link, quote_id=data["quote"], verdict=data["verdict"], comment=data["comment"]
        ),
        _("Your verdict on the quote is saved."),
    )


@secret_page
@csrf_exempt
@require_POST
@review_view
def review_flag(request, link: ReviewLink, token: str):
    form = FlagForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, token, "confidential")
    data = form.cleaned_data
    return _act(
        request,
        token,
        "confidential",
        lambda: services.confidential_flag_add(
            link=link,
            section=data["section"],
            phrase=data["phrase"],
            metric_id=data["metric"],
            show_as_percentage=data["show_as_percentage"],
            note=data["note"],
        ),
        _("Noted: we will keep that confidential or change it as you asked."),
    )


@secret_page
@csrf_exempt
@require_POST
@review_view
def review_rights(request, link: ReviewLink, token: str):
    form = RightsForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, token, "rights")
    data = form.cleaned_data
    return _act(
        request,
        token,
        "rights",
        lambda: services.usage_rights_confirm(
            link=link,
            channels=form.channels(),
            logo_allowed=data["logo_allowed"],
            anonymised=data["anonymised"],
            percentage_only=data["percentage_only"],
            rights_expire_on=data["rights_expire_on"],
        ),
        _("Thank you: the usage rights are recorded."),
    )


@secret_page
@csrf_exempt
@require_POST
@review_view
def review_decide(request, link: ReviewLink, token: str):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, token, "decision")
    data = form.cleaned_data
    return _act(
        request,
        token,
        "decision",
        lambda: services.review_decision_record(
            link=link,
            outcome=data["outcome"],
            message=data["message"],
            ip=_client_ip(request) if _client_ip(request) != "unknown" else None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            checklist=form.checklist(),
        ),
        _("Thank you: your decision is recorded."),
    )


def _verdicts_by_quote(step: ApprovalStep) -> dict:
    return {r.quote_id: (r.verdict, r.comment) for r in step.quote_reviews.all()}


@secret_page
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@review_view
def review_submit(request, link: ReviewLink, token: str):
    """The one form of the review page. Everything typed is saved first
    (comments, quote verdicts, "name me", a flag, the usage rights), then the
    button's action runs. On any refusal the page comes back with what was
    typed and not saved still in its fields."""
    step = link.step
    # The page after a post lives at this address: a reload or a language
    # switch (a GET here) goes back to the page itself.
    if request.method != "POST" or link_state(link) != "open":
        return HttpResponseRedirect(_page_url(token))
    quotes = services.review_quotes(step.request.case_study)
    form = ReviewForm(request.POST, quote_ids=[q.pk for q in quotes])
    posted = {key: request.POST.get(key, "") for key in request.POST}
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        return _render_open(request, link, token, posted, errors)

    errors: list[str] = []
    saved: list[str] = []

    def attempt(action, keys=()) -> bool:
        try:
            action()
        except ApprovalError as exc:
            errors.append(str(exc))
            return False
        for key in keys:  # saved: its field starts empty again
            posted.pop(key, None)
        return True

    for section, body, text in form.comments():
        keys = ["story_body"] if not section else [f"c_{section}_body", f"c_{section}_text"]
        if attempt(
            lambda section=section, body=body, text=text: services.review_comment_add(
                link=link, section=section, body=body, suggested_text=text
            ),
            keys,
        ):
            saved.append(_("comment"))
    current = _verdicts_by_quote(step)
    for pk, verdict, comment in form.verdicts():
        if current.get(pk) == (verdict, comment):
            continue
        if attempt(
            lambda pk=pk, verdict=verdict, comment=comment: services.quote_verdict_set(
                link=link, quote_id=pk, verdict=verdict, comment=comment
            )
        ):
            saved.append(_("quote verdict"))
    naming = form.cleaned_data.get("naming")
    if naming and naming != step.naming_answer:
        attempt(lambda: services.naming_answer_set(link=link, answer=naming))
    flag = form.flag()
    if flag is not None and attempt(
        lambda: services.confidential_flag_add(link=link, **flag),
        ["flag_phrase", "flag_metric", "flag_section", "flag_percentage", "flag_note"],
    ):
        saved.append(_("confidential flag"))
    if form.rights_given():
        data = form.cleaned_data
        wanted = {
            **form.channels(),
            "logo_allowed": bool(data["logo_allowed"]),
            "anonymised": bool(data["anonymised"]),
            "percentage_only": bool(data["percentage_only"]),
            "rights_expire_on": (
                data["rights_expire_on"].isoformat() if data["rights_expire_on"] else None
            ),
        }
        last = step.rights_confirmations.order_by("-created_at", "-pk").first()
        if last is None or {k: last.rights.get(k) for k in wanted} != wanted:
            attempt(
                lambda: services.usage_rights_confirm(
                    link=link,
                    channels=form.channels(),
                    logo_allowed=data["logo_allowed"],
                    anonymised=data["anonymised"],
                    percentage_only=data["percentage_only"],
                    rights_expire_on=data["rights_expire_on"],
                )
            )
    if errors:
        return _render_open(request, link, token, posted, errors)

    action = form.cleaned_data["action"]
    if action == "code_send":
        if attempt(lambda: services.code_send(link=link)):
            messages.success(
                request, _("We sent a code to %(email)s.") % {"email": step.reviewer_email}
            )
    elif action == "code_verify":
        posted.pop("code", None)
        if attempt(lambda: services.code_verify(link=link, code=form.cleaned_data["code"])):
            messages.success(request, _("Thank you: your email address is confirmed."))
    elif action in ("approve", "request_changes"):
        ip = _client_ip(request)
        if attempt(
            lambda: services.review_decision_record(
                link=link,
                outcome=(
                    Decision.Outcome.APPROVED
                    if action == "approve"
                    else Decision.Outcome.CHANGES_REQUESTED
                ),
                message=form.cleaned_data["message"],
                ip=ip if ip != "unknown" else None,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                checklist=form.checklist(),
            )
        ):
            messages.success(request, _("Thank you: your decision is recorded."))
            return HttpResponseRedirect(_page_url(token, "decision"))
    elif saved or action == "save":
        messages.success(request, _("Saved. You can go on, or send your decision below."))
    if errors:
        return _render_open(request, link, token, posted, errors)
    link.refresh_from_db()
    return _render_open(request, link, token, posted, [])


def _render_open(request, link: ReviewLink, token: str, posted: dict, errors: list):
    """The open page again, after a post: typed text kept, errors shown."""
    link = ReviewLink.objects.select_related(
        "step__request__case_study__customer__industry",
        "step__request__case_study__customer__region",
        "step__request__version",
        "step__contact",
    ).get(pk=link.pk)
    if link_state(link) != "open":
        return HttpResponseRedirect(_page_url(token))
    context = {
        "link": link,
        "step": link.step,
        "review": link.step.request,
        "state": "open",
        "token_url": _page_url(token),
        "token": token,
        **_open_context(link, posted, errors),
    }
    return render(request, "approvals/review/page.html", context, status=200)
