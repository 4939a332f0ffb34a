"""Admin for outreach: the fatigue ledger, reference preferences and
requests, recipients, the suppression list, campaigns with their progress,
social handles and posts, share links and the event log."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from casestudies.customers import asks
from casestudies.models import CaseStudy, CustomerAsk, Industry, UseCase
from core.admin import NoDeleteAdminMixin
from core.admin_imports import SharedImportAdminMixin
from core.errors import TransitionError
from core.ids import is_id
from core.imports import CleanCellsMixin, SafeExportMixin
from distribution.models import (
    Campaign,
    CampaignDelivery,
    CustomerSocial,
    Recipient,
    ReferencePreference,
    ReferenceRequest,
    ShareLink,
    SocialPost,
    StoryUse,
    Suppression,
)
from distribution.outreach import campaigns, eventlog, references

SOURCE = "admin"


@admin.register(CustomerAsk)
class CustomerAskAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = ["customer", "kind", "contact", "asked_at", "source", "asked_by_name"]
    list_filter = ["kind"]
    list_select_related = ["customer", "contact"]
    search_fields = ["customer__name", "contact__name", "source"]
    date_hierarchy = "asked_at"
    autocomplete_fields = ["customer", "contact"]
    fields = ["customer", "contact", "kind", "asked_at", "source"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the ledger is append-only

    def save_model(self, request, obj, form, change):
        created = asks.record_ask(
            customer=obj.customer,
            contact=obj.contact,
            kind=obj.kind,
            source=obj.source,
            by=request.user,
            asked_at=obj.asked_at,
        )
        obj.pk = created.pk


@admin.register(ReferencePreference)
class ReferencePreferenceAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = [
        "contact",
        "available",
        "max_calls_per_quarter",
        "paused_until",
        "set_by_contact_at",
        "token_created_at",
    ]
    list_select_related = ["contact__customer"]
    list_filter = ["available"]
    search_fields = ["contact__name", "contact__email", "contact__customer__name"]
    autocomplete_fields = ["contact"]
    readonly_fields = ["set_by_contact_at", "token_created_at"]
    actions = ["email_link"]

    @admin.action(description=_("Email a new preference link (older links stop working)"))
    def email_link(self, request, queryset):
        for preference in queryset.select_related("contact"):
            references.preference_link_email(
                contact=preference.contact, actor=request.user, source=SOURCE
            )
        self.message_user(
            request,
            ngettext("%(n)d link emailed.", "%(n)d links emailed.", queryset.count())
            % {"n": queryset.count()},
        )


@admin.register(ReferenceRequest)
class ReferenceRequestAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = [
        "contact",
        "customer",
        "prospect_company",
        "requested_by",
        "state",
        "created_at",
        "open_link",
    ]
    list_filter = ["state"]
    list_select_related = ["contact", "customer", "requested_by"]
    search_fields = ["contact__name", "customer__name", "prospect_company"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False  # reps ask on /sales/references/

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # decisions go through the consent page

    @admin.display(description=_("Consent page"))
    def open_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("outreach:reference_detail", args=[obj.pk]), _("Open")
        )


class RecipientResource(CleanCellsMixin, SafeExportMixin, resources.ModelResource):
    """Recipient lists from CSV or Excel: one row per email (an existing
    address is updated, never duplicated); industry and use case by slug.
    The unsubscribed flag is never imported: only the recipient sets it."""

    industry = fields.Field(
        attribute="industry",
        column_name="industry",
        widget=widgets.ForeignKeyWidget(Industry, field="slug"),
    )
    use_case = fields.Field(
        attribute="use_case",
        column_name="use_case",
        widget=widgets.ForeignKeyWidget(UseCase, field="slug"),
    )

    class Meta:
        model = Recipient
        import_id_fields = ["email"]
        fields = ["email", "name", "kind", "company", "industry", "use_case", "language"]
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if row.get("email"):
            row["email"] = str(row["email"]).strip().lower()


@admin.register(Recipient)
class RecipientAdmin(NoDeleteAdminMixin, SharedImportAdminMixin, ImportExportModelAdmin):
    resource_classes = [RecipientResource]
    list_display = ["email", "name", "kind", "company", "industry", "use_case", "unsubscribed"]
    list_filter = ["kind", "unsubscribed", "industry", "use_case", "language"]
    list_select_related = ["industry", "use_case"]
    search_fields = ["email", "name", "company"]
    readonly_fields = ["unsubscribed", "unsubscribed_at"]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["email", "reason", "note", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email"]


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "subject",
            "language",
            "intro",
            "segment",
            "industry",
            "use_case",
            "stories",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "stories" in self.fields:
            self.fields["stories"].queryset = CaseStudy.objects.published().order_by("title")

    def clean_stories(self):
        stories = self.cleaned_data["stories"]
        refusals = [r for r in map(campaigns.story_refusal, stories) if r]
        if refusals:
            raise forms.ValidationError(refusals)
        return stories


@admin.register(Campaign)
class CampaignAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    form = CampaignForm
    list_display = ["name", "segment", "status", "progress_display", "queued_at", "finished_at"]
    list_filter = ["status", "segment"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["stories"]
    actions = ["send"]
    readonly_fields = ["status", "preview_link", "progress_detail", "queued_at", "finished_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                sent_count=Count(
                    "deliveries", filter=Q(deliveries__status=CampaignDelivery.Status.SENT)
                ),
                done_count=Count(
                    "deliveries", filter=~Q(deliveries__status=CampaignDelivery.Status.PENDING)
                ),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            fields += list(CampaignForm.Meta.fields)
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            return {}
        return super().get_prepopulated_fields(request, obj)

    @admin.display(description=_("sent / total"))
    def progress_display(self, obj):
        if obj.status == Campaign.Status.DRAFT:
            return "—"
        return f"{obj.sent_count} / {obj.total}"

    @admin.display(description=_("progress"))
    def progress_detail(self, obj):
        if obj.pk is None or obj.status == Campaign.Status.DRAFT:
            return _("Not sent yet.")
        p = campaigns.progress(obj)
        return (
            _(
                "%(sent)s sent, %(suppressed)s suppressed, %(failed)s failed, "
                "%(pending)s waiting, of %(total)s"
            )
            % p
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "<str:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="distribution_campaign_preview",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        if obj.pk is None:
            return _("Save the campaign to preview it.")
        url = reverse("admin:distribution_campaign_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("Open the email"))

    def preview_view(self, request, object_id):
        """The email as a recipient will see it (HTML part), with the stories
        that may still be sent. GET only: nothing is sent or recorded."""
        if not is_id(object_id):
            raise Http404
        campaign = self.get_object(request, object_id)
        if campaign is None or not self.has_view_permission(request, campaign):
            raise Http404
        sample = Recipient(pk=0, email="preview@example.com", name=request.user.first_name)
        message = campaigns.render_campaign_email(
            campaign, campaigns.campaign_cards(campaign), sample
        )
        response = HttpResponse(message.alternatives[0][0], content_type="text/html")
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
        return response

    @admin.action(description=_("Send the selected campaigns"))
    def send(self, request, queryset):
        for campaign in queryset:
            try:
                n = campaigns.campaign_send(campaign=campaign, actor=request.user, source=SOURCE)
            except TransitionError as exc:
                self.message_user(request, f"{campaign}: {exc}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(campaign)s: sending to %(n)d recipient.",
                        "%(campaign)s: sending to %(n)d recipients.",
                        n,
                    )
                    % {"campaign": campaign, "n": n},
                )


@admin.register(CampaignDelivery)
class CampaignDeliveryAdmin(admin.ModelAdmin):
    list_display = ["campaign", "recipient", "status", "claimed_at", "sent_at", "error"]
    list_filter = ["status", "campaign"]
    list_select_related = ["campaign", "recipient"]
    search_fields = ["recipient__email"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CustomerSocial)
class CustomerSocialAdmin(admin.ModelAdmin):
    list_display = ["customer", "linkedin_name", "x_handle"]
    search_fields = ["customer__name"]
    autocomplete_fields = ["customer"]


@admin.register(SocialPost)
class SocialPostAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = ["case_study", "network", "language", "posted_at", "reach", "url"]
    list_filter = ["network", "language"]
    list_select_related = ["case_study"]
    search_fields = ["case_study__title", "url"]
    readonly_fields = ["recorded_by"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case_study":
            kwargs["queryset"] = CaseStudy.objects.published().order_by("title")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ShareLink)
class ShareLinkAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = [
        "case_study",
        "prospect_company",
        "prospect_name",
        "rep",
        "visit_count",
        "first_visited_at",
        "revoked",
    ]
    list_filter = ["revoked"]
    list_select_related = ["case_study", "rep"]
    search_fields = ["prospect_company", "prospect_name", "case_study__title"]

    def has_add_permission(self, request) -> bool:
        return False  # reps create their links on /sales/share/

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class StoryUseForm(forms.ModelForm):
    class Meta:
        model = StoryUse
        fields = ["case_study", "kind", "name", "date", "audience_size", "notes"]

    def clean(self):
        data = super().clean()
        story, kind = data.get("case_study"), data.get("kind")
        if story and kind:
            reason = eventlog.use_refusal(story, kind)
            if reason:
                raise forms.ValidationError(reason)
        return data


@admin.register(StoryUse)
class StoryUseAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    form = StoryUseForm
    list_display = ["date", "case_study", "kind", "name", "audience_size", "recorded_by"]
    list_filter = ["kind"]
    list_select_related = ["case_study", "recorded_by"]
    search_fields = ["name", "case_study__title"]
    date_hierarchy = "date"

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = eventlog.story_use_record(
            case_study=data["case_study"],
            kind=data["kind"],
            name=data["name"],
            date=data["date"],
            audience_size=data.get("audience_size"),
            notes=data.get("notes", ""),
            actor=request.user,
            source=SOURCE,
        )
        obj.pk = created.pk
