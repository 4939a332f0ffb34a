"""Selection, as admin pages: nominations (anyone on staff nominates, the
program manager accepts or declines), portfolio targets with the coverage
view (matrix, named gaps, ranked candidates) and the freshness list, and the
candidate scores (ranked list and breakdown page). GET shows, POST calls a
service in ``casestudies/selection_services.py``."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from casestudies import selection, selection_services
from casestudies.models import CandidateScore, Customer, Nomination, PortfolioTarget
from core.admin import NoDeleteAdminMixin
from core.audit import audit_log
from core.errors import TransitionError
from core.ids import is_id

DECIDE = "casestudies.change_nomination"


class DecisionForm(forms.Form):
    title = forms.CharField(
        label=_("Working title of the candidate story"), max_length=200, required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class NominationForm(forms.ModelForm):
    class Meta:
        model = Nomination
        fields = ("customer", "reason")


@admin.register(Nomination)
class NominationAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    form = NominationForm
    list_display = ("customer", "status", "nominated_by_name", "created_at", "short_reason")
    list_filter = ("status",)
    search_fields = ("customer__name", "reason", "nominated_by_name")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    readonly_fields = (
        "status",
        "nominated_by_name",
        "decided_by_name",
        "decided_at",
        "decision_note",
        "case_study",
    )
    change_form_template = "admin/casestudies/nomination/change_form.html"

    @admin.display(description=_("reason"))
    def short_reason(self, obj):
        return obj.reason[:80]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "customer":
            kwargs["queryset"] = Customer.objects.filter(archived=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Nomination.Status.PENDING:
            return ("customer", "reason", *self.readonly_fields)  # decided: evidence
        if obj is not None:  # pending: the reason may still be completed
            return ("customer", *self.readonly_fields)
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != Nomination.Status.PENDING:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            selection_services.nomination_update(
                nomination=obj,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                source="admin",
            )
            return
        created = selection_services.nomination_create(
            customer=form.cleaned_data["customer"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
            source="admin",
        )
        obj.pk = created.pk
        obj._state.adding = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except TransitionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        extra_context["can_decide"] = request.user.has_perm(DECIDE)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="casestudies_nomination_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id, decision):
        if decision not in {"accept", "decline"}:
            raise Http404
        if not request.user.has_perm(DECIDE):
            raise PermissionDenied
        object_id = unquote(object_id)
        nomination = (
            Nomination.objects.select_related("customer").filter(pk=object_id).first()
            if is_id(object_id)
            else None
        )
        if nomination is None:
            raise Http404
        change_url = reverse("admin:casestudies_nomination_change", args=[nomination.pk])
        form = DecisionForm(request.POST or None)
        if decision == "decline":
            form.fields["title"].widget = forms.HiddenInput()
            form.fields["note"].required = True
            form.fields["note"].label = _("Why not now")
        if request.method == "POST" and form.is_valid():
            try:
                if decision == "accept":
                    done = selection_services.nomination_accept(
                        nomination=nomination,
                        title=form.cleaned_data["title"],
                        note=form.cleaned_data["note"],
                        actor=request.user,
                        source="admin",
                    )
                    messages.success(
                        request, _("Accepted: a candidate story was created and scored.")
                    )
                    return HttpResponseRedirect(
                        reverse(
                            "admin:casestudies_candidatescore_change", args=[done.case_study_id]
                        )
                    )
                selection_services.nomination_decline(
                    nomination=nomination,
                    note=form.cleaned_data["note"],
                    actor=request.user,
                    source="admin",
                )
                messages.success(request, _("Declined."))
            except TransitionError as exc:
                messages.error(request, str(exc))
            return HttpResponseRedirect(change_url)
        title = _("Accept the nomination") if decision == "accept" else _("Decline the nomination")
        return TemplateResponse(
            request,
            "admin/casestudies/selection/confirm.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "subject": nomination,
                "text": nomination.reason,
                "form": form,
                "button": title,
                "cancel_url": change_url,
            },
        )


@admin.register(PortfolioTarget)
class PortfolioTargetAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "target",
        "published_count",
        "in_progress_count",
        "progress",
        "priority",
        "note",
    )
    list_filter = ("industry", "company_size", "region")
    list_select_related = ("industry", "region", "use_case", "product")
    change_list_template = "admin/casestudies/portfoliotarget/change_list.html"

    def get_changelist_instance(self, request):
        """The page's targets get their progress in one pass (constant queries)."""
        changelist = super().get_changelist_instance(request)
        changelist.result_list = list(changelist.result_list)
        progress = selection.target_progress(changelist.result_list)
        for target in changelist.result_list:
            target.progress_info = progress[target.pk]
        return changelist

    @admin.display(description=_("published"))
    def published_count(self, obj):
        return obj.progress_info.published

    @admin.display(description=_("in progress"))
    def in_progress_count(self, obj):
        return obj.progress_info.in_progress

    @admin.display(description=_("have / wanted"))
    def progress(self, obj):
        info = obj.progress_info
        return format_html(
            '<span class="{}">{} / {}</span> — {}',
            "target-met" if info.met else "target-short",
            info.have,
            info.wanted,
            info.describe(),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        info = selection.target_progress([obj])[obj.pk]
        if info.met:
            messages.info(request, info.describe())
        audit_log(
            action="casestudies.portfolio_target.saved",
            obj=obj,
            actor=request.user,
            data={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
            source="admin",
        )

    def delete_model(self, request, obj):
        audit_log(
            action="casestudies.portfolio_target.deleted",
            obj=obj,
            actor=request.user,
            source="admin",
        )
        super().delete_model(request, obj)

    def get_urls(self):
        return [
            path(
                "coverage/",
                self.admin_site.admin_view(self.coverage_view),
                name="casestudies_coverage",
            ),
            path(
                "freshness/",
                self.admin_site.admin_view(self.freshness_view),
                name="casestudies_freshness",
            ),
            *super().get_urls(),
        ]

    def coverage_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = selection.coverage()
        return TemplateResponse(
            request,
            "admin/casestudies/selection/coverage.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Portfolio coverage"),
                "coverage": data,
                "can_recruit": request.user.has_perm("recruitment.add_outreach"),
            },
        )

    def freshness_view(self, request):
        if not request.user.has_perm("casestudies.view_casestudy"):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/casestudies/selection/freshness.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Freshness: stories to refresh or retire"),
                "stories": selection.stale_stories(),
                "can_archive": request.user.has_perm("casestudies.change_casestudy"),
            },
        )


