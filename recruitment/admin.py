"""Recruitment, as admin pages. The recruitment workspace of a case study
(readiness, the expected publication date, the customer's approval chain,
its requests and concerns), composing a request (template → preview → edit
→ send), recording the answer and the concerns raised, the templates and
concerns playbook. GET shows, POST calls a service. (The CRM import and the
relationship signals are the customer's: casestudies/admin_customers.py.)"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from approvals.models import ApprovalChainContact
from approvals.roles import CHAIN_ROLES
from casestudies.customers.readiness import readiness_for_customers
from casestudies.models import CandidateScore, CaseStudy, Contact
from core.admin import AuditedAdminMixin, NoDeleteAdminMixin, ReadOnlyAdminMixin
from core.errors import TransitionError
from core.ids import is_id
from recruitment import services, templating, timeline
from recruitment.forms import (
    ChainFormSet,
    ComposeForm,
    ConcernForm,
    EmailForm,
    NoteForm,
    ReasonForm,
)
from recruitment.models import Concern, ConcernAnswer, Outreach, OutreachTemplate, RaisedConcern

RECRUIT = "recruitment.add_outreach"


def _fix_links(missing: list[str], case_study: CaseStudy, contact: Contact) -> list[tuple]:
    """Where to add what a template's placeholders need: (label, url)."""
    links = {
        "result": (
            _("Add a metric to the story"),
            reverse("admin:casestudies_metric_add") + f"?case_study={case_study.pk}",
        ),
        "contact_title": (
            _("Add the contact's job title"),
            reverse("admin:casestudies_contact_change", args=[contact.pk]),
        ),
        "industry": (
            _("Add the customer's industry"),
            reverse("admin:casestudies_customer_change", args=[case_study.customer_id]),
        ),
        "website": (
            _("Add the customer's website"),
            reverse("admin:casestudies_customer_change", args=[case_study.customer_id]),
        ),
    }
    return [links[name] for name in missing if name in links]


@admin.register(OutreachTemplate)
class OutreachTemplateAdmin(AuditedAdminMixin, NoDeleteAdminMixin, admin.ModelAdmin):
    audit_name = "template"
    list_display = ("name", "language", "is_default", "archived")
    list_filter = ("language", "archived")
    fields = ("name", "language", "subject", "body", "is_default", "archived", "placeholders")
    readonly_fields = ("placeholders",)

    @admin.display(description=_("placeholders you can use"))
    def placeholders(self, obj=None):
        rows = format_html_join(
            "", "<div><code>{{{}}}</code> — {}</div>", templating.PLACEHOLDERS.items()
        )
        return format_html(
            "{}<div><code>{}</code> … <code>{}</code> — {}</div>",
            rows,
            "{if result}",
            "{else}",
            _(
                "a line used only when the placeholder can be filled, and the line after it "
                "when it cannot (e.g. before any metric exists)"
            ),
        )


class ConcernAnswerInline(admin.TabularInline):
    model = ConcernAnswer
    extra = 0


@admin.register(Concern)
class ConcernAdmin(AuditedAdminMixin, NoDeleteAdminMixin, admin.ModelAdmin):
    audit_name = "concern"
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ConcernAnswerInline]


class RaisedConcernInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RaisedConcern
    extra = 0
    fields = ("concern", "customer_words", "answer", "status", "recorded_by_name", "created_at")
    readonly_fields = fields


