from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from analytics.measures import placements
from casestudies import services
from casestudies.admin_drafting import SIGN_OFF_PERMISSION, DraftingAdminMixin
from casestudies.forms import CustomerAdminForm, MetricForm
from casestudies.models import (
    EVIDENCE_LOCKED_STATES,
    SECTION_FIELDS,
    CaseStudy,
    CaseStudyState,
    Competitor,
    Contact,
    Customer,
    Department,
    Industry,
    Metric,
    Objection,
    Product,
    Quote,
    Region,
    StateChange,
    StoryVersion,
    UseCase,
    internal_review_areas,
    review_area_label,
)
from core.admin import NoDeleteAdminMixin, ReadOnlyAdminMixin
from core.errors import TransitionError, error_message
from core.ids import is_id
from recruitment.timeline import expected_publication

# Moves the workspace posts by name (approval is the customer's: never here).
WORKSPACE_MOVES = {
    "publish",
    "resume",
    "reconsider",
    "put_on_hold",
    "decline",
    "request_changes",
    "archive",
}
REVIEWER_ASSIGNABLE_STATES = {
    CaseStudyState.CANDIDATE,
    CaseStudyState.RECRUITING,
    CaseStudyState.INTERVIEWING,
    CaseStudyState.DRAFTING,
}

# --------------------------------------------------------------------------
# Taxonomy
# --------------------------------------------------------------------------


