from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from analytics.models import (
    Backlink,
    CustomerValue,
    Deal,
    DealStory,
    DownloadGate,
    Event,
    Lead,
    ReportDispatch,
)
from analytics.resources import BacklinkResource, DealResource
from core.admin_imports import SharedImportAdminMixin
from core.audit import audit_log


class AuditedAdmin(admin.ModelAdmin):
    """Every change made in the admin leaves an audit entry."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_log(
            action=f"analytics.{obj._meta.model_name}.{'changed' if change else 'created'}",
            obj=obj,
            actor=request.user,
            data={"fields": sorted(form.changed_data)},
            source="admin",
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "case_study", "detail", "referrer_host", "utm_campaign"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["case_study"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(DownloadGate)
class DownloadGateAdmin(AuditedAdmin):
    list_display = ["case_study", "enabled", "updated_at"]
    list_editable = ["enabled"]
    list_select_related = ["case_study"]
    autocomplete_fields = ["case_study"]


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "name", "email", "company", "role", "case_study", "utm_campaign"]
    list_filter = ["created_at", "utm_medium", "document"]
    list_select_related = ["case_study"]
    search_fields = ["name", "email", "company"]
    date_hierarchy = "created_at"


class DealStoryInline(admin.TabularInline):
    model = DealStory
    extra = 1
    autocomplete_fields = ["case_study"]
    fields = ["case_study", "source", "used_on", "rep_feedback", "customer_reaction", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Deal)
class DealAdmin(SharedImportAdminMixin, ImportExportModelAdmin, AuditedAdmin):
    resource_classes = [DealResource]
    list_display = [
        "external_id",
        "name",
        "outcome",
        "amount",
        "currency",
        "opened_on",
        "closed_on",
        "industry",
        "company_size",
        "story_count",
    ]
    list_filter = ["outcome", "industry", "company_size", "closed_on"]
    list_select_related = ["industry"]
    search_fields = ["external_id", "name"]
    autocomplete_fields = ["owner"]
    inlines = [DealStoryInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_stories=Count("deal_stories"))

    @admin.display(description=_("stories"), ordering="_stories")
    def story_count(self, obj):
        return obj._stories


@admin.register(Backlink)
class BacklinkAdmin(SharedImportAdminMixin, ImportExportModelAdmin, AuditedAdmin):
    resource_classes = [BacklinkResource]
    list_display = ["url", "domain", "case_study", "found_on"]
    list_select_related = ["case_study"]
    search_fields = ["url", "domain"]
    autocomplete_fields = ["case_study"]


@admin.register(CustomerValue)
class CustomerValueAdmin(AuditedAdmin):
    list_display = ["occurred_on", "customer", "kind", "amount", "case_study", "note"]
    list_filter = ["kind", "occurred_on"]
    list_select_related = ["customer", "case_study"]
    autocomplete_fields = ["customer", "case_study"]


@admin.register(ReportDispatch)
class ReportDispatchAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "period_start", "period_end", "sent_at", "dashboard"]
    list_filter = ["kind"]

    @admin.display(description=_("dashboard"))
    def dashboard(self, obj):
        url = reverse("analytics_dashboard:index")
        return format_html(
            '<a href="{}?start={}&amp;end={}">{}</a>',
            url,
            obj.period_start.isoformat(),
            obj.period_end.isoformat(),
            _("open"),
        )