@admin.register(Outreach)
class OutreachAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = ("case_study", "contact", "status", "sent_at", "followups_sent", "language")
    list_filter = ("status", "language")
    search_fields = ("case_study__title", "contact__name", "contact__customer__name")
    list_select_related = ("case_study", "contact__customer")
    readonly_fields = (
        "case_study",
        "contact",
        "template",
        "language",
        "subject",
        "body",
        "status",
        "sent_at",
        "email_sent_at",
        "opened_at",
        "responded_at",
        "decline_reason",
        "sent_by_name",
    )
    fields = readonly_fields
    inlines = [RaisedConcernInline]
    change_form_template = "admin/recruitment/outreach/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(followup_count=Count("followups"))

    @admin.display(description=_("follow-ups"), ordering="followup_count")
    def followups_sent(self, obj):
        return obj.followup_count

    def has_add_permission(self, request):
        return False  # composed from the case study's recruitment page

    def has_change_permission(self, request, obj=None):
        return False  # what was sent stays as sent; answers are recorded by actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        extra_context["can_recruit"] = request.user.has_perm(RECRUIT)
        return super().change_view(request, object_id, form_url, extra_context)

    # --- views -------------------------------------------------------------

    def get_urls(self):
        def view(route, func, name):
            return path(route, self.admin_site.admin_view(func), name=f"recruitment_{name}")

        return [
            view("case-study/<str:case_study_id>/", self.workspace_view, "workspace"),
            view("case-study/<str:case_study_id>/compose/", self.compose_view, "compose"),
            view("<str:object_id>/answer/<str:action>/", self.answer_view, "answer"),
            view("<str:object_id>/concern/", self.concern_view, "concern"),
            *super().get_urls(),
        ]

    def _case_study(self, request, case_study_id) -> CaseStudy:
        if not request.user.has_perm(RECRUIT):
            raise PermissionDenied
        case_study_id = unquote(case_study_id)
        case_study = (
            CaseStudy.objects.select_related("customer__industry").filter(pk=case_study_id).first()
            if is_id(case_study_id)
            else None
        )
        if case_study is None:
            raise Http404
        return case_study

    def _outreach(self, request, object_id) -> Outreach:
        if not request.user.has_perm(RECRUIT):
            raise PermissionDenied
        object_id = unquote(object_id)
        outreach = (
            Outreach.objects.select_related("case_study__customer", "contact")
            .filter(pk=object_id)
            .first()
            if is_id(object_id)
            else None
        )
        if outreach is None:
            raise Http404
        return outreach

    def _back(self, request, default: str) -> str:
        """Where to go after an answer or a send: a local ``next`` (the story's
        workspace sends people back to itself), else ``default``."""
        from django.utils.http import url_has_allowed_host_and_scheme

        target = request.POST.get("next") or request.GET.get("next") or ""
        if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return default

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def workspace_view(self, request, case_study_id):
        case_study = self._case_study(request, case_study_id)
        contacts = Contact.objects.filter(customer_id=case_study.customer_id, archived=False)
        chain_rows = {row.role: row for row in case_study.approval_chain.select_related("contact")}
        initial = [
            {
                "role": kind.value,
                "contact": chain_rows[kind.value].contact_id if kind.value in chain_rows else None,
                "expected_review_days": (
                    chain_rows[kind.value].expected_review_days
                    if kind.value in chain_rows
                    else None
                ),
                "completed_on": (
                    chain_rows[kind.value].completed_on if kind.value in chain_rows else None
                ),
            }
            for kind in CHAIN_ROLES
        ]
        formset = ChainFormSet(
            request.POST or None, initial=initial, form_kwargs={"contacts": contacts}
        )
        if request.method == "POST":
            if formset.is_valid():
                try:
                    for form in formset:
                        data = form.cleaned_data
                        if not data.get("role"):
                            continue
                        services.chain_member_set(
                            case_study=case_study,
                            role=data["role"],
                            contact=data.get("contact"),
                            expected_review_days=data.get("expected_review_days"),
                            completed_on=data.get("completed_on"),
                            actor=request.user,
                            source="admin",
                        )
                except TransitionError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, _("Approval chain saved."))
                return HttpResponseRedirect(
                    reverse("admin:recruitment_workspace", args=[case_study.pk])
                )
            messages.error(request, _("Please correct the errors below."))
        labels = {kind.value: kind.label for kind in CHAIN_ROLES}
        outreaches = list(
            case_study.outreaches.select_related("contact")
            .annotate(followup_count=Count("followups"))
            .prefetch_related(
                Prefetch("concerns", queryset=RaisedConcern.objects.select_related("concern"))
            )
        )
        verdict = readiness_for_customers([case_study.customer])[case_study.customer_id]
        return TemplateResponse(
            request,
            "admin/recruitment/workspace.html",
            self._context(
                request,
                _("Recruitment: %(title)s") % {"title": case_study.title},
                case_study=case_study,
                readiness=verdict,
                score=CandidateScore.objects.filter(case_study=case_study).first(),
                timeline=timeline.expected_publication(case_study),
                formset=formset,
                chain_forms=[
                    (labels.get(f.initial.get("role") or f["role"].value(), ""), f) for f in formset
                ],
                outreaches=outreaches,
                can_compose=case_study.state in services.RECRUITABLE
                and not any(o.is_open for o in outreaches),
            ),
        )

    def compose_view(self, request, case_study_id):
        case_study = self._case_study(request, case_study_id)
        workspace = reverse("admin:recruitment_workspace", args=[case_study.pk])
        if case_study.state not in services.RECRUITABLE:
            messages.error(request, _("Outreach is for candidates and recruiting stories."))
            return HttpResponseRedirect(workspace)
        default = OutreachTemplate.objects.filter(is_default=True, archived=False).first()
        compose = ComposeForm(
            request.POST or None,
            case_study=case_study,
            initial={"template": default.pk if default else None},
        )
        email_form = None
        problems = []
        fixes = []
        if request.method == "POST" and compose.is_valid():
            template = compose.cleaned_data["template"]
            contact = compose.cleaned_data["contact"]
            if "send" in request.POST:
                email_form = EmailForm(request.POST)
                if email_form.is_valid():
                    try:
                        services.outreach_send(
                            case_study=case_study,
                            contact=contact,
                            subject=email_form.cleaned_data["subject"],
                            body=email_form.cleaned_data["body"],
                            language=template.language,
                            template=template,
                            actor=request.user,
                            source="admin",
                        )
                    except TransitionError as exc:
                        messages.error(request, str(exc))
                    else:
                        messages.success(request, _("Sent to %(name)s.") % {"name": contact.name})
                        return HttpResponseRedirect(self._back(request, workspace))
            else:
                sender = request.user.get_full_name()
                try:
                    rendered = templating.render(
                        subject=template.subject,
                        body=template.body,
                        case_study=case_study,
                        contact=contact,
                        sender_name=sender,
                        language=template.language,
                    )
                except templating.TemplateDataMissing as exc:
                    problems = exc.problems
                    fixes = _fix_links(exc.missing, case_study, contact)
                else:
                    email_form = EmailForm(
                        initial={"subject": rendered.subject, "body": rendered.body}
                    )
        return TemplateResponse(
            request,
            "admin/recruitment/compose.html",
            self._context(
                request,
                _("Ask %(customer)s to take part") % {"customer": case_study.customer.name},
                case_study=case_study,
                compose=compose,
                email_form=email_form,
                problems=problems,
                fixes=fixes,
                workspace_url=workspace,
                next_url=self._back(request, ""),
                readiness=readiness_for_customers([case_study.customer])[case_study.customer_id],
            ),
        )

    ANSWERS = {
        "opened": (_("Record that it was opened"), None),
        "accept": (_("They accepted"), NoteForm),
        "decline": (_("They declined"), ReasonForm),
        "no_answer": (_("No answer"), None),
    }

    def answer_view(self, request, object_id, action):
        if action not in self.ANSWERS:
            raise Http404
        outreach = self._outreach(request, object_id)
        title, form_class = self.ANSWERS[action]
        form = form_class(request.POST or None) if form_class else None
        workspace = reverse("admin:recruitment_workspace", args=[outreach.case_study_id])
        if request.method == "POST" and (form is None or form.is_valid()):
            data = form.cleaned_data if form else {}
            try:
                if action == "opened":
                    services.outreach_mark_opened(outreach=outreach, actor=request.user)
                elif action == "accept":
                    services.outreach_accept(
                        outreach=outreach, note=data["note"], actor=request.user, source="admin"
                    )
                    messages.success(
                        request,
                        _("Accepted: the story moved to interviewing. Check the approval chain."),
                    )
                elif action == "decline":
                    services.outreach_decline(
                        outreach=outreach, reason=data["reason"], actor=request.user, source="admin"
                    )
                else:
                    services.outreach_mark_no_answer(
                        outreach=outreach, actor=request.user, source="admin"
                    )
            except TransitionError as exc:
                messages.error(request, str(exc))
            return HttpResponseRedirect(self._back(request, workspace))
        return TemplateResponse(
            request,
            "admin/casestudies/selection/confirm.html",
            self._context(
                request,
                title,
                subject=outreach,
                text=outreach.subject,
                form=form,
                button=title,
                cancel_url=workspace,
                next_url=self._back(request, ""),
            ),
        )

    def concern_view(self, request, object_id):
        outreach = self._outreach(request, object_id)
        workspace = reverse("admin:recruitment_workspace", args=[outreach.case_study_id])
        form = ConcernForm(request.POST or None)
        if request.method == "POST" and "insert" in request.POST:
            # Without JavaScript: fill the playbook's answer in, then edit.
            data = request.POST.copy()
            concern_id = data.get("concern", "")
            answer = (
                ConcernAnswer.objects.filter(concern_id=concern_id, language=outreach.language)
                .values_list("text", flat=True)
                .first()
                if is_id(concern_id)
                else None
            )
            if answer:
                data["answer"] = answer
            else:
                messages.warning(request, _("The playbook has no answer for it in this language."))
            form = ConcernForm(initial=data.dict())
        elif request.method == "POST" and form.is_valid():
            try:
                services.concern_record(
                    outreach=outreach,
                    concern=form.cleaned_data["concern"],
                    customer_words=form.cleaned_data["customer_words"],
                    answer=form.cleaned_data["answer"],
                    status=form.cleaned_data["status"],
                    actor=request.user,
                    source="admin",
                )
            except TransitionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Concern recorded."))
                return HttpResponseRedirect(workspace)
        return TemplateResponse(
            request,
            "admin/recruitment/concern.html",
            self._context(
                request,
                _("Record a concern"),
                outreach=outreach,
                form=form,
                workspace_url=workspace,
                playbook=Concern.objects.prefetch_related("answers"),
            ),
        )


@admin.register(ApprovalChainContact)
class ApprovalChainContactAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read here; set on the case study's recruitment page."""

    list_display = ("case_study", "role", "contact", "expected_review_days", "completed_on")
    list_filter = ("role",)
    list_select_related = ("case_study", "contact__customer")