class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "archived")
    list_filter = ("archived",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


for model in (Industry, UseCase, Department, Region, Objection, Competitor):
    admin.site.register(model, TaxonomyAdmin)


@admin.register(Product)
class ProductAdmin(TaxonomyAdmin):
    list_display = ("name", "slug", "kind", "archived")
    list_filter = ("kind", "archived")

    def save_model(self, request, obj, form, change):
        # A rename is recorded (the freshness list reads it): the service.
        from casestudies.selection_services import product_save

        product_save(product=obj, actor=request.user, source="admin")


# --------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------


class ContactInline(NoDeleteAdminMixin, admin.TabularInline):
    model = Contact
    extra = 0
    fields = (
        "name",
        "title",
        "email",
        "role",
        "may_contact",
        "agreed_to_participate",
        "may_be_named",
        "available_as_reference",
        "left_company",
        "archived",
    )
    show_change_link = True


@admin.register(Customer)
class CustomerAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = (
        "name",
        "industry",
        "company_size",
        "region",
        "implementation_status",
        "nps_score",
        "open_support_issues",
        "account_owner",
        "story_count",
    )
    list_filter = (
        "industry",
        "company_size",
        "region",
        "implementation_status",
        "last_business_review_sentiment",
        "well_known_brand",
        "archived",
    )
    search_fields = ("name", "website", "contacts__name", "contacts__email")
    list_select_related = ("industry", "region", "account_owner")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("account_owner",)
    filter_horizontal = ("products",)
    inlines = [ContactInline]
    change_form_template = "admin/casestudies/customer/change_form.html"
    fieldsets = (
        (None, {"fields": ("name", "slug", "website", "logo", "description", "account_owner")}),
        (
            _("Segment"),
            {"fields": ("industry", "company_size", "region", "products", "well_known_brand")},
        ),
        (
            _("Relationship signals"),
            {
                "fields": (
                    "implementation_status",
                    "last_milestone",
                    "last_milestone_on",
                    "renewal_date",
                    "last_business_review_on",
                    "last_business_review_sentiment",
                    "nps_score",
                    "nps_recorded_on",
                    "open_support_issues",
                    "last_support_issue_on",
                )
            },
        ),
        (None, {"fields": ("archived",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_story_count=Count("case_studies"))

    @admin.display(description=_("stories"), ordering="_story_count")
    def story_count(self, obj):
        return obj._story_count


@admin.register(Contact)
class ContactAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "title",
        "customer",
        "role",
        "email",
        "agreed_to_participate",
        "may_be_named",
        "left_company",
    )
    list_filter = (
        "role",
        "agreed_to_participate",
        "may_be_named",
        "available_as_reference",
        "left_company",
        "archived",
    )
    search_fields = ("name", "email", "title", "customer__name")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)


# --------------------------------------------------------------------------
# Case studies
# --------------------------------------------------------------------------


class EvidenceLockMixin:
    """Metrics and quotes are what a customer approved: once the story is
    approved they can be read but not added, changed or removed."""

    def _locked(self, obj) -> bool:
        case_study = getattr(obj, "case_study", obj)
        return case_study is not None and case_study.state in EVIDENCE_LOCKED_STATES

    def has_add_permission(self, request, obj=None):
        if self._locked(obj):
            return False
        if isinstance(self, InlineModelAdmin):
            return super().has_add_permission(request, obj)
        return super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case_study":  # standalone add: only open stories
            kwargs["queryset"] = CaseStudy.objects.exclude(state__in=EVIDENCE_LOCKED_STATES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MetricInline(EvidenceLockMixin, admin.TabularInline):
    model = Metric
    form = MetricForm
    extra = 0
    fields = (
        "kind",
        "label",
        "before",
        "after",
        "unit",
        "period",
        "higher_is_better",
        "percentage_only",
        "improvement",
        "source",
        "position",
    )
    readonly_fields = ("improvement",)

    @admin.display(description=_("improvement"))
    def improvement(self, obj):
        return obj.improvement_display if obj.pk else "—"


class QuoteInline(EvidenceLockMixin, admin.StackedInline):
    model = Quote
    extra = 0
    fields = (
        ("speaker", "speaker_name", "speaker_title"),
        "text",
        ("kind", "permission", "position"),
    )
    autocomplete_fields = ("speaker",)


class StoryVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StoryVersion
    extra = 0
    fields = (
        "number",
        "language",
        "title",
        "words",
        "content_hash",
        "created_at",
        "created_by_name",
        "note",
    )
    readonly_fields = fields
    show_change_link = True
    ordering = ("-number",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case_study")

    @admin.display(description=_("words"))
    def words(self, obj):
        return obj.total_words


class StateChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StateChange
    extra = 0
    fields = ("created_at", "from_state", "to_state", "actor_name", "reason", "version")
    readonly_fields = fields
    ordering = ("-created_at",)
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case_study", "version__case_study")


def _apply_transition(request, name: str, case_studies, reason: str) -> int:
    """Run one transition on each case study; errors become admin messages."""
    func = services.TRANSITION_FUNCTIONS[name]
    done = 0
    for case_study in case_studies:
        try:
            func(case_study=case_study, actor=request.user, reason=reason, source="admin")
        except TransitionError as exc:
            messages.error(request, error_message(exc))
        else:
            done += 1
    if done:
        messages.success(
            request,
            ngettext(
                "%(action)s: %(n)d case study moved.", "%(action)s: %(n)d case studies moved.", done
            )
            % {"action": services.TRANSITIONS[name].label, "n": done},
        )
    return done


def _transition_action(name: str):
    transition = services.TRANSITIONS[name]

    def action(modeladmin, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if transition.needs_reason and not (request.POST.get("apply") and reason):
            # An intermediate page asks for the reason (like the delete confirmation).
            return modeladmin.render_transition_confirm(
                request,
                transition,
                list(queryset),
                form_action="",
                form_error=_("Please give a reason.") if request.POST.get("apply") else "",
                action_name=f"transition_{name}",
            )
        _apply_transition(request, name, queryset, reason)
        return None

    action.__name__ = f"transition_{name}"
    action.short_description = transition.label
    action.allowed_permissions = ("change",)
    return action


@admin.register(CaseStudy)
class CaseStudyAdmin(DraftingAdminMixin, NoDeleteAdminMixin, admin.ModelAdmin):
    def view_on_site(self, obj):
        # Only a published story has a public page; any other would be a 404.
        return obj.get_absolute_url() if obj.state == CaseStudyState.PUBLISHED else None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "customer":  # new stories only for current customers
            kwargs["queryset"] = Customer.objects.filter(archived=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    list_display = (
        "workspace_link",
        "customer",
        "state",
        "days_in_stage",
        "owner",
        "featured",
        "published_link",
    )
    list_filter = (
        "state",
        "featured",
        "customer__industry",
        "customer__company_size",
        "customer__region",
        "use_cases",
        "products",
    )
    search_fields = ("title", "slug", "customer__name")
    list_select_related = ("customer", "owner")
    autocomplete_fields = ("customer", "owner")
    filter_horizontal = ("use_cases", "departments", "products", "objections", "competitors")
    # Set only by the transitions in services.py.
    state_fields = (
        "state",
        "state_changed_at",
        "held_from_state",
        "approved_version",
        "published_version",
        "published_at",
    )
    readonly_fields = ("slug", *state_fields)
    fieldsets = (
        (None, {"fields": ("customer", "title", "slug", "owner", "featured")}),
        (_("State"), {"fields": state_fields}),
        (
            _("Usage rights"),
            {
                "fields": (
                    "anonymised",
                    "percentage_only",
                    "rights_expire_on",
                    "logo_allowed",
                    ("channel_web", "channel_pdf", "channel_sales_decks"),
                    ("channel_social", "channel_events", "channel_paid"),
                    "rights_confirmed_at",
                    "rights_confirmed_by",
                )
            },
        ),
        (
            _("Taxonomy"),
            {"fields": ("use_cases", "departments", "products", "objections", "competitors")},
        ),
    )
    inlines = [MetricInline, QuoteInline, StoryVersionInline, StateChangeInline]
    # "Record approval" is not a button here: an approval given outside
    # Storyline is recorded deliberately, behind the approval page, with the
    # customer's written confirmation (approvals' "outside" page).
    actions = [_transition_action(name) for name in services.TRANSITIONS if name != "approve"]
    change_form_template = "admin/casestudies/casestudy/change_form.html"

    list_display_links = None  # a story opens on its workspace

    @admin.display(description=_("working title"), ordering="title")
    def workspace_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:casestudies_casestudy_workspace", args=[obj.pk]),
            obj.title,
        )

    def response_change(self, request, obj):
        # Saving the details goes back to the story's workspace.
        response = super().response_change(request, obj)
        if "_continue" in request.POST or "_addanother" in request.POST:
            return response
        return HttpResponseRedirect(reverse("admin:casestudies_casestudy_workspace", args=[obj.pk]))

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_continue" in request.POST or "_addanother" in request.POST or "_popup" in request.POST:
            return response
        return HttpResponseRedirect(reverse("admin:casestudies_casestudy_workspace", args=[obj.pk]))

    @admin.display(description=_("days in stage"), ordering="state_changed_at")
    def days_in_stage(self, obj):
        return obj.days_in_state

    @admin.display(description=_("public page"))
    def published_link(self, obj):
        if obj.state != "published":
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("view"))

    def get_readonly_fields(self, request, obj=None):
        # A story stays with the customer it was created for.
        readonly = (
            *super().get_readonly_fields(request, obj),
            "rights_confirmed_at",
            "rights_confirmed_by",
        )
        return (*readonly, "customer") if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            changes = {
                name: (form.initial.get(name), form.cleaned_data.get(name))
                for name in services.USAGE_RIGHTS_FIELDS
                if name in form.changed_data
            }
            updated = services.case_study_usage_rights_changed(
                case_study=obj, changes=changes, actor=request.user, source="admin"
            )
            obj.slug = updated.slug
            return
        created = services.case_study_create(
            customer=obj.customer,
            title=obj.title,
            owner=obj.owner or request.user,
            featured=obj.featured,
            actor=request.user,
            source="admin",
        )
        obj.pk, obj.slug, obj.owner = created.pk, created.slug, created.owner
        obj._state.adding = False

    # --- transitions from the object page: GET confirms, POST moves --------

    def get_urls(self):
        return [
            *self.get_drafting_urls(),
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="casestudies_casestudy_transition",
            ),
            path(
                "<path:object_id>/workspace/",
                self.admin_site.admin_view(self.workspace_view),
                name="casestudies_casestudy_workspace",
            ),
            path(
                "<path:object_id>/workspace/move/",
                self.admin_site.admin_view(self.workspace_move_view),
                name="casestudies_casestudy_workspace_move",
            ),
            path(
                "<path:object_id>/workspace/reviewers/",
                self.admin_site.admin_view(self.workspace_reviewers_view),
                name="casestudies_casestudy_workspace_reviewers",
            ),
            path(
                "<path:object_id>/translations/",
                self.admin_site.admin_view(self.translations_view),
                name="casestudies_casestudy_translations",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request: HttpRequest, object_id: str, name: str):
        case_study = self.get_object(request, unquote(object_id))
        if case_study is None:
            raise Http404
        if not self.has_change_permission(request, case_study):
            raise PermissionDenied
        transition = services.TRANSITIONS.get(name)
        if name == "approve":
            return HttpResponseRedirect(reverse("approvals_staff:outside", args=[case_study.pk]))
        if transition is None:
            messages.error(request, _("Unknown action."))
            return HttpResponseRedirect(self._change_url(case_study))
        reason = request.POST.get("reason", "").strip()
        if request.method == "POST" and (reason or not transition.needs_reason):
            _apply_transition(request, name, [case_study], reason)
            return HttpResponseRedirect(self._change_url(case_study))
        return self.render_transition_confirm(
            request,
            transition,
            [case_study],
            form_action=request.path,
            form_error=_("Please give a reason.") if request.method == "POST" else "",
            action_name="",
        )

    # --- the story workspace: one page per story ---------------------------

    def _workspace_object(self, request, object_id, *, change: bool):
        case_study = self.get_object(request, unquote(object_id))
        if case_study is None:
            raise Http404
        allowed = (
            self.has_change_permission(request, case_study)
            if change
            else self.has_view_permission(request, case_study)
        )
        if not allowed:
            raise PermissionDenied
        return case_study

    def workspace_view(self, request: HttpRequest, object_id: str):
        """The story's page for the program manager: where it stands, the one
        next step, and everything that happened to it."""
        from casestudies import workspace

        case_study = self._workspace_object(request, object_id, change=False)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": case_study.title,
            "subtitle": case_study.customer.name,
            "case_study": case_study,
            "original": case_study,
            "can_change": self.has_change_permission(request, case_study),
            "reviewer_choices": (
                workspace.reviewer_choices()
                if case_study.state in REVIEWER_ASSIGNABLE_STATES
                else None
            ),
            "areas": [(a, review_area_label(a)) for a in internal_review_areas()],
            **workspace.workspace(case_study),
        }
        return TemplateResponse(request, "admin/casestudies/casestudy/workspace.html", context)

    def workspace_move_view(self, request: HttpRequest, object_id: str):
        """POST only: the Next step's move (an implied one passes through the
        stages in between) or a secondary action with its reason, then back
        to the workspace. No confirmation page."""
        case_study = self._workspace_object(request, object_id, change=True)
        back = HttpResponseRedirect(
            reverse("admin:casestudies_casestudy_workspace", args=[case_study.pk])
        )
        if request.method != "POST":
            return back
        move = request.POST.get("move", "")
        reason = request.POST.get("reason", "")
        try:
            if move == "advance":
                moved = services.case_study_advance(
                    case_study=case_study,
                    target=request.POST.get("target", ""),
                    actor=request.user,
                    reason=reason,
                    source="workspace",
                )
            elif move == "interview_held":
                from interviews import services as interview_services
                from interviews.models import Interview

                interview = (
                    Interview.objects.filter(
                        case_study=case_study, status=Interview.Status.SCHEDULED
                    )
                    .order_by("-date", "-id")
                    .first()
                )
                if interview is None:
                    raise TransitionError(_("No scheduled interview to mark as held."))
                interview_services.interview_mark_held(
                    interview=interview, actor=request.user, source="workspace"
                )
                messages.success(request, _("The interview is marked as held."))
                return back
            elif move in WORKSPACE_MOVES:
                moved = services.TRANSITION_FUNCTIONS[move](
                    case_study=case_study, actor=request.user, reason=reason, source="workspace"
                )
            else:
                raise TransitionError(_("Unknown action."))
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("“%(title)s” is now %(state)s.")
                % {"title": moved.title, "state": moved.get_state_display()},
            )
        return back

    def workspace_reviewers_view(self, request: HttpRequest, object_id: str):
        """POST only: assign product, marketing and legal sign-off."""
        from casestudies import workspace

        case_study = self._workspace_object(request, object_id, change=True)
        back = HttpResponseRedirect(
            reverse("admin:casestudies_casestudy_workspace", args=[case_study.pk]) + "#reviewers"
        )
        if request.method != "POST":
            return back
        current = {row.area: row.choice_value for row in workspace.assignments(case_study)}
        done = 0
        for area in internal_review_areas():
            value = request.POST.get(f"area_{area}", "")
            if not value or value == current.get(area):
                continue
            user, group = workspace.parse_reviewer_choice(value)
            if user is None and group is None:
                messages.error(request, _("Choose a reviewer from the list."))
                continue
            try:
                services.internal_reviewer_assign(
                    case_study=case_study,
                    area=area,
                    user=user,
                    group=group,
                    actor=request.user,
                    source="workspace",
                )
            except TransitionError as exc:
                messages.error(request, str(exc))
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext(
                    "%(n)d reviewer assigned and emailed.",
                    "%(n)d reviewers assigned and emailed.",
                    done,
                )
                % {"n": done},
            )
        return back

    def translations_view(self, request: HttpRequest, object_id: str):
        """Language versions of an approved story: approve the newest version
        in each other language, or withdraw an approved one (with a reason)."""
        case_study = self.get_object(request, unquote(object_id))
        if case_study is None:
            raise Http404
        if not self.has_view_permission(request, case_study):
            raise PermissionDenied
        can_change = self.has_change_permission(request, case_study)
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            action = request.POST.get("action", "")
            try:
                if action == "approve":
                    raw = request.POST.get("version", "")
                    version = (
                        case_study.versions.filter(pk=int(raw)).first() if is_id(raw) else None
                    )
                    if version is None:
                        raise TransitionError(_("Choose a version to approve."))
                    services.story_translation_approve(
                        case_study=case_study, version=version, actor=request.user, source="admin"
                    )
                    messages.success(
                        request,
                        _("Version %(n)s approved as the %(language)s version.")
                        % {"n": version.number, "language": version.get_language_display()},
                    )
                elif action == "withdraw":
                    services.story_translation_withdraw(
                        case_study=case_study,
                        language=request.POST.get("language", ""),
                        actor=request.user,
                        reason=request.POST.get("reason", ""),
                        source="admin",
                    )
                    messages.success(request, _("The translation was withdrawn."))
                else:
                    messages.error(request, _("Unknown action."))
            except TransitionError as exc:
                messages.error(request, str(exc))
            return HttpResponseRedirect(request.path)

        main = case_study.published_version or case_study.approved_version
        approved = {t.language: t for t in case_study.translations.select_related("version")}
        latest = {}
        for version in case_study.versions.order_by("-number"):
            latest.setdefault(version.language, version)
        rows = [
            {
                "code": code,
                "name": name,
                "approved": approved.get(code),
                "latest": latest.get(code),
                "editable": services.story_editable(case_study, code),
                "missing_review": (
                    [review_area_label(a) for a in services.internal_review_missing(latest[code])]
                    if code in latest
                    else []
                ),
            }
            for code, name in settings.LANGUAGES
            if main is None or code != main.language
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Language versions of %(title)s") % {"title": case_study.title},
            "case_study": case_study,
            "original": case_study,
            "main": main,
            "rows": rows,
            "can_change": can_change,
            "crumb": _("Language versions"),
        }
        return TemplateResponse(request, "admin/casestudies/casestudy/translations.html", context)

    def render_transition_confirm(
        self, request, transition, case_studies, *, form_action, form_error, action_name
    ):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": transition.label,
            "transition": transition,
            "case_studies": case_studies,
            "form_action": form_action,
            "form_error": form_error,
            "action_name": action_name,
            "reason": request.POST.get("reason", ""),
            "cancel_url": (
                self._change_url(case_studies[0])
                if len(case_studies) == 1
                else reverse("admin:casestudies_casestudy_changelist")
            ),
        }
        return TemplateResponse(
            request, "admin/casestudies/casestudy/transition_confirm.html", context
        )

    def _change_url(self, case_study):
        return reverse("admin:casestudies_casestudy_change", args=[case_study.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        case_study = self.get_object(request, object_id)
        if case_study is not None:
            extra_context["available_transitions"] = [
                t
                for t in services.TRANSITIONS.values()
                if case_study.state in t.sources and t.name != "approve"
            ]
            extra_context["can_add_version"] = services.story_editable(case_study)
            extra_context["can_review"] = request.user.has_perm(SIGN_OFF_PERMISSION)
            extra_context["has_versions"] = case_study.versions.exists()
            if case_study.state != CaseStudyState.PUBLISHED:  # no forecast once it is out
                extra_context["timeline"] = expected_publication(case_study)  # recruitment
            extra_context["workspace_url"] = reverse(
                "admin:casestudies_casestudy_workspace", args=[case_study.pk]
            )
            # The host pages its embeds were shown on (analytics' first-party events).
            extra_context["shown_on"] = placements(case_study.events.all(), limit=20)
        return super().change_view(request, object_id, form_url, extra_context)


class StoryVersionForm(forms.ModelForm):
    class Meta:
        model = StoryVersion
        fields = ("case_study", "language", "title", *SECTION_FIELDS, "note")

    def clean_case_study(self):
        case_study = self.cleaned_data["case_study"]
        if case_study.state not in services.EDITABLE_STATES:
            raise forms.ValidationError(
                _(
                    "The story can be edited while interviewing, drafting or in review; "
                    "this one is %(state)s."
                )
                % {"state": case_study.get_state_display()}
            )
        return case_study


@admin.register(StoryVersion)
class StoryVersionAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    """Versions are written by ``story_version_create`` and never edited."""

    list_display = (
        "case_study",
        "number",
        "language",
        "title",
        "total_words",
        "created_at",
        "created_by_name",
    )
    list_filter = ("language",)
    search_fields = ("title", "case_study__title", "content_hash")
    list_select_related = ("case_study",)
    autocomplete_fields = ("case_study",)
    fields = (
        "case_study",
        "language",
        "title",
        "summary",
        "challenge",
        "solution",
        "implementation",
        "results",
        "future_plans",
        "note",
    )

    form = StoryVersionForm

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*self.fields, "number", "content_hash", "created_at", "created_by_name")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case_study":
            kwargs["queryset"] = CaseStudy.objects.filter(state__in=services.EDITABLE_STATES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        """``?case_study=<id>`` starts the new version from the latest one, so an
        edit is a change, not a retyping."""
        initial = super().get_changeform_initial_data(request)
        latest = (
            StoryVersion.objects.filter(case_study_id=initial.get("case_study"))
            .order_by("-number")
            .first()
            if is_id(initial.get("case_study", ""))
            else None
        )
        if latest is not None:
            initial.update(latest.sections(), title=latest.title, language=latest.language)
        return initial

    def has_change_permission(self, request, obj=None):
        # Viewing an existing version is allowed; saving it again is not.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        version = services.story_version_create(
            case_study=obj.case_study,
            actor=request.user,
            title=obj.title,
            language=obj.language,
            note=obj.note,
            sections=obj.sections(),
            source="admin",
        )
        obj.pk, obj.number = version.pk, version.number
        obj._state.adding = False

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except TransitionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(request.get_full_path())


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "case_study",
        "from_state",
        "to_state",
        "actor_name",
        "notified_at",
    )
    list_filter = ("to_state", "from_state")
    search_fields = ("case_study__title", "actor_name", "reason")
    list_select_related = ("case_study",)
    date_hierarchy = "created_at"


@admin.register(Metric)
class MetricAdmin(EvidenceLockMixin, admin.ModelAdmin):
    form = MetricForm
    list_display = ("label", "case_study", "kind", "before", "after", "unit", "improvement")
    list_filter = ("kind", "percentage_only")
    search_fields = ("label", "case_study__title")
    list_select_related = ("case_study",)
    autocomplete_fields = ("case_study",)

    @admin.display(description=_("improvement"))
    def improvement(self, obj):
        return obj.improvement_display


@admin.register(Quote)
class QuoteAdmin(EvidenceLockMixin, admin.ModelAdmin):
    list_display = ("short_text", "speaker_name", "case_study", "kind", "permission")
    list_filter = ("kind", "permission")
    search_fields = ("text", "speaker_name", "case_study__title")
    list_select_related = ("case_study",)
    autocomplete_fields = ("case_study", "speaker")

    @admin.display(description=_("quote"))
    def short_text(self, obj):
        return obj.text[:80]


# Selection: nominations, portfolio targets, coverage, scores, freshness.
# The relationship signals and the CRM import (registered in their own module).
from casestudies import (  # noqa: E402
    admin_customers,  # noqa: F401
    admin_selection,  # noqa: F401
)
