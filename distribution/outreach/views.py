"""Rep-facing outreach pages under ``/sales/``: reference requests (and the
account owner's consent), tracked share links, social drafts, the event log,
and the public pages a customer or prospect reaches from an email
(preferences, unsubscribe, share links). Thin views: every write goes
through a service in references / sharing / social / eventlog / campaigns."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from analytics import services as analytics_services
from analytics.models import DealStory
from casestudies.customers import asks
from casestudies.models import CaseStudy, Customer
from core.access import sales_required
from core.decorators import secret_headers, secret_page
from core.errors import TransitionError
from core.http import client_ip
from core.ids import is_id
from core.roles import PROGRAM_MANAGERS, in_group
from distribution.models import ReferenceRequest, ShareLink, StoryUse
from distribution.outreach import campaigns, eventlog, references, sharing, social
from distribution.outreach.forms import (
    DecisionForm,
    PreferenceForm,
    ReferenceRequestForm,
    ScheduleForm,
    ShareLinkForm,
    SocialPostForm,
    StoryUseForm,
)

SOURCE = "sales outreach"


def _page(request, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {**admin.site.each_context(request), "title": title, **context},
    )


def _story_from_query(request) -> CaseStudy | None:
    value = request.GET.get("case_study", "")
    if not value:
        return None
    if not is_id(value):
        raise Http404
    story = (
        CaseStudy.objects.select_related("customer__industry", "published_version")
        .filter(pk=value)
        .first()
    )
    if story is None:
        raise Http404
    return story


def _published_stories():
    return CaseStudy.objects.published().select_related("customer").order_by("title")


def _get(model, pk: str, **related):
    if not is_id(pk):
        raise Http404
    obj = model.objects.filter(pk=pk).select_related(*related.get("select", ())).first()
    if obj is None:
        raise Http404
    return obj


# --------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------


@require_safe
@sales_required
def reference_list(request):
    user = request.user
    requests = ReferenceRequest.objects.select_related(
        "contact", "customer__account_owner", "case_study", "requested_by"
    ).order_by("-created_at")
    manager = in_group(user, PROGRAM_MANAGERS)
    if not manager:
        requests = requests.filter(Q(requested_by=user) | Q(customer__account_owner=user))
    requests = list(requests[:200])
    awaiting = [
        r
        for r in requests
        if r.state == ReferenceRequest.State.REQUESTED
        and (manager or r.customer.account_owner_id == user.pk)
    ]
    return _page(
        request,
        "outreach/reference_list.html",
        _("Reference calls"),
        requests=requests,
        awaiting=awaiting,
        stories=_published_stories(),
    )


@sales_required
def reference_new(request):
    story = _story_from_query(request)
    if story is None:
        return HttpResponseRedirect(reverse("outreach:references"))
    contacts = references.reference_contacts(story)
    availability = [
        (c, references.unavailable_reason(c), references.contact_cap(c)) for c in contacts
    ]
    form = ReferenceRequestForm(request.POST or None, contacts=contacts)
    if request.method == "POST" and form.is_valid():
        try:
            created = references.reference_request_create(
                case_study=story,
                contact=form.cleaned_data["contact"],
                prospect_company=form.cleaned_data["prospect_company"],
                purpose=form.cleaned_data["purpose"],
                actor=request.user,
                source=SOURCE,
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Request sent: the account owner is asked to consent first.")
            )
            return HttpResponseRedirect(reverse("outreach:reference_detail", args=[created.pk]))
    return _page(
        request,
        "outreach/reference_new.html",
        _("Request a reference call"),
        story=story,
        form=form,
        availability=availability,
        asks=asks.ask_summary(story.customer),
        customer=story.customer,
    )


def _reference(request, pk: str) -> ReferenceRequest:
    ref = _get(
        ReferenceRequest,
        pk,
        select=("contact", "customer__account_owner", "case_study", "requested_by", "decided_by"),
    )
    user = request.user
    if not (references.can_follow_up(user, ref) or in_group(user, PROGRAM_MANAGERS)):
        raise PermissionDenied
    return ref


@require_safe
@sales_required
def reference_detail(request, pk: str):
    ref = _reference(request, pk)
    State = ReferenceRequest.State
    return _page(
        request,
        "outreach/reference_detail.html",
        _("Reference call request"),
        ref=ref,
        can_decide=ref.state == State.REQUESTED and references.can_decide(request.user, ref),
        can_schedule=ref.state in (State.OWNER_APPROVED, State.SCHEDULED)
        and references.can_follow_up(request.user, ref),
        can_done=ref.state == State.SCHEDULED and references.can_follow_up(request.user, ref),
        can_cancel=ref.state in (State.REQUESTED, State.OWNER_APPROVED, State.SCHEDULED)
        and references.can_follow_up(request.user, ref),
        decision_form=DecisionForm(),
        schedule_form=ScheduleForm(initial={"scheduled_for": ref.scheduled_for}),
        reason=references.unavailable_reason(ref.contact) if ref.state == State.REQUESTED else "",
        cap=references.contact_cap(ref.contact),
        used=references.calls_this_quarter(ref.contact),
        asks=asks.ask_summary(ref.customer),
    )


@require_POST
@sales_required
def reference_action(request, pk: str, action: str):
    ref = _reference(request, pk)
    back = HttpResponseRedirect(reverse("outreach:reference_detail", args=[ref.pk]))
    try:
        if action in ("approve", "decline"):
            form = DecisionForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            references.reference_request_decide(
                request=ref,
                approve=action == "approve",
                note=note,
                actor=request.user,
                source=SOURCE,
            )
        elif action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Enter the call's date and time."))
                return back
            references.reference_request_schedule(
                request=ref,
                when=form.cleaned_data["scheduled_for"],
                actor=request.user,
                source=SOURCE,
            )
        elif action in ("done", "cancel"):
            references.reference_request_close(
                request=ref,
                done=action == "done",
                actor=request.user,
                note=request.POST.get("note", "")[:1000],
                source=SOURCE,
            )
        else:
            raise Http404
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return back


@require_safe
@sales_required
def customer_asks(request, pk: str):
    customer = _get(Customer, pk)
    from casestudies.models import CustomerAsk

    asks = CustomerAsk.objects.filter(customer=customer).select_related("contact")[:200]
    return _page(
        request,
        "outreach/customer_asks.html",
        _("Asks of %(customer)s") % {"customer": customer.name},
        customer=customer,
        asks=asks,
        summary=asks.ask_summary(customer),
    )


# --------------------------------------------------------------------------
# Share links
# --------------------------------------------------------------------------


@sales_required
def share_list(request):
    story = _story_from_query(request)
    form = ShareLinkForm(request.POST or None) if story else None
    if story and request.method == "POST" and form.is_valid():
        try:
            link = sharing.share_link_create(
                rep=request.user, case_study=story, source=SOURCE, **form.cleaned_data
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Link created: copy it into your email."))
            return HttpResponseRedirect(reverse("outreach:share_detail", args=[link.pk]))
    elif request.method == "POST" and story is None:
        # A link is made for a story: a POST without one has nothing to do.
        return HttpResponse(status=405)
    manager = in_group(request.user, PROGRAM_MANAGERS)
    links = ShareLink.objects.select_related("case_study", "rep").order_by("-created_at")
    if not manager:  # a rep sees their own links; program managers everyone's
        links = links.filter(rep=request.user)
    links = links[:200]
    return _page(
        request,
        "outreach/share_list.html",
        _("Shared stories"),
        links=[(link, sharing.share_url(link)) for link in links],
        all_reps=manager,
        story=story,
        shareable=story is not None and sharing.shareable(story),
        form=form,
        stories=_published_stories(),
    )


def _own_link(request, pk: str) -> ShareLink:
    link = _get(ShareLink, pk, select=("case_study", "rep"))
    if link.rep_id != request.user.pk and not in_group(request.user, PROGRAM_MANAGERS):
        raise Http404  # another rep's link is not theirs to see
    return link


@require_safe
@sales_required
def share_detail(request, pk: str):
    link = _own_link(request, pk)
    return _page(
        request,
        "outreach/share_detail.html",
        _("Share link"),
        link=link,
        url=sharing.share_url(link),
        visits=link.visits.all()[:500],
        deals=list(analytics_services.open_deals()[:200]),
    )


@require_POST
@sales_required
def share_link_deal(request, pk: str):
    """The shared story was used in an open deal: count it there."""
    link = _own_link(request, pk)
    try:
        deal, added = analytics_services.deal_link_stories(
            deal_id=request.POST.get("deal", ""),
            case_studies=[link.case_study],
            source=DealStory.Source.SHARE_LINK,
            actor=request.user,
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        if added:
            messages.success(
                request, _("The story is now linked to the deal “%(deal)s”.") % {"deal": deal.name}
            )
        else:
            messages.info(request, _("The story was already linked to that deal."))
    return HttpResponseRedirect(reverse("outreach:share_detail", args=[link.pk]))


@require_POST
@sales_required
def share_revoke(request, pk: str):
    link = _own_link(request, pk)
    sharing.share_link_revoke(link=link, actor=request.user, source=SOURCE)
    messages.success(request, _("The link no longer works."))
    return HttpResponseRedirect(reverse("outreach:share_detail", args=[link.pk]))


# --------------------------------------------------------------------------
# Social drafts
# --------------------------------------------------------------------------


@sales_required
def social_drafts(request):
    story = _story_from_query(request)
    if story is None:
        return _page(
            request,
            "outreach/story_picker.html",
            _("Social post drafts"),
            stories=_published_stories(),
            target="outreach:social",
        )
    form = SocialPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            social.social_post_record(
                case_study=story, actor=request.user, source=SOURCE, **form.cleaned_data
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Post recorded."))
            return HttpResponseRedirect(f"{reverse('outreach:social')}?case_study={story.pk}")
    refusal = social.refusal(story)
    drafts = []
    if not refusal:
        drafts = [social.social_drafts(story, language=code) for code in ("en", "id")]
    return _page(
        request,
        "outreach/social.html",
        _("Social post drafts"),
        story=story,
        refusal=refusal,
        drafts=drafts,
        form=form,
        limits={"linkedin": social.LINKEDIN_LIMIT, "x": social.X_LIMIT},
        posts=story.social_posts.all(),
    )


# --------------------------------------------------------------------------
# Event log
# --------------------------------------------------------------------------


@sales_required
def story_uses(request):
    story = _story_from_query(request)
    if story is None:
        uses = StoryUse.objects.select_related("case_study", "recorded_by")[:200]
        return _page(
            request,
            "outreach/story_uses.html",
            _("Stories at events and meetings"),
            uses=uses,
            stories=_published_stories(),
        )
    form = StoryUseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            eventlog.story_use_record(
                case_study=story, actor=request.user, source=SOURCE, **form.cleaned_data
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Use recorded."))
            return HttpResponseRedirect(f"{reverse('outreach:uses')}?case_study={story.pk}")
    return _page(
        request,
        "outreach/story_uses.html",
        _("Uses of “%(title)s”") % {"title": story.title},
        story=story,
        form=form,
        events_allowed=story.allows("events"),
        uses=story.uses.select_related("recorded_by"),
    )


# --------------------------------------------------------------------------
# Public pages: preference link, unsubscribe, share link
# --------------------------------------------------------------------------


def _private(response):
    """Token pages: never cached, never leak the token in a Referer."""
    return secret_headers(response)


def _not_found(request):
    return _private(render(request, "outreach/link_not_found.html", status=404))


@secret_page
# The 256-bit token in the URL is the authorisation: a forged cross-site POST
# needs it too. And with "Referrer-Policy: no-referrer" browsers send
# "Origin: null" on the form's own POST, which Django's CSRF check refuses.
@csrf_exempt
def preferences(request, token: str):
    preference = references.preference_for_token(token)
    if preference is None:
        return _not_found(request)
    if request.method not in ("GET", "HEAD", "POST"):
        return _private(HttpResponse(status=405))
    form = PreferenceForm(request.POST or None, instance=preference)
    saved = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        references.preference_set(
            preference=preference,
            available=data["available"],
            max_calls_per_quarter=data["max_calls_per_quarter"],
            preferred_days=data["preferred_days"],
            notes=data["notes"],
            paused_until=data["paused_until"],
        )
        saved = True
    return _private(
        render(
            request,
            "outreach/preferences.html",
            {"form": form, "contact": preference.contact, "saved": saved},
        )
    )


@secret_page
@csrf_exempt  # RFC 8058 one-click POSTs come from mail providers, without a CSRF token
def unsubscribe(request, token: str):
    recipient = campaigns.recipient_for_token(token)
    if recipient is None:
        return _not_found(request)
    if request.method == "POST":
        campaigns.recipient_unsubscribe(recipient=recipient, source="unsubscribe link")
        return _private(
            render(request, "outreach/unsubscribe.html", {"recipient": recipient, "done": True})
        )
    if request.method not in ("GET", "HEAD"):
        return _private(HttpResponse(status=405))
    return _private(
        render(
            request,
            "outreach/unsubscribe.html",
            {"recipient": recipient, "done": recipient.unsubscribed},
        )
    )


@secret_page
@require_safe
def share_redirect(request, code: str):
    link = sharing.link_for_code(code)
    if link is None:
        return _not_found(request)
    if request.method == "GET":  # HEAD: link checkers and scanners, not a visit
        sharing.share_visit_record(
            link=link,
            user_agent=request.headers.get("User-Agent", ""),
            ip=client_ip(request),
        )
    return _private(HttpResponseRedirect(sharing.destination(link)))