@admin.register(CandidateScore)
class CandidateScoreAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    """The ranked candidates; a candidate's page is its score breakdown, with
    what is known of its story arc as the only input."""

    list_display = (
        "case_study",
        "customer",
        "total",
        "results",
        "arc",
        "willingness",
        "appeal",
        "gap_fill",
        "state",
    )
    list_select_related = ("case_study__customer",)
    search_fields = ("case_study__title", "case_study__customer__name")
    ordering = ("-total", "case_study_id")
    fieldsets = (
        (None, {"fields": ("case_study", "total", "breakdown_table", "computed_at")}),
        (
            _("What we know of the story arc"),
            {"fields": CandidateScore.ARC_FIELDS},
        ),
    )
    readonly_fields = ("case_study", "total", "breakdown_table", "computed_at")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(case_study__state__in=selection.CANDIDATE_STATES)
            .select_related("case_study__customer")
        )

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("customer"), ordering="case_study__customer__name")
    def customer(self, obj):
        return obj.case_study.customer.name

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.case_study.get_state_display()

    @admin.display(description=_("breakdown"))
    def breakdown_table(self, obj):
        labels = {
            "results": _("Results strength"),
            "arc": _("Story arc"),
            "willingness": _("Willingness"),
            "appeal": _("Target buyer appeal"),
            "gap_fill": _("Fills a portfolio gap"),
        }
        weights = selection.settings.STORYLINE["SELECTION_WEIGHTS"]
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    labels[name],
                    getattr(obj, name),
                    weights.get(name, 0),
                    "; ".join(obj.breakdown.get(name, [])),
                )
                for name in selection.COMPONENTS
            ),
        )
        return format_html(
            "<table><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th><th scope='col'>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("part"),
            _("score (0-100)"),
            _("weight"),
            _("why"),
            rows,
        )

    def save_model(self, request, obj, form, change):
        selection_services.candidate_arc_update(
            case_study=obj.case_study,
            known={name: form.cleaned_data[name] for name in CandidateScore.ARC_FIELDS},
            actor=request.user,
            source="admin",
        )
