"""The staff side of approvals, as admin pages: the list of approval
requests, a "Start approval" page for a story in review, and each request's
page with every step, link, comment, suggestion, quote verdict, flag, usage
rights confirmation and decision, plus the buttons to send or re-send a link,
revoke it, extend it, and (for our own legal/marketing) decide.

GET only shows; every POST calls one function of ``approvals.services``.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from approvals import progress, services
from approvals.models import (
    CUSTOMER_STEP_KINDS,
    ApprovalRequest,
    ApprovalStep,
    ConfidentialFlag,
    OutsideApproval,
    PermissionEvidence,
    QuoteReview,
    ReminderLog,
    ReviewLink,
    StepKind,
)
from approvals.services import ApprovalError
from casestudies.models import CaseStudy, CaseStudyState, Contact
from core.admin import NoDeleteAdminMixin, ReadOnlyAdminMixin
from core.http import client_ip
from core.ids import is_id

CHANGE = "approvals.change_approvalrequest"
ADD = "approvals.add_approvalrequest"

# A contact's role → the step they usually take, and its default stage
# (participant and department leader first, legal and PR next, the sponsor last).
ROLE_DEFAULTS = {
    Contact.Role.END_USER: (StepKind.PARTICIPANT, 1),
    Contact.Role.TECHNICAL_LEADER: (StepKind.PARTICIPANT, 1),
    Contact.Role.OTHER: (StepKind.PARTICIPANT, 1),
    Contact.Role.DEPARTMENT_LEADER: (StepKind.DEPARTMENT_LEADER, 1),
    Contact.Role.LEGAL: (StepKind.CUSTOMER_LEGAL, 2),
    Contact.Role.PR: (StepKind.CUSTOMER_PR, 2),
    Contact.Role.EXECUTIVE_SPONSOR: (StepKind.EXECUTIVE_SPONSOR, 3),
}
STAGE_OF_KIND = {kind.value: stage for kind, stage in ROLE_DEFAULTS.values()}
CUSTOMER_KIND_CHOICES = [(k.value, k.label) for k in StepKind if k in CUSTOMER_STEP_KINDS]
INTERNAL_KIND_CHOICES = [(k.value, k.label) for k in StepKind if k not in CUSTOMER_STEP_KINDS]
INTERNAL_ROWS = 2


def _previous_request(case_study: CaseStudy, raw_id: str) -> ApprovalRequest | None:
    """The request a new one replaces: ``raw_id`` if it is one of the
    story's, else the story's latest request (None for a first request)."""
    requests = case_study.approval_requests.order_by("-created_at", "-pk")
    if is_id(raw_id):
        found = requests.filter(pk=int(raw_id)).first()
        if found is not None:
            return found
    return requests.first()


class StartForm(forms.Form):
    version = forms.ModelChoiceField(label=gettext_lazy("Version"), queryset=None, empty_label=None)
    message = forms.CharField(
        label=gettext_lazy("Message to reviewers"), required=False, widget=forms.Textarea
    )
    verify_email_for_approve = forms.BooleanField(
        label=gettext_lazy("Code by email before approving"), required=False, initial=True
    )
    verify_email_for_comments = forms.BooleanField(
        label=gettext_lazy("Code by email before commenting"), required=False
    )
    link_lifetime_days = forms.IntegerField(
        label=gettext_lazy("Links valid for (days)"), min_value=1, max_value=365
    )

    def __init__(self, *args, case_study: CaseStudy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = case_study.versions.order_by("-number")
        self.fields["version"].label_from_instance = lambda v: (
            _("Version %(n)s (%(lang)s)")
            % {
                "n": v.number,
                "lang": v.get_language_display(),
            }
        )


class StepRowForm(forms.Form):
    include = forms.BooleanField(label=gettext_lazy("Ask"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Role"), choices=CUSTOMER_KIND_CHOICES)
    stage = forms.IntegerField(label=gettext_lazy("Stage"), min_value=1, max_value=9, initial=1)
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False, initial=True)
    due_on = forms.DateField(
        label=gettext_lazy("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class InternalRowForm(StepRowForm):
    user = forms.ModelChoiceField(label=gettext_lazy("Colleague"), queryset=None, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Role"), choices=INTERNAL_KIND_CHOICES)
    include = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        )


class StepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 0
    can_delete = False
    fields = ("stage", "kind", "reviewer_name", "required", "due_on", "status", "decided_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = (
        "case_study",
        "version_number",
        "status",
        "progress",
        "created_by_name",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("case_study", "version")
    search_fields = ("case_study__title", "case_study__customer__name")
    inlines = [StepInline]
    change_list_template = "admin/approvals/approvalrequest/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                required_steps=Count("steps", filter=Q(steps__required=True)),
                approved_steps=Count(
                    "steps", filter=Q(steps__required=True, steps__status="approved")
                ),
            )
        )

    @admin.display(description=gettext_lazy("version"))
    def version_number(self, obj):
        return obj.version.number

    @admin.display(description=gettext_lazy("required approvals"))
    def progress(self, obj):
        return f"{obj.approved_steps} / {obj.required_steps}"

    def has_add_permission(self, request):
        return False  # started from "Start approval", for one story in review

    # --- urls ---------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("start/", view(self.start_view), name="approvals_approvalrequest_start"),
            path(
                "<path:object_id>/step/<str:step_id>/send/",
                view(require_POST(self.send_link_view)),
                name="approvals_approvalrequest_send",
            ),
            path(
                "<path:object_id>/step/<str:step_id>/decide/",
                view(require_POST(self.decide_view)),
                name="approvals_approvalrequest_decide",
            ),
            path(
                "<path:object_id>/link/<str:link_id>/revoke/",
                view(require_POST(self.revoke_view)),
                name="approvals_approvalrequest_revoke",
            ),
            path(
                "<path:object_id>/link/<str:link_id>/extend/",
                view(require_POST(self.extend_view)),
                name="approvals_approvalrequest_extend",
            ),
            path(
                "<path:object_id>/flag/<str:flag_id>/<str:how>/",
                view(require_POST(self.flag_view)),
                name="approvals_approvalrequest_flag",
            ),
            path(
                "<path:object_id>/next-version/",
                view(require_POST(self.next_version_view)),
                name="approvals_approvalrequest_next_version",
            ),
            path(
                "<path:object_id>/cancel/",
                view(require_POST(self.cancel_view)),
                name="approvals_approvalrequest_cancel",
            ),
            *super().get_urls(),
        ]

    def _request_for(self, request, object_id) -> ApprovalRequest:
        if not is_id(unquote(object_id)):
            raise Http404
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    def _back(self, obj) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:approvals_approvalrequest_change", args=[obj.pk])
        )

    def _run(self, request, obj, action, success: str):
        try:
            action()
        except ApprovalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success)
        return self._back(obj)

    # --- the request's page -------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self._request_for(request, object_id)
        steps = list(
            obj.steps.select_related("contact", "user")
            .prefetch_related(
                Prefetch("links", queryset=ReviewLink.objects.order_by("-created_at")),
                "comments",
                Prefetch("quote_reviews", queryset=QuoteReview.objects.select_related("quote")),
                Prefetch("flags", queryset=ConfidentialFlag.objects.select_related("metric")),
                "rights_confirmations",
                Prefetch("reminders", queryset=ReminderLog.objects.order_by("created_at", "pk")),
            )
            .order_by("stage", "pk")
        )
        rows = []
        for step in steps:
            links = list(step.links.all())
            live = next((lk for lk in links if lk.revoked_at is None), None)
            rows.append(
                {
                    "step": step,
                    "link": live,
                    "links": links,
                    "reminders": list(step.reminders.all()),
                    "next_reminder": progress.next_reminder_on(step),
                }
            )
        can_change = request.user.has_perm(CHANGE)
        current = services.request_is_current(obj)
        latest = services.latest_version(obj.case_study, obj.version.language)
        flags = [(s, f) for s in steps for f in s.flags.all()]
        next_sections_change = bool(
            latest is not None
            and services.next_version_sections(obj.case_study, latest.sections())[1]
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": str(obj),
            "review": obj,
            "rows": rows,
            "is_open": obj.status == ApprovalRequest.Status.OPEN,
            "can_change": can_change,
            # The evidence holds reviewers' addresses and browsers: only for
            # those allowed to read decisions (not Sales).
            "can_see_evidence": request.user.has_perm("approvals.view_decision"),
            "decisions": (
                list(obj.decisions.select_related("version", "step"))
                if request.user.has_perm("approvals.view_decision")
                else []
            ),
            "comments": [c for s in steps for c in s.comments.all()],
            "quote_reviews": [(s, r) for s in steps for r in s.quote_reviews.all()],
            "flags": flags,
            "rights": [
                (s, r, progress.rights_in_words(r.rights))
                for s in steps
                for r in s.rights_confirmations.all()
            ],
            "current": current,
            "latest": latest,
            "next_action": progress.next_action(
                obj, steps=steps, current=current, latest=latest, flags=[f for _s, f in flags]
            ),
            "can_build_next_version": next_sections_change
            and obj.case_study.state in (CaseStudyState.IN_REVIEW, CaseStudyState.DRAFTING),
            "restart_url": (
                reverse("admin:approvals_approvalrequest_start")
                + f"?case_study={obj.case_study_id}&from={obj.pk}"
            ),
            "outside_url": reverse("approvals_staff:outside", args=[obj.case_study_id]),
        }
        return TemplateResponse(request, "admin/approvals/approvalrequest/overview.html", context)

    # --- starting -----------------------------------------------------------

    def start_view(self, request):
        if not request.user.has_perm(ADD):
            raise PermissionDenied
        raw_id = request.GET.get("case_study", "")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        if not raw_id:
            context.update(
                title=_("Start approval"),
                stories=CaseStudy.objects.filter(state=CaseStudyState.IN_REVIEW)
                .select_related("customer")
                .order_by("title"),
            )
            return TemplateResponse(request, "admin/approvals/approvalrequest/pick.html", context)
        if not is_id(raw_id):
            messages.error(request, _("Choose a case study from the list."))
            return HttpResponseRedirect(reverse("admin:approvals_approvalrequest_start"))
        case_study = get_object_or_404(CaseStudy.objects.select_related("customer"), pk=raw_id)
        contacts = list(
            case_study.customer.contacts.filter(left_company=False, archived=False).order_by("name")
        )
        data = request.POST if request.method == "POST" else None
        latest = services.latest_version(case_study)
        form = StartForm(
            data,
            case_study=case_study,
            initial={
                "version": latest,
                "verify_email_for_approve": True,
                "link_lifetime_days": services.conf("REVIEW_LINK_DAYS"),
            },
        )
        # The reviewers of the request this one replaces (``?from=``, or the
        # story's latest request) come first, with their roles and stages;
        # else the chain captured at recruitment; else the contacts' roles,
        # the executive sponsor left unticked (they approve last, when asked).
        previous = _previous_request(case_study, request.GET.get("from", ""))
        old_steps = list(previous.steps.order_by("stage", "pk")) if previous else []
        by_contact = {st.contact_id: st for st in old_steps if st.contact_id}
        planned = {
            member.contact_id: member
            for member in case_study.approval_chain.all()
            if member.contact_id is not None
        }
        today = timezone.localdate()
        contact_rows = []
        for contact in contacts:
            kind, stage = ROLE_DEFAULTS.get(contact.role, (StepKind.PARTICIPANT, 1))
            initial = {
                "include": contact.may_contact
                and (
                    contact.pk in planned
                    if planned
                    else contact.role != Contact.Role.EXECUTIVE_SPONSOR
                ),
                "kind": kind.value,
                "stage": stage,
                "required": True,
            }
            member = planned.get(contact.pk)
            if member is not None:
                initial.update(kind=member.role, stage=STAGE_OF_KIND.get(member.role, 1))
                if member.expected_review_days:
                    initial["due_on"] = today + timedelta(days=member.expected_review_days)
            if previous is not None:
                old_step = by_contact.get(contact.pk)
                initial["include"] = old_step is not None and contact.may_contact
                if old_step is not None:
                    initial.update(
                        kind=old_step.kind, stage=old_step.stage, required=old_step.required
                    )
            row = StepRowForm(data, prefix=f"c{contact.pk}", initial=initial)
            contact_rows.append((contact, row))
        old_internal = [st for st in old_steps if st.user_id]
        internal_rows = []
        for i in range(max(INTERNAL_ROWS, len(old_internal))):
            initial = {"kind": INTERNAL_KIND_CHOICES[i % 2][0], "stage": 1, "required": True}
            if i < len(old_internal):
                st = old_internal[i]
                initial.update(user=st.user_id, kind=st.kind, stage=st.stage, required=st.required)
            internal_rows.append(InternalRowForm(data, prefix=f"u{i}", initial=initial))
        if previous is not None and request.method != "POST":
            form.initial["message"] = previous.message
            form.initial["verify_email_for_approve"] = previous.verify_email_for_approve
            form.initial["verify_email_for_comments"] = previous.verify_email_for_comments
        if request.method == "POST":
            # Validate every row (no short cut) so each shows its errors.
            checked = [f.is_valid() for f in [form, *(r for _c, r in contact_rows), *internal_rows]]
            if all(checked):
                specs = [
                    services.StepSpec(
                        kind=row.cleaned_data["kind"],
                        stage=row.cleaned_data["stage"],
                        required=row.cleaned_data["required"],
                        contact=contact,
                        due_on=row.cleaned_data["due_on"],
                    )
                    for contact, row in contact_rows
                    if row.cleaned_data["include"]
                ] + [
                    services.StepSpec(
                        kind=row.cleaned_data["kind"],
                        stage=row.cleaned_data["stage"],
                        required=row.cleaned_data["required"],
                        user=row.cleaned_data["user"],
                        due_on=row.cleaned_data["due_on"],
                    )
                    for row in internal_rows
                    if row.cleaned_data.get("user")
                ]
                try:
                    started = services.approval_request_start(
                        case_study=case_study,
                        version=form.cleaned_data["version"],
                        steps=specs,
                        actor=request.user,
                        message=form.cleaned_data["message"],
                        verify_email_for_approve=form.cleaned_data["verify_email_for_approve"],
                        verify_email_for_comments=form.cleaned_data["verify_email_for_comments"],
                        link_lifetime_days=form.cleaned_data["link_lifetime_days"],
                        source="admin",
                    )
                except ApprovalError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(
                        request,
                        _("Approval started: the first reviewers get their links by email."),
                    )
                    return self._back(started)
        context.update(
            title=_("Start approval: %(title)s") % {"title": case_study.title},
            case_study=case_study,
            form=form,
            contact_rows=contact_rows,
            internal_rows=internal_rows,
            in_review=case_study.state == CaseStudyState.IN_REVIEW,
            previous=previous,
        )
        return TemplateResponse(request, "admin/approvals/approvalrequest/start.html", context)

    # --- actions ------------------------------------------------------------

    def _step(self, obj, step_id) -> ApprovalStep:
        if not is_id(step_id):
            raise Http404
        return get_object_or_404(ApprovalStep, pk=step_id, request=obj)

    def _link(self, obj, link_id) -> ReviewLink:
        if not is_id(link_id):
            raise Http404
        return get_object_or_404(ReviewLink, pk=link_id, step__request=obj)

    def _require_change(self, request):
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied

    def send_link_view(self, request, object_id, step_id):
        self._require_change(request)
        obj = self._request_for(request, object_id)
        step = self._step(obj, step_id)
        return self._run(
            request,
            obj,
            lambda: services.review_link_resend(step=step, actor=request.user, source="admin"),
            _("A new link is on its way to %(email)s; the old one no longer works.")
            % {"email": step.reviewer_email},
        )

    def revoke_view(self, request, object_id, link_id):
        self._require_change(request)
        obj = self._request_for(request, object_id)
        link = self._link(obj, link_id)
        return self._run(
            request,
            obj,
            lambda: services.review_link_revoke(link=link, actor=request.user, source="admin"),
            _("The link is revoked; it stopped working immediately."),
        )

    def extend_view(self, request, object_id, link_id):
        self._require_change(request)
        obj = self._request_for(request, object_id)
        link = self._link(obj, link_id)
        days = request.POST.get("days", "")
        if not is_id(days):
            messages.error(request, _("Extend by a number of days (1 to 365)."))
            return self._back(obj)
        return self._run(
            request,
            obj,
            lambda: services.review_link_extend(
                link=link, days=int(days), actor=request.user, source="admin"
            ),
            _("The link now works %(n)s days longer.") % {"n": days},
        )

    def decide_view(self, request, object_id, step_id):
        obj = self._request_for(request, object_id)
        step = self._step(obj, step_id)
        return self._run(
            request,
            obj,
            lambda: services.internal_step_decide(
                step=step,
                actor=request.user,
                outcome=request.POST.get("outcome", ""),
                message=request.POST.get("message", ""),
                ip=client_ip(request) or None,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ),
            _("Your decision is recorded."),
        )

    def flag_view(self, request, object_id, flag_id, how):
        self._require_change(request)
        obj = self._request_for(request, object_id)
        if not is_id(flag_id) or how not in ("apply", "dismiss"):
            raise Http404
        flag = get_object_or_404(ConfidentialFlag, pk=flag_id, step__request=obj)
        if how == "apply":
            return self._run(
                request,
                obj,
                lambda: services.confidential_flag_apply(
                    flag=flag,
                    actor=request.user,
                    replacement=request.POST.get("replacement", ""),
                    note=request.POST.get("note", ""),
                    source="admin",
                ),
                _("The flag is applied."),
            )
        return self._run(
            request,
            obj,
            lambda: services.confidential_flag_dismiss(
                flag=flag, actor=request.user, reason=request.POST.get("reason", ""), source="admin"
            ),
            _("The flag is dismissed; the reviewer will see your reason."),
        )

    def next_version_view(self, request, object_id):
        self._require_change(request)
        obj = self._request_for(request, object_id)
        try:
            version = services.approval_request_next_version(
                request=obj, actor=request.user, source="admin"
            )
        except ApprovalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Version %(n)s is saved without the refused quotes and confidential "
                    "phrases. Once it is in review, start the request for it."
                )
                % {"n": version.number},
            )
        return self._back(obj)

    def cancel_view(self, request, object_id):
        self._require_change(request)
        obj = self._request_for(request, object_id)
        return self._run(
            request,
            obj,
            lambda: services.approval_request_cancel(
                request=obj,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                source="admin",
            ),
            _("The approval is cancelled and its links revoked."),
        )


@admin.register(PermissionEvidence)
class PermissionEvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Why a quote is approved or refused, and why a person may (not) be
    named: each change with the decision (or outside approval) behind it."""

    list_display = ("created_at", "subject", "about", "granted", "basis", "evidence_of")
    list_filter = ("subject", "granted", "basis")
    list_select_related = ("quote", "contact", "decision", "outside__case_study")
    search_fields = ("quote__text", "contact__name", "decision__reviewer_name")

    @admin.display(description=gettext_lazy("quote or person"))
    def about(self, obj):
        return obj.quote if obj.quote_id else obj.contact

    @admin.display(description=gettext_lazy("evidence"))
    def evidence_of(self, obj):
        return obj.decision or obj.outside


@admin.register(OutsideApproval)
class OutsideApprovalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Approvals the customer gave outside Storyline, with their written
    confirmation (recorded from the approval pages, never added here)."""

    list_display = ("case_study", "version", "approved_by", "recorded_by_name", "created_at")
    list_select_related = ("case_study", "version")
    exclude = ("confirmation",)
    readonly_fields = ("confirmation_file",)

    @admin.display(description=gettext_lazy("written confirmation"))
    def confirmation_file(self, obj):
        from django.utils.html import format_html

        return format_html(
            '<a href="{}">{}</a>',
            reverse("approvals_staff:outside_file", args=[obj.pk]),
            obj.confirmation_name,
        )
